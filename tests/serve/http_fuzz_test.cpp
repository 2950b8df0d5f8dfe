// Runs the dashboard's request fuzz target (fuzz/http_fuzz.cpp) without libFuzzer: the
// committed requests and mutations of them. The target aborts on a reply that breaks
// the routes' promises (a 200 outside the assets and the API, a method other than GET
// answered); the sanitizer build catches memory errors.
#include <gtest/gtest.h>

#include "fuzz_inputs.hpp"

#define SOMA_FUZZ_NO_MAIN
#include "../../fuzz/http_fuzz.cpp"

namespace {

TEST(HttpFuzz, CommittedAndMutatedRequestsKeepTheRoutesPromises) {
  soma::test::replay_fuzz_target("http_fuzz", soma_http_fuzz_one, 41, 3000);
}

// The event stream's resume point: an event number, nothing else.
TEST(HttpRoutes, LastEventIdIsAWholeNonNegativeNumber) {
  using soma::serve::detail::respond;
  const auto& content = soma_http_fuzz::content();
  auto events = [&](std::string id) {
    return respond(content, {.method = "GET", .path = "/api/events", .last_event_id = id});
  };
  EXPECT_EQ(events("41").events_from, 42);
  EXPECT_EQ(events("0").events_from, 1);
  for (const std::string bad :
       {"", "-1", " 5", "5 ", "+5", "5x", "abc", "9223372036854775807", "99999999999999999999"}) {
    const auto reply = events(bad);
    EXPECT_EQ(reply.status, 400) << bad;
    EXPECT_FALSE(reply.events_from) << bad;
  }
  EXPECT_EQ(respond(content, {.method = "GET", .path = "/api/events"}).events_from, 0);
  EXPECT_EQ(respond(content, {.method = "DELETE", .path = "/"}).status, 405);
}

// The request target's path as cpp-httplib decoded it: the same bytes reach the routes.
TEST(HttpRoutes, DecodePathIsHttplibsDecoding) {
  using soma::serve::detail::decode_path;
  EXPECT_EQ(decode_path("/a%20b?x=%41"), "/a b");
  EXPECT_EQ(decode_path("/a+b"), "/a+b");
  EXPECT_EQ(decode_path("/%2e%2E/etc"), "/../etc");
  EXPECT_EQ(decode_path("/%u00e9"), "/\xc3\xa9");
  EXPECT_EQ(decode_path("/%ud800x"), "/x");  // a surrogate is dropped
  for (const std::string odd : {"/%", "/%4", "/%zz", "/%u12", "/%u12zz", "%", "?%41", ""})
    EXPECT_EQ(decode_path(odd), httplib::detail::decode_url(odd.substr(0, odd.find('?')), false))
        << odd;
}

}  // namespace
