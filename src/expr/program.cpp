// expr::Program and Bindings: running compiled programs (the VM is in
// program_vm.hpp, the compiler in program_compiler.cpp).
// program_vm.hpp turns off fused multiply-add contraction for this file.
#include "program_vm.hpp"

namespace soma::expr {

// ---------------------------------------------------------------------------
// Bindings

Bindings& Bindings::constant(const std::string& name, double value) {
  entries_[name] = Entry{Kind::constant, value, nullptr, nullptr};
  return *this;
}
Bindings& Bindings::scalar(const std::string& name, double* value) {
  entries_[name] = Entry{Kind::scalar, 0.0, value, nullptr};
  return *this;
}
Bindings& Bindings::array(const std::string& name, double* data) {
  entries_[name] = Entry{Kind::array, 0.0, data, nullptr};
  return *this;
}
Bindings& Bindings::gather(const std::string& name, double* data, const int32_t* index) {
  entries_[name] = Entry{Kind::gather, 0.0, data, index};
  return *this;
}
Bindings& Bindings::element_index(const std::string& name) {
  entries_[name] = Entry{Kind::element_index, 0.0, nullptr, nullptr};
  return *this;
}
Bindings& Bindings::indexed(const std::string& name, const double* data, IndexRole role) {
  // Read only: value programs never store through an indexed binding.
  entries_[name] = Entry{Kind::indexed, 0.0, const_cast<double*>(data), nullptr, role};
  return *this;
}
Bindings& Bindings::indexed_position(const std::string& name, IndexRole role, double offset) {
  entries_[name] = Entry{Kind::indexed_position, offset, nullptr, nullptr, role};
  return *this;
}
Bindings& Bindings::table(const std::string& name, const TimedTable* table) {
  entries_[name] = Entry{Kind::table, 0.0, nullptr, nullptr, IndexRole::self, table};
  return *this;
}
Bindings& Bindings::rng(Rng* generator) {
  rng_ = generator;
  return *this;
}
const Bindings::Entry* Bindings::find(const std::string& name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

// ---------------------------------------------------------------------------
// Program

Program::Program() : impl_(std::make_unique<Impl>()) {}
Program::~Program() = default;
Program::Program(const Program& o) : impl_(std::make_unique<Impl>(*o.impl_)) {}
Program& Program::operator=(const Program& o) {
  if (this != &o) impl_ = std::make_unique<Impl>(*o.impl_);
  return *this;
}
Program::Program(Program&&) noexcept = default;
Program& Program::operator=(Program&&) noexcept = default;

namespace {
void require(bool ok, const char* what) {
  if (!ok) throw Error(what);
}
}  // namespace

void Program::run(size_t n) {
  Impl& p = *impl_;
  if (p.result < 0) {
    if (const jit::Kernel* k = p.kernel_for_run()) return p.run_kernel(*k, n, nullptr);
  }
  p.begin_run(n);
  for (size_t start = 0; start < n; start += kBlock)
    p.exec_block(start, nullptr, std::min(kBlock, n - start));
}

void Program::run(std::span<const int32_t> elements) {
  Impl& p = *impl_;
  p.begin_run(elements.size());
  for (size_t off = 0; off < elements.size(); off += kBlock)
    p.exec_block(0, elements.data() + off, std::min(kBlock, elements.size() - off));
}

void Program::evaluate(size_t n, double* out) {
  Impl& p = *impl_;
  require(p.result >= 0, "Program::evaluate: this program was compiled from statements");
  if (const jit::Kernel* k = p.kernel_for_run()) return p.run_kernel(*k, n, out);
  p.begin_run(n);
  for (size_t start = 0; start < n; start += kBlock) {
    const size_t len = std::min(kBlock, n - start);
    p.exec_block(start, nullptr, len);
    std::memcpy(out + start, p.ptr[p.result], len * sizeof(double));
  }
}

void Program::evaluate(std::span<const int32_t> elements, double* out) {
  Impl& p = *impl_;
  require(p.result >= 0, "Program::evaluate: this program was compiled from statements");
  p.begin_run(elements.size());
  for (size_t off = 0; off < elements.size(); off += kBlock) {
    const size_t len = std::min(kBlock, elements.size() - off);
    p.exec_block(0, elements.data() + off, len);
    std::memcpy(out + off, p.ptr[p.result], len * sizeof(double));
  }
}

void Program::where(size_t n, std::vector<int32_t>& out) {
  Impl& p = *impl_;
  require(p.result >= 0, "Program::where: this program was compiled from statements");
  out.clear();
  if (const jit::Kernel* kernel = p.kernel_for_run()) {
    p.kernel_values.resize(n);
    p.run_kernel(*kernel, n, p.kernel_values.data());
    for (size_t k = 0; k < n; ++k) {
      if (p.kernel_values[k] != 0) out.push_back(static_cast<int32_t>(k));
    }
    return;
  }
  p.begin_run(n);
  for (size_t start = 0; start < n; start += kBlock) {
    const size_t len = std::min(kBlock, n - start);
    p.exec_block(start, nullptr, len);
    const double* v = p.ptr[p.result];
    for (size_t k = 0; k < len; ++k)
      if (v[k] != 0) out.push_back(static_cast<int32_t>(start + k));
  }
}

void Program::where(std::span<const int32_t> elements, std::vector<int32_t>& out) {
  Impl& p = *impl_;
  require(p.result >= 0, "Program::where: this program was compiled from statements");
  out.clear();
  p.begin_run(elements.size());
  for (size_t off = 0; off < elements.size(); off += kBlock) {
    const size_t len = std::min(kBlock, elements.size() - off);
    p.exec_block(0, elements.data() + off, len);
    const double* v = p.ptr[p.result];
    for (size_t k = 0; k < len; ++k)
      if (v[k] != 0) out.push_back(elements[off + k]);
  }
}

void Program::rebind_array(const std::string& name, double* data) {
  for (auto& a : impl_->arrays)
    if (a.name == name) {
      if (a.kind != Bindings::Kind::array)
        throw Error("Program::rebind_array: '" + name + "' was not bound as an array");
      a.data = data;
      return;
    }
  throw Error("Program::rebind_array: the program does not use an array '" + name + "'");
}

void Program::rebind_gather(const std::string& name, double* data, const int32_t* index) {
  for (auto& a : impl_->arrays)
    if (a.name == name) {
      if (a.kind != Bindings::Kind::gather)
        throw Error("Program::rebind_gather: '" + name + "' was not bound with gather()");
      a.data = data;
      a.index = index;
      return;
    }
  throw Error("Program::rebind_gather: the program does not use '" + name + "'");
}

void Program::rebind_scalar(const std::string& name, double* value) {
  for (auto& s : impl_->scalar_refs)
    if (s.name == name) {
      s.ptr = value;
      return;
    }
  throw Error("Program::rebind_scalar: the program does not use a scalar '" + name + "'");
}

void Program::rebind_rng(Rng* generator) {
  if (impl_->uses_rng && !generator) throw Error("Program::rebind_rng: the program needs an Rng");
  impl_->rng = generator;
}

// ---------------------------------------------------------------------------
// Value programs

void Program::start_blocks(const Source& source, int64_t positions) {
  Impl& p = *impl_;
  if (p.uses_rng && !source.streams && !source.rng && !p.rng)
    throw Error("Program::run_blocks: the program draws random numbers: pass an Rng or streams");
  p.lists = source.lists;
  p.streams = source.streams;
  p.run_rng = p.rng;
  if (source.rng) p.rng = source.rng;
  p.begin_run(static_cast<size_t>(std::max<int64_t>(positions, 0)));
}

void Program::run_block(int64_t first, int count) {
  impl_->exec_block(static_cast<size_t>(first), nullptr, static_cast<size_t>(count));
}

void Program::end_blocks() {
  Impl& p = *impl_;
  p.lists = nullptr;
  p.streams = nullptr;
  p.rng = p.run_rng;
}

Program::Value Program::result(size_t assignment) const {
  const Impl& p = *impl_;
  const Output& o = p.outputs.at(assignment);
  if (o.vector) return {p.ptr[static_cast<size_t>(o.id)], 0.0};
  return {nullptr, p.scal[static_cast<size_t>(o.id)]};
}

bool Program::is_scalar(size_t assignment) const { return !impl_->outputs.at(assignment).vector; }

void Program::update_scalars() { impl_->read_scalars(); }
const std::vector<double>& Program::scalar_values() const { return impl_->scal; }

namespace {
// The registers an instruction reads (-1 where none).
std::array<int32_t, 3> registers_read(const Instr& in) {
  if (is_source_op(in.op) || in.op == Op::nop) return {-1, -1, -1};
  switch (in.op) {
    case Op::fused:
    case Op::fma:
      return {in.a, in.b, in.c};
    case Op::store_array:
    case Op::store_gather:
    case Op::store_scalar:
    case Op::store_temp:
      return {in.a, -1, -1};
    default:  // unary (b unused) and binary operations by mode; div's c is a slot
      return {in.mode == Mode::sv ? -1 : in.a, in.mode == Mode::vs ? -1 : in.b, -1};
  }
}
}  // namespace

bool Program::write_to(size_t assignment, double* array) {
  Impl& p = *impl_;
  const Output& o = p.outputs.at(assignment);
  if (!o.vector || !array) return false;
  int producer = -1;
  for (size_t k = 0; k < p.body.size(); ++k)
    if (p.body[k].dst == o.id && !is_store_op(p.body[k].op)) producer = static_cast<int>(k);
  if (producer < 0) return false;
  Instr& in = p.body[static_cast<size_t>(producer)];
  // Its own computation into out() (not a draw, a copy or a load) and nothing else.
  if (!is_compute_op(in.op) || in.store >= 0 || in.direct) return false;
  // No later instruction may read `array` as it was: a register holding a view of it
  // (loaded in place) would see the new values. The producer itself may: element k is
  // read before it is written.
  std::vector<bool> view(static_cast<size_t>(p.nregs), false);
  for (size_t k = 0; k < p.body.size(); ++k) {
    const Instr& q = p.body[k];
    if (static_cast<int>(k) > producer)
      for (int32_t r : registers_read(q))
        if (r >= 0 && view[static_cast<size_t>(r)]) return false;
    const bool loads_it =
        (q.op == Op::load_array || q.op == Op::load_indexed) && p.arrays[q.a].data == array;
    if (loads_it && static_cast<int>(k) > producer) return false;
    if (!is_store_op(q.op) && q.op != Op::nop && q.dst >= 0 && q.dst < p.nregs)
      view[static_cast<size_t>(q.dst)] = loads_it;
  }
  in.direct = array;
  return true;
}

bool Program::has_result() const { return impl_->result >= 0; }
bool Program::uses_machine_code() const { return impl_->kernel() != nullptr; }
size_t Program::instruction_count() const { return impl_->prologue.size() + impl_->body.size(); }

std::string Program::disassemble() const {
  std::string out;
  const Impl& p = *impl_;
  for (const auto& s : p.prologue)
    out += "scalar s" + std::to_string(s.dst) + " <- s" + std::to_string(s.a) +
           (s.b >= 0 ? ", s" + std::to_string(s.b) : "") + "\n";
  if (const jit::Kernel* k = p.kernel()) {
    out += "(contiguous runs: " + std::to_string(k->code_bytes()) + " bytes of machine code)\n";
  }
  for (const auto& in : p.body) {
    out += std::string(op_name(in.op)) + " " + std::to_string(in.dst);
    const char* ma = in.mode == Mode::sv ? " s" : " r";
    const char* mb = in.mode == Mode::vs ? " s" : " r";
    if (in.a >= 0) out += std::string(ma) + std::to_string(in.a);
    if (in.b >= 0) out += std::string(mb) + std::to_string(in.b);
    if (in.c >= 0) out += (in.op == Op::div ? " reciprocal s" : " r") + std::to_string(in.c);
    if (in.store >= 0) out += " -> array " + std::to_string(in.store);
    out += "\n";
  }
  return out;
}

}  // namespace soma::expr
