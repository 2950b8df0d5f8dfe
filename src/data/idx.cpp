#include "soma/data/idx.hpp"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"

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

// Decompresses a gzip stream into a Buffer (std::string or std::vector<uint8_t>).
template <class Buffer>
Buffer inflate_gzip(std::string_view content, const std::string& name) {
  z_stream zs{};
  // 16 + MAX_WBITS: expect a gzip header and trailer (CRC and length are checked).
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw Error(name + ": cannot start zlib");
  // The trailer's last 4 bytes hold the uncompressed size (mod 2^32): sizing the buffer
  // from it touches only the pages the data needs (each first touch of a page is a costly
  // fault) where a guess of 4x the input touched twice as many. A corrupt trailer only
  // costs a wrong first guess: deflate cannot expand beyond 1032:1, and the buffer grows
  // by doubling when the hint was short (members concatenated, or over 4 GiB).
  size_t hint = std::max<size_t>(content.size() * 4, 1 << 16);
  if (content.size() >= 18) {
    const auto* t = reinterpret_cast<const unsigned char*>(content.data() + content.size() - 4);
    const size_t isize =
        uint32_t{t[0]} | (uint32_t{t[1]} << 8) | (uint32_t{t[2]} << 16) | (uint32_t{t[3]} << 24);
    // One spare byte: a buffer filled exactly would be doubled before inflate could report
    // the end of the stream.
    hint = std::min(isize + 1, content.size() * 1032 + (1 << 16));
  }
  Buffer out;
  out.resize(hint);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(content.data()));
  size_t consumed = 0;
  int rc = Z_OK;
  while (true) {
    // zlib counts in uInt; feed the input in chunks so files over 4 GiB also work.
    if (zs.avail_in == 0 && consumed < content.size()) {
      const size_t chunk = std::min<size_t>(content.size() - consumed, 1u << 30);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(content.data() + consumed));
      zs.avail_in = static_cast<uInt>(chunk);
      consumed += chunk;
    }
    if (zs.total_out == out.size()) out.resize(out.size() * 2);
    const size_t room = std::min<size_t>(out.size() - zs.total_out, 1u << 30);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + zs.total_out);
    zs.avail_out = static_cast<uInt>(room);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && consumed == content.size()) {
      inflateEnd(&zs);
      fail(name, "gzip stream is truncated");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      const std::string why = zs.msg ? zs.msg : "corrupt data";
      inflateEnd(&zs);
      fail(name, "gzip stream is corrupt (" + why + ")");
    }
  }
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}

bool is_gzip(std::string_view content) {
  return content.size() >= 2 && static_cast<unsigned char>(content[0]) == 0x1f &&
         static_cast<unsigned char>(content[1]) == 0x8b;
}

// Checks the header and length of an uncompressed IDX image; returns the array without
// its elements and the header's size.
IdxArray parse_header(std::string_view content, const std::string& name, size_t* header_size) {
  const auto* p = reinterpret_cast<const unsigned char*>(content.data());
  const size_t length = content.size();
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
  const size_t header = 4 + 4 * static_cast<size_t>(ndims);
  if (length < header)
    fail(name, "dimensions: header needs " + std::to_string(header) + " bytes for " +
                   std::to_string(ndims) + " dimensions, file has " + std::to_string(length));
  IdxArray array;
  array.type = static_cast<IdxType>(p[2]);
  const int elem = idx_element_size(array.type);
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
  const uint64_t expected = header + count * static_cast<uint64_t>(elem);
  if (length != expected) {
    std::string dims;
    for (size_t i = 0; i < array.dims.size(); ++i)
      dims += (i ? "x" : "") + std::to_string(array.dims[i]);
    fail(name, "file length: " + dims + " " + idx_type_name(array.type) + " elements need " +
                   std::to_string(expected) + " bytes, file has " + std::to_string(length));
  }
  *header_size = header;
  return array;
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

}  // namespace

std::string gunzip(std::string_view content, const std::string& name) {
  return inflate_gzip<std::string>(content, name);
}

IdxArray parse_idx(std::string_view content, const std::string& name) {
  size_t header = 0;
  IdxArray array;
  if (is_gzip(content)) {
    // Decompressed straight into the array's own buffer; dropping the header moves the
    // elements within pages already touched instead of copying them into new ones.
    std::vector<uint8_t> plain = inflate_gzip<std::vector<uint8_t>>(content, name);
    array = parse_header(
        std::string_view(reinterpret_cast<const char*>(plain.data()), plain.size()), name, &header);
    plain.erase(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(header));
    array.bytes = std::move(plain);
  } else {
    array = parse_header(content, name, &header);
    const auto* p = reinterpret_cast<const unsigned char*>(content.data());
    array.bytes.assign(p + header, p + content.size());
  }
  to_host_order(array);
  return array;
}

IdxArray read_idx(const std::filesystem::path& path) {
  const std::string content = read_file(path);
  return parse_idx(content, path.string());
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
