#pragma once
// Forward-mode automatic differentiation with dual numbers: Dual<N, T> carries a
// value and its N partial derivatives. A model written once as a template,
//
//   template <class T> T decay(double x, std::span<const T> p) {
//     using std::exp;
//     return p[1] * exp(-x / p[0]);
//   }
//
// evaluated with T = Dual<2> whose seeds are p[k].d[k] = 1 returns the value and
// the exact gradient d model / d p in one pass (no finite-difference step, no
// truncation error). T = Dual<N, long double> gives the same in extended precision.
#include <array>
#include <cmath>
#include <cstddef>
#include <type_traits>

#include "soma/core/vecmath.hpp"

namespace soma::fit {

template <size_t N, class T = double>
struct Dual {
  T v{};                 // value
  std::array<T, N> d{};  // partial derivatives

  Dual() = default;
  Dual(T value) : v(value) {}  // NOLINT: constants convert implicitly, derivatives 0
  // A variable: value `value`, seeded in direction `k`.
  static Dual variable(T value, size_t k) {
    Dual r(value);
    r.d[k] = T(1);
    return r;
  }

  Dual& operator+=(const Dual& b) {
    v += b.v;
    for (size_t k = 0; k < N; ++k) d[k] += b.d[k];
    return *this;
  }
  Dual& operator-=(const Dual& b) {
    v -= b.v;
    for (size_t k = 0; k < N; ++k) d[k] -= b.d[k];
    return *this;
  }
  Dual& operator*=(const Dual& b) { return *this = *this * b; }
  Dual& operator/=(const Dual& b) { return *this = *this / b; }
};

// Builds a value and derivative vector from f(v) and f'(v): chain rule.
template <size_t N, class T>
inline Dual<N, T> chain(const Dual<N, T>& a, T value, T derivative) {
  Dual<N, T> r(value);
  for (size_t k = 0; k < N; ++k) r.d[k] = derivative * a.d[k];
  return r;
}

template <size_t N, class T>
inline Dual<N, T> operator+(const Dual<N, T>& a) {
  return a;
}
template <size_t N, class T>
inline Dual<N, T> operator-(const Dual<N, T>& a) {
  Dual<N, T> r(-a.v);
  for (size_t k = 0; k < N; ++k) r.d[k] = -a.d[k];
  return r;
}
template <size_t N, class T>
inline Dual<N, T> operator+(const Dual<N, T>& a, const Dual<N, T>& b) {
  Dual<N, T> r(a.v + b.v);
  for (size_t k = 0; k < N; ++k) r.d[k] = a.d[k] + b.d[k];
  return r;
}
template <size_t N, class T>
inline Dual<N, T> operator-(const Dual<N, T>& a, const Dual<N, T>& b) {
  Dual<N, T> r(a.v - b.v);
  for (size_t k = 0; k < N; ++k) r.d[k] = a.d[k] - b.d[k];
  return r;
}
// (ab)' = a'b + ab'
template <size_t N, class T>
inline Dual<N, T> operator*(const Dual<N, T>& a, const Dual<N, T>& b) {
  Dual<N, T> r(a.v * b.v);
  for (size_t k = 0; k < N; ++k) r.d[k] = a.d[k] * b.v + a.v * b.d[k];
  return r;
}
// (a/b)' = (a' - (a/b) b') / b
template <size_t N, class T>
inline Dual<N, T> operator/(const Dual<N, T>& a, const Dual<N, T>& b) {
  const T q = a.v / b.v, inv = T(1) / b.v;
  Dual<N, T> r(q);
  for (size_t k = 0; k < N; ++k) r.d[k] = (a.d[k] - q * b.d[k]) * inv;
  return r;
}

// Mixed operations with plain numbers (any arithmetic type converts to T), so
// that `2.0 * p[0]` and `x / p[1]` work with double x and long double duals.
#define SOMA_FIT_DUAL_MIXED(op)                             \
  template <size_t N, class T, class S>                     \
  requires std::is_arithmetic_v<S>                          \
  inline Dual<N, T> operator op(const Dual<N, T>& a, S b) { \
    return a op Dual<N, T>(static_cast<T>(b));              \
  }                                                         \
  template <size_t N, class T, class S>                     \
  requires std::is_arithmetic_v<S>                          \
  inline Dual<N, T> operator op(S a, const Dual<N, T>& b) { \
    return Dual<N, T>(static_cast<T>(a)) op b;              \
  }
SOMA_FIT_DUAL_MIXED(+)
SOMA_FIT_DUAL_MIXED(-)
SOMA_FIT_DUAL_MIXED(*)
SOMA_FIT_DUAL_MIXED(/)
#undef SOMA_FIT_DUAL_MIXED

template <size_t N, class T>
inline bool operator<(const Dual<N, T>& a, const Dual<N, T>& b) {
  return a.v < b.v;
}
template <size_t N, class T>
inline bool operator>(const Dual<N, T>& a, const Dual<N, T>& b) {
  return a.v > b.v;
}

template <size_t N, class T>
inline Dual<N, T> exp(const Dual<N, T>& a) {
  using std::exp;
  T e;
  if constexpr (std::is_same_v<T, double>)
    e = vecmath::exp(a.v);  // the language's exp, and no library call: loops vectorise
  else
    e = exp(a.v);
  return chain(a, e, e);
}
template <size_t N, class T>
inline Dual<N, T> log(const Dual<N, T>& a) {
  using std::log;
  return chain(a, T(log(a.v)), T(1) / a.v);
}
template <size_t N, class T>
inline Dual<N, T> log10(const Dual<N, T>& a) {
  using std::log10;
  return chain(a, T(log10(a.v)), T(1) / (a.v * T(2.30258509299404568401799145468436421L)));
}
template <size_t N, class T>
inline Dual<N, T> sqrt(const Dual<N, T>& a) {
  using std::sqrt;
  const T s = sqrt(a.v);
  return chain(a, s, T(0.5) / s);
}
template <size_t N, class T>
inline Dual<N, T> sin(const Dual<N, T>& a) {
  using std::cos;
  using std::sin;
  return chain(a, T(sin(a.v)), T(cos(a.v)));
}
template <size_t N, class T>
inline Dual<N, T> cos(const Dual<N, T>& a) {
  using std::cos;
  using std::sin;
  return chain(a, T(cos(a.v)), T(-sin(a.v)));
}
template <size_t N, class T>
inline Dual<N, T> tan(const Dual<N, T>& a) {
  using std::tan;
  const T t = tan(a.v);
  return chain(a, t, T(1) + t * t);
}
template <size_t N, class T>
inline Dual<N, T> atan(const Dual<N, T>& a) {
  using std::atan;
  return chain(a, T(atan(a.v)), T(1) / (T(1) + a.v * a.v));
}
template <size_t N, class T>
inline Dual<N, T> tanh(const Dual<N, T>& a) {
  using std::tanh;
  const T t = tanh(a.v);
  return chain(a, t, T(1) - t * t);
}
template <size_t N, class T>
inline Dual<N, T> abs(const Dual<N, T>& a) {
  return a.v < T(0) ? -a : a;
}
// a^b with a constant exponent: d = b a^(b-1) a'
template <size_t N, class T, class S>
requires std::is_arithmetic_v<S>
inline Dual<N, T> pow(const Dual<N, T>& a, S b) {
  using std::pow;
  const T e = static_cast<T>(b);
  const T pm1 = pow(a.v, e - T(1));
  return chain(a, T(pm1 * a.v), T(e * pm1));
}
// General a^b = exp(b log a) for a > 0; d = a^b (b' log a + b a'/a)
template <size_t N, class T>
inline Dual<N, T> pow(const Dual<N, T>& a, const Dual<N, T>& b) {
  using std::log;
  using std::pow;
  const T value = pow(a.v, b.v);
  const T la = a.v > T(0) ? T(log(a.v)) : T(0);
  Dual<N, T> r(value);
  for (size_t k = 0; k < N; ++k)
    r.d[k] = value * (b.d[k] * la) + b.v * pow(a.v, b.v - T(1)) * a.d[k];
  return r;
}
template <size_t N, class T, class S>
requires std::is_arithmetic_v<S>
inline Dual<N, T> pow(S a, const Dual<N, T>& b) {
  using std::log;
  using std::pow;
  const T base = static_cast<T>(a);
  const T value = pow(base, b.v);
  return chain(b, value, T(value * log(base)));
}

}  // namespace soma::fit
