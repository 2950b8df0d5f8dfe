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

Reply text(int status, std::string body) {
  return {.status = status, .content_type = "text/plain", .body = std::move(body)};
}

}  // namespace

Reply respond(const Content& content, const Request& request) {
  if (request.method != "GET" && request.method != "HEAD") return text(405, "method not allowed\n");
  const std::string& path = request.path;
  if (path == "/api/dataset") return {.content_type = "application/json", .body = content.dataset};
  if (path == "/api/spikes") return {.content_type = "application/json", .body = content.spikes};
  if (path == "/api/embedding")
    return {.content_type = "application/json", .body = content.embedding};
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
