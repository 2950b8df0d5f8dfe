#include "train_figures.hpp"

#include <algorithm>

#include "history_plot.hpp"
#include "soma/plot/figure.hpp"

namespace soma::cli {

std::vector<std::filesystem::path> write_train_figures(
    const std::filesystem::path& dir, const train::History& history, int64_t best_epoch,
    const Tensor& confusion, const std::vector<std::string>& class_names) {
  std::vector<std::filesystem::path> written;
  const HistoryCurves curves = history_curves(history);
  if (!curves.epoch.empty()) {
    plot::Figure fig({.width = 800, .height = 500});
    auto& ax = fig.axes();
    ax.title = "Loss per epoch";
    draw_losses(ax, curves, best_epoch);
    written.push_back(dir / "loss.png");
    fig.save(written.back());
  }
  if (!curves.epoch.empty() && !curves.metrics.empty()) {
    const bool accuracy =
        std::any_of(curves.metrics.begin(), curves.metrics.end(),
                    [](const auto& m) { return m.first.find("accuracy") != std::string::npos; });
    plot::Figure fig({.width = 800, .height = 500});
    auto& ax = fig.axes();
    ax.title = accuracy ? "Validation accuracy per epoch" : "Validation metrics per epoch";
    draw_metrics(ax, curves, best_epoch);
    written.push_back(dir / (accuracy ? "accuracy.png" : "metrics.png"));
    fig.save(written.back());
  }
  if (confusion.defined() && confusion.dim() == 2 && confusion.size(0) == confusion.size(1)) {
    const auto classes = static_cast<size_t>(confusion.size(0));
    std::vector<std::string> names;
    for (size_t k = 0; k < classes; ++k)
      names.push_back(k < class_names.size() ? class_names[k] : std::to_string(k));
    plot::Figure fig({.width = 900, .height = 800});
    auto& ax = fig.axes();
    ax.title = "Test confusion matrix";
    ax.xlabel = "predicted";
    ax.ylabel = "actual";
    ax.grid = false;
    ax.heatmap(confusion.to(kFloat64).contiguous().to_vector<double>(), classes, classes,
               {.x_labels = names, .y_labels = names, .annotate = true, .label = "examples"});
    written.push_back(dir / "confusion_matrix.png");
    fig.save(written.back());
  }
  return written;
}

}  // namespace soma::cli
