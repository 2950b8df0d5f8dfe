// soma tsne FILE: embeds the rows of a numeric CSV file or an IDX file (first dimension
// = samples, the rest flattened; uint8 scaled to [0, 1]) in 2-D with t-SNE and writes
// the embedding as CSV.
//
//   soma tsne t10k-images-idx3-ubyte.gz --labels t10k-labels-idx1-ubyte.gz -o emb.csv
//   soma tsne data.csv --label-column species --perplexity 30 --method barnes_hut --json
//
// Text labels (Iris's species) are classes numbered in order of first appearance; the
// CSV keeps their names and --json lists them as "classes".
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "flags.hpp"
#include "registry.hpp"
#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/core/progress.hpp"
#include "soma/core/system.hpp"
#include "soma/data/idx.hpp"
#include "soma/embed/tsne.hpp"

namespace {

namespace embed = soma::embed;

struct Options {
  std::string input, out = "embedding.csv", labels_file, label_column, method = "auto";
  std::string init = "pca";
  double perplexity = 30.0, early_exaggeration = 12.0, angle = 0.5;
  std::string learning_rate = "auto";  // scikit-learn's default
  int max_iter = 1000;
  int knn_pca = -1;
  int64_t limit = 0;
  uint64_t seed = 42;
  bool json = false;
};

struct Table {
  int64_t n = 0, d = 0;
  std::vector<float> X;
  std::vector<int64_t> labels;  // empty: none
  // Text labels (Iris's "setosa"...): class k is names[k], numbered in order of first
  // appearance; empty when the labels are numbers.
  std::vector<std::string> names;
};

bool is_idx(const std::string& content) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(content[i]); };
  return content.size() >= 4 && ((b(0) == 0x1f && b(1) == 0x8b) || (b(0) == 0 && b(1) == 0));
}

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    std::string f =
        line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!f.empty() && (f.back() == ' ' || f.back() == '\r' || f.back() == '"')) f.pop_back();
    size_t lead = 0;
    while (lead < f.size() && (f[lead] == ' ' || f[lead] == '"')) ++lead;
    fields.push_back(f.substr(lead));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return fields;
}

// A CSV field: quoted when it holds a comma or a quote (doubled inside).
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

bool parse_number(const std::string& s, double& v) {
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, v);
  return ec == std::errc() && ptr == end && std::isfinite(v);
}

// A numeric CSV: an optional header (detected by a non-numeric field in the first
// line), then rows of numbers. The label column, when named, is kept apart: integers, or
// text, each distinct text a class (numbers mixed with text are text too).
Table read_csv(const std::string& path, const std::string& content, const std::string& label) {
  Table t;
  std::vector<std::string> label_text;
  std::vector<std::string> header;
  int64_t label_index = -1, line_no = 0;
  size_t pos = 0;
  while (pos < content.size()) {
    size_t eol = content.find('\n', pos);
    if (eol == std::string::npos) eol = content.size();
    const std::string line = content.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
    const auto fields = split_fields(line);
    double v;
    if (header.empty() && t.n == 0) {
      bool numeric = true;
      for (const auto& f : fields) numeric = numeric && parse_number(f, v);
      if (!numeric) {
        header = fields;
        if (!label.empty()) {
          for (size_t c = 0; c < header.size(); ++c)
            if (header[c] == label) label_index = static_cast<int64_t>(c);
          if (label_index < 0)
            throw soma::error_at(path, line_no, 0, "no column named '" + label + "' in the header");
        }
        continue;
      }
      if (!label.empty()) throw soma::error_at(path, 1, 0, "--label-column needs a header line");
    }
    const int64_t width = static_cast<int64_t>(fields.size());
    const int64_t d = width - (label_index >= 0 ? 1 : 0);
    if (t.n == 0) t.d = d;
    if (d != t.d || d < 1)
      throw soma::error_at(path, line_no, 0,
                           "expected " + std::to_string(t.d + (label_index >= 0 ? 1 : 0)) +
                               " fields, found " + std::to_string(width));
    for (int64_t c = 0; c < width; ++c) {
      if (c == label_index) {
        if (fields[c].empty())
          throw soma::error_at(path, line_no, c + 1, "expected a label, found an empty field");
        label_text.push_back(fields[c]);
        continue;
      }
      if (!parse_number(fields[c], v))
        throw soma::error_at(path, line_no, c + 1,
                             "expected a number, found '" + fields[c].substr(0, 40) + "'");
      t.X.push_back(static_cast<float>(v));
    }
    ++t.n;
  }
  if (t.n == 0) throw soma::Error(path + ": no data rows");
  bool numeric = true;
  for (const auto& l : label_text) {
    double v;
    numeric = numeric && parse_number(l, v) && v == std::floor(v) && std::fabs(v) < 1e15;
  }
  for (const auto& l : label_text) {
    if (numeric) {
      double v = 0;
      parse_number(l, v);
      t.labels.push_back(static_cast<int64_t>(v));
      continue;
    }
    const auto at = std::find(t.names.begin(), t.names.end(), l);
    t.labels.push_back(at - t.names.begin());
    if (at == t.names.end()) t.names.push_back(l);
  }
  return t;
}

