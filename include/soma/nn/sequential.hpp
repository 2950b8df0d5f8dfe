#pragma once
// nn::Sequential: children applied one after another.
//
//   auto model = nn::Sequential(nn::Linear(31, 50), nn::ReLU(), nn::Linear(50, 1), nn::Sigmoid());
//
// C++ leaves the evaluation order of function arguments unspecified (GCC often goes
// right to left), so the layers above may be constructed in any order. To make a
// seed give the same network everywhere, this constructor draws every child's
// parameters again, in argument order, from the generator the child was built with —
// but only a child whose parameters are still those its constructor drew: one whose
// weights were set, loaded or trained is kept, as torch keeps it (push_back never
// draws). The generators the fresh children were built with must still be alive here.
#include <concepts>
#include <type_traits>

#include "soma/core/std_memory.hpp"
#include "soma/nn/module.hpp"

namespace soma::nn {

class Sequential : public Module {
 public:
  Sequential() = default;

  template <class... Ms>
  requires(sizeof...(Ms) > 0 && (std::derived_from<std::decay_t<Ms>, Module> && ...) &&
           // one Sequential argument is a copy or move, not nesting
           !(sizeof...(Ms) == 1 && (std::is_same_v<std::decay_t<Ms>, Sequential> &&
                                    ...))) explicit Sequential(Ms&&... modules) {
    (push_back(std::make_shared<std::decay_t<Ms>>(std::forward<Ms>(modules))), ...);
    for (auto& m : modules_) m->reset_parameters_in_order();
  }

  // Appends a module as it is (its parameters are not drawn again).
  template <class M>
  requires std::derived_from<std::decay_t<M>, Module>
  void push_back(M&& module) {
    push_back(std::make_shared<std::decay_t<M>>(std::forward<M>(module)));
  }
  void push_back(std::shared_ptr<Module> module);

  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Sequential"; }

  size_t size() const { return modules_.size(); }
  Module& operator[](size_t i) const;
  // The i-th child as its concrete type; throws soma::Error if it is another.
  template <class M>
  M& at(size_t i) const {
    auto* m = dynamic_cast<M*>(&(*this)[i]);
    if (!m) throw_wrong_type(i);
    return *m;
  }

 private:
  [[noreturn]] void throw_wrong_type(size_t i) const;
  std::vector<std::shared_ptr<Module>> modules_;
};

}  // namespace soma::nn
