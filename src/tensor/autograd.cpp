// The backward engine: order the graph once, run each node once, accumulate.
#include <atomic>
#include <utility>

#include "impl.hpp"
#include "soma/core/error.hpp"

namespace soma {

namespace {
thread_local bool g_grad_enabled = true;
std::atomic<uint32_t> g_pass{0};

// Adds `g` into the gradient slot `slot`, taking ownership when g is not shared.
void accumulate(Tensor& slot, Tensor g) {
  if (!slot.defined()) {
    slot = std::move(g);
    return;
  }
  slot = slot + g;
}
}  // namespace

bool grad_enabled() { return g_grad_enabled; }
NoGradGuard::NoGradGuard() : previous_(g_grad_enabled) { g_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { g_grad_enabled = previous_; }

bool any_requires_grad(std::initializer_list<const Tensor*> tensors) {
  if (!g_grad_enabled) return false;
  for (const Tensor* t : tensors)
    if (t->defined() && t->requires_grad()) return true;
  return false;
}

void attach_node(const Tensor& result, std::shared_ptr<Node> node) {
  result.impl()->requires_grad = true;
  result.impl()->grad_fn = std::move(node);
}

void Tensor::backward(const Tensor& gradient) const {
  if (!defined()) throw Error("backward: the tensor is undefined");
  if (!requires_grad())
    throw Error("backward: element 0 of tensors does not require grad and does not have a grad_fn");
  Tensor seed = gradient;
  if (!seed.defined()) {
    if (numel() != 1)
      throw Error("backward: grad can be implicitly created only for scalar outputs (shape " +
                  shape().str() + ")");
    seed = ones(shape(), dtype());
  } else if (seed.shape() != shape()) {
    throw Error("backward: gradient has shape " + seed.shape().str() + ", the tensor " +
                shape().str());
  }
  NoGradGuard no_grad;
  if (!grad_fn()) {  // a leaf: its gradient is the seed itself
    Tensor slot = grad();
    accumulate(slot, seed.clone());
    set_grad(slot);
    return;
  }

  // Depth-first post-order gives a topological order; `pending` counts how many
  // consumers must deliver a gradient before a node may run.
  const uint32_t mark = ++g_pass;
  // The traversal's lists keep their capacity from one backward pass to the next on this
  // thread (a training loop runs thousands of passes over the same graph shape). A
  // nested pass, should a backward formula ever run one, gets its own.
  thread_local std::vector<Node*> t_order;
  thread_local std::vector<std::pair<Node*, size_t>> t_stack;
  thread_local bool t_in_use = false;
  std::vector<Node*> own_order;
  std::vector<std::pair<Node*, size_t>> own_stack;
  const bool reuse = !t_in_use;
  std::vector<Node*>& order = reuse ? t_order : own_order;
  std::vector<std::pair<Node*, size_t>>& stack = reuse ? t_stack : own_stack;
  struct InUse {
    bool active;
    explicit InUse(bool a) : active(a) {
      if (active) t_in_use = true;
    }
    ~InUse() {
      if (active) t_in_use = false;
    }
  } in_use(reuse);
  order.clear();
  stack.clear();
  Node* root = grad_fn().get();
  root->visit_mark = mark;
  root->pending = 0;
  stack.push_back({root, 0});
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      const Tensor& in = node->inputs[next++];
      Node* child = in.defined() ? in.grad_fn().get() : nullptr;
      if (!child) continue;
      if (child->visit_mark != mark) {
        child->visit_mark = mark;
        child->pending = 0;
        stack.push_back({child, 0});
      }
    } else {
      order.push_back(node);
      stack.pop_back();
    }
  }

  root->grad_sum = seed;
  Grads grads;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node* node = *it;
    Tensor g = std::move(node->grad_sum);
    node->grad_sum = Tensor();
    if (!g.defined()) continue;
    grads.assign(node->inputs.size(), Tensor());
    node->backward(g, grads);
    for (size_t i = 0; i < node->inputs.size(); ++i) {
      const Tensor& in = node->inputs[i];
      if (!grads[i].defined() || !in.defined() || !in.requires_grad()) continue;
      if (grads[i].shape() != in.shape())
        throw Error(std::string("internal: ") + node->name() + " produced a gradient of shape " +
                    grads[i].shape().str() + " for an input of shape " + in.shape().str());
      if (Node* child = in.grad_fn().get()) {
        accumulate(child->grad_sum, std::move(grads[i]));
      } else {
        Tensor slot = in.grad();
        // A gradient that aliases other storage (a view, or a saved tensor) is copied
        // before it becomes a leaf's grad, so later in-place updates touch nothing else.
        const bool owned = grads[i].is_contiguous() && grads[i].impl_ptr().use_count() == 1 &&
                           grads[i].impl()->storage.use_count() == 1;
        accumulate(slot, slot.defined() || owned ? std::move(grads[i]) : grads[i].clone());
        if (slot.dtype() != in.dtype()) slot = slot.to(in.dtype());
        in.set_grad(slot);
      }
    }
  }
}

}  // namespace soma
