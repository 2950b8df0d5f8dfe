// Uses an installed soma as a user's program would: trains y = 3x with one Linear layer,
// then writes an interactive HTML figure of the fit into the folder given as argv[1] and
// prints where Plotly.js was found ("plotly: PATH", or "plotly: none: WHY" when this soma
// was built without it). Exit 0 when the weight is learned and the figure written.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <soma/soma.hpp>
#include <vector>

int main(int argc, char** argv) {
  using namespace soma;
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer OUT_DIR\n");
    return 2;
  }
  Rng rng(1);
  Tensor x = rand({64, 1}, rng);
  Tensor y = x * 3.0;
  nn::Linear model(1, 1, true, rng);
  optim::SGD opt(model.parameters(), {.lr = 0.5});
  std::vector<double> losses;
  for (int i = 0; i < 500; ++i) {
    opt.zero_grad();
    Tensor loss = mse_loss(model(x), y);
    loss.backward();
    opt.step();
    losses.push_back(loss.item<double>());
  }
  const double w = model.parameters()[0].item<double>();
  std::printf("learned weight %.4f\n", w);
  if (std::abs(w - 3.0) >= 1e-2) return 1;

  std::filesystem::path js;
  try {
    js = plot::plotly_js_path();
  } catch (const Error& e) {
    std::printf("plotly: none: %s\n", e.what());
    return 0;
  }
  std::printf("plotly: %s\n", js.c_str());
  plot::Figure fig;
  fig.axes().line(losses, plot::LineOptions{.label = "training loss"});
  fig.save(std::filesystem::path(argv[1]) / "loss.html");
  return 0;
}
