// "Did you mean" for mistyped names (apps/soma/suggest.hpp): distances worked out by hand,
// including the pair that tells the optimal-string-alignment distance soma uses from the
// unrestricted Damerau-Levenshtein distance ("ca" -> "abc": 3 here, 2 there).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "suggest.hpp"

namespace {

using soma::cli::closest;
using soma::cli::did_you_mean;
using soma::cli::edit_distance;

TEST(EditDistance, CountsInsertionsDeletionsSubstitutionsAndSwaps) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("train", "train"), 0u);
  EXPECT_EQ(edit_distance("trian", "train"), 1u);       // one swap
  EXPECT_EQ(edit_distance("--epoch", "--epochs"), 1u);  // one insertion
  EXPECT_EQ(edit_distance("titnic", "titanic"), 1u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);  // k->s, e->i, +g
  EXPECT_EQ(edit_distance("abcd", "badc"), 2u);       // two swaps
  EXPECT_EQ(edit_distance("ca", "abc"), 3u);          // no edit of a swapped pair
  EXPECT_EQ(edit_distance("sitting", "kitten"), edit_distance("kitten", "sitting"));
}

TEST(Closest, NearestWithinTwoEdits) {
  const std::vector<std::string> commands = {"dashboard", "fit",     "info", "ode",   "plot",
                                             "power",     "predict", "snn",  "train", "tsne"};
  EXPECT_EQ(closest("trian", commands), std::vector<std::string>{"train"});
  EXPECT_EQ(closest("predcit", commands), std::vector<std::string>{"predict"});
  EXPECT_EQ(closest("dashbored", commands), std::vector<std::string>{"dashboard"});
  // Three edits away from everything: no guess.
  EXPECT_TRUE(closest("foobar", commands).empty());
  // Ties come in the candidates' order.
  EXPECT_EQ(closest("fot", {"fit", "fat", "ode", "for"}),
            (std::vector<std::string>{"fit", "fat", "for"}));
}

TEST(Closest, ShortWordsNeedFewerEditsThanLetters) {
  // "x" is one edit from "--y"'s "y", but a one-letter guess would match every one-letter name.
  EXPECT_TRUE(closest("--x", {"--y", "--n"}).empty());
  EXPECT_TRUE(closest("a", {"ab"}).empty());
  EXPECT_EQ(closest("ab", {"abc"}), std::vector<std::string>{"abc"});  // 1 edit, 2 letters
  EXPECT_TRUE(closest("ab", {"cd"}).empty());                          // 2 edits, 2 letters
  EXPECT_EQ(closest("--epoch", {"--epochs", "--seed", "--plot"}),
            std::vector<std::string>{"--epochs"});
}

TEST(DidYouMean, Wording) {
  EXPECT_EQ(did_you_mean("trian", {"train", "tsne"}), "; did you mean 'train'?");
  EXPECT_EQ(did_you_mean("plt", {"plot", "pit"}), "; did you mean 'plot' or 'pit'?");
  EXPECT_EQ(did_you_mean("fot", {"fit", "for", "fat"}), "; did you mean 'fit', 'for' or 'fat'?");
  EXPECT_EQ(did_you_mean("zzzz", {"train"}), "");
}

}  // namespace
