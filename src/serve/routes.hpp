#pragma once
// The dashboard's answer to a request, as a function of the request alone: Dashboard's
// httplib handlers translate to and from these types, and fuzz/http_fuzz.cpp calls
// respond() on fuzzed requests without a socket.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace soma::serve::detail {

struct Request {
  std::string method;  // "GET", "HEAD", "POST", ...
  std::string path;    // as httplib hands it over: percent-decoded, without the query
  std::optional<std::string> last_event_id;  // the Last-Event-ID header, when sent
};

struct Reply {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
  // Set for /api/events: the reply is the event stream, starting at this event number.
  std::optional<int64_t> events_from;
};

// What the routes serve, made once when the dashboard is made.
struct Content {
  std::string dataset, spikes, embedding;  // the JSON of /api/dataset, /api/spikes, ...
  // Plotly.js, read on first use; throws when it cannot be read (the reply is then 404).
  std::function<const std::string&()> plotly;
};

// GET and HEAD: the API, Plotly.js, an embedded asset, or 404 (the path never reaches
// the file system); 400 for a Last-Event-ID that is not an event number; 405 for any
// other method.
Reply respond(const Content& content, const Request& request);

}  // namespace soma::serve::detail
