// soma power: watch this machine's power until Ctrl-C, or wrap a command as `perf stat`
// does and report the energy it took.
//
//   soma power                          live view until Ctrl-C (or --duration S)
//   soma power -o p.csv -- make -j2     run `make -j2`, report its energy, keep the samples
//   soma power --live [--port N]        also plot the samples in a browser (the dashboard's
//                                       power tab; its URL is printed on stderr)
//
// Output: watching, the live view and the summary go to stdout; wrapping a command they go
// to stderr, so the command's own stdout stays clean. On a terminal the view is redrawn in
// place (a sparkline per sensor); in a pipe it is one line per sample. --json ends stdout
// with one JSON object. Exit status: the wrapped command's (128 + signal if it was killed),
// else 0; 3 when watching and no power sensor exists (the sensors tried are listed on
// stderr). A wrapped command always runs, as under `time`: without a sensor soma reports
// its wall time, CPU time and peak memory and "energy: unknown (no sensor: ...)".
// SIGINT, SIGTERM and SIGHUP sent to soma while it wraps a command are passed on to the
// command; soma waits for it, writes what it measured (-o, --json) and exits with
// its status.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "flags.hpp"
#include "live_dashboard.hpp"
#include "registry.hpp"
#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/power/monitor.hpp"
#include "soma/serve/dashboard.hpp"

namespace {

namespace power = soma::power;
using Clock = std::chrono::steady_clock;

// The exit status for "no power sensor on this machine", distinct from errors (1).
constexpr int kNoSensorStatus = 3;

struct Options {
  int interval_ms = 100;
  std::string csv;
  bool json = false;
  std::optional<double> grid_intensity;
  double duration_s = 0;
  std::string nvml_library, powercap_root;
  std::vector<std::string> command;
  bool live = false;
  int port = 0;
};

volatile std::sig_atomic_t interrupted = 0;
extern "C" void on_interrupt(int) { interrupted = 1; }

bool is_terminal(std::FILE* f) {
  const char* term = std::getenv("TERM");
  return ::isatty(::fileno(f)) && !(term && std::strcmp(term, "dumb") == 0);
}

// The live view: redrawn in place on a terminal, one line per sample in a pipe.
class LiveView {
 public:
  LiveView(const power::PowerMonitor& monitor, std::FILE* out)
      : monitor_(monitor), out_(out), tty_(is_terminal(out)) {}

  void update() {
    auto fresh = monitor_.samples(printed_);
    if (fresh.empty()) return;
    printed_ += fresh.size();
    for (auto& s : fresh) {
      if (!tty_) print_line(s);
      recent_.push_back(std::move(s));
    }
    if (recent_.size() > kWidth) recent_.erase(recent_.begin(), recent_.end() - kWidth);
    if (tty_) redraw();
    std::fflush(out_);
  }

  // Leaves the terminal with the view's last state on screen.
  void finish() {
    update();
    if (tty_ && drawn_lines_ > 0) std::fputc('\n', out_), drawn_lines_ = 0;
    std::fflush(out_);
  }

 private:
  static constexpr std::size_t kWidth = 48;

  void print_line(const power::Sample& s) {
    if (!header_done_) {
      std::fprintf(out_, "# t_s");
      for (const auto& info : monitor_.sensors()) std::fprintf(out_, "\t%s W", info.name.c_str());
      std::fprintf(out_, "\n");
      header_done_ = true;
    }
    std::fprintf(out_, "%.3f", s.t);
    for (double w : s.watts) std::fprintf(out_, "\t%.2f", w);
    std::fprintf(out_, "\n");
  }

