// Views (share storage, copy nothing) and joins. Each view's backward undoes it.
#include <algorithm>
#include <cstring>
#include <numeric>

#include "impl.hpp"
#include "soma/core/error.hpp"

namespace soma {

namespace {
struct ReshapeBackward final : Node {
  Shape in_shape;
  void backward(const Tensor& g, Grads& out) override { out[0] = g.reshape(in_shape); }
  const char* name() const override { return "ReshapeBackward"; }
};
struct PermuteBackward final : Node {
  Shape inverse;
  void backward(const Tensor& g, Grads& out) override { out[0] = g.permute(inverse); }
  const char* name() const override { return "PermuteBackward"; }
};
struct ExpandBackward final : Node {
  Shape in_shape;
  void backward(const Tensor& g, Grads& out) override { out[0] = sum_to(g, in_shape); }
  const char* name() const override { return "ExpandBackward"; }
};
// slice/select: the gradient is scattered back into zeros of the input's shape
struct SliceBackward final : Node {
  Shape in_shape;
  int dim = 0;
  int64_t start = 0, step = 1;
  bool squeeze = false;
  void backward(const Tensor& g, Grads& out) override {
    Tensor full = zeros(in_shape, g.dtype());
    const int64_t len = squeeze ? 1 : g.size(dim);
    Tensor region = full.slice(dim, start, start + (len - 1) * step + 1, step);
    region.copy_(squeeze ? g.unsqueeze(dim) : g);
    out[0] = full;
  }
  const char* name() const override { return "SliceBackward"; }
};

Shape infer_shape(const Shape& requested, int64_t numel, const Shape& from) {
  Shape s = requested;
  int infer = -1;
  int64_t known = 1;
  for (int i = 0; i < s.size(); ++i) {
    if (s[i] == -1) {
      if (infer >= 0)
        throw Error("reshape: only one dimension can be inferred in " + requested.str());
      infer = i;
    } else if (s[i] < 0) {
      throw Error("reshape: invalid shape dimension " + std::to_string(s[i]));
    } else {
      known *= s[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || numel % known != 0)
      throw Error("reshape: shape " + requested.str() + " is invalid for input of size " +
                  std::to_string(numel));
    s[infer] = numel / known;
  }
  if (s.numel() != numel)
    throw Error("reshape: shape " + requested.str() + " is invalid for input of shape " +
                from.str() + " (size " + std::to_string(numel) + ")");
  return s;
}
}  // namespace

Tensor Tensor::view(const Shape& requested) const {
  const Shape s = infer_shape(requested, numel(), shape());
  if (!is_contiguous())
    throw Error("view: size " + requested.str() +
                " is not compatible with the input's strides; use reshape");
  Tensor r = make_view(*this, s, contiguous_strides(s), offset());
  return record<ReshapeBackward>(r, {*this}, [&](ReshapeBackward& n) { n.in_shape = shape(); });
}

Tensor Tensor::reshape(const Shape& requested) const {
  const Shape s = infer_shape(requested, numel(), shape());
  const Tensor src = is_contiguous() ? *this : contiguous();
  Tensor r = make_view(src, s, contiguous_strides(s), src.offset());
  return record<ReshapeBackward>(r, {*this}, [&](ReshapeBackward& n) { n.in_shape = shape(); });
}

Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  if (dim() == 0) return reshape({1});
  const int s = wrap_dim(start_dim, dim()), e = wrap_dim(end_dim, dim());
  if (s > e) throw Error("flatten: start_dim cannot come after end_dim");
  Shape out;
  for (int i = 0; i < s; ++i) out.push_back(shape()[i]);
  int64_t merged = 1;
  for (int i = s; i <= e; ++i) merged *= shape()[i];
  out.push_back(merged);
  for (int i = e + 1; i < dim(); ++i) out.push_back(shape()[i]);
  return reshape(out);
}

Tensor Tensor::permute(const Shape& order) const {
  if (order.size() != dim())
    throw Error("permute: number of dimensions in the order " + order.str() +
                " does not match the tensor's " + std::to_string(dim()));
  Shape s, st, inverse;
  inverse.resize(dim());
  std::vector<bool> seen(dim(), false);
  for (int i = 0; i < dim(); ++i) {
    const int d = wrap_dim(order[i], dim());
    if (seen[d])
      throw Error("permute: repeated dimension " + std::to_string(d) + " in " + order.str());
    seen[d] = true;
    s.push_back(shape()[d]);
    st.push_back(strides()[d]);
    inverse[d] = i;
  }
  Tensor r = make_view(*this, s, st, offset());
  return record<PermuteBackward>(r, {*this}, [&](PermuteBackward& n) { n.inverse = inverse; });
}

Tensor Tensor::transpose(int64_t d0, int64_t d1) const {
  Shape order;
  for (int i = 0; i < dim(); ++i) order.push_back(i);
  if (dim() == 0) return *this;
  std::swap(order[wrap_dim(d0, dim())], order[wrap_dim(d1, dim())]);
  return permute(order);
}

Tensor Tensor::t() const {
  if (dim() > 2)
    throw Error("t: expects a tensor with <= 2 dimensions, but it has " + std::to_string(dim()));
  return dim() < 2 ? *this : transpose(0, 1);
}

Tensor Tensor::T() const {
  Shape order;
  for (int i = dim() - 1; i >= 0; --i) order.push_back(i);
  return permute(order);
}

Tensor Tensor::squeeze() const {
  Shape s;
  for (int64_t d : shape())
    if (d != 1) s.push_back(d);
  return reshape(s);
}

Tensor Tensor::squeeze(int64_t d) const {
  const int w = wrap_dim(d, dim());
  if (dim() == 0 || shape()[w] != 1) return *this;
  Shape s = shape(), st = strides();
  s.erase(w);
  st.erase(w);
  Tensor r = make_view(*this, s, st, offset());
  return record<ReshapeBackward>(r, {*this}, [&](ReshapeBackward& n) { n.in_shape = shape(); });
}

Tensor Tensor::unsqueeze(int64_t d) const {
  const int w = wrap_dim(d, dim() + 1);
  Shape s = shape(), st = strides();
  s.insert(w, 1);
  st.insert(w, w < dim() ? strides()[w] * shape()[w] : 1);
  Tensor r = make_view(*this, s, st, offset());
  return record<ReshapeBackward>(r, {*this}, [&](ReshapeBackward& n) { n.in_shape = shape(); });
}

Tensor Tensor::slice(int64_t d, int64_t start, int64_t end, int64_t step) const {
  const int w = wrap_dim(d, dim());
  if (step <= 0) throw Error("slice: step must be positive, got " + std::to_string(step));
  const int64_t n = shape()[w];
  // Python's clamping of slice bounds.
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<int64_t>(start, 0, n);
  end = std::clamp<int64_t>(end, start, n);
  Shape s = shape(), st = strides();
  s[w] = (end - start + step - 1) / step;
  st[w] = strides()[w] * step;
  Tensor r = make_view(*this, s, st, offset() + start * strides()[w]);
  return record<SliceBackward>(r, {*this}, [&](SliceBackward& node) {
    node.in_shape = shape();
    node.dim = w;
    node.start = start;
    node.step = step;
  });
}

Tensor Tensor::select(int64_t d, int64_t index) const {
  const int w = wrap_dim(d, dim());
  const int64_t n = shape()[w];
  if (index < -n || index >= n)
    throw Error("select: index " + std::to_string(index) + " is out of bounds for dimension " +
                std::to_string(w) + " with size " + std::to_string(n));
  if (index < 0) index += n;
  Shape s = shape(), st = strides();
  s.erase(w);
  st.erase(w);
  Tensor r = make_view(*this, s, st, offset() + index * strides()[w]);
  return record<SliceBackward>(r, {*this}, [&](SliceBackward& node) {
    node.in_shape = shape();
    node.dim = w;
    node.start = index;
    node.squeeze = true;
  });
}

Tensor Tensor::expand(const Shape& target) const {
  if (target == shape()) return *this;
  if (target.size() < dim())
    throw Error("expand: the requested shape " + target.str() + " has fewer dimensions than " +
                shape().str());
  Shape st;
  st.resize(target.size());
  const int off = target.size() - dim();
  for (int i = 0; i < target.size(); ++i) {
    const int j = i - off;
    if (j < 0) {
      st[i] = 0;
    } else if (shape()[j] == target[i]) {
      st[i] = strides()[j];
    } else if (shape()[j] == 1) {
      st[i] = 0;
    } else {
      throw Error("operands could not be broadcast together with shapes " + shape().str() + " " +
                  target.str());
    }
  }
  Tensor r = make_view(*this, target, st, offset());
  return record<ExpandBackward>(r, {*this}, [&](ExpandBackward& n) { n.in_shape = shape(); });
}

namespace {
// index_select: gradients of repeated indices add up
struct IndexSelectBackward final : Node {
  Shape in_shape;
  int dim = 0;
  Tensor index;
  void backward(const Tensor& g, Grads& out) override {
    Tensor full = zeros(in_shape, g.dtype());
    const int64_t* idx = index.data_ptr<int64_t>();
    for (int64_t i = 0; i < index.numel(); ++i) {
      Tensor dst = full.select(dim, idx[i]);
      dst.copy_(dst + g.select(dim, i));
    }
    out[0] = full;
  }
  const char* name() const override { return "IndexSelectBackward"; }
};
}  // namespace

Tensor Tensor::index_select(int64_t d, const Tensor& index) const {
  const int w = wrap_dim(d, dim());
  if (index.dtype() != kInt64 || index.dim() > 1)
    throw Error("index_select: index must be a 1-d int64 tensor");
  const Tensor idx = index.contiguous();
  const int64_t* p = idx.data_ptr<int64_t>();
  const int64_t n = shape()[w];
  for (int64_t i = 0; i < idx.numel(); ++i)
    if (p[i] < 0 || p[i] >= n)
      throw Error("index_select: index " + std::to_string(p[i]) +
                  " is out of range for dimension " + std::to_string(w) + " with size " +
                  std::to_string(n));
  Shape s = shape();
  s[w] = idx.numel();
  Tensor out = make_tensor(s, dtype());
  {
    NoGradGuard no_grad;
    const Tensor src = contiguous();
    // Rows of `inner` contiguous elements are copied whole.
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < w; ++i) outer *= shape()[i];
    for (int i = w + 1; i < dim(); ++i) inner *= shape()[i];
    const size_t bytes = static_cast<size_t>(inner) * itemsize(dtype());
    const char* sp = src.impl()->base();
    char* op = out.impl()->base();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < idx.numel(); ++i)
        std::memcpy(op + (o * idx.numel() + i) * bytes, sp + (o * n + p[i]) * bytes, bytes);
  }
  return record<IndexSelectBackward>(out, {*this}, [&](IndexSelectBackward& node) {
    node.in_shape = shape();
    node.dim = w;
    node.index = idx;
  });
}

