// One training step of a character-level LSTM language model, the shape of issue 15's
// char-lstm: Embedding(vocab 64, 32) -> LSTM(32, 256) -> Linear(256, 64), cross-entropy
// over every position of a batch of 32 sequences of 50 characters, Adam. Tokens are
// uniform random (the cost of a step does not depend on them). torch_lstm.py runs the
// same step in PyTorch. Prints one JSON object: median process CPU seconds per step.
//
//   bench_lstm [--steps 20] [--reps 3] [--hidden 256]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

#include "soma/core/blas.hpp"
#include "soma/core/random.hpp"
#include "soma/core/threads.hpp"
#include "soma/nn/embedding.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/recurrent.hpp"
#include "soma/optim/adam.hpp"

using namespace soma;

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

}  // namespace

int main(int argc, char** argv) {
  int steps = 20, reps = 3;
  int64_t hidden = 256;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--steps")) steps = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--reps")) reps = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--hidden")) hidden = std::atoll(argv[i + 1]);
  }
  blas::tune();
  // One thread, as torch_lstm.py: soma's own loops too, not only the BLAS (soma's
  // default is every core, whatever OMP_NUM_THREADS says).
  set_num_threads(1);
  constexpr int64_t kVocab = 64, kEmbed = 32, kBatch = 32, kSeq = 50;
  Rng rng(1);
  nn::Embedding embed(kVocab, kEmbed, {}, rng);
  nn::LSTM lstm(kEmbed, hidden, {.batch_first = true}, rng);
  nn::Linear head(hidden, kVocab, true, rng);
  std::vector<Tensor> params = embed.parameters();
  for (auto* m : std::vector<nn::Module*>{&lstm, &head})
    for (const Tensor& p : m->parameters()) params.push_back(p);
  optim::Adam adam(params, {.lr = 2e-3});
  const Tensor x = randint(0, kVocab, {kBatch, kSeq}, rng);
  const Tensor y = randint(0, kVocab, {kBatch * kSeq}, rng);
  auto step = [&] {
    Tensor logits = head(lstm(embed(x))).reshape({kBatch * kSeq, kVocab});
    Tensor loss = cross_entropy(logits, y);
    adam.zero_grad();
    loss.backward();
    adam.step();
  };
  step();  // warm the caches and the allocator
  std::vector<double> per_step;
  for (int r = 0; r < reps; ++r) {
    const double t0 = cpu_seconds();
    for (int s = 0; s < steps; ++s) step();
    per_step.push_back((cpu_seconds() - t0) / steps);
  }
  std::sort(per_step.begin(), per_step.end());
  std::printf("{\"seconds_per_step\": %.6g, \"hidden\": %lld, \"steps\": %d, \"reps\": %d}\n",
              per_step[per_step.size() / 2], static_cast<long long>(hidden), steps, reps);
}
