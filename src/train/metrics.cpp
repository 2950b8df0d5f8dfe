#include "soma/train/metrics.hpp"

#include <algorithm>
#include <cstdio>

namespace soma::train {

namespace {
std::vector<int64_t> labels_of(const Tensor& t, const char* what) {
  if (!t.defined()) throw Error(std::string(what) + ": undefined tensor");
  return t.reshape({-1}).to_vector<int64_t>();
}
void check_sizes(const std::vector<int64_t>& p, const std::vector<int64_t>& a) {
  if (p.size() != a.size())
    throw Error("metrics: " + std::to_string(p.size()) + " predictions for " +
                std::to_string(a.size()) + " labels");
}
}  // namespace

Tensor predicted_labels(const Tensor& output) {
  NoGradGuard no_grad;
  if (output.dim() == 2 && output.size(1) > 1) return argmax(output, 1);
  return (output.reshape({-1}) > 0.5).to(kInt64);
}

double accuracy(const Tensor& predicted, const Tensor& actual) {
  const auto p = labels_of(predicted, "accuracy"), a = labels_of(actual, "accuracy");
  check_sizes(p, a);
  if (p.empty()) return 0.0;
  int64_t right = 0;
  for (size_t i = 0; i < p.size(); ++i) right += p[i] == a[i];
  return static_cast<double>(right) / static_cast<double>(p.size());
}

Tensor confusion_matrix(const Tensor& predicted, const Tensor& actual, int64_t num_classes) {
  const auto p = labels_of(predicted, "confusion_matrix"),
             a = labels_of(actual, "confusion_matrix");
  check_sizes(p, a);
  Tensor m = zeros({num_classes, num_classes}, kInt64);
  int64_t* c = m.data_ptr<int64_t>();
  for (size_t i = 0; i < p.size(); ++i) {
    if (a[i] < 0 || a[i] >= num_classes || p[i] < 0 || p[i] >= num_classes)
      throw Error("confusion_matrix: label " + std::to_string(std::max(a[i], p[i])) +
                  " at position " + std::to_string(i) + " is outside 0.." +
                  std::to_string(num_classes - 1));
    ++c[a[i] * num_classes + p[i]];
  }
  return m;
}

double detection_rate(const Tensor& predicted, const Tensor& actual) {
  const auto p = labels_of(predicted, "detection_rate"), a = labels_of(actual, "detection_rate");
  check_sizes(p, a);
  int64_t tp = 0, fn = 0;
  for (size_t i = 0; i < p.size(); ++i)
    if (a[i] == 1) (p[i] == 1 ? tp : fn)++;
  return tp + fn == 0 ? 0.0 : static_cast<double>(tp) / static_cast<double>(tp + fn);
}

double false_positive_rate(const Tensor& predicted, const Tensor& actual) {
  const auto p = labels_of(predicted, "false_positive_rate"),
             a = labels_of(actual, "false_positive_rate");
  check_sizes(p, a);
  int64_t fp = 0, tn = 0;
  for (size_t i = 0; i < p.size(); ++i)
    if (a[i] != 1) (p[i] == 1 ? fp : tn)++;
  return fp + tn == 0 ? 0.0 : static_cast<double>(fp) / static_cast<double>(fp + tn);
}

double mse(const Tensor& predicted, const Tensor& actual) {
  NoGradGuard no_grad;
  const Tensor p = predicted.reshape({-1}).to(kFloat64), a = actual.reshape({-1}).to(kFloat64);
  if (p.numel() != a.numel())
    throw Error("mse: " + std::to_string(p.numel()) + " predictions for " +
                std::to_string(a.numel()) + " targets");
  return mean(square(p - a)).item<double>();
}

std::string format_confusion_matrix(const Tensor& matrix, const std::vector<std::string>& names) {
  const int64_t n = matrix.size(0);
  const auto v = matrix.to_vector<int64_t>();
  auto name = [&](int64_t i) {
    return i < static_cast<int64_t>(names.size()) ? names[i] : std::to_string(i);
  };
  size_t width = 6, label_width = 6;
  for (int64_t x : v) width = std::max(width, std::to_string(x).size() + 1);
  for (int64_t i = 0; i < n; ++i) label_width = std::max(label_width, name(i).size() + 1);
  auto pad = [](std::string s, size_t w) {
    return std::string(w > s.size() ? w - s.size() : 0, ' ') + s;
  };
  std::string out = pad("actual\\pred", label_width + 5);
  for (int64_t j = 0; j < n; ++j) out += pad(name(j).substr(0, width - 1), width);
  out += "\n";
  for (int64_t i = 0; i < n; ++i) {
    out += pad(name(i), label_width + 5);
    for (int64_t j = 0; j < n; ++j) out += pad(std::to_string(v[i * n + j]), width);
    out += "\n";
  }
  return out;
}

}  // namespace soma::train
