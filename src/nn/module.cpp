// Module bookkeeping: registration, recursive traversal, train/eval, state dicts.
#include "soma/nn/module.hpp"

#include <unordered_set>

#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"

namespace soma::nn {

Tensor Module::register_parameter(std::string name, Tensor value) {
  if (value.defined() && !value.requires_grad()) value.requires_grad_(true);
  parameters_.emplace_back(std::move(name), value);
  return value;
}

Tensor Module::register_buffer(std::string name, Tensor value) {
  buffers_.emplace_back(std::move(name), value);
  return value;
}

void Module::collect(const std::string& prefix, bool recurse, bool buffers,
                     std::vector<std::pair<std::string, Tensor>>& out) const {
  for (const auto& [n, t] : buffers ? buffers_ : parameters_)
    if (t.defined()) out.emplace_back(prefix + n, t);
  if (!recurse) return;
  for (const auto& [n, child] : children_) child->collect(prefix + n + ".", true, buffers, out);
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  collect("", recurse, false, out);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  collect("", recurse, true, out);
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [n, t] : named_parameters(recurse)) out.push_back(t);
  return out;
}

std::vector<std::pair<std::string, Module*>> Module::named_modules() {
  std::vector<std::pair<std::string, Module*>> out{{"", this}};
  for (auto& [name, child] : children_)
    for (auto& [sub, m] : child->named_modules())
      out.emplace_back(sub.empty() ? name : name + "." + sub, m);
  return out;
}

std::vector<Module*> Module::modules() {
  std::vector<Module*> out;
  for (auto& [name, m] : named_modules()) out.push_back(m);
  return out;
}

Module& Module::apply(const std::function<void(Module&)>& fn) {
  for (auto& [name, child] : children_) child->apply(fn);
  fn(*this);
  return *this;
}

void Module::draw_parameters(Rng& rng) {
  init_rng_ = &rng;
  reset_parameters(rng);
  drawn_hash_ = own_parameters_hash();
}

uint64_t Module::own_parameters_hash() const {
  uint64_t h = 14695981039346656037ull;  // FNV-1a over dtype, shape and bytes
  const auto mix = [&h](const unsigned char* p, size_t n) {
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  };
  for (const auto& [name, t] : parameters_) {
    if (!t.defined()) continue;
    const Tensor c = t.contiguous();
    const auto dtype = static_cast<int>(c.dtype());
    mix(reinterpret_cast<const unsigned char*>(&dtype), sizeof dtype);
    const size_t bytes = static_cast<size_t>(c.numel()) * itemsize(c.dtype());
    if (c.dtype() == kFloat64)
      mix(reinterpret_cast<const unsigned char*>(c.data_ptr<double>()), bytes);
    else if (c.dtype() == kFloat32)
      mix(reinterpret_cast<const unsigned char*>(c.data_ptr<float>()), bytes);
    else
      for (double v : c.to_vector<double>())
        mix(reinterpret_cast<const unsigned char*>(&v), sizeof v);
  }
  return h;
}

void Module::reset_parameters_in_order() {
  if (init_rng_ && own_parameters_hash() == drawn_hash_) {
    reset_parameters(*init_rng_);
    drawn_hash_ = own_parameters_hash();
  }
  for (auto& [n, child] : children_) child->reset_parameters_in_order();
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [n, child] : children_) child->train(on);
}

void Module::zero_grad(bool set_to_none) {
  for (auto& p : parameters()) {
    if (set_to_none) {
      p.set_grad(Tensor());
    } else if (Tensor g = p.grad(); g.defined()) {
      g.zero_();
    }
  }
}

StateDict Module::state_dict() const {
  StateDict sd;
  for (auto& [n, t] : named_parameters()) sd.insert(n, t.detach());
  for (auto& [n, t] : named_buffers()) sd.insert(n, t.detach());
  return sd;
}

void Module::load_state_dict(const StateDict& state, bool strict) {
  auto own = named_parameters();
  for (auto& b : named_buffers()) own.push_back(b);
  std::vector<std::string> missing;
  std::unordered_set<std::string> known;
  for (const auto& [n, t] : own) {
    known.insert(n);
    if (!state.find(n)) missing.push_back(n);
  }
  std::vector<std::string> unexpected;
  for (const auto& [n, t] : state)
    if (!known.count(n)) unexpected.push_back(n);
  if (strict && (!missing.empty() || !unexpected.empty())) {
    std::string msg = "load_state_dict: the state does not match the module";
    auto list = [&](const char* what, const std::vector<std::string>& names) {
      if (names.empty()) return;
      msg += std::string("; ") + what + ":";
      for (const auto& n : names) msg += " \"" + n + "\"";
    };
    list("missing", missing);
    list("unexpected", unexpected);
    throw Error(msg);
  }
  // Check every shape before copying anything, so a failed load changes nothing.
  for (const auto& [n, t] : own)
    if (const Tensor* src = state.find(n); src && src->shape() != t.shape())
      throw Error("load_state_dict: \"" + n + "\" has shape " + src->shape().str() +
                  " in the state but " + t.shape().str() + " in the module");
  NoGradGuard no_grad;
  for (auto& [n, t] : own)
    if (const Tensor* src = state.find(n)) t.copy_(*src);
}

std::string Module::str() const {
  std::string out;
  describe(out, 0);
  return out;
}

void Module::describe(std::string& out, int indent) const {
  out += name();
  if (children_.empty()) return;
  out += "(\n";
  for (const auto& [n, child] : children_) {
    out += std::string(indent + 2, ' ') + "(" + n + "): ";
    child->describe(out, indent + 2);
    out += "\n";
  }
  out += std::string(indent, ' ') + ")";
}

void save(const Module& module, const std::string& path) { save(module.state_dict(), path); }

std::string state_dict_sha256(const Module& module) {
  return state_dict_sha256(module.state_dict());
}

void load(Module& module, const std::string& path, bool strict) {
  const StateDict sd = load_state_dict_file(path);
  try {
    module.load_state_dict(sd, strict);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
}

}  // namespace soma::nn
