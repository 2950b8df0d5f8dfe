#pragma once
// Physical units in C++ code, as Brian2's in Python: values outside equation strings may be
// written `-70 * mV`, `0.7 * nA`, `10 * ms` instead of bare SI doubles (-0.07, 0.7e-9, 0.01).
//
//   using namespace soma::units;
//   G.set("v", -70 * mV);                         // checked against v's declared unit
//   G.set("I", {0.7 * nA, 0.5 * nA, 0 * nA});     // one value per neuron
//   net.set_constant("tau", 10 * ms);             // a constant with its dimension
//   net.run(200 * ms);                            // anything taking SI doubles
//
// A Quantity holds one double, the value in SI base units; its dimension is a template
// argument, so checking costs nothing at run time: adding or comparing quantities of
// different dimensions (or a dimensioned quantity and a plain number) does not compile,
// and products and quotients carry the product and quotient of the dimensions
// (nA / nS is a volt). A Quantity converts to its SI double, so it goes wherever SI doubles
// go; NeuronGroup::set, Synapses::set and Network::set_constant also check or keep its
// dimension (soma/snn/network.hpp).
#include <array>
#include <compare>
#include <type_traits>

namespace soma::units {

// Exponents of the SI base units, in expr::Dimension's order (metre, kilogram, second,
// ampere, kelvin, mole, candela).
struct Dim {
  int m = 0, kg = 0, s = 0, A = 0, K = 0, mol = 0, cd = 0;
  constexpr bool operator==(const Dim&) const = default;
  constexpr std::array<int, 7> exponents() const { return {m, kg, s, A, K, mol, cd}; }
};
constexpr Dim operator*(Dim a, Dim b) {
  return {a.m + b.m, a.kg + b.kg, a.s + b.s, a.A + b.A, a.K + b.K, a.mol + b.mol, a.cd + b.cd};
}
constexpr Dim operator/(Dim a, Dim b) {
  return {a.m - b.m, a.kg - b.kg, a.s - b.s, a.A - b.A, a.K - b.K, a.mol - b.mol, a.cd - b.cd};
}

template <Dim D>
class Quantity {
 public:
  static constexpr Dim dimension = D;
  constexpr Quantity() = default;
  constexpr explicit Quantity(double si) : si_(si) {}
  // The value in SI base units (volt, second, siemens...): -70 * mV is -0.07.
  constexpr double si() const { return si_; }
  constexpr operator double() const { return si_; }  // NOLINT: SI doubles are soma's values

  constexpr Quantity operator-() const { return Quantity(-si_); }
  constexpr Quantity operator+() const { return *this; }
  constexpr Quantity& operator+=(Quantity o) {
    si_ += o.si_;
    return *this;
  }
  constexpr Quantity& operator-=(Quantity o) {
    si_ -= o.si_;
    return *this;
  }
  constexpr Quantity& operator*=(double k) {
    si_ *= k;
    return *this;
  }
  constexpr Quantity& operator/=(double k) {
    si_ /= k;
    return *this;
  }

