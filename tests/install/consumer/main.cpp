// Trains y = 3x with one Linear layer through the installed library; exit 0 on success.
#include <cmath>
#include <cstdio>
#include <soma/soma.hpp>

int main() {
  using namespace soma;
  Rng rng(1);
  Tensor x = rand({64, 1}, rng);
  Tensor y = x * 3.0;
  nn::Linear model(1, 1, true, rng);
  optim::SGD opt(model.parameters(), {.lr = 0.5});
  for (int i = 0; i < 500; ++i) {
    opt.zero_grad();
    Tensor loss = mse_loss(model(x), y);
    loss.backward();
    opt.step();
  }
  const double w = model.parameters()[0].item<double>();
  std::printf("learned weight %.4f\n", w);
  return std::abs(w - 3.0) < 1e-2 ? 0 : 1;
}
