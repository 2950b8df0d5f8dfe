#include "soma/data/encode.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "soma/core/error.hpp"

namespace soma::data {

DummyEncoder::DummyEncoder(std::vector<std::string> columns, DummyOptions options)
    : columns_(std::move(columns)), options_(std::move(options)) {
  for (size_t i = 0; i < columns_.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (columns_[i] == columns_[j])
        throw Error("DummyEncoder: column '" + columns_[i] + "' given twice");
}

DummyEncoder& DummyEncoder::fit(const DataFrame& train) {
  learned_.clear();
  for (const auto& name : columns_) {
    const Column& c = train[name];
    Learned l;
    l.column = name;
    l.numeric = c.is_numeric();
    l.integer = c.kind() == Kind::Int64;
    l.labels = c.unique();
    if (l.numeric) {
      for (double v : c.values())
        if (!std::isnan(v)) l.values.push_back(v);
      std::sort(l.values.begin(), l.values.end());
      l.values.erase(std::unique(l.values.begin(), l.values.end()), l.values.end());
    }
    learned_.push_back(std::move(l));
  }
  fitted_ = true;
  return *this;
}

DummyEncoder DummyEncoder::from_fitted(std::vector<Learned> learned, DummyOptions options) {
  std::vector<std::string> columns;
  for (const auto& l : learned) {
    if (l.numeric) {
      if (l.values.size() != l.labels.size())
        throw Error("DummyEncoder: column '" + l.column + "' has " +
                    std::to_string(l.labels.size()) + " labels for " +
                    std::to_string(l.values.size()) + " values");
      for (size_t k = 0; k < l.values.size(); ++k)
        if (!std::isfinite(l.values[k]) || (k > 0 && !(l.values[k - 1] < l.values[k])))
          throw Error("DummyEncoder: column '" + l.column +
                      "': category values must be finite and strictly ascending");
    } else if (!l.values.empty()) {
      throw Error("DummyEncoder: text column '" + l.column + "' with numeric category values");
    }
    columns.push_back(l.column);
  }
  DummyEncoder enc(std::move(columns), std::move(options));  // rejects a column given twice
  enc.learned_ = std::move(learned);
  enc.fitted_ = true;
  return enc;
}

const std::vector<std::string>& DummyEncoder::categories(const std::string& column) const {
  for (const auto& l : learned_)
    if (l.column == column) return l.labels;
  throw Error("DummyEncoder: no categories for column '" + column +
              (fitted_ ? "' (not one of its columns)" : "' (call fit first)"));
}

std::vector<std::string> DummyEncoder::feature_names() const {
  if (!fitted_) throw Error("DummyEncoder: call fit before feature_names");
  std::vector<std::string> names;
  for (const auto& l : learned_) {
    for (size_t k = options_.drop_first ? 1 : 0; k < l.labels.size(); ++k)
      names.push_back(l.column + options_.prefix_sep + l.labels[k]);
    if (options_.dummy_na) names.push_back(l.column + options_.prefix_sep + "nan");
  }
  return names;
}

DataFrame DummyEncoder::transform(const DataFrame& df) const {
  if (!fitted_) throw Error("DummyEncoder: call fit before transform");
  DataFrame out = df;
  out.drop(columns_);
  const auto rows = static_cast<size_t>(df.rows());
  for (const auto& l : learned_) {
    const Column& c = df[l.column];
    if (c.is_numeric() != l.numeric)
      throw Error("DummyEncoder: column '" + l.column + "' was " +
                  (l.numeric ? "numeric" : "text") + " when fitted, is " + c.dtype() + " now");
    // Category index of every row; -1 for missing or never seen in the training frame.
    std::vector<int64_t> idx(rows, -1);
    if (l.numeric) {
      const auto& v = c.values();
      for (size_t r = 0; r < rows; ++r) {
        auto it = std::lower_bound(l.values.begin(), l.values.end(), v[r]);
        if (it != l.values.end() && *it == v[r]) idx[r] = it - l.values.begin();
      }
    } else {
      std::unordered_map<std::string_view, int64_t> index;
      for (size_t k = 0; k < l.labels.size(); ++k)
        index.emplace(l.labels[k], static_cast<int64_t>(k));
      for (size_t r = 0; r < rows; ++r) {
        const auto row = static_cast<int64_t>(r);
        if (c.is_null(row)) continue;
        auto it = index.find(c.str(row));
        if (it != index.end()) idx[r] = it->second;
      }
    }
    auto add = [&](const std::string& label, std::vector<double> d) {
      const std::string name = l.column + options_.prefix_sep + label;
      if (out.contains(name))
        throw Error("get_dummies: dummy column '" + name + "' clashes with an existing column");
      out.set(Column::numeric(name, std::move(d), true));
    };
    for (size_t k = options_.drop_first ? 1 : 0; k < l.labels.size(); ++k) {
      std::vector<double> d(rows);
      for (size_t r = 0; r < rows; ++r) d[r] = idx[r] == static_cast<int64_t>(k) ? 1.0 : 0.0;
      add(l.labels[k], std::move(d));
    }
    if (options_.dummy_na) {
      std::vector<double> d(rows);
      for (size_t r = 0; r < rows; ++r) d[r] = idx[r] < 0 ? 1.0 : 0.0;
      add("nan", std::move(d));
    }
  }
  return out;
}

DataFrame get_dummies(const DataFrame& df, const std::vector<std::string>& columns,
                      const DummyOptions& options) {
  return DummyEncoder(columns, options).fit_transform(df);
}

}  // namespace soma::data