 private:
  double si_ = 0;
};

template <class T>
concept Number = std::is_arithmetic_v<T>;

// Same dimension: the sum, difference and order of the SI values.
template <Dim D>
constexpr Quantity<D> operator+(Quantity<D> a, Quantity<D> b) {
  return Quantity<D>(a.si() + b.si());
}
template <Dim D>
constexpr Quantity<D> operator-(Quantity<D> a, Quantity<D> b) {
  return Quantity<D>(a.si() - b.si());
}
template <Dim D>
constexpr bool operator==(Quantity<D> a, Quantity<D> b) {
  return a.si() == b.si();
}
template <Dim D>
constexpr std::partial_ordering operator<=>(Quantity<D> a, Quantity<D> b) {
  return a.si() <=> b.si();
}

// Different dimensions: an error at compile time (without these the conversion to double
// would let 10 * ms + 5 * mV through as 0.015).
template <Dim A, Dim B>
requires(A != B) void operator+(Quantity<A>, Quantity<B>) = delete;
template <Dim A, Dim B>
requires(A != B) void operator-(Quantity<A>, Quantity<B>) = delete;
template <Dim A, Dim B>
requires(A != B) bool operator==(Quantity<A>, Quantity<B>) = delete;
template <Dim A, Dim B>
requires(A != B) void operator<=>(Quantity<A>, Quantity<B>) = delete;
// A plain number has no dimension: 10 * ms + 1 is an error, as in Brian2 (a dimensionless
// quantity, such as 5 * ms / ms, mixes with numbers through its conversion to double).
template <Dim D, Number T>
requires(D != Dim{}) void operator+(Quantity<D>, T) = delete;
template <Dim D, Number T>
requires(D != Dim{}) void operator+(T, Quantity<D>) = delete;
template <Dim D, Number T>
requires(D != Dim{}) void operator-(Quantity<D>, T) = delete;
template <Dim D, Number T>
requires(D != Dim{}) void operator-(T, Quantity<D>) = delete;
template <Dim D, Number T>
requires(D != Dim{}) bool operator==(Quantity<D>, T) = delete;
template <Dim D, Number T>
requires(D != Dim{}) void operator<=>(Quantity<D>, T) = delete;

// Scaling by a number keeps the dimension; products and quotients combine them.
template <Dim D, Number T>
constexpr Quantity<D> operator*(T k, Quantity<D> q) {
  return Quantity<D>(static_cast<double>(k) * q.si());
}
template <Dim D, Number T>
constexpr Quantity<D> operator*(Quantity<D> q, T k) {
  return Quantity<D>(q.si() * static_cast<double>(k));
}
template <Dim D, Number T>
constexpr Quantity<D> operator/(Quantity<D> q, T k) {
  return Quantity<D>(q.si() / static_cast<double>(k));
}
template <Dim D, Number T>
constexpr Quantity<Dim{} / D> operator/(T k, Quantity<D> q) {
  return Quantity<Dim{} / D>(static_cast<double>(k) / q.si());
}
template <Dim A, Dim B>
constexpr Quantity<A * B> operator*(Quantity<A> a, Quantity<B> b) {
  return Quantity<A * B>(a.si() * b.si());
}
template <Dim A, Dim B>
constexpr Quantity<A / B> operator/(Quantity<A> a, Quantity<B> b) {
  return Quantity<A / B>(a.si() / b.si());
}

namespace dims {
inline constexpr Dim one{};
inline constexpr Dim metre{.m = 1};
inline constexpr Dim kilogram{.kg = 1};
inline constexpr Dim second{.s = 1};
inline constexpr Dim amp{.A = 1};
inline constexpr Dim volt{.m = 2, .kg = 1, .s = -3, .A = -1};
inline constexpr Dim siemens = one / (volt / amp);
inline constexpr Dim ohm = volt / amp;
inline constexpr Dim farad = amp * second / volt;
inline constexpr Dim hertz = one / second;
}  // namespace dims

// Brian2's names for the units the neuron models use, with their usual prefixes.
inline constexpr Quantity<dims::one> one{1.0};
inline constexpr Quantity<dims::second> second{1.0}, ms{1e-3}, us{1e-6};
inline constexpr Quantity<dims::volt> volt{1.0}, mV{1e-3}, uV{1e-6};
inline constexpr Quantity<dims::amp> amp{1.0}, mA{1e-3}, uA{1e-6}, nA{1e-9}, pA{1e-12};
inline constexpr Quantity<dims::siemens> siemens{1.0}, mS{1e-3}, uS{1e-6}, nS{1e-9}, pS{1e-12};
inline constexpr Quantity<dims::farad> farad{1.0}, uF{1e-6}, nF{1e-9}, pF{1e-12};
inline constexpr Quantity<dims::ohm> ohm{1.0}, kohm{1e3}, Mohm{1e6}, Gohm{1e9};
inline constexpr Quantity<dims::hertz> hertz{1.0}, Hz{1.0}, kHz{1e3};
inline constexpr Quantity<dims::metre> metre{1.0}, meter{1.0}, cm{1e-2}, mm{1e-3}, um{1e-6};

}  // namespace soma::units
