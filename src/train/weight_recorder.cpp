// WeightRecorder: a copy of every parameter after each optimizer step.
#include "soma/train/weight_recorder.hpp"

#include <algorithm>

#include "soma/core/error.hpp"
#include "soma/tensor/dtype.hpp"

namespace soma::train {

void WeightRecorder::on_train_begin(FitState& s) {
  names_.clear();
  for (const auto& [name, value] : s.model.named_parameters()) names_.push_back(name);
}

void WeightRecorder::on_batch_end(FitState& s, int64_t batch, double loss) {
  WeightRecord r{.epoch = s.epoch, .batch = batch, .loss = loss, .values = {}};
  // to_vector copies, so later steps (which update in place) leave the record alone.
  for (const auto& [name, value] : s.model.named_parameters())
    r.values.push_back(value.detach().to(kFloat64).contiguous().to_vector<double>());
  records_.push_back(std::move(r));
}

std::vector<std::vector<double>> WeightRecorder::values(const std::string& name) const {
  const auto it = std::find(names_.begin(), names_.end(), name);
  if (it == names_.end()) {
    std::string known;
    for (const auto& n : names_) known += (known.empty() ? "" : ", ") + n;
    throw Error("WeightRecorder: no parameter named '" + name +
                "' (expected one of: " + (known.empty() ? "none recorded yet" : known) + ")");
  }
  const auto k = static_cast<size_t>(it - names_.begin());
  std::vector<std::vector<double>> out;
  out.reserve(records_.size());
  for (const auto& r : records_) out.push_back(r.values[k]);
  return out;
}

}  // namespace soma::train
