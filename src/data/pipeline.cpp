// Preprocessing fitted once on the training frame, applied to any frame, saved as JSON.
#include "soma/data/pipeline.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/core/read_file.hpp"

namespace soma::data {

namespace {

using ojson = nlohmann::ordered_json;

constexpr const char* kFormat = "soma-pipeline";
constexpr int64_t kVersion = 1;

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// JSON has no NaN: a fill value that is NaN (the mean of a column with no values) is null.
ojson number(double v) { return std::isfinite(v) ? ojson(v) : ojson(nullptr); }

}  // namespace

Pipeline::Pipeline(std::vector<PreprocessStep> steps, std::vector<std::string> inputs,
                   std::string target)
    : steps_(std::move(steps)), declared_inputs_(std::move(inputs)), target_(std::move(target)) {
  for (const auto& s : steps_)
    if (s.step != "fillna" && s.step != "one_hot" && s.step != "standardize" && s.step != "drop")
      throw Error("Pipeline: unknown step '" + s.step +
                  "' (expected fillna, one_hot, standardize or drop)");
}

Pipeline& Pipeline::fit(const DataFrame& train) {
  (void)fit_transform(train);
  return *this;
}

DataFrame Pipeline::fit_transform(const DataFrame& frame) {
  std::vector<std::string> inputs = declared_inputs_;
  if (inputs.empty())
    for (const auto& n : frame.columns())
      if (n != target_) inputs.push_back(n);
  for (const auto& f : inputs)
    if (!frame.contains(f)) throw Error("no column '" + f + "' (a feature)");
  std::vector<std::string> keep = inputs;
  if (!target_.empty()) {
    if (!frame.contains(target_)) throw Error("no column '" + target_ + "' (the target)");
    if (!contains(keep, target_)) keep.push_back(target_);
  }
  DataFrame train = frame.select(keep);
  std::vector<Fitted> fitted;
  for (size_t i = 0; i < steps_.size(); ++i) {
    const PreprocessStep& s = steps_[i];
    const std::string where = "step " + std::to_string(i + 1) + " '" + s.step + "'";
    for (const auto& col : s.columns)
      if (!train.contains(col)) throw Error(where + ": no column '" + col + "'");
    Fitted f;
    f.step = s.step;
    if (s.step == "fillna") {
      for (const auto& col : s.columns) {
        const Column& c = train[col];
        f.columns.push_back(col);
        if (s.strategy == "mode" || (s.strategy == "value" && s.has_text_value)) {
          const std::string v = s.strategy == "mode" ? c.mode() : s.text_value;
          if (c.is_numeric())
            throw Error(where + ": fillna of numeric column '" + col + "' with text '" + v + "'");
          f.is_text.push_back(true);
          f.texts.push_back(v);
          f.numbers.push_back(0);
        } else {
          if (!c.is_numeric())
            throw Error(where + ": fillna strategy '" + s.strategy + "' needs a numeric column, '" +
                        col + "' is " + c.dtype());
          f.is_text.push_back(false);
          f.texts.emplace_back();
          f.numbers.push_back(s.strategy == "mean"     ? c.mean()
                              : s.strategy == "median" ? c.median()
                                                       : s.value);
        }
      }
    } else if (s.step == "one_hot") {
      f.encoder = DummyEncoder(s.columns);
      f.encoder.fit(train);
    } else if (s.step == "drop") {
      f.columns = s.columns;
    } else {  // standardize: the named columns, or every numeric feature
      std::vector<std::string> cols = s.columns;
      if (cols.empty())
        for (const auto& name : train.columns())
          if (name != target_ && train[name].is_numeric()) cols.push_back(name);
      f.scaler.fit(train, cols);
    }
    apply(f, train);
    fitted.push_back(std::move(f));
  }
  fitted_steps_ = std::move(fitted);
  inputs_ = std::move(inputs);
  outputs_.clear();
  for (const auto& n : train.columns())
    if (n != target_) outputs_.push_back(n);
  fitted_ = true;
  return train;
}

// A column the frame lacks is skipped by fillna and drop: only the target can be missing
// (new data has none), since transform has checked the inputs.
void Pipeline::apply(const Fitted& f, DataFrame& df) {
  if (f.step == "fillna") {
    for (size_t j = 0; j < f.columns.size(); ++j) {
      if (!df.contains(f.columns[j])) continue;
      if (f.is_text[j])
        df.fillna(f.columns[j], f.texts[j]);
      else
        df.fillna(f.columns[j], f.numbers[j]);
    }
  } else if (f.step == "one_hot") {
    df = f.encoder.transform(df);
  } else if (f.step == "drop") {
    std::vector<std::string> present;
    for (const auto& c : f.columns)
      if (df.contains(c)) present.push_back(c);
    df.drop(present);
  } else {
    f.scaler.transform(df);
  }
}

DataFrame Pipeline::transform(const DataFrame& df) const {
  if (!fitted_) throw Error("Pipeline: call fit before transform");
  for (const auto& f : inputs_)
    if (!df.contains(f)) throw Error("no column '" + f + "' (a feature of the model)");
  std::vector<std::string> keep = inputs_;
  if (!target_.empty() && df.contains(target_) && !contains(keep, target_)) keep.push_back(target_);
  DataFrame out = df.select(keep);
  for (const auto& f : fitted_steps_) apply(f, out);
  return out;
}

Tensor Pipeline::features(const DataFrame& df, const std::string& what) const {
  if (!fitted_) throw Error("Pipeline: call fit before features");
  for (const auto& n : outputs_) {
    const Column& c = df[n];
    if (!c.is_numeric())
      throw Error(
          what + ": column '" + n + "' is " + c.dtype() +
          " (add a one_hot or drop step to data.preprocess, or leave it out of data.features)");
    if (c.null_count() > 0)
      throw Error(what + ": column '" + n + "' has " + std::to_string(c.null_count()) +
                  " missing values (add a fillna step to data.preprocess)");
  }
  return df.to_tensor(outputs_, kFloat32);
}

std::string Pipeline::serialize() const {
  if (!fitted_) throw Error("Pipeline: call fit before saving");
  ojson steps = ojson::array();
  for (const auto& f : fitted_steps_) {
    ojson s;
    s["step"] = f.step;
    if (f.step == "fillna") {
      ojson fills = ojson::array();
      for (size_t j = 0; j < f.columns.size(); ++j) {
        ojson fill;
        fill["column"] = f.columns[j];
        if (f.is_text[j])
          fill["text"] = f.texts[j];
        else
          fill["number"] = number(f.numbers[j]);
        fills.push_back(fill);
      }
      s["fill"] = fills;
    } else if (f.step == "one_hot") {
      ojson cats = ojson::array();
      for (const auto& l : f.encoder.learned()) {
        ojson c;
        c["column"] = l.column;
        c["numeric"] = l.numeric;
        c["integer"] = l.integer;
        c["labels"] = l.labels;
        if (l.numeric) c["values"] = l.values;
        cats.push_back(c);
      }
      s["categories"] = cats;
    } else if (f.step == "drop") {
      s["columns"] = f.columns;
    } else {
      s["columns"] = f.scaler.columns();
      s["mean"] = f.scaler.mean();
      s["scale"] = f.scaler.scale();
    }
    steps.push_back(s);
  }
  ojson j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["target"] = target_;
  j["inputs"] = inputs_;
  j["outputs"] = outputs_;
  j["steps"] = steps;
  return j.dump(1) + "\n";
}

namespace {

// Reads one saved pipeline, naming the file and the field in every error.
class Reader {
 public:
  explicit Reader(std::string name) : name_(std::move(name)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& message) const {
    throw Error(name_ + ": " + path + ": " + message);
  }

