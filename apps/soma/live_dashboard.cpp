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

PowerPublisher::PowerPublisher(std::shared_ptr<serve::Dashboard> board,
                               const power::PowerMonitor& monitor, int interval_ms)
    : board_(std::move(board)),
      monitor_(monitor),
      interval_ms_(interval_ms),
      energy_j_(monitor.sensors().size(), 0.0) {}

void PowerPublisher::announce() {
  json sensors = json::array();
  for (const auto& s : monitor_.sensors())
    sensors.push_back(
        {{"name", s.name}, {"kind", s.kind}, {"has_energy_counter", s.has_energy_counter}});
  board_->publish(
      "power_sensors",
      json{{"interval_ms", interval_ms_}, {"sensors", sensors}, {"attempts", monitor_.attempts()}}
          .dump());
}

void PowerPublisher::update() {
  for (auto& s : monitor_.samples(sent_)) {
    ++sent_;
    json watts = json::array(), energy = json::array(), counter = json::array();
    for (std::size_t k = 0; k < s.watts.size(); ++k) {
      // Interval by interval, as power::trapezoid_energy does for the whole run.
      if (last_) {
        const double t[] = {last_->t, s.t}, w[] = {last_->watts[k], s.watts[k]};
        energy_j_[k] += power::trapezoid_energy(t, w);
      }
      watts.push_back(number(s.watts[k]));
      energy.push_back(energy_j_[k]);
      counter.push_back(k < s.counter_j.size() ? number(s.counter_j[k]) : json(nullptr));
    }
    board_->publish(
        "power",
        json{{"t", s.t}, {"watts", watts}, {"energy_j", energy}, {"counter_j", counter}}.dump());
    last_ = std::move(s);
  }
}

}  // namespace soma::cli
