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
  explicit LiveDashboard(std::shared_ptr<serve::Dashboard> board) : feed_(std::move(board)) {}

  void on_train_begin(train::FitState& s) override { feed_.begin(s.epochs); }
  void on_batch_end(train::FitState& s, int64_t batch, double loss) override {
    feed_.batch(s.epoch, s.epochs, batch, s.train_loader.size(), loss);
  }
  void on_epoch_end(train::FitState& s, const train::EpochRecord& r) override {
    feed_.epoch(r, s.train_loader.size());
  }
  void on_train_end(train::FitState& s) override {
    feed_.end(static_cast<int64_t>(s.history.epochs.size()),
              s.history.epochs.empty() ? NAN : s.history.last().train_loss);
  }

 private:
  TrainingFeed feed_;
};

}  // namespace

void TrainingFeed::begin(int64_t epochs) const {
  board_->publish("train_begin", json{{"epochs", epochs}}.dump());
}

void TrainingFeed::batch(int64_t epoch, int64_t epochs, int64_t batch, int64_t batches,
                         double loss) const {
  board_->publish("batch", json{{"epoch", epoch},
                                {"epochs", epochs},
                                {"batch", batch},
                                {"batches", batches},
                                {"step", (epoch - 1) * batches + batch - 1},
                                {"loss", number(loss)}}
                               .dump());
}

void TrainingFeed::epoch(const train::EpochRecord& r, int64_t batches) const {
  json metrics = json::object();
  for (const auto& [k, v] : r.metrics) metrics[k] = number(v);
  board_->publish("epoch", json{{"epoch", r.epoch},
                                {"step", r.epoch * batches - 1},
                                {"train_loss", number(r.train_loss)},
                                {"valid_loss", number(r.valid_loss)},
                                {"metrics", metrics},
                                {"seconds", r.seconds}}
                               .dump());
}

void TrainingFeed::end(int64_t epochs_done, double train_loss) const {
  board_->publish("train_end",
                  json{{"epochs", epochs_done}, {"train_loss", number(train_loss)}}.dump());
}

std::shared_ptr<train::Callback> live_dashboard_callback(std::shared_ptr<serve::Dashboard> board) {
  return std::make_shared<LiveDashboard>(std::move(board));
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
