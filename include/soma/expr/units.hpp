#pragma once
// Physical dimensions and units, Brian2 style. A Dimension is the vector of
// exponents of the seven SI base units; a Quantity is a value in SI base units
// with its Dimension. Exponents are stored in halves, because white noise `xi`
// has units of second**-0.5 and sqrt() of an even power must stay exact.
//
//   lookup_unit("mV")   -> Quantity{1e-3, volt}
//   parse_unit("siemens/meter**2") -> Quantity{1, m^-4 kg^-1 s^3 A^2}
//   dimension_name(volt / second)  -> "V/s"
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace soma::expr {

class Dimension {
 public:
  // Base-unit order: metre, kilogram, second, ampere, kelvin, mole, candela.
  static constexpr int kBase = 7;
  constexpr Dimension() = default;
  // Exponents given as whole numbers, e.g. volt = {2, 1, -3, -1, 0, 0, 0}.
  static Dimension from_exponents(std::array<int, kBase> whole);

  // Exponent of base unit b as a double (always a multiple of 0.5).
  double exponent(int b) const { return twice_[static_cast<size_t>(b)] / 2.0; }
  bool dimensionless() const;

  Dimension operator*(const Dimension& o) const;
  Dimension operator/(const Dimension& o) const;
  // Raises to the power p; nullopt when an exponent would not be a multiple of 1/2.
  std::optional<Dimension> pow(double p) const;
  bool operator==(const Dimension& o) const = default;

  // Short SI spelling: "1", "V", "S", "V/s", "m^2 kg s^-3 A^-1"...
  std::string str() const;

 private:
  std::array<int32_t, kBase> twice_{};  // twice the exponent of each base unit
};

// Common dimensions for callers and tests.
namespace dim {
Dimension one();
Dimension metre();
Dimension kilogram();
Dimension second();
Dimension amp();
Dimension kelvin();
Dimension mole();
Dimension candela();
Dimension volt();
Dimension siemens();
Dimension farad();
Dimension ohm();
Dimension hertz();
Dimension molar();  // mol / m^3 (Brian2's molar = mol/l, scale 1000)
}  // namespace dim

struct Quantity {
  double value = 1.0;     // in SI base units
  Dimension dimension{};  // dimensionless by default
};

// A unit name, optionally with an SI prefix: volt/V, amp/ampere/A, siemens/S,
// farad/F, ohm/Ohm, second/s, hertz/Hz, metre/meter/m, gram/g (kilogram=1000 g),
// kelvin/K, mole/mol, molar/M, liter/litre/l, coulomb/C, newton/N, joule/J,
// watt/W, tesla/T, weber/Wb, henry/H, pascal/Pa, candela/cd; prefixes y z a f p
// n u µ m c d k M G T (so mV, ms, nS, pF, nA, kHz, mM, umetre, usiemens, µF...).
// Returns nullopt when `name` is not a unit.
std::optional<Quantity> lookup_unit(std::string_view name);

// Parses a unit declaration such as "volt", "1", "volt/second", "siemens/meter**2",
// "amp*second", "1/second". Throws soma::Error naming `text` and the column.
Quantity parse_unit(std::string_view text);

}  // namespace soma::expr