  void redraw() {
    const auto& sensors = monitor_.sensors();
    if (drawn_lines_ > 0) std::fprintf(out_, "\x1b[%dA", drawn_lines_);
    std::size_t name_width = 0;
    for (const auto& info : sensors) name_width = std::max(name_width, info.name.size());
    for (std::size_t i = 0; i < sensors.size(); ++i) {
      std::vector<double> w;
      double hi = 0;
      for (const auto& s : recent_) w.push_back(s.watts[i]), hi = std::max(hi, s.watts[i]);
      const double now = recent_.back().watts[i];
      std::fprintf(out_, "\x1b[2K%-*s %8.1f W  %s\n", static_cast<int>(name_width),
                   sensors[i].name.c_str(), now, power::sparkline(w, 0, hi).c_str());
    }
    std::fprintf(out_, "\x1b[2K%.1f s, %zu samples (Ctrl-C to stop)", recent_.back().t, printed_);
    std::fputc('\r', out_);
    drawn_lines_ = static_cast<int>(sensors.size());
  }

  const power::PowerMonitor& monitor_;
  std::FILE* out_;
  bool tty_;
  bool header_done_ = false;
  int drawn_lines_ = 0;
  std::size_t printed_ = 0;
  std::vector<power::Sample> recent_;
};

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void write_csv(const power::PowerMonitor& monitor, const std::string& path) {
  std::string text = "t_s";
  const auto& sensors = monitor.sensors();
  for (const auto& info : sensors) text += "," + csv_field(info.name + " W");
  for (const auto& info : sensors)
    if (info.has_energy_counter) text += "," + csv_field(info.name + " counter J");
  text += "\n";
  char buf[64];
  for (const auto& s : monitor.samples()) {
    std::snprintf(buf, sizeof buf, "%.4f", s.t);
    text += buf;
    for (double w : s.watts) {
      std::snprintf(buf, sizeof buf, ",%.3f", w);
      text += std::isfinite(w) ? buf : ",";
    }
    for (std::size_t i = 0; i < sensors.size(); ++i)
      if (sensors[i].has_energy_counter) {
        std::snprintf(buf, sizeof buf, ",%.3f", s.counter_j[i]);
        text += std::isfinite(s.counter_j[i]) ? buf : ",";
      }
    text += "\n";
  }
  soma::write_file_atomic(path, text);
}

void print_summary(const power::Report& r, const Options& o, std::FILE* out) {
  std::fprintf(out, "duration %.2f s, %zu samples every %d ms\n", r.duration_s, r.samples,
               o.interval_ms);
  std::size_t width = 0;
  for (const auto& s : r.sensors) width = std::max(width, s.name.size());
  for (const auto& s : r.sensors) {
    std::fprintf(out, "  %-*s  mean %8.2f W  max %8.2f W  energy %10.2f J", static_cast<int>(width),
                 s.name.c_str(), s.mean_w, s.max_w, s.energy_j);
    if (s.counter_energy_j) std::fprintf(out, "  (counter %.2f J)", *s.counter_energy_j);
    std::fprintf(out, "\n");
  }
  std::fprintf(out, "total %.2f J (%.6f kWh)", r.energy_j, r.energy_j / 3.6e6);
  if (r.co2_g) std::fprintf(out, ", %.3f g CO2 at %.0f g/kWh", *r.co2_g, *o.grid_intensity);
  std::fprintf(out, "\n");
}

nlohmann::json report_json(const power::Report& r, const Options& o) {
  nlohmann::json sensors = nlohmann::json::array();
  for (const auto& s : r.sensors) {
    nlohmann::json j = {{"name", s.name},     {"kind", s.kind},   {"energy_j", s.energy_j},
                        {"mean_w", s.mean_w}, {"max_w", s.max_w}, {"counter_energy_j", nullptr}};
    if (s.counter_energy_j) j["counter_energy_j"] = *s.counter_energy_j;
    sensors.push_back(j);
  }
  nlohmann::json j = {{"duration_s", r.duration_s},
                      {"samples", r.samples},
                      {"interval_ms", o.interval_ms},
                      {"energy_j", r.energy_j},
                      {"sensors", sensors}};
  if (r.co2_g) j["co2_g"] = *r.co2_g, j["grid_intensity_g_per_kwh"] = *o.grid_intensity;
  return j;
}

// Swaps in a signal disposition for one scope.
class ScopedSignal {
 public:
  ScopedSignal(int sig, void (*handler)(int)) : sig_(sig) {
    struct sigaction sa {};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    ::sigaction(sig, &sa, &old_);
  }
  ~ScopedSignal() { ::sigaction(sig_, &old_, nullptr); }
  ScopedSignal(const ScopedSignal&) = delete;
  ScopedSignal& operator=(const ScopedSignal&) = delete;

