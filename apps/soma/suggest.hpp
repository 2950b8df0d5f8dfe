#pragma once
// "Did you mean ...?" for a mistyped command, example or option name: the candidates
// closest to what was typed by Damerau-Levenshtein distance (insertions, deletions,
// substitutions and swaps of two neighbouring characters each count 1, so "trian" is one
// step from "train"), the rule git and cargo use for their suggestions.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace soma::cli {

// The optimal-string-alignment form of Damerau-Levenshtein (no substring is edited twice).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidates nearest to `typed`, at most 2 edits away and fewer edits than `typed` has
// characters (so "x" suggests nothing rather than every one-letter name), in the order
// given. Leading dashes are ignored in the length rule: "--x" has one character.
std::vector<std::string> closest(std::string_view typed,
                                 const std::vector<std::string>& candidates);

// "; did you mean 'train'?" (or "'a' or 'b'"), or "" when nothing is close.
std::string did_you_mean(std::string_view typed, const std::vector<std::string>& candidates);

}  // namespace soma::cli