namespace {
struct ConcatBackward final : Node {
  int dim = 0;
  std::vector<int64_t> sizes;
  void backward(const Tensor& g, Grads& out) override {
    int64_t start = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      out[i] = g.slice(dim, start, start + sizes[i]).contiguous();
      start += sizes[i];
    }
  }
  const char* name() const override { return "ConcatBackward"; }
};
}  // namespace

Tensor concat(const std::vector<Tensor>& tensors, int64_t d) {
  if (tensors.empty()) throw Error("concat: expected a non-empty list of tensors");
  const Tensor& first = tensors[0];
  const int w = wrap_dim(d, first.dim());
  Shape s = first.shape();
  DType dtype = first.dtype();
  s[w] = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (t.dim() != first.dim())
      throw Error("concat: tensor " + std::to_string(i) + " has " + std::to_string(t.dim()) +
                  " dimensions, expected " + std::to_string(first.dim()));
    for (int k = 0; k < t.dim(); ++k)
      if (k != w && t.shape()[k] != first.shape()[k])
        throw Error("concat: sizes of tensors must match except in dimension " + std::to_string(w) +
                    "; got " + first.shape().str() + " and " + t.shape().str());
    s[w] += t.shape()[w];
    dtype = promote_types(dtype, t.dtype());
  }
  Tensor out = make_tensor(s, dtype);
  std::vector<int64_t> sizes;
  {
    NoGradGuard no_grad;
    int64_t start = 0;
    for (const Tensor& t : tensors) {
      out.slice(w, start, start + t.shape()[w]).copy_(t);
      sizes.push_back(t.shape()[w]);
      start += t.shape()[w];
    }
  }
  bool needed = grad_enabled();
  if (needed) {
    needed = false;
    for (const Tensor& t : tensors) needed = needed || t.requires_grad();
  }
  if (!needed) return out;
  auto node = std::make_shared<ConcatBackward>();
  node->inputs = tensors;
  node->dim = w;
  node->sizes = sizes;
  attach_node(out, node);
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t d) {
  if (tensors.empty()) throw Error("stack: expected a non-empty list of tensors");
  const int w = wrap_dim(d, tensors[0].dim() + 1);
  std::vector<Tensor> parts;
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].shape() != tensors[0].shape())
      throw Error("stack: expects each tensor to be equal size, but got " +
                  tensors[0].shape().str() + " at entry 0 and " + tensors[i].shape().str() +
                  " at entry " + std::to_string(i));
    parts.push_back(tensors[i].unsqueeze(w));
  }
  return concat(parts, w);
}

}  // namespace soma
