#pragma once
// Autograd: how an op records its way back.
//
// Each differentiable op that runs while grad_enabled() and with an input that
// requires a gradient attaches a Node to its output. The Node keeps its inputs (the
// edges of the graph) and whatever the backward formula needs, and turns the
// gradient of the output into one gradient per input:
//
//   // d(a*b)/da = g*b, d(a*b)/db = g*a, each summed back over broadcast dimensions
//   struct MulBackward final : Node {
//     Tensor a, b;
//     void backward(const Tensor& g, Grads& out) override {
//       out[0] = sum_to(g * b, a.shape());
//       out[1] = sum_to(g * a, b.shape());
//     }
//   };
//   return record<MulBackward>(result, {a, b}, [&](MulBackward& n) { n.a = a; n.b = b; });
//
// Tensor::backward orders the graph once (depth first from the root), runs each
// node once with the sum of the gradients that reached it, and adds what reaches a
// leaf into the leaf's grad(). Backward formulas run with recording off.
#include <initializer_list>
#include <vector>

#include "soma/core/std_memory.hpp"
#include "soma/tensor/tensor.hpp"

namespace soma {

using Grads = std::vector<Tensor>;

struct Node {
  virtual ~Node() = default;
  // `out` arrives sized to inputs.size() with undefined tensors; fill the ones that matter.
  virtual void backward(const Tensor& grad, Grads& out) = 0;
  virtual const char* name() const = 0;

  std::vector<Tensor> inputs{};  // the edges: gradients flow back into these
  // Scratch space of the engine while a backward pass runs.
  Tensor grad_sum{};
  int pending = 0;
  uint32_t visit_mark = 0;
};

// True if recording is on and any of the tensors requires a gradient.
bool any_requires_grad(std::initializer_list<const Tensor*> tensors);

// Attaches a new node of type N to `result` when any input requires a gradient and
// recording is on; `init` fills the node's saved fields. Returns result.
template <class N, class Init>
Tensor record(Tensor result, std::initializer_list<Tensor> inputs, Init&& init) {
  bool needed = grad_enabled();
  if (needed) {
    needed = false;
    for (const Tensor& t : inputs) needed = needed || (t.defined() && t.requires_grad());
  }
  if (!needed) return result;
  auto node = std::make_shared<N>();
  node->inputs.assign(inputs.begin(), inputs.end());
  init(*node);
  void attach_node(const Tensor& result, std::shared_ptr<Node> node);
  attach_node(result, std::move(node));
  return result;
}

// Makes `result` the output of `node` (sets requires_grad and grad_fn).
void attach_node(const Tensor& result, std::shared_ptr<Node> node);

}  // namespace soma
