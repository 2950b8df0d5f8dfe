#include "soma/data/idx.hpp"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "soma/core/error.hpp"
#include "soma/core/read_file.hpp"
#include "soma/core/system.hpp"

namespace soma::data {

namespace {

// IDX allows any number of dimensions up to 255; real files use 1 to 4. A cap keeps
// a corrupt header from asking for an absurd dims vector before the length check.
constexpr int kMaxDims = 16;

[[noreturn]] void fail(const std::string& name, const std::string& check) {
  throw Error(name + ": invalid IDX file: " + check);
}

bool valid_type(uint8_t code) {
  switch (code) {
    case 0x08:
    case 0x09:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x0E:
      return true;
    default:
      return false;
  }
}

uint32_t read_be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

}  // namespace

int idx_element_size(IdxType type) {
  switch (type) {
    case IdxType::u8:
    case IdxType::i8:
      return 1;
    case IdxType::i16:
      return 2;
    case IdxType::i32:
    case IdxType::f32:
      return 4;
    case IdxType::f64:
      return 8;
  }
  return 1;
}

const char* idx_type_name(IdxType type) {
  switch (type) {
    case IdxType::u8:
      return "uint8";
    case IdxType::i8:
      return "int8";
    case IdxType::i16:
      return "int16";
    case IdxType::i32:
      return "int32";
    case IdxType::f32:
      return "float32";
    case IdxType::f64:
      return "float64";
  }
  return "?";
}

int64_t IdxArray::size() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

double IdxArray::at(int64_t i) const {
  const uint8_t* p = bytes.data() + i * idx_element_size(type);
  switch (type) {
    case IdxType::u8:
      return *p;
    case IdxType::i8:
      return static_cast<int8_t>(*p);
    case IdxType::i16: {
      int16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case IdxType::i32: {
      int32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    case IdxType::f32: {
      float v;
      std::memcpy(&v, p, 4);
      return v;
    }
    case IdxType::f64: {
      double v;
      std::memcpy(&v, p, 8);
      return v;
    }
  }
  return 0.0;
}

namespace {

// A gzip stream inflated piece by piece, so that a reader takes only what it expects: a
// few megabytes of gzip can hold gigabytes of zeros, and the IDX header says how many
// bytes are due before any of them is stored.
class GzipReader {
 public:
  GzipReader(std::string_view content, const std::string& name) : content_(content), name_(name) {
    // 16 + MAX_WBITS: expect a gzip header and trailer (CRC and length are checked).
    if (inflateInit2(&zs_, 16 + MAX_WBITS) != Z_OK) throw Error(name + ": cannot start zlib");
  }
  ~GzipReader() { inflateEnd(&zs_); }
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  // Fills out[0, size) and returns how many bytes it got: fewer only at the end of the
  // stream, after which the CRC and length in its trailer have been checked.
  size_t read(uint8_t* out, size_t size) {
    size_t got = 0;
    while (got < size && !ended_) {
      // zlib counts in uInt; input and output go in chunks so that sizes over 4 GiB work.
      if (zs_.avail_in == 0 && consumed_ < content_.size()) {
        const size_t chunk = std::min<size_t>(content_.size() - consumed_, 1u << 30);
        zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(content_.data() + consumed_));
        zs_.avail_in = static_cast<uInt>(chunk);
        consumed_ += chunk;
      }
      const size_t room = std::min<size_t>(size - got, 1u << 30);
      zs_.next_out = out + got;
      zs_.avail_out = static_cast<uInt>(room);
      const int rc = inflate(&zs_, Z_NO_FLUSH);
      got += room - zs_.avail_out;
      if (rc == Z_STREAM_END) {
        ended_ = true;
      } else if (rc == Z_BUF_ERROR && zs_.avail_in == 0 && consumed_ == content_.size()) {
        fail(name_, "gzip stream is truncated");
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        fail(name_,
             "gzip stream is corrupt (" + std::string(zs_.msg ? zs_.msg : "corrupt data") + ")");
      }
    }
    return got;
  }

 private:
  z_stream zs_{};
  std::string_view content_;
  const std::string& name_;
  size_t consumed_ = 0;
  bool ended_ = false;
};

bool is_gzip(std::string_view content) {
  return content.size() >= 2 && static_cast<unsigned char>(content[0]) == 0x1f &&
         static_cast<unsigned char>(content[1]) == 0x8b;
}

// Checks the 4-byte magic number at p (`length` bytes available); returns the size of
// the whole header (magic and dimensions).
size_t check_magic(const unsigned char* p, size_t length, const std::string& name) {
  if (length < 4)
    fail(name,
         "header: expected a 4-byte magic number, file has " + std::to_string(length) + " bytes");
  if (p[0] != 0 || p[1] != 0)
    fail(name, "magic number: the first two bytes must be 0 (found " + std::to_string(p[0]) + ", " +
                   std::to_string(p[1]) + ")");
  if (!valid_type(p[2]))
    fail(name, "magic number: unknown type code " + std::to_string(p[2]) +
                   " (expected 8, 9, 11, 12, 13 or 14)");
  const int ndims = p[3];
  if (ndims < 1 || ndims > kMaxDims)
    fail(name, "magic number: number of dimensions is " + std::to_string(ndims) +
                   " (expected 1 to " + std::to_string(kMaxDims) + ")");
  return 4 + 4 * static_cast<size_t>(ndims);
}

// Reads the dimensions of a header whose magic number passed check_magic (`length` bytes
// available); returns the array without its elements and the bytes its elements take.
IdxArray read_dims(const unsigned char* p, size_t length, const std::string& name,
                   uint64_t* data_bytes) {
  const int ndims = p[3];
  const size_t header = 4 + 4 * static_cast<size_t>(ndims);
  if (length < header)
    fail(name, "dimensions: header needs " + std::to_string(header) + " bytes for " +
                   std::to_string(ndims) + " dimensions, file has " + std::to_string(length));
  IdxArray array;
  array.type = static_cast<IdxType>(p[2]);
  // Track the product in unsigned 64-bit and stop before it can overflow.
  uint64_t count = 1;
  constexpr uint64_t kLimit = uint64_t{1} << 50;
  for (int i = 0; i < ndims; ++i) {
    const uint32_t d = read_be32(p + 4 + 4 * i);
    array.dims.push_back(d);
    if (d != 0 && count > kLimit / d)
      fail(name, "dimensions: dimension " + std::to_string(i) + " = " + std::to_string(d) +
                     " makes the array impossibly large");
    count *= d;
  }
  *data_bytes = count * static_cast<uint64_t>(idx_element_size(array.type));
  return array;
}

[[noreturn]] void wrong_length(const IdxArray& array, uint64_t expected, const std::string& has,
                               const std::string& name) {
  std::string dims;
  for (size_t i = 0; i < array.dims.size(); ++i)
    dims += (i ? "x" : "") + std::to_string(array.dims[i]);
  fail(name, "file length: " + dims + " " + idx_type_name(array.type) + " elements need " +
                 std::to_string(expected) + " bytes, file has " + has);
}

// IDX stores big-endian; swap multi-byte elements into host order.
void to_host_order(IdxArray& array) {
  const int elem = idx_element_size(array.type);
  if (elem > 1 && std::endian::native == std::endian::little) {
    for (size_t i = 0; i + elem <= array.bytes.size(); i += elem)
      std::reverse(array.bytes.begin() + static_cast<std::ptrdiff_t>(i),
                   array.bytes.begin() + static_cast<std::ptrdiff_t>(i + elem));
  }
}

// The header first, then exactly the bytes it promises, decompressed straight into the
// array's buffer: memory never exceeds what the header states (checked against this
// machine's memory before it is allocated), and a stream holding more is refused
// without inflating the rest.
IdxArray parse_gzip_idx(std::string_view content, const std::string& name) {
  GzipReader gz(content, name);
  unsigned char head[4 + 4 * kMaxDims];
  size_t have = gz.read(head, 4);
  const size_t header = check_magic(head, have, name);
  have += gz.read(head + 4, header - 4);
  uint64_t data_bytes = 0;
  IdxArray array = read_dims(head, have, name, &data_bytes);
  // Deflate expands at most 1032:1: a header promising more than the compressed bytes
  // can hold is refused before anything is allocated (a few corrupt bytes could
  // otherwise claim all of memory and have it zeroed).
  const uint64_t most = static_cast<uint64_t>(content.size()) * 1032 + 1024;
  if (data_bytes > most)
    wrong_length(array, header + data_bytes,
                 "at most " + std::to_string(most) +
                     ": the gzip stream is truncated or the header is wrong (deflate expands " +
                     std::to_string(content.size()) + " bytes at most 1032 times)",
                 name);
  check_fits_in_memory(
      static_cast<long double>(data_bytes),
      name + ": the " + std::to_string(array.size()) + " elements its header states");
  array.bytes.resize(static_cast<size_t>(data_bytes));
  const size_t got = gz.read(array.bytes.data(), array.bytes.size());
  if (got < data_bytes)
    wrong_length(array, header + data_bytes, std::to_string(header + got), name);
  uint8_t extra = 0;
  if (gz.read(&extra, 1) != 0)
    wrong_length(array, header + data_bytes, "more (its gzip data holds bytes beyond them)", name);
  return array;
}

}  // namespace

std::string gunzip(std::string_view content, const std::string& name) {
  GzipReader gz(content, name);
  std::string out;
  size_t size = 0;
  while (true) {
    // Grows by doubling, each size checked against memory: the input's own ratio says
    // nothing (deflate reaches 1032:1).
    out.resize(std::max<size_t>(2 * out.size(), 1 << 16));
    check_fits_in_memory(static_cast<long double>(out.size()), name + ": decompressed");
    const size_t want = out.size() - size;
    const size_t got = gz.read(reinterpret_cast<uint8_t*>(out.data() + size), want);
    size += got;
    if (got < want) break;
  }
  out.resize(size);
  return out;
}

IdxArray parse_idx(std::string_view content, const std::string& name) {
  IdxArray array;
  if (is_gzip(content)) {
    array = parse_gzip_idx(content, name);
  } else {
    const auto* p = reinterpret_cast<const unsigned char*>(content.data());
    const size_t header = check_magic(p, content.size(), name);
    uint64_t data_bytes = 0;
    array = read_dims(p, content.size(), name, &data_bytes);
    if (content.size() != header + data_bytes)
      wrong_length(array, header + data_bytes, std::to_string(content.size()), name);
    array.bytes.assign(p + header, p + content.size());
  }
  to_host_order(array);
  return array;
}

IdxArray read_idx(const std::string& path) {
  const std::string content = read_file(path);
  return parse_idx(content, path);
}

std::vector<float> idx_to_float(const IdxArray& array) {
  const int64_t n = array.size();
  std::vector<float> out(static_cast<size_t>(n));
  if (array.type == IdxType::u8) {
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(array.bytes[i]) / 255.0f;
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(array.at(i));
  }
  return out;
}

std::vector<int64_t> idx_to_labels(const IdxArray& array, const std::string& name) {
  if (array.type == IdxType::f32 || array.type == IdxType::f64)
    throw Error(name + ": expected integer labels, found " + idx_type_name(array.type) +
                " elements");
  // One label per sample: an images file given as labels would otherwise pass as 784
  // "labels" per image.
  const int64_t n = array.size();
  if (array.dims.empty() || n != array.dims[0]) {
    std::string shape;
    for (int64_t d : array.dims) shape += (shape.empty() ? "" : " x ") + std::to_string(d);
    throw Error(name + ": expected one label per sample (a 1-D array), found a " + shape +
                " array");
  }
  std::vector<int64_t> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<int64_t>(array.at(i));
  return out;
}

}  // namespace soma::data
