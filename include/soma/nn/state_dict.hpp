#pragma once
// StateDict: named tensors in a fixed order — a model's parameters and buffers, an
// optimizer's moment estimates, a scheduler's counters — and the one binary file
// format they are saved in.
//
//   nn::save(model, "model.soma");        // written atomically
//   nn::load(model, "model.soma");        // shapes and names must match
//
// File format (all integers little-endian), version 1:
//   "SOMASTAT"            8 bytes magic
//   u32 version           = 1
//   u64 count             number of entries
//   u64 payload_bytes     size of what follows up to the checksum
//   payload: per entry    u32 name_len, name, u8 dtype, u32 ndim, i64 sizes[ndim],
//                         numel * itemsize bytes of row-major data
//   u32 crc32             zlib CRC-32 of the payload
// A file that is truncated, extended, altered, or of another version is rejected with
// a soma::Error naming the file and what was wrong.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "soma/tensor/tensor.hpp"

namespace soma::nn {

class StateDict {
 public:
  using Item = std::pair<std::string, Tensor>;

  // Adds an entry at the end; throws soma::Error if the name is taken.
  void insert(std::string name, Tensor value);
  bool contains(std::string_view name) const;
  // The entry called `name`; throws soma::Error naming it if absent.
  const Tensor& at(std::string_view name) const;
  // nullptr if absent.
  const Tensor* find(std::string_view name) const;

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }
  const std::vector<Item>& items() const { return items_; }

  // Every entry of `other` added under "prefix.name" (to combine a model, an
  // optimizer and a scheduler in one checkpoint).
  void merge(const StateDict& other, const std::string& prefix);
  // The entries whose names start with "prefix.", with the prefix removed.
  StateDict sub(const std::string& prefix) const;

 private:
  std::vector<Item> items_{};
};

inline constexpr uint32_t kStateDictVersion = 1;

// The file format above, in memory. `source` names the input in error messages.
std::string serialize(const StateDict& state);
StateDict deserialize(std::string_view bytes, const std::string& source = "<memory>");

// To and from a file; writing is atomic.
void save(const StateDict& state, const std::string& path);
StateDict load_state_dict_file(const std::string& path);

// The SHA-256 of serialize(state) as 64 hex digits: what `sha256sum` prints for the file
// save() writes. Runs that should end with the same weights bit for bit (one rank and
// mpirun -np 2, a run and its resumed twin) print the same digest in their --json.
std::string state_dict_sha256(const StateDict& state);

}  // namespace soma::nn
