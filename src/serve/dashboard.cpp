// The dashboard server: the routes (serve/routes.hpp) behind an event-driven HTTP
// server (serve/http_server.hpp), embedded assets, the dataset as JSON, and a
// server-sent-events stream fed by publish().
#include "soma/serve/dashboard.hpp"

#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>

#include "serve/event_log.hpp"
#include "serve/http_server.hpp"
#include "serve/routes.hpp"
#include "serve/views.hpp"
#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/data/csv.hpp"
#include "soma/plot/figure.hpp"

namespace soma::serve {
namespace {

using nlohmann::json;

// The explorer's JSON: every column's values, which are numeric, and the classes.
json dataset_to_json(const DashboardOptions& o) {
  json j;
  if (o.dataset.empty()) return json{{"path", nullptr}, {"rows", 0}, {"columns", json::array()}};
  auto df = data::read_csv(o.dataset);
  std::string cls = o.class_column;
  if (!cls.empty() && !df.contains(cls))
    throw Error("dashboard: class column '" + cls + "' is not a column of " + o.dataset);
  json columns = json::array(), numeric = json::array(), values = json::object();
  for (const auto& name : df.columns()) {
    const auto& c = df[name];
    if (o.class_column.empty() && !c.is_numeric()) cls = name;  // the last text column wins
  }
  for (const auto& name : df.columns()) {
    const auto& c = df[name];
    columns.push_back(name);
    json v = json::array();
    if (name == cls) {
      // Classes as labels even when numeric (a t-SNE output's label column), so the page
      // compares entries with the class list as text.
      for (int64_t r = 0; r < c.size(); ++r)
        v.push_back(c.is_null(r) ? json(nullptr) : json(c.label(r)));
      if (c.is_numeric()) numeric.push_back(name);
    } else if (c.is_numeric()) {
      numeric.push_back(name);
      for (double x : c.values()) v.push_back(std::isnan(x) ? json(nullptr) : json(x));
    } else {
      for (int64_t r = 0; r < c.size(); ++r)
        v.push_back(c.is_null(r) ? json(nullptr) : json(std::string(c.str(r))));
    }
    values[name] = std::move(v);
  }
  j["path"] = o.dataset;
  j["rows"] = df.rows();
  j["columns"] = columns;
  j["numeric"] = numeric;
  j["class_column"] = cls.empty() ? json(nullptr) : json(cls);
  j["classes"] = cls.empty() ? json::array() : json(df[cls].unique());
  j["values"] = std::move(values);
  return j;
}

}  // namespace

struct Dashboard::Impl {
  DashboardOptions options;
  detail::Content content;  // the JSON texts, built once, and Plotly.js
  detail::EventLog events;  // declared before the server, which streams from it
  std::unique_ptr<detail::HttpServer> server;
  int port = 0;

  std::mutex plotly_mutex;
  std::string plotly;  // read on first request (content.plotly)

  explicit Impl(DashboardOptions o) : options(std::move(o)), events(options.max_events) {}
};

Dashboard::Dashboard(DashboardOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  auto& m = *impl_;
  m.content.dataset = detail::page_json(dataset_to_json(m.options));
  m.content.spikes = detail::spikes_json(m.options.spikes);
  m.content.embedding = detail::embedding_json(m.options.embedding);
  if (!m.options.runs.empty() && !std::filesystem::is_directory(m.options.runs))
    throw Error("dashboard: runs: " + m.options.runs + " is not a directory");
  m.content.runs = m.options.runs;
  m.content.plotly = [&m]() -> const std::string& {
    std::lock_guard lock(m.plotly_mutex);
    if (m.plotly.empty()) m.plotly = read_file(plot::plotly_js_path());
    return m.plotly;
  };
}

Dashboard::~Dashboard() { stop(); }

void Dashboard::start() {
  auto& m = *impl_;
  if (m.server) return;
  const auto& o = m.options;
  // Every method and path goes to detail::respond (serve/routes.hpp), which decides.
  auto server = std::make_unique<detail::HttpServer>(
      detail::ServerOptions{.bind = o.bind,
                            .port = o.port,
                            .max_body_bytes = o.max_body_bytes,
                            .max_connections = o.max_connections,
                            .request_timeout = o.request_timeout,
                            .write_timeout = o.write_timeout},
      [&m](const detail::Request& r) { return detail::respond(m.content, r); }, m.events);
  server->start();
  m.port = server->port();
  m.server = std::move(server);
}

void Dashboard::stop() {
  if (!impl_ || !impl_->server) return;
  impl_->server->stop();
  impl_->server.reset();
}

bool Dashboard::running() const { return impl_->server != nullptr; }
int Dashboard::port() const { return impl_->port; }
std::string Dashboard::url() const {
  return "http://" + impl_->options.bind + ":" + std::to_string(impl_->port) + "/";
}

void Dashboard::publish(const std::string& topic, const std::string& json_text) {
  if (topic.find_first_of("\r\n") != std::string::npos ||
      json_text.find_first_of("\r\n") != std::string::npos)
    throw Error("dashboard: publish: topic and data must be one line each");
  impl_->events.publish(topic, json_text);
}

int64_t Dashboard::published() const { return impl_->events.next_id(); }

size_t Dashboard::connection_limit() const {
  return impl_->server ? impl_->server->connection_limit() : 0;
}

std::string Dashboard::dataset_json() const { return impl_->content.dataset; }
std::string Dashboard::spikes_json() const { return impl_->content.spikes; }
std::string Dashboard::embedding_json() const { return impl_->content.embedding; }

}  // namespace soma::serve
