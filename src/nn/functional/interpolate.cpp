// interpolate (nearest, bilinear) composed from index_select and element-wise ops, so
// autograd differentiates it. Bilinear resizing is separable: rows first, then columns,
// each output a weighted sum of two source rows (columns), with torch 1.13's source
// coordinates (aten/src/ATen/native/UpSample.h, area_pixel_compute_source_index).
#include <cmath>
#include <string>
#include <vector>

#include "check.hpp"
#include "soma/core/error.hpp"
#include "soma/nn/functional.hpp"

namespace soma::nn::functional {

namespace {

Tensor indices(const std::vector<int64_t>& v) { return tensor(std::span<const int64_t>(v)); }

// Nearest: source = min(floor(dst * scale), in - 1), scale in float as torch computes it.
Tensor nearest_along(const Tensor& x, int64_t dim, int64_t out, double scale) {
  const int64_t in = x.size(dim);
  std::vector<int64_t> idx(static_cast<size_t>(out));
  const float s = static_cast<float>(scale);
  for (int64_t i = 0; i < out; ++i)
    idx[size_t(i)] = std::min(static_cast<int64_t>(std::floor(static_cast<float>(i) * s)), in - 1);
  return x.index_select(dim, indices(idx));
}

Tensor linear_along(const Tensor& x, int64_t dim, int64_t out, double scale, bool align_corners) {
  const int64_t in = x.size(dim);
  std::vector<int64_t> i0(static_cast<size_t>(out)), i1(i0.size());
  std::vector<double> w1(i0.size());
  for (int64_t i = 0; i < out; ++i) {
    double src = align_corners ? scale * double(i) : scale * (double(i) + 0.5) - 0.5;
    if (src < 0) src = 0;
    const auto lo = std::min(static_cast<int64_t>(src), in - 1);
    i0[size_t(i)] = lo;
    i1[size_t(i)] = lo + (lo < in - 1 ? 1 : 0);
    w1[size_t(i)] = src - double(lo);
  }
  std::vector<int64_t> dims(static_cast<size_t>(x.dim()), 1);
  dims[static_cast<size_t>(dim)] = out;
  const Shape ws{std::span<const int64_t>(dims)};
  const Tensor b = tensor(std::span<const double>(w1), ws).to(x.dtype());
  const Tensor a = x.index_select(dim, indices(i0)), c = x.index_select(dim, indices(i1));
  return a + (c - a) * b;
}

}  // namespace

Tensor interpolate(const Tensor& input, Size2 size, std::array<double, 2> scale_factor,
                   InterpolateMode mode, bool align_corners) {
  const char* op = "interpolate";
  detail::require_nchw(input, op);
  const bool by_size = size[0] != 0 || size[1] != 0;
  const bool by_scale = scale_factor[0] != 0 || scale_factor[1] != 0;
  if (by_size == by_scale)
    throw Error(std::string(op) + ": expected either size or scale_factor, not " +
                (by_size ? "both" : "neither"));
  if (align_corners && mode == InterpolateMode::Nearest)
    throw Error(std::string(op) + ": align_corners applies to bilinear mode only (as torch)");
  Tensor y = input;
  const char* names[2] = {"height", "width"};
  for (int k = 0; k < 2; ++k) {
    const int64_t dim = 2 + k, in = input.size(dim);
    int64_t out = size[k];
    if (by_scale) {
      if (!(scale_factor[k] > 0 && scale_factor[k] < 1e6))
        throw Error(std::string(op) + ": scale_factor (" + names[k] + ") must be positive, got " +
                    std::to_string(scale_factor[k]));
      out = static_cast<int64_t>(std::floor(double(in) * scale_factor[k]));
    }
    if (out < 1 || out > (int64_t{1} << 24))
      throw Error(std::string(op) + ": output " + names[k] + " " + std::to_string(out) +
                  ": expected 1 to 2^24");
    // torch's scale: 1 / scale_factor when given, else in / out; align_corners maps the
    // corner pixels' centres onto each other instead.
    double scale = by_scale ? 1.0 / scale_factor[k] : double(in) / double(out);
    if (mode == InterpolateMode::Nearest) {
      y = nearest_along(y, dim, out, scale);
    } else {
      if (align_corners) scale = out > 1 ? double(in - 1) / double(out - 1) : 0.0;
      y = linear_along(y, dim, out, scale, align_corners);
    }
  }
  return y;
}

}  // namespace soma::nn::functional
