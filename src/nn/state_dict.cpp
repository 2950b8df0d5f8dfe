// StateDict and its binary file format (layout documented in state_dict.hpp).
#include "soma/nn/state_dict.hpp"

#include <zlib.h>

#include <bit>
#include <cstring>
#include <limits>
#include <unordered_set>

#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/core/sha256.hpp"

namespace soma::nn {

static_assert(std::endian::native == std::endian::little, "the state file format is little-endian");

void StateDict::insert(std::string name, Tensor value) {
  if (find(name)) throw Error("StateDict: duplicate entry \"" + name + "\"");
  items_.emplace_back(std::move(name), std::move(value));
}

const Tensor* StateDict::find(std::string_view name) const {
  for (const auto& [n, t] : items_)
    if (n == name) return &t;
  return nullptr;
}

bool StateDict::contains(std::string_view name) const { return find(name) != nullptr; }

const Tensor& StateDict::at(std::string_view name) const {
  if (const Tensor* t = find(name)) return *t;
  throw Error("StateDict: no entry \"" + std::string(name) + "\"");
}

void StateDict::merge(const StateDict& other, const std::string& prefix) {
  for (const auto& [n, t] : other) insert(prefix + "." + n, t);
}

StateDict StateDict::sub(const std::string& prefix) const {
  StateDict out;
  const std::string p = prefix + ".";
  for (const auto& [n, t] : items_)
    if (n.size() > p.size() && n.compare(0, p.size(), p) == 0) out.insert(n.substr(p.size()), t);
  return out;
}

namespace {

constexpr char kMagic[8] = {'S', 'O', 'M', 'A', 'S', 'T', 'A', 'T'};
constexpr size_t kHeaderBytes = 8 + 4 + 8 + 8;

template <class T>
void put(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.append(b, sizeof(T));
}

uint32_t crc32_of(std::string_view bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths: feed large payloads in pieces.
  for (size_t pos = 0; pos < bytes.size();) {
    const size_t n = std::min<size_t>(bytes.size() - pos, 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data() + pos), static_cast<uInt>(n));
    pos += n;
  }
  return static_cast<uint32_t>(crc);
}

// Bounds-checked reading of the payload; every failure names the file and the entry.
class Reader {
 public:
  Reader(std::string_view bytes, const std::string& source) : b_(bytes), source_(source) {}