Table read_input(const Options& opt) {
  const std::string content = soma::read_file(opt.input);
  Table t;
  if (is_idx(content)) {
    if (!opt.label_column.empty())
      throw soma::Error("--label-column applies to CSV input; give IDX labels with --labels");
    const auto a = soma::data::parse_idx(content, opt.input);
    if (a.dims[0] == 0) throw soma::Error(opt.input + ": holds 0 samples, expected at least one");
    t.n = a.dims[0];
    t.d = a.dims.size() > 1 ? a.size() / std::max<int64_t>(a.dims[0], 1) : 1;
    t.X = soma::data::idx_to_float(a);
  } else {
    t = read_csv(opt.input, content, opt.label_column);
  }
  // --n first: a labels file needs only as many labels as samples are used.
  if (opt.limit > 0 && opt.limit < t.n) {
    t.n = opt.limit;
    t.X.resize(static_cast<size_t>(t.n * t.d));
  }
  if (!opt.labels_file.empty()) {
    const std::string lab = soma::read_file(opt.labels_file);
    if (is_idx(lab)) {
      t.labels =
          soma::data::idx_to_labels(soma::data::parse_idx(lab, opt.labels_file), opt.labels_file);
    } else {
      const Table l = read_csv(opt.labels_file, lab, "");
      for (float v : l.X) t.labels.push_back(static_cast<int64_t>(std::llround(v)));
    }
    if (static_cast<int64_t>(t.labels.size()) < t.n)
      throw soma::Error(opt.labels_file + ": " + std::to_string(t.labels.size()) + " labels for " +
                        std::to_string(t.n) + " samples");
  }
  if (!t.labels.empty()) t.labels.resize(static_cast<size_t>(t.n));
  return t;
}

