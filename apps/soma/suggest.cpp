#include "suggest.hpp"

#include <algorithm>

namespace soma::cli {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // d[i][j]: the distance between the first i characters of a and the first j of b, in
  // three rolling rows (a swap looks two rows back). Names are short: no limit needed.
  const std::size_t m = b.size();
  std::vector<std::size_t> back2(m + 1), back1(m + 1), row(m + 1);
  for (std::size_t j = 0; j <= m; ++j) back1[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({back1[j] + 1, row[j - 1] + 1, back1[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        row[j] = std::min(row[j], back2[j - 2] + 1);
    }
    std::swap(back2, back1);
    std::swap(back1, row);
  }
  return back1[m];
}

std::vector<std::string> closest(std::string_view typed,
                                 const std::vector<std::string>& candidates) {
  const std::size_t letters = typed.size() - std::min(typed.find_first_not_of('-'), typed.size());
  const std::size_t limit = std::min<std::size_t>(2, letters > 0 ? letters - 1 : 0);
  std::size_t best = limit + 1;
  std::vector<std::string> out;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(typed, c);
    if (d == 0 || d > limit || d > best) continue;
    if (d < best) out.clear();
    best = d;
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  return out;
}

std::string did_you_mean(std::string_view typed, const std::vector<std::string>& candidates) {
  const auto near = closest(typed, candidates);
  if (near.empty()) return "";
  std::string out = "; did you mean ";
  for (std::size_t i = 0; i < near.size(); ++i)
    out += (i == 0 ? "" : i + 1 == near.size() ? " or " : ", ") + ("'" + near[i] + "'");
  return out + "?";
}

}  // namespace soma::cli
