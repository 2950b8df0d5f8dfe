// libFuzzer target for the dashboard's request handling (src/serve/routes.hpp): the
// bytes are a request as lines, METHOD \n TARGET \n [LAST-EVENT-ID] [\n HOST], the target
// being a path with an optional ?query. The target goes through detail::decode_path, as
// the server does, which must agree with cpp-httplib's decoding (the dashboard's server
// before: paths mean what they meant), then to detail::respond. Every request must get a
// 2xx/4xx reply; nothing but an embedded asset or the API's JSON may ever be sent with
// 200. The Host line goes to the DNS-rebinding check, which must refuse every name but
// the dashboard's own.
//
// tests/serve/http_fuzz_test.cpp includes this file with SOMA_FUZZ_NO_MAIN defined and
// replays fuzz/corpus/http_fuzz and fuzz/regressions/http_fuzz plus mutations of them.
#include <httplib.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "serve/assets.hpp"
#include "serve/host_check.hpp"
#include "serve/routes.hpp"
#include "soma/core/error.hpp"

namespace soma_http_fuzz {

using soma::serve::detail::Content;
using soma::serve::detail::Reply;
using soma::serve::detail::Request;

[[noreturn]] inline void fail(const char* why, const Request& r, const Reply& reply) {
  std::fprintf(stderr, "http_fuzz: %s: %s %s -> %d\n", why, r.method.c_str(), r.path.c_str(),
               reply.status);
  std::abort();
}

inline const Content& content() {
  static const Content c = [] {
    Content out{.dataset = R"({"path":"d.csv","rows":1})",
                .spikes = R"({"path":null})",
                .embedding = R"({"path":null})"};
    out.plotly = []() -> const std::string& {
      static const std::string js = "/* plotly */";
      return js;
    };
    return out;
  }();
  return c;
}

// Plotly.js that cannot be read: the reply must be a 404, not an escaped exception.
inline const Content& content_without_plotly() {
  static const Content c = [] {
    Content out = content();
    out.plotly = []() -> const std::string& { throw soma::Error("plotly.min.js: not found"); };
    return out;
  }();
  return c;
}

inline bool is_asset(const std::string& path) {
  for (size_t i = 0; i < soma::serve::kAssetCount; ++i)
    if (path == soma::serve::kAssets[i].path) return true;
  return path == "/";
}

inline int one(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view lines[4];
  size_t start = 0, n = 0;
  for (; n < 4 && start <= input.size(); ++n) {
    const size_t end = std::min(input.find('\n', start), input.size());
    lines[n] = input.substr(start, end - start);
    start = end + 1;
  }
  Request r;
  r.method = std::string(lines[0]);
  const std::string target(lines[1]);
  const size_t q = target.find('?');
  r.path = soma::serve::detail::decode_path(target);
  // What httplib did with the request line before a handler saw it.
  if (r.path != httplib::detail::decode_url(target.substr(0, q), false)) {
    std::fprintf(stderr, "http_fuzz: decode_path(%s) differs from httplib's\n", target.c_str());
    std::abort();
  }
  if (n >= 3) r.last_event_id = std::string(lines[2]);
  if (n == 4) {
    // Bound to 127.0.0.1:8050, only these names with that port are the dashboard.
    static const soma::serve::detail::HostPolicy hosts("127.0.0.1", 8050);
    const std::string_view host = lines[3];
    const bool own = host == "localhost:8050" || host == "127.0.0.1:8050" || host == "[::1]:8050";
    bool allowed_spelling = own;
    if (!own) {
      // Names are case-insensitive: LOCALHOST:8050 is the dashboard too.
      std::string lower(host);
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      allowed_spelling = lower == "localhost:8050";
    }
    if (hosts.allows(host) != allowed_spelling) {
      std::fprintf(stderr, "http_fuzz: Host '%.*s' %s\n", static_cast<int>(host.size()),
                   host.data(), allowed_spelling ? "refused" : "allowed");
      std::abort();
    }
  }

  const bool get = r.method == "GET" || r.method == "HEAD";
  for (const Content* c : {&content(), &content_without_plotly()}) {
    const Reply reply = soma::serve::detail::respond(*c, r);
    if (!get && reply.status != 405) fail("a method other than GET answered", r, reply);
    if (reply.status != 200 && reply.status != 400 && reply.status != 404 && reply.status != 405)
      fail("unexpected status", r, reply);
    if (reply.status == 200 && !reply.events_from && !r.path.starts_with("/api/") &&
        r.path != "/plotly.min.js" && !is_asset(r.path))
      fail("200 for a path that is neither an asset nor the API", r, reply);
    if (reply.events_from && *reply.events_from < 0) fail("negative event cursor", r, reply);
  }
  return 0;
}

}  // namespace soma_http_fuzz

inline int soma_http_fuzz_one(const uint8_t* data, size_t size) {
  return soma_http_fuzz::one(data, size);
}

#ifndef SOMA_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return soma_http_fuzz_one(data, size);
}
#endif
