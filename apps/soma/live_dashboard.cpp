#include "live_dashboard.hpp"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace soma::cli {
namespace {

using nlohmann::json;

// NaN (no validation set) is not JSON; send null.
json number(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

class LiveDashboard final : public train::Callback {
 public:
  explicit LiveDashboard(std::shared_ptr<serve::Dashboard> board) : board_(std::move(board)) {}

  void on_train_begin(train::FitState& s) override {
    board_->publish("train_begin", json{{"epochs", s.epochs}}.dump());
  }
  void on_batch_end(train::FitState& s, int64_t batch, double loss) override {
    board_->publish("batch", json{{"epoch", s.epoch},
                                  {"epochs", s.epochs},
                                  {"batch", batch},
                                  {"batches", s.train_loader.size()},
                                  {"loss", number(loss)}}
                                 .dump());
  }
  void on_epoch_end(train::FitState&, const train::EpochRecord& r) override {
    json metrics = json::object();
    for (const auto& [k, v] : r.metrics) metrics[k] = number(v);
    board_->publish("epoch", json{{"epoch", r.epoch},
                                  {"train_loss", number(r.train_loss)},
                                  {"valid_loss", number(r.valid_loss)},
                                  {"metrics", metrics},
                                  {"seconds", r.seconds}}
                                 .dump());
  }
  void on_train_end(train::FitState& s) override {
    double last = s.history.epochs.empty() ? NAN : s.history.last().train_loss;
    board_->publish("train_end", json{{"epochs", static_cast<int64_t>(s.history.epochs.size())},
                                      {"train_loss", number(last)}}
                                     .dump());
  }

 private:
  std::shared_ptr<serve::Dashboard> board_;
};

}  // namespace

std::shared_ptr<train::Callback> live_dashboard_callback(std::shared_ptr<serve::Dashboard> board) {
  return std::make_shared<LiveDashboard>(std::move(board));
}

std::shared_ptr<serve::Dashboard> attach_live_dashboard(
    std::vector<std::shared_ptr<train::Callback>>& callbacks, int port, const std::string& bind) {
  auto board =
      std::make_shared<serve::Dashboard>(serve::DashboardOptions{.bind = bind, .port = port});
  board->start();
  std::fprintf(stderr, "live dashboard: %s\n", board->url().c_str());
  callbacks.push_back(live_dashboard_callback(board));
  return board;
}

}  // namespace soma::cli
