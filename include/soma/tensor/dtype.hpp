#pragma once
// Element types: float32 is the default (as in PyTorch); float64 for numerics and
// gradient checks; int64 for class labels and indices; bool for masks.
#include <cstddef>
#include <cstdint>

namespace soma {

enum class DType : uint8_t { Float32, Float64, Int64, Bool };
inline constexpr DType kFloat32 = DType::Float32;
inline constexpr DType kFloat64 = DType::Float64;
inline constexpr DType kInt64 = DType::Int64;
inline constexpr DType kBool = DType::Bool;

// Tensors carry a device from the start; only the CPU exists today.
enum class Device : uint8_t { CPU };

size_t itemsize(DType dtype);
const char* dtype_name(DType dtype);
bool is_floating(DType dtype);

// The type two operands are computed in: bool < int64 < float32 < float64.
DType promote_types(DType a, DType b);

template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() {
  return DType::Float32;
}
template <>
constexpr DType dtype_of<double>() {
  return DType::Float64;
}
template <>
constexpr DType dtype_of<int64_t>() {
  return DType::Int64;
}
template <>
constexpr DType dtype_of<bool>() {
  return DType::Bool;
}

}  // namespace soma
