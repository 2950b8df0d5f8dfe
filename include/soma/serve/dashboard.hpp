#pragma once
// serve::Dashboard: the local web server behind `soma dashboard`.
//
//   serve::Dashboard board({.dataset = "iris.csv"});
//   board.start();                       // binds 127.0.0.1 on a free port
//   std::cout << board.url() << "\n";
//   board.publish("batch", R"({"epoch":1,"batch":3,"loss":0.52})");
//
// It serves only an allow-listed set of assets compiled into the binary (index.html,
// app.js, style.css) plus Plotly.js from the plot module's location, a JSON API for
// the files it was given (/api/dataset, /api/spikes, /api/embedding), the run directories
// under `runs` (/api/runs, /api/runs/NAME/history: only runs that listing finds), and one
// server-sent-events stream (/api/events) carrying whatever is published: a training
// loop's "batch"/"epoch" events, a power monitor's "power_sensors"/"power" events (see
// apps/soma/live_dashboard.hpp). Any other path is 404; requests with bodies larger than
// `max_body_bytes` are 413; a Host header other than the dashboard's own address
// (localhost, 127.0.0.1, [::1] or `bind`, with the port) is 403, against DNS rebinding.
// publish() may be called from any thread.
//
// The server is event-driven: an open event stream costs a socket, not a thread, so a
// thousand pages can watch while every other request is answered. Clients that send a
// request too slowly (`request_timeout`, which is also the keep-alive idle timeout) or
// stop reading (`write_timeout`) are closed; beyond `max_connections` a connection gets
// 503. start() raises the process's soft limit on open files as far as that needs.
//
// The page has a tab per view: the dataset explorer, training, power, the spike raster
// (a spike monitor's i,t CSV) and the embedding (an x,y,label CSV such as t-SNE writes).
#include <cstddef>
#include <cstdint>
#include <string>

#include "soma/core/std_chrono.hpp"
#include "soma/core/std_memory.hpp"

namespace soma::serve {

struct DashboardOptions {
  std::string bind = "127.0.0.1";  // the address to listen on
  int port = 0;                    // 0: any free port (see Dashboard::port())
  std::string dataset{};           // a CSV for the explorer; empty: none
  std::string class_column{};      // empty: the last text column, if any
  size_t max_body_bytes = 64 * 1024;
  size_t max_events = 100000;  // events kept for pages that connect late
  std::string spikes{};        // a spike monitor's CSV (i, t in seconds); empty: none
  std::string embedding{};     // an embedding's CSV (x, y[, label]); empty: none
  // A directory of `soma train` runs for the runs view (/api/runs, read on each request,
  // so that runs still training show their new epochs); empty: none.
  std::string runs{};
  size_t max_connections = 4096;                    // open at once; more get 503
  std::chrono::milliseconds request_timeout{5000};  // for a whole request, or when idle
  std::chrono::milliseconds write_timeout{30000};   // a write that makes no progress
};

class Dashboard {
 public:
  // Reads the dataset, spikes and embedding (soma::Error on a bad CSV or unknown column).
  explicit Dashboard(DashboardOptions options = {});
  ~Dashboard();  // stops the server
  Dashboard(const Dashboard&) = delete;
  Dashboard& operator=(const Dashboard&) = delete;

  // Binds and starts serving on a background thread; soma::Error when the address
  // cannot be bound.
  void start();
  // Closes open event streams and the listening socket; idempotent.
  void stop();
  bool running() const;
  int port() const;         // the bound port (after start)
  std::string url() const;  // http://<bind>:<port>/

  // Sends one server-sent event to every open stream, and keeps it for later ones.
  // `json` is sent as the event's data and must be one line of JSON.
  void publish(const std::string& topic, const std::string& json);
  // Number of events published so far.
  int64_t published() const;
  // The connection limit in force after start(): max_connections, or less when the
  // process may not open that many files.
  size_t connection_limit() const;

  // The dataset API's JSON text ({"path", "rows", "columns", "numeric", ...}).
  std::string dataset_json() const;
  // The JSON of /api/spikes and /api/embedding ({"path": null} when not given).
  std::string spikes_json() const;
  std::string embedding_json() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace soma::serve