  const ojson& field(const ojson& obj, const std::string& path, const std::string& key) const {
    if (!obj.is_object()) fail(path, "expected an object");
    const auto it = obj.find(key);
    if (it == obj.end()) fail(path + "." + key, "missing");
    return *it;
  }
  std::string text(const ojson& obj, const std::string& path, const std::string& key) const {
    const ojson& v = field(obj, path, key);
    if (!v.is_string()) fail(path + "." + key, "expected a string");
    return v.get<std::string>();
  }
  bool boolean(const ojson& obj, const std::string& path, const std::string& key) const {
    const ojson& v = field(obj, path, key);
    if (!v.is_boolean()) fail(path + "." + key, "expected true or false");
    return v.get<bool>();
  }
  const ojson& array(const ojson& obj, const std::string& path, const std::string& key) const {
    const ojson& v = field(obj, path, key);
    if (!v.is_array()) fail(path + "." + key, "expected an array");
    return v;
  }
  std::vector<std::string> texts(const ojson& obj, const std::string& path,
                                 const std::string& key) const {
    std::vector<std::string> out;
    for (const auto& e : array(obj, path, key)) {
      if (!e.is_string()) fail(path + "." + key, "expected an array of strings");
      out.push_back(e.get<std::string>());
    }
    return out;
  }
  // Finite numbers; with `nulls`, null stands for NaN.
  std::vector<double> numbers(const ojson& obj, const std::string& path, const std::string& key,
                              bool nulls = false) const {
    std::vector<double> out;
    for (const auto& e : array(obj, path, key)) out.push_back(number(e, path + "." + key, nulls));
    return out;
  }
  double number(const ojson& v, const std::string& path, bool nulls) const {
    if (nulls && v.is_null()) return std::numeric_limits<double>::quiet_NaN();
    if (!v.is_number()) fail(path, nulls ? "expected a number or null" : "expected a number");
    const double x = v.get<double>();
    if (!std::isfinite(x)) fail(path, "expected a finite number");
    return x;
  }
  void distinct(const std::vector<std::string>& names, const std::string& path) const {
    std::set<std::string> seen;
    for (const auto& n : names)
      if (!seen.insert(n).second) fail(path, "column '" + n + "' named twice");
  }