  template <class T>
  T get(const std::string& what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, b_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string_view take(size_t n, const std::string& what) {
    need(n, what);
    auto s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  size_t pos() const { return pos_; }
  [[noreturn]] void fail(const std::string& msg) const {
    throw Error(source_ + ": invalid state file: " + msg + " (at byte " + std::to_string(pos_) +
                ")");
  }

 private:
  void need(size_t n, const std::string& what) const {
    if (n > b_.size() - pos_)
      fail("payload ends inside " + what + " (" + std::to_string(n) + " bytes needed, " +
           std::to_string(b_.size() - pos_) + " left)");
  }
  std::string_view b_;
  const std::string& source_;
  size_t pos_ = 0;
};

}  // namespace

std::string serialize(const StateDict& state) {
  std::string payload;
  for (const auto& [name, t] : state) {
    if (!t.defined()) throw Error("serialize: entry \"" + name + "\" is an undefined tensor");
    put<uint32_t>(payload, static_cast<uint32_t>(name.size()));
    payload += name;
    put<uint8_t>(payload, static_cast<uint8_t>(t.dtype()));
    put<uint32_t>(payload, static_cast<uint32_t>(t.dim()));
    for (int64_t s : t.shape()) put<int64_t>(payload, s);
    const Tensor c = t.contiguous();
    const size_t nbytes = static_cast<size_t>(c.numel()) * itemsize(c.dtype());
    if (nbytes == 0) continue;
    const char* data = nullptr;
    switch (c.dtype()) {
      case DType::Float32:
        data = reinterpret_cast<const char*>(c.data_ptr<float>());
        break;
      case DType::Float64:
        data = reinterpret_cast<const char*>(c.data_ptr<double>());
        break;
      case DType::Int64:
        data = reinterpret_cast<const char*>(c.data_ptr<int64_t>());
        break;
      case DType::Bool:
        data = reinterpret_cast<const char*>(c.data_ptr<bool>());
        break;
    }
    payload.append(data, nbytes);
  }
  std::string out;
  out.reserve(kHeaderBytes + payload.size() + 4);
  out.append(kMagic, sizeof(kMagic));
  put<uint32_t>(out, kStateDictVersion);
  put<uint64_t>(out, state.size());
  put<uint64_t>(out, payload.size());
  out += payload;
  put<uint32_t>(out, crc32_of(payload));
  return out;
}

StateDict deserialize(std::string_view bytes, const std::string& source) {
  auto fail = [&](const std::string& msg) -> void {
    throw Error(source + ": invalid state file: " + msg);
  };
  if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    fail("it does not start with the magic \"SOMASTAT\" (not a soma state file)");
  if (bytes.size() < kHeaderBytes + 4)
    fail("truncated header (" + std::to_string(bytes.size()) + " bytes)");
  uint32_t version;
  uint64_t count, payload_bytes;
  std::memcpy(&version, bytes.data() + 8, 4);
  std::memcpy(&count, bytes.data() + 12, 8);
  std::memcpy(&payload_bytes, bytes.data() + 20, 8);
  if (version != kStateDictVersion)
    fail("format version " + std::to_string(version) + ", this build reads version " +
         std::to_string(kStateDictVersion));
  const uint64_t expected = payload_bytes;
  const uint64_t available = bytes.size() - kHeaderBytes - 4;
  if (expected > available)
    fail("truncated: the header announces " + std::to_string(expected) +
         " payload bytes, the file holds " + std::to_string(available));
  if (expected < available)
    fail("trailing data: the header announces " + std::to_string(expected) +
         " payload bytes, the file holds " + std::to_string(available));
  const std::string_view payload = bytes.substr(kHeaderBytes, expected);
  uint32_t stored_crc;
  std::memcpy(&stored_crc, bytes.data() + kHeaderBytes + expected, 4);
  if (crc32_of(payload) != stored_crc) fail("checksum mismatch (the file is corrupt)");

  Reader r(payload, source);
  StateDict sd;
  std::unordered_set<std::string> seen;
  for (uint64_t i = 0; i < count; ++i) {
    const std::string entry = "entry " + std::to_string(i);
    const uint32_t name_len = r.get<uint32_t>(entry + " name length");
    std::string name(r.take(name_len, entry + " name"));
    const std::string where = entry + " \"" + name + "\"";
    if (!seen.insert(name).second) r.fail("duplicate " + where);
    const uint8_t code = r.get<uint8_t>(where + " dtype");
    if (code > static_cast<uint8_t>(DType::Bool))
      r.fail(where + ": unknown dtype code " + std::to_string(code));
    const auto dtype = static_cast<DType>(code);
    const uint32_t ndim = r.get<uint32_t>(where + " rank");
    if (ndim > static_cast<uint32_t>(Shape::kMaxDims))
      r.fail(where + ": rank " + std::to_string(ndim) + " exceeds " +
             std::to_string(Shape::kMaxDims));
    Shape shape;
    uint64_t numel = 1;
    // The product of the non-zero sizes: a zero size makes the tensor empty, but the
    // shape is still multiplied out in order (Shape::numel), which must not overflow.
    int64_t nonzero = 1;
    for (uint32_t d = 0; d < ndim; ++d) {
      const int64_t s = r.get<int64_t>(where + " shape");
      if (s < 0) r.fail(where + ": negative size " + std::to_string(s));
      shape.push_back(s);
      if (s != 0 && nonzero > std::numeric_limits<int64_t>::max() / s)
        r.fail(where + ": shape " + shape.str() +
               "... has more elements than a tensor can hold (at most 2^63 - 1)");
      if (s != 0) nonzero *= s;
      // Sizes beyond what the payload could hold are rejected before multiplying on.
      if (s != 0 && numel > payload.size() / static_cast<uint64_t>(s))
        numel = payload.size() + 1;
      else
        numel *= static_cast<uint64_t>(s);
    }
    const uint64_t nbytes = numel * itemsize(dtype);
    if (numel > payload.size() || nbytes > payload.size())
      r.fail(where + ": shape " + shape.str() + " needs more data than the file holds");
    const std::string_view data = r.take(nbytes, where + " data");
    Tensor t = empty(shape, dtype);
    if (nbytes > 0) {
      char* dst = nullptr;
      switch (dtype) {
        case DType::Float32:
          dst = reinterpret_cast<char*>(t.data_ptr<float>());
          break;
        case DType::Float64:
          dst = reinterpret_cast<char*>(t.data_ptr<double>());
          break;
        case DType::Int64:
          dst = reinterpret_cast<char*>(t.data_ptr<int64_t>());
          break;
        case DType::Bool: {
          for (unsigned char c : data)
            if (c > 1) r.fail(where + ": a bool value is neither 0 nor 1");
          dst = reinterpret_cast<char*>(t.data_ptr<bool>());
          break;
        }
      }
      std::memcpy(dst, data.data(), nbytes);
    }
    sd.insert(std::move(name), std::move(t));
  }
  if (r.pos() != payload.size())
    r.fail(std::to_string(payload.size() - r.pos()) + " bytes left after the " +
           std::to_string(count) + " entries");
  return sd;
}

void save(const StateDict& state, const std::string& path) {
  write_file_atomic(path, serialize(state));
}

StateDict load_state_dict_file(const std::string& path) {
  return deserialize(read_file(path), path);
}

std::string state_dict_sha256(const StateDict& state) { return sha256_hex(serialize(state)); }

}  // namespace soma::nn
