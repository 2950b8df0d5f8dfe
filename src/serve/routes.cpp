// The dashboard's routes (routes.hpp): a request in, the reply out.
#include "serve/routes.hpp"

#include <charconv>
#include <exception>
#include <limits>

#include "serve/assets.hpp"

namespace soma::serve::detail {
namespace {

// A reconnecting EventSource sends the id of the last event it saw; the stream goes on
// after it. Only a whole non-negative number below the largest id is one (the header
// is the client's text: a sign, spaces, trailing bytes or an overflow are all 400).
std::optional<int64_t> event_after(const std::string& id) {
  int64_t last = 0;
  const char* end = id.data() + id.size();
  const auto [ptr, ec] = std::from_chars(id.data(), end, last);
  if (ec != std::errc() || ptr != end || last < 0 || last == std::numeric_limits<int64_t>::max())
    return std::nullopt;
  return last + 1;
}

// `n` hex digits of `s` from `i`; false when there are fewer.
bool hex_at(std::string_view s, size_t i, int n, int& value) {
  value = 0;
  for (; n > 0; --n, ++i) {
    if (i >= s.size()) return false;
    const char c = s[i];
    const int v = c >= '0' && c <= '9'   ? c - '0'
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                         : -1;
    if (v < 0) return false;
    value = value * 16 + v;
  }
  return true;
}

// A code point as UTF-8; nothing for a surrogate, as cpp-httplib's to_utf8.
void append_utf8(std::string& out, int code) {
  auto byte = [&](int b) { out += static_cast<char>(b); };
  if (code < 0x80) {
    byte(code);
  } else if (code < 0x800) {
    byte(0xC0 | (code >> 6));
    byte(0x80 | (code & 0x3F));
  } else if (code < 0xD800 || (code >= 0xE000 && code < 0x10000)) {
    byte(0xE0 | (code >> 12));
    byte(0x80 | ((code >> 6) & 0x3F));
    byte(0x80 | (code & 0x3F));
  }
}

Reply text(int status, std::string body) {
  return {.status = status, .content_type = "text/plain", .body = std::move(body)};
}

}  // namespace

std::string decode_path(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  std::string out;
  out.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    int value = 0;
    if (path[i] == '%' && i + 1 < path.size() && path[i + 1] == 'u') {
      if (hex_at(path, i + 2, 4, value)) {
        append_utf8(out, value);
        i += 5;
        continue;
      }
    } else if (path[i] == '%' && i + 1 < path.size() && hex_at(path, i + 1, 2, value)) {
      out += static_cast<char>(value);
      i += 2;
      continue;
    }
    out += path[i];
  }
  return out;
}

Reply respond(const Content& content, const Request& request) {
  if (request.method != "GET" && request.method != "HEAD") return text(405, "method not allowed\n");
  const std::string& path = request.path;
  if (path == "/api/dataset") return {.content_type = "application/json", .body = content.dataset};
  if (path == "/api/spikes") return {.content_type = "application/json", .body = content.spikes};
  if (path == "/api/embedding")
    return {.content_type = "application/json", .body = content.embedding};
  if (path == "/api/runs")
    return {.content_type = "application/json",
            .body = runs_json(content.runs, content.runs_limits)};
  constexpr std::string_view runs_prefix = "/api/runs/", history_suffix = "/history";
  if (path.starts_with(runs_prefix) && path.ends_with(history_suffix) &&
      path.size() > runs_prefix.size() + history_suffix.size()) {
    const std::string name =
        path.substr(runs_prefix.size(), path.size() - runs_prefix.size() - history_suffix.size());
    if (content.runs.empty()) return text(404, "no runs directory\n");
    auto r = run_history_json(content.runs, name, content.runs_limits);
    return {.status = r.status, .content_type = "application/json", .body = std::move(r.json)};
  }
  if (path == "/api/events") {
    // A new page replays everything.
    if (!request.last_event_id) return {.events_from = 0};
    const auto from = event_after(*request.last_event_id);
    if (!from) return text(400, "Last-Event-ID: expected the number of an event\n");
    return {.events_from = *from};
  }
  if (path == "/plotly.min.js") {
    try {
      // A JavaScript type outside httplib's compressible list: brotli at its default
      // quality takes ~25 s on Plotly's 4.8 MB per request, far slower than sending it
      // raw over the loopback.
      return {.content_type = "application/x-javascript", .body = content.plotly()};
    } catch (const std::exception& e) {
      return text(404, e.what());
    }
  }
  // Everything else: an exact match in the embedded table, or 404. The request path
  // never reaches the file system, so /../../etc/passwd can only be a 404.
  const std::string& asset = path == "/" ? "/index.html" : path;
  for (size_t i = 0; i < kAssetCount; ++i)
    if (asset == kAssets[i].path)
      return {.content_type = kAssets[i].content_type,
              .body = std::string(reinterpret_cast<const char*>(kAssets[i].data), kAssets[i].size)};
  return text(404, "not found\n");
}

}  // namespace soma::serve::detail