 private:
  std::string name_;
};

// Nesting deeper than a saved pipeline ever has (object, steps, step, categories, category,
// labels) is rejected before parsing, so no input can make the parser or the document's
// destruction recurse deeply.
void check_depth(std::string_view text, const std::string& name) {
  constexpr int kMaxDepth = 8;
  int depth = 0;
  bool in_string = false, escaped = false;
  for (const char ch : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (ch == '\\')
        escaped = true;
      else if (ch == '"')
        in_string = false;
    } else if (ch == '"') {
      in_string = true;
    } else if (ch == '[' || ch == '{') {
      if (++depth > kMaxDepth)
        throw Error(name + ": nested deeper than a saved pipeline (" + std::to_string(kMaxDepth) +
                    " levels)");
    } else if (ch == ']' || ch == '}') {
      --depth;
    }
  }
}

}  // namespace

Pipeline Pipeline::deserialize(std::string_view text, const std::string& name) {
  check_depth(text, name);
  ojson j;
  try {
    j = ojson::parse(text.begin(), text.end());
  } catch (const ojson::exception& e) {
    throw Error(name + ": not a saved pipeline (JSON: " + e.what() + ")");
  }
  const Reader r(name);
  const std::string top = "pipeline";
  if (!j.is_object()) r.fail(top, "expected a JSON object");
  if (r.text(j, top, "format") != kFormat)
    r.fail(top + ".format", std::string("expected \"") + kFormat + "\"");
  const ojson& version = r.field(j, top, "version");
  if (!version.is_number_integer() || version.get<int64_t>() != kVersion)
    r.fail(top + ".version",
           "expected " + std::to_string(kVersion) + " (written by another soma version?)");
  Pipeline p;
  p.target_ = r.text(j, top, "target");
  p.inputs_ = r.texts(j, top, "inputs");
  p.outputs_ = r.texts(j, top, "outputs");
  if (p.inputs_.empty()) r.fail(top + ".inputs", "expected at least one column");
  if (p.outputs_.empty()) r.fail(top + ".outputs", "expected at least one column");
  r.distinct(p.inputs_, top + ".inputs");
  r.distinct(p.outputs_, top + ".outputs");
  if (contains(p.inputs_, p.target_) || contains(p.outputs_, p.target_))
    r.fail(top + ".target", "the target '" + p.target_ + "' is also a feature");
  const ojson& steps = r.array(j, top, "steps");
  for (size_t i = 0; i < steps.size(); ++i) {
    const std::string path = top + ".steps[" + std::to_string(i) + "]";
    const ojson& s = steps[i];
    Fitted f;
    f.step = r.text(s, path, "step");
    try {
      if (f.step == "fillna") {
        const ojson& fills = r.array(s, path, "fill");
        for (size_t k = 0; k < fills.size(); ++k) {
          const std::string q = path + ".fill[" + std::to_string(k) + "]";
          f.columns.push_back(r.text(fills[k], q, "column"));
          const bool is_text = fills[k].is_object() && fills[k].contains("text");
          f.is_text.push_back(is_text);
          f.texts.push_back(is_text ? r.text(fills[k], q, "text") : std::string());
          f.numbers.push_back(is_text ? 0.0 : r.number(r.field(fills[k], q, "number"), q, true));
        }
      } else if (f.step == "one_hot") {
        std::vector<DummyEncoder::Learned> learned;
        const ojson& cats = r.array(s, path, "categories");
        for (size_t k = 0; k < cats.size(); ++k) {
          const std::string q = path + ".categories[" + std::to_string(k) + "]";
          DummyEncoder::Learned l;
          l.column = r.text(cats[k], q, "column");
          l.numeric = r.boolean(cats[k], q, "numeric");
          l.integer = r.boolean(cats[k], q, "integer");
          l.labels = r.texts(cats[k], q, "labels");
          if (l.numeric) l.values = r.numbers(cats[k], q, "values");
          learned.push_back(std::move(l));
        }
        f.encoder = DummyEncoder::from_fitted(std::move(learned));
      } else if (f.step == "drop") {
        f.columns = r.texts(s, path, "columns");
      } else if (f.step == "standardize") {
        f.scaler = StandardScaler::from_fitted(
            r.texts(s, path, "columns"), r.numbers(s, path, "mean"), r.numbers(s, path, "scale"));
      } else {
        r.fail(path + ".step",
               "unknown step '" + f.step + "' (expected fillna, one_hot, standardize or drop)");
      }
    } catch (const Error& e) {
      // The encoder's and scaler's own checks, placed at their step.
      const std::string msg = e.what();
      if (msg.rfind(name + ": ", 0) == 0) throw;
      r.fail(path, msg);
    }
    p.fitted_steps_.push_back(std::move(f));
  }
  p.fitted_ = true;
  return p;
}

void Pipeline::save(const std::string& path) const { write_file_atomic(path, serialize()); }

Pipeline Pipeline::load(const std::string& path) {
  // A saved pipeline holds a few numbers per column and category: kilobytes. The cap
  // keeps a wrong file from being read whole into memory.
  constexpr std::uint64_t kMaxBytes = 64 << 20;
  return deserialize(read_file(path, kMaxBytes), path);
}

}  // namespace soma::data
