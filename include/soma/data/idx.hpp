#pragma once
// IDX files, the format of MNIST and Fashion-MNIST: a 4-byte magic number (two zero
// bytes, a type code, the number of dimensions), one big-endian uint32 per dimension,
// then the elements row-major and big-endian. Files may be gzip-compressed (as they
// are distributed); read_idx detects that from the gzip magic bytes.
//
//   auto images = soma::data::read_idx("t10k-images-idx3-ubyte.gz");  // dims {10000, 28, 28}
//   std::vector<float> pixels = soma::data::idx_to_float(images);     // u8 / 255, in [0, 1]
//
// Every check that fails throws soma::Error naming the file and the check.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace soma::data {

// The type codes of the IDX format (third byte of the magic number).
enum class IdxType : uint8_t {
  u8 = 0x08,
  i8 = 0x09,
  i16 = 0x0B,
  i32 = 0x0C,
  f32 = 0x0D,
  f64 = 0x0E,
};

// Bytes per element of `type`.
int idx_element_size(IdxType type);
const char* idx_type_name(IdxType type);

// An IDX array: the element type, the dimensions, and the elements in host byte order.
struct IdxArray {
  IdxType type = IdxType::u8;
  std::vector<int64_t> dims{};
  std::vector<uint8_t> bytes{};  // size() * idx_element_size(type) bytes, host byte order

  int64_t size() const;  // product of dims
  // Element i converted to double (any type).
  double at(int64_t i) const;
};

// Reads an IDX file, gzip-compressed or plain.
IdxArray read_idx(const std::string& path);

// Parses an IDX image held in memory; gzip data (1f 8b) is decompressed first.
// `name` is the input's name in error messages.
IdxArray parse_idx(std::string_view content, const std::string& name = "<memory>");

// Decompresses a gzip stream; throws soma::Error naming `name` on corrupt data.
std::string gunzip(std::string_view content, const std::string& name);

// All elements as float. u8 data (pixels) is divided by 255 so it lies in [0, 1];
// other types are converted unchanged.
std::vector<float> idx_to_float(const IdxArray& array);

// All elements as int64 (labels); throws soma::Error for floating-point arrays and for
// arrays with more than one element per sample (an images file given as labels).
std::vector<int64_t> idx_to_labels(const IdxArray& array, const std::string& name = "<idx>");

}  // namespace soma::data