void run(const Options& opt) {
  const Table t = read_input(opt);
  embed::TSNE tsne{.perplexity = opt.perplexity,
                   .early_exaggeration = opt.early_exaggeration,
                   .learning_rate = opt.learning_rate == "auto"
                                        ? std::nullopt
                                        : std::optional<double>(std::stod(opt.learning_rate)),
                   .max_iter = opt.max_iter,
                   .method = embed::parse_method(opt.method, t.n),
                   .angle = opt.angle,
                   .seed = opt.seed,
                   .knn_pca_components = opt.knn_pca};
  if (opt.init == "random")
    tsne.init = embed::Init::random;
  else if (opt.init != "pca")
    throw soma::Error("--init '" + opt.init + "': expected pca or random");
  soma::ProgressBar bar(tsne.max_iter, "t-SNE");
  tsne.on_iteration = [&](int, int) { bar.advance(); };
  soma::Stopwatch watch;
  const auto r = tsne.fit_transform(t.X, t.n, t.d);
  const double seconds = watch.seconds();
  bar.finish();

  std::string csv = t.labels.empty() ? "x,y\n" : "x,y,label\n";
  char line[96];
  for (int64_t i = 0; i < t.n; ++i) {
    if (t.labels.empty())
      std::snprintf(line, sizeof line, "%.6g,%.6g\n", r.embedding[2 * i], r.embedding[2 * i + 1]);
    else if (t.names.empty())
      std::snprintf(line, sizeof line, "%.6g,%.6g,%lld\n", r.embedding[2 * i],
                    r.embedding[2 * i + 1], static_cast<long long>(t.labels[i]));
    else
      std::snprintf(line, sizeof line, "%.6g,%.6g,", r.embedding[2 * i], r.embedding[2 * i + 1]);
    csv += line;
    // Text labels are written back as text, so the dashboard's legend names them.
    if (!t.names.empty()) csv += csv_field(t.names[static_cast<size_t>(t.labels[i])]) + "\n";
  }
  soma::write_file_atomic(opt.out, csv);
  soma::cli::wrote(opt.out);

  nlohmann::json j = {{"n", t.n},
                      {"features", t.d},
                      {"method", embed::method_name(tsne.method)},
                      {"kl_divergence", r.kl_divergence},
                      {"mean_perplexity", r.mean_perplexity},
                      {"n_iter", r.n_iter},
                      {"knn_dims", r.knn_dims},
                      {"embed_seconds", seconds},
                      {"output", opt.out}};
  if (!t.names.empty()) j["classes"] = t.names;
  if (!t.labels.empty() && t.n > 10)
    j["knn_accuracy"] = embed::knn_accuracy(r.embedding, 2, t.labels, 10);
  if (opt.json) {
    soma::cli::print_json(j);
  } else {
    std::printf("%lld samples x %lld features -> 2-D (%s): KL %.4f, perplexity %.3f, %.2f s\n",
                static_cast<long long>(t.n), static_cast<long long>(t.d),
                embed::method_name(tsne.method), r.kl_divergence, r.mean_perplexity, seconds);
    if (j.contains("knn_accuracy"))
      std::printf("10-NN label accuracy in the embedding: %.4f\n", j["knn_accuracy"].get<double>());
  }
}

soma::cli::CommandRegistrar reg(
    "tsne", "Embed the rows of a CSV or IDX file with t-SNE", [](CLI::App& app) {
      auto opt = std::make_shared<Options>();
      app.add_option("file", opt->input, "CSV (numeric) or IDX file (gzip or plain)")->required();
      soma::cli::add_output_option(app, opt->out, "Embedding CSV to write", "embedding.csv");
      app.add_option("--perplexity", opt->perplexity, "Perplexity")->capture_default_str();
      app.add_option("--method", opt->method,
                     "auto (fft from 100,000 points, barnes_hut below), exact, barnes_hut or fft")
          ->capture_default_str();
      app.add_option("--max-iter", opt->max_iter, "Iterations")->capture_default_str();
      app.add_option("--early-exaggeration", opt->early_exaggeration)->capture_default_str();
      app.add_option("--learning-rate", opt->learning_rate,
                     "auto = max(n / early exaggeration / 4, 50), or a positive number")
          ->check(soma::cli::positive_or("auto"))
          ->capture_default_str();
      app.add_option("--angle", opt->angle, "Barnes-Hut angle")->capture_default_str();
      app.add_option("--init", opt->init, "pca or random")->capture_default_str();
      app.add_option("--knn-pca", opt->knn_pca,
                     "Search neighbours among this many principal components (0: the input "
                     "itself; -1: 50 when n > 20,000 and features > 100)")
          ->capture_default_str();
      app.add_option("--seed", opt->seed, "Random seed")->capture_default_str();
      app.add_option("--n", opt->limit, "Use only the first N samples (0: all)")
          ->check(soma::cli::integer_in(0, int64_t{1} << 40))
          ->capture_default_str();
      app.add_option("--labels", opt->labels_file,
                     "Labels (IDX or one per line) for 10-NN accuracy")
          ->default_str("none");
      app.add_option("--label-column", opt->label_column,
                     "CSV column holding labels (not embedded)")
          ->default_str("none");
      app.add_flag("--json", opt->json, "End with one JSON object of the results");
      app.callback([opt] { run(*opt); });
    });

}  // namespace
