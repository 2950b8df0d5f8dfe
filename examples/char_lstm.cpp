// A character-level LSTM language model on Debian's word list (package wamerican,
// /usr/share/dict/words; its printable ASCII words), as char-rnn and makemore train
// them: the words shuffled,
// 10% held out, each part joined by newlines into one stream of bytes. The model is
// Embedding(vocab, 32) -> LSTM(32, 256) -> Linear(256, vocab), trained with Adam on
// batches of 32 sequences of 50 characters. As char-rnn, the training stream is cut
// into 32 tracks read side by side, so a batch continues the previous one and the
// LSTM's state is carried over (detached: back-propagation is truncated at 50 steps).
// The held-out stream is scored the same way without training: its cross-entropy in
// nats per character. Then the model writes new words: from a newline, one character
// at a time drawn from its softmax, until the next newline.
//
// Under `mpirun -np K` the training is data-parallel (soma::dist::DataParallel): each
// rank runs its shards of every batch, a shard being a fixed set of tracks whose LSTM
// state it carries, and the --shards parts' gradients are summed in shard order, so the
// weights equal one rank's with the same --shards, bit for bit; rank 0 alone prints.
//
//   soma example char-lstm [--json] [--seed N] [--epochs N] [--plot DIR] [--words PATH]
//                          [--hidden N] [--embed N] [--batch N] [--seq N] [--lr X]
//                          [--samples N] [--max-chars N] [--shards N]
//                          [--live [--port N] [--live-hold S]]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "char_lstm.hpp"
#include "soma/core/error.hpp"
#include "soma/core/progress.hpp"
#include "soma/core/random.hpp"
#include "soma/core/read_file.hpp"
#include "soma/core/system.hpp"
#include "soma/dist/context.hpp"
#include "soma/dist/data_parallel.hpp"
#include "soma/dist/sampler.hpp"
#include "soma/nn/embedding.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/recurrent.hpp"
#include "soma/nn/state_dict.hpp"
#include "soma/optim/adam.hpp"
#include "soma/plot/figure.hpp"