 private:
  int sig_;
  struct sigaction old_ {};
};

// "NVML (...): not loaded; RAPL (...): no such directory": what "no sensor" means here.
std::string sensors_tried(const power::PowerMonitor& monitor) {
  std::string out;
  for (const auto& line : monitor.attempts()) out += (out.empty() ? "" : "; ") + line;
  return out;
}

void print_usage(const soma::cli::ChildUsage& u, const Options& o, std::FILE* out) {
  if (u.signal != 0)
    std::fprintf(out, "soma power: '%s' was killed by signal %d (%s), status %d\n",
                 o.command[0].c_str(), u.signal, strsignal(u.signal), u.exit_status);
  else
    std::fprintf(out, "soma power: '%s' exited with status %d\n", o.command[0].c_str(),
                 u.exit_status);
  std::fprintf(out, "wall %.2f s, CPU %.2f s (user %.2f s, system %.2f s), peak memory %.1f MB\n",
               u.wall_s, u.user_s + u.system_s, u.user_s, u.system_s, u.peak_rss_bytes / 1e6);
}

void run(const Options& o) {
  power::PowerMonitor monitor({.interval = std::chrono::milliseconds(o.interval_ms),
                               .nvml_library = o.nvml_library,
                               .powercap_root = o.powercap_root});
  const bool wrapping = !o.command.empty();
  const bool measuring = monitor.has_sensors();
  // Watching needs a sensor; a wrapped command runs regardless (as `time` would run it),
  // its energy reported as unknown.
  if (!measuring && !wrapping) {
    std::fprintf(stderr, "soma power: no power sensor found; tried:\n");
    for (const auto& line : monitor.attempts()) std::fprintf(stderr, "  %s\n", line.c_str());
    throw soma::cli::Exit{kNoSensorStatus};
  }
  std::FILE* out = wrapping ? stderr : stdout;
  LiveView view(monitor, out);
  // The browser view: a dashboard with only its power tab fed.
  std::shared_ptr<soma::serve::Dashboard> board;
  std::optional<soma::cli::PowerPublisher> publisher;
  // Without a sensor the page still opens: its power tab says what was tried, as the
  // dashboard's does, instead of the page never appearing.
  if (o.live) {
    board = std::make_shared<soma::serve::Dashboard>(soma::serve::DashboardOptions{.port = o.port});
    board->start();
    publisher.emplace(board, monitor, o.interval_ms);
    publisher->announce();
    std::fprintf(stderr, "soma power: live view at %s#power%s\n", board->url().c_str(),
                 measuring ? "" : " (no power sensor: the page lists what was tried)");
  }
  auto update = [&] {
    if (!measuring) return;
    view.update();
    if (publisher) publisher->update();
  };
  const auto poll = std::chrono::milliseconds(std::min(o.interval_ms, 100));
  interrupted = 0;

  std::optional<soma::cli::ChildUsage> usage;
  if (wrapping) {
    if (measuring) monitor.start();
    try {
      // SIGINT, SIGTERM and SIGHUP go on to the command; soma waits for it either way, so
      // what was measured is still reported and written.
      soma::cli::ChildProcess child(o.command);
      usage = child.wait(poll, update);
    } catch (...) {
      monitor.stop();
      throw;
    }
    monitor.stop();
  } else {
    ScopedSignal on_int(SIGINT, on_interrupt), on_term(SIGTERM, on_interrupt);
    const auto start = Clock::now();
    monitor.start();
    while (!interrupted) {
      if (o.duration_s > 0 &&
          std::chrono::duration<double>(Clock::now() - start).count() >= o.duration_s)
        break;
      update();
      std::this_thread::sleep_for(poll);
    }
    monitor.stop();
  }
  if (measuring) view.finish();
  if (publisher) publisher->update();

  // Without a sensor the CSV has its time column only: scripts that read it still find it.
  if (!o.csv.empty()) {
    write_csv(monitor, o.csv);
    soma::cli::wrote(o.csv);
  }
  std::optional<power::Report> report;
  if (measuring) report = monitor.report(o.grid_intensity);
  if (usage) print_usage(*usage, o, out);
  if (report)
    print_summary(*report, o, out);
  else
    std::fprintf(out, "energy: unknown (no sensor: %s)\n", sensors_tried(monitor).c_str());
  if (o.json) {
    nlohmann::json j;
    if (report) {
      j = report_json(*report, o);
    } else {
      j = {{"duration_s", usage->wall_s},
           {"samples", 0},
           {"interval_ms", o.interval_ms},
           {"energy_j", nullptr},
           {"energy", "unknown (no sensor: " + sensors_tried(monitor) + ")"},
           {"sensors", nlohmann::json::array()}};
    }
    if (usage) {
      j["command"] = o.command;
      j["exit_status"] = usage->exit_status;
      j["signal"] = usage->signal ? nlohmann::json(usage->signal) : nlohmann::json(nullptr);
      j["wall_s"] = usage->wall_s;
      j["cpu_user_s"] = usage->user_s;
      j["cpu_system_s"] = usage->system_s;
      j["peak_rss_bytes"] = usage->peak_rss_bytes;
    }
    std::fflush(stderr);
    soma::cli::print_json(j);
  }
  if (usage && usage->exit_status != 0) throw soma::cli::Exit{usage->exit_status};
}

soma::cli::CommandRegistrar reg(
    "power", "Measure GPU (NVML) and CPU (RAPL) power and energy, or wrap a command",
    [](CLI::App& app) {
      auto o = std::make_shared<Options>();
      app.add_option("--interval", o->interval_ms, "Sampling interval in milliseconds")
          ->check(soma::cli::integer_in(1, 3600000))
          ->capture_default_str();
      soma::cli::add_output_option(app, o->csv, "Write every sample to this CSV file", "none");
      soma::cli::deprecated_alias(app, "--csv", "-o/--output", o->csv);
      app.add_flag("--json", o->json, "End with one JSON object of the results");
      app.add_option("--grid-intensity", o->grid_intensity,
                     "Grid carbon intensity in g CO2 per kWh, for a CO2 estimate")
          ->check(soma::cli::number_in(0))
          ->default_str("none, no estimate");
      app.add_option("--duration", o->duration_s,
                     "Without a command: stop after this many seconds (default: Ctrl-C)")
          ->check(soma::cli::number_in(0));
      app.add_option("--nvml-library", o->nvml_library,
                     "NVML library to load (default: $SOMA_NVML_LIBRARY or libnvidia-ml.so.1)");
      app.add_option("--powercap-root", o->powercap_root,
                     "powercap tree (default: $SOMA_POWERCAP_ROOT or /sys/class/powercap)");
      app.add_flag("--live", o->live, "Also plot the samples live in a browser (prints the URL)");
      app.add_option("--port", o->port, "Port of the --live page; 0 picks a free one")
          ->check(soma::cli::integer_in(0, 65535))
          ->capture_default_str();
      app.add_option("command", o->command, "Command to run and measure (after --)");
      app.footer(
          "Exit status: the command's (128 + N when signal N killed it); 3 when watching and no "
          "power sensor exists (those tried are listed). A command always runs: without a "
          "sensor its energy is reported as unknown. SIGINT, SIGTERM and SIGHUP are passed on "
          "to the command.");
      app.callback([o] {
        if (o->duration_s > 0 && !o->command.empty())
          throw soma::Error("power: --duration applies only without a command");
        run(*o);
      });
    });

}  // namespace
