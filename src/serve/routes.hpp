#pragma once
// The dashboard's answer to a request, as a function of the request alone: the server
// (http_server.hpp) translates to and from these types, and fuzz/http_fuzz.cpp calls
// decode_path() and respond() on fuzzed requests without a socket.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "serve/runs.hpp"

namespace soma::serve::detail {

struct Request {
  std::string method{};                        // "GET", "HEAD", "POST", ...
  std::string path{};                          // decode_path() of the request target
  std::optional<std::string> last_event_id{};  // the Last-Event-ID header, when sent
};

struct Reply {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body{};
  // Set for /api/events: the reply is the event stream, starting at this event number.
  std::optional<int64_t> events_from{};
};

// What the routes serve, made once when the dashboard is made.
struct Content {
  std::string dataset{}, spikes{}, embedding{};  // the JSON of /api/dataset, /api/spikes, ...
  // Plotly.js, read on first use; throws when it cannot be read (the reply is then 404).
  std::function<const std::string&()> plotly{};
  // The directory of `soma train` runs (/api/runs), read on each request; empty: none.
  std::filesystem::path runs{};
  RunsLimits runs_limits{};
};

// The request target's path, percent-decoded, without the query: "/a%20b?x" is "/a b".
// The decoding is cpp-httplib's, which the dashboard was served with before (%XX is a
// byte, %uXXXX a code point in UTF-8, '+' stays '+', a malformed escape stays as it is);
// the fuzz target holds the two equal.
std::string decode_path(std::string_view target);

// GET and HEAD: the API (/api/runs/NAME/history only for a NAME /api/runs lists), Plotly.js, an
// embedded asset, or 404 (the path never reaches the file system); 400 for a Last-Event-ID that is
// not an event number; 405 for any other method.
Reply respond(const Content& content, const Request& request);

}  // namespace soma::serve::detail
