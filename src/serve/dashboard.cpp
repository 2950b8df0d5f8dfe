// The dashboard server: cpp-httplib on a background thread, embedded assets, the
// dataset as JSON, and a server-sent-events stream fed by publish().
#include "soma/serve/dashboard.hpp"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

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
    throw Error("dashboard: class column '" + cls + "' is not a column of " + o.dataset.string());
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
  j["path"] = o.dataset.string();
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
  httplib::Server server;
  std::thread thread;
  int port = 0;
  bool running = false;

  // Published events as SSE frames; first_id is the number of the oldest one kept.
  mutable std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::string> events;
  int64_t first_id = 0;
  bool stopping = false;

  std::mutex plotly_mutex;
  std::string plotly;  // read on first request (content.plotly)

  int64_t next_id() const { return first_id + static_cast<int64_t>(events.size()); }

  void routes();
  void answer(const httplib::Request& req, httplib::Response& res);
  bool stream(int64_t& cursor, httplib::DataSink& sink);
};

void Dashboard::Impl::routes() {
  server.set_payload_max_length(options.max_body_bytes);
  // httplib's default also sets SO_REUSEPORT, which would let a second dashboard share
  // the port silently; a busy port must be an error instead.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  content.plotly = [this]() -> const std::string& {
    std::lock_guard lock(plotly_mutex);
    if (plotly.empty()) plotly = read_file(plot::plotly_js_path());
    return plotly;
  };
  // Every method and path goes to detail::respond (serve/routes.hpp), which decides.
  const auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    answer(req, res);
  };
  const char* any = R"(/.*)";
  server.Get(any, handler);
  server.Post(any, handler);
  server.Put(any, handler);
  server.Patch(any, handler);
  server.Delete(any, handler);
  server.Options(any, handler);
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) res.set_content(std::to_string(res.status) + "\n", "text/plain");
  });
}

void Dashboard::Impl::answer(const httplib::Request& req, httplib::Response& res) {
  detail::Request request{.method = req.method, .path = req.path};
  if (req.has_header("Last-Event-ID"))
    request.last_event_id = req.get_header_value("Last-Event-ID");
  auto reply = detail::respond(content, request);
  res.status = reply.status;
  if (reply.events_from) {
    res.set_header("Cache-Control", "no-cache");
    auto cursor = std::make_shared<int64_t>(*reply.events_from);
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, cursor](size_t, httplib::DataSink& sink) { return stream(*cursor, sink); });
    return;
  }
  res.set_content(std::move(reply.body), reply.content_type);
}

bool Dashboard::Impl::stream(int64_t& cursor, httplib::DataSink& sink) {
  std::string out;
  {
    std::unique_lock lock(mutex);
    // Wake at least every second so a closed page is noticed through the ping.
    changed.wait_for(lock, std::chrono::seconds(1), [&] { return stopping || cursor < next_id(); });
    if (stopping) return false;
    if (cursor < first_id) cursor = first_id;  // older events were dropped
    for (; cursor < next_id(); ++cursor) out += events[static_cast<size_t>(cursor - first_id)];
  }
  if (out.empty()) out = ": ping\n\n";
  return sink.is_writable() && sink.write(out.data(), out.size());
}

Dashboard::Dashboard(DashboardOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->content.dataset = detail::page_json(dataset_to_json(impl_->options));
  impl_->content.spikes = detail::spikes_json(impl_->options.spikes);
  impl_->content.embedding = detail::embedding_json(impl_->options.embedding);
  impl_->routes();
}

Dashboard::~Dashboard() { stop(); }

void Dashboard::start() {
  if (impl_->running) return;
  auto& o = impl_->options;
  int port = o.port;
  if (port == 0) {
    port = impl_->server.bind_to_any_port(o.bind.c_str());
  } else if (!impl_->server.bind_to_port(o.bind.c_str(), port)) {
    port = -1;
  }
  if (port < 0)
    throw Error("dashboard: cannot listen on " + o.bind + ":" + std::to_string(o.port) +
                " (address in use or not local?)");
  impl_->port = port;
  impl_->running = true;
  auto listen_returned = std::make_shared<std::atomic<bool>>(false);
  impl_->thread = std::thread([this, listen_returned] {
    impl_->server.listen_after_bind();
    *listen_returned = true;
  });
  // httplib's stop() does nothing until the accept loop has started, so a stop() that
  // came first would leave listen running and the join in stop() waiting forever.
  while (!impl_->server.is_running() && !*listen_returned)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
}

void Dashboard::stop() {
  if (!impl_ || !impl_->running) return;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->changed.notify_all();
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->running = false;
}

bool Dashboard::running() const { return impl_->running; }
int Dashboard::port() const { return impl_->port; }
std::string Dashboard::url() const {
  return "http://" + impl_->options.bind + ":" + std::to_string(impl_->port) + "/";
}

void Dashboard::publish(const std::string& topic, const std::string& json_text) {
  if (topic.find_first_of("\r\n") != std::string::npos ||
      json_text.find_first_of("\r\n") != std::string::npos)
    throw Error("dashboard: publish: topic and data must be one line each");
  {
    std::lock_guard lock(impl_->mutex);
    std::string frame = "id: " + std::to_string(impl_->next_id()) + "\nevent: " + topic +
                        "\ndata: " + json_text + "\n\n";
    impl_->events.push_back(std::move(frame));
    while (impl_->events.size() > impl_->options.max_events) {
      impl_->events.pop_front();
      ++impl_->first_id;
    }
  }
  impl_->changed.notify_all();
}

int64_t Dashboard::published() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->next_id();
}

std::string Dashboard::dataset_json() const { return impl_->content.dataset; }
std::string Dashboard::spikes_json() const { return impl_->content.spikes; }
std::string Dashboard::embedding_json() const { return impl_->content.embedding; }

}  // namespace soma::serve
