#pragma once
// StringMap<V>: names to values, kept as one vector of (name, value) pairs sorted by name.
// std::map's interface where public structs hold a handful of named figures (a training
// epoch's metrics): lookups by name, iteration in name order, structured bindings
// (`for (const auto& [name, value] : m)`), braced lists ({{"accuracy", 0.9}}) and
// conversion from a std::map. <map> itself (the red-black tree and its node handles)
// costs every includer ~0.04 s with GCC 12 (bench/headers); a sorted vector needs
// nothing <vector> and <string> do not already bring, and is faster for a few entries.
//
// Iteration is read-only (a name changed in place would break the order): change values
// through operator[], insert_or_assign or at.
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "soma/core/error.hpp"

namespace soma {

template <class V>
class StringMap {
 public:
  using key_type = std::string;
  using mapped_type = V;
  using value_type = std::pair<std::string, V>;
  using const_iterator = typename std::vector<value_type>::const_iterator;
  using iterator = const_iterator;

  StringMap() = default;
  // As std::map's: a name given twice keeps its first value.
  StringMap(std::initializer_list<value_type> entries) {
    for (const value_type& e : entries) emplace(e.first, e.second);
  }
  // From a std::map<std::string, V> or any other range of (name, value) pairs; implicit,
  // so that code which assigned a std::map to a struct's member still compiles.
  template <class Range>
  requires(!std::is_same_v<std::remove_cvref_t<Range>, StringMap> && requires(const Range& r) {
    std::string_view(r.begin()->first);
    V(r.begin()->second);
    r.begin() != r.end();
  }) StringMap(const Range& entries) {
    for (const auto& [name, value] : entries) emplace(std::string_view(name), V(value));
  }

  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  void clear() { entries_.clear(); }

  // The entry named `name`, or end().
  const_iterator find(std::string_view name) const {
    const std::size_t at = lower_bound(name);
    return holds(at, name) ? begin() + std::ptrdiff_t(at) : end();
  }
  bool contains(std::string_view name) const { return find(name) != end(); }
  std::size_t count(std::string_view name) const { return contains(name) ? 1 : 0; }

  // The value named `name`; throws soma::Error naming it and the names there are.
  const V& at(std::string_view name) const { return entries_[index_of(name)].second; }
  V& at(std::string_view name) { return entries_[index_of(name)].second; }
  // The value named `name`, inserted as V{} where missing (std::map's operator[]).
  V& operator[](std::string_view name) { return entries_[slot(name)].second; }

  // Inserts (name, value) unless `name` is there; true where it inserted.
  bool emplace(std::string_view name, V value) {
    const std::size_t at = lower_bound(name);
    if (holds(at, name)) return false;
    entries_.insert(entries_.begin() + std::ptrdiff_t(at),
                    value_type(std::string(name), std::move(value)));
    return true;
  }
  void insert_or_assign(std::string_view name, V value) { (*this)[name] = std::move(value); }
  // Removes the entry named `name`; returns how many were removed (0 or 1).
  std::size_t erase(std::string_view name) {
    const auto it = find(name);
    if (it == end()) return 0;
    entries_.erase(it);
    return 1;
  }

  bool operator==(const StringMap&) const = default;

 private:
  // The first entry whose name is not less than `name`.
  std::size_t lower_bound(std::string_view name) const {
    std::size_t lo = 0, hi = entries_.size();
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (std::string_view(entries_[mid].first) < name)
        lo = mid + 1;
      else
        hi = mid;
    }
    return lo;
  }
  // Whether the entry at lower_bound(name) is `name`'s.
  bool holds(std::size_t at, std::string_view name) const {
    return at < entries_.size() && entries_[at].first == name;
  }
  std::size_t slot(std::string_view name) {
    const std::size_t at = lower_bound(name);
    if (!holds(at, name))
      entries_.insert(entries_.begin() + std::ptrdiff_t(at), value_type(std::string(name), V{}));
    return at;
  }
  std::size_t index_of(std::string_view name) const {
    const std::size_t at = lower_bound(name);
    if (holds(at, name)) return at;
    std::string names;
    for (const value_type& e : entries_) names += (names.empty() ? "" : ", ") + e.first;
    throw Error("no entry named '" + std::string(name) +
                "' (there are: " + (names.empty() ? std::string("none") : names) + ")");
  }

  std::vector<value_type> entries_;
};

}  // namespace soma