namespace soma::examples::char_lstm {
namespace {

namespace nn = soma::nn;
using soma::Tensor;

struct Corpus {
  std::vector<int64_t> train, test;     // token streams
  std::vector<unsigned char> alphabet;  // token -> byte
  std::set<std::string> known;          // every word, to tell new samples from copies
};

Corpus load(const Options& opt) {
  const std::string text = soma::read_file(opt.words, uint64_t{256} << 20);
  std::vector<std::string> words;
  std::istringstream in(text);
  // Printable ASCII words only: the list's few accented words would let the model emit
  // half a UTF-8 character, which is no word and no valid JSON string.
  for (std::string w; std::getline(in, w);)
    if (!w.empty() && std::all_of(w.begin(), w.end(), [](char ch) { return ch > ' ' && ch < 127; }))
      words.push_back(w);
  if (words.size() < 100)
    throw soma::Error(opt.words + ": expected a word list (one word per line, at least 100), got " +
                      std::to_string(words.size()) + " words");
  Corpus c;
  c.known.insert(words.begin(), words.end());
  // Fisher-Yates with soma's generator, so --seed fixes the split everywhere.
  soma::Rng rng(opt.common.seed);
  for (size_t i = words.size() - 1; i > 0; --i)
    std::swap(words[i], words[size_t(rng.next_u64() % (i + 1))]);
  std::vector<int64_t> code(256, -1);
  auto encode = [&](const std::vector<std::string>& part, std::vector<int64_t>& out) {
    for (const std::string& w : part)
      for (char ch : w + "\n") {
        const auto b = static_cast<unsigned char>(ch);
        if (code[b] < 0) {
          code[b] = int64_t(c.alphabet.size());
          c.alphabet.push_back(b);
        }
        out.push_back(code[b]);
      }
  };
  const size_t n_test = words.size() / 10;
  encode({words.begin() + std::ptrdiff_t(n_test), words.end()}, c.train);
  encode({words.begin(), words.begin() + std::ptrdiff_t(n_test)}, c.test);
  return c;
}

struct Model {
  nn::Embedding embed;
  nn::LSTM lstm;
  nn::Linear head;
  Model(int64_t vocab, const Options& o, soma::Rng& rng)
      : embed(vocab, o.embed, {}, rng),
        lstm(o.embed, o.hidden, {.batch_first = true}, rng),
        head(o.hidden, vocab, true, rng) {}
  std::vector<Tensor> parameters() const {
    std::vector<Tensor> p = embed.parameters();
    for (const Tensor& t : lstm.parameters()) p.push_back(t);
    for (const Tensor& t : head.parameters()) p.push_back(t);
    return p;
  }
  // As a Module would name its children's entries ("lstm.weight_ih_l0").
  nn::StateDict state_dict() const {
    nn::StateDict sd;
    sd.merge(embed.state_dict(), "embed");
    sd.merge(lstm.state_dict(), "lstm");
    sd.merge(head.state_dict(), "head");
    return sd;
  }
  // tokens [B, L] -> logits [B * L, vocab]; state carried in and out.
  Tensor forward(const Tensor& tokens, nn::RecurrentState& state) {
    const nn::RecurrentOutput r = lstm(embed(tokens), state);
    state = {r.h_n.detach(), r.c_n.detach()};
    return head(r.output).reshape({-1, head.out_features()});
  }
};

// The stream cut into `batch` tracks; batch k holds characters [k * seq, (k + 1) * seq)
// of every track as inputs and the next characters as targets.
struct Tracks {
  const std::vector<int64_t>& stream;
  int64_t batch, seq, length;
  Tracks(const std::vector<int64_t>& s, int64_t b, int64_t q)
      : stream(s), batch(b), seq(q), length(int64_t(s.size()) / b) {}
  int64_t batches() const { return (length - 1) / seq; }
  std::pair<Tensor, Tensor> get(int64_t k) const {
    std::vector<int64_t> x, y;
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t t = 0; t < seq; ++t) {
        const size_t at = size_t(b * length + k * seq + t);
        x.push_back(stream[at]);
        y.push_back(stream[at + 1]);
      }
    return {soma::tensor(std::span<const int64_t>(x), {batch, seq}),
            soma::tensor(std::span<const int64_t>(y), {batch * seq})};
  }
};

double score(Model& m, const std::vector<int64_t>& stream, const Options& o) {
  soma::NoGradGuard no_grad;
  m.lstm.eval();
  const Tracks tracks(stream, o.batch, o.seq);
  nn::RecurrentState state;
  double total = 0;
  for (int64_t k = 0; k < tracks.batches(); ++k) {
    auto [x, y] = tracks.get(k);
    total += soma::cross_entropy(m.forward(x, state), y).item<double>();
  }
  m.lstm.train();
  return total / double(tracks.batches());
}

std::string sample_word(Model& m, const Corpus& c, soma::Rng& rng) {
  soma::NoGradGuard no_grad;
  const int64_t newline =
      std::find(c.alphabet.begin(), c.alphabet.end(), '\n') - c.alphabet.begin();
  nn::RecurrentState state;
  int64_t token = newline;
  std::string word;
  while (word.size() < 40) {
    const Tensor logits = m.forward(soma::tensor({token}, {1, 1}), state);
    const auto p = soma::softmax(logits, 1).to_vector<double>();
    double u = rng.uniform(), acc = 0;
    token = int64_t(p.size()) - 1;
    for (size_t i = 0; i < p.size(); ++i)
      if ((acc += p[i]) > u) {
        token = int64_t(i);
        break;
      }
    if (token == newline) break;
    word += char(c.alphabet[size_t(token)]);
  }
  return word;
}

void run_rank(const Options& opt, const soma::cli::LiveBoard& live,
              const soma::dist::Context& ctx) {
  soma::dist::shards_for_ranks(opt.shards, ctx.size(), opt.batch);  // at most one track each
  const bool writer = ctx.rank() == 0;  // under mpirun rank 0 alone prints and plots
  const int epochs = opt.common.epochs;
  for (auto [name, v] : {std::pair{"--hidden", opt.hidden}, std::pair{"--embed", opt.embed},
                         std::pair{"--batch", opt.batch}, std::pair{"--seq", opt.seq}})
    if (v < 1 || v > 65536)
      throw soma::Error(std::string(name) + " " + std::to_string(v) + ": expected 1 to 65536");
  if (!(opt.lr > 0)) throw soma::Error("--lr: expected a positive learning rate");
  if (opt.samples < 0 || opt.samples > 100000)
    throw soma::Error("--samples " + std::to_string(opt.samples) + ": expected 0 to 100000");
  const Corpus corpus = load(opt);
  const Tracks train(corpus.train, opt.batch, opt.seq);
  if (train.batches() < 1 || Tracks(corpus.test, opt.batch, opt.seq).batches() < 1)
    throw soma::Error(opt.words + ": too few characters for --batch " + std::to_string(opt.batch) +
                      " x --seq " + std::to_string(opt.seq));
  const int64_t per_epoch =
      opt.max_chars > 0
          ? std::clamp<int64_t>(opt.max_chars / (opt.batch * opt.seq), 1, train.batches())
          : train.batches();
  const int64_t vocab = int64_t(corpus.alphabet.size());

  soma::Rng rng(opt.common.seed + 1);
  Model model(vocab, opt, rng);
  soma::optim::Adam adam(model.parameters(), {.lr = opt.lr});
  std::vector<double> step_loss, test_curve;
  double step_seconds = 0;
  const double untrained = score(model, corpus.test, opt);
  {
    soma::ProgressBar bar(epochs * per_epoch, "char-lstm", writer && !opt.common.json);
    const soma::cli::LiveBoard nowhere;  // the other ranks report nowhere
    soma::cli::LiveLoop feed(writer ? live : nowhere, epochs, per_epoch);
    soma::dist::DataParallel dp(ctx, model.parameters(), {.shards = opt.shards});
    feed.begin();
    for (int e = 0; e < epochs; ++e) {
      double epoch_loss = 0;
      // The carried state of each shard's tracks, by its first track (a batch's rows are
      // tracks, and every batch is cut into the same shards).
      std::map<int64_t, nn::RecurrentState> states;
      for (int64_t k = 0; k < per_epoch; ++k) {
        auto [x, y] = train.get(k);
        soma::Stopwatch watch;
        const double loss = dp.step(opt.batch, [&](int64_t lo, int64_t hi) {
          return soma::cross_entropy(model.forward(x.slice(0, lo, hi), states[lo]),
                                     y.slice(0, lo * opt.seq, hi * opt.seq));
        });
        adam.step();
        step_seconds += watch.seconds();
        step_loss.push_back(loss);
        epoch_loss += step_loss.back();
        feed.batch(e + 1, k + 1, step_loss.back());
        char status[48];
        std::snprintf(status, sizeof status, "loss %.3f", step_loss.back());
        bar.advance(1, status);
      }
      test_curve.push_back(score(model, corpus.test, opt));
      feed.epoch(e + 1, epoch_loss / double(per_epoch), test_curve.back());
    }
    feed.end();
  }
  if (!writer) return;
  const double test_nats = test_curve.empty() ? untrained : test_curve.back();
  soma::Rng sample_rng(opt.common.seed + 2);
  std::vector<std::string> samples;
  int64_t novel = 0;
  for (int64_t i = 0; i < opt.samples; ++i) {
    samples.push_back(sample_word(model, corpus, sample_rng));
    novel += corpus.known.count(samples.back()) ? 0 : 1;
  }
  const double seconds_per_step = step_loss.empty() ? 0.0 : step_seconds / double(step_loss.size());

  std::vector<std::string> figures;
  if (!opt.common.plot_dir.empty()) {
    namespace plot = soma::plot;
    std::filesystem::create_directories(opt.common.plot_dir);
    plot::Figure fig({.width = 900, .height = 500, .title = "char-LSTM on the word list"});
    auto& ax = fig.axes();
    ax.xlabel = "training step";
    ax.ylabel = "cross-entropy (nats per character)";
    // Training loss averaged over windows of 20 steps, for a readable curve.
    std::vector<double> sx, sy;
    for (size_t i = 0; i + 20 <= step_loss.size(); i += 20) {
      double s = 0;
      for (size_t j = i; j < i + 20; ++j) s += step_loss[j];
      sx.push_back(double(i + 10));
      sy.push_back(s / 20);
    }
    if (!sx.empty()) ax.line(sx, sy, {.label = "train (mean of 20 steps)"});
    std::vector<double> ex = {0.0}, ey = {untrained};
    for (size_t e = 0; e < test_curve.size(); ++e) {
      ex.push_back(double((e + 1) * size_t(per_epoch)));
      ey.push_back(test_curve[e]);
    }
    ax.line(ex, ey, {.label = "held-out words", .dash = true});
    figures.push_back((std::filesystem::path(opt.common.plot_dir) / "char_lstm.png").string());
    fig.save(figures.back());
    soma::cli::wrote(figures.back());
  }

  if (!opt.common.json) {
    std::printf("%zu training / %zu held-out characters, %lld symbols\n", corpus.train.size(),
                corpus.test.size(), static_cast<long long>(vocab));
    std::printf("held-out: %.4f nats per character (untrained %.4f)\n", test_nats, untrained);
    std::printf("%zu steps, %.4f s per step\n", step_loss.size(), seconds_per_step);
    std::printf("samples (%lld not in the list):", static_cast<long long>(novel));
    for (const auto& s : samples) std::printf(" %s", s.c_str());
    std::printf("\n");
    return;
  }
  soma::cli::print_json({{"test_nats_per_char", test_nats},
                         {"test_nats_per_char_per_epoch", test_curve},
                         {"untrained_nats_per_char", untrained},
                         {"seconds_per_step", seconds_per_step},
                         {"steps", step_loss.size()},
                         {"epochs", epochs},
                         {"steps_per_epoch", per_epoch},
                         {"vocab", vocab},
                         {"train_chars", corpus.train.size()},
                         {"test_chars", corpus.test.size()},
                         {"samples", samples},
                         {"novel_samples", novel},
                         {"weights_sha256", nn::state_dict_sha256(model.state_dict())},
                         {"ranks", ctx.size()},
                         {"shards", opt.shards == 0 ? int64_t{ctx.size()} : opt.shards},
                         {"figures", figures}});
}

}  // namespace

// Under mpirun an error on any rank ends the whole job (dist::run_on_ranks).
void run(const Options& opt, const soma::cli::LiveBoard& live) {
  soma::dist::run_on_ranks([&](const soma::dist::Context& c) { run_rank(opt, live, c); });
}

}  // namespace soma::examples::char_lstm

#ifndef SOMA_EXAMPLE_NO_MAIN
// The example as a program of its own: the shared options (soma/cli/example.hpp) from the
// command line, the rest at their defaults (`soma example char-lstm` has them as flags).
int main(int argc, char** argv) {
  soma::examples::char_lstm::Options opt;
  return soma::cli::example_main(
      argc, argv, opt.common, [&] { soma::examples::char_lstm::run(opt, soma::cli::LiveBoard{}); });
}
#endif
