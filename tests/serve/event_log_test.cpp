// The event log behind /api/events: frames by number, a bounded history, and one wake
// per registered stream when the next event arrives.
#include <gtest/gtest.h>

#include <memory>

#include "serve/event_log.hpp"

using soma::serve::detail::EventLog;

namespace {

struct Counter final : EventLog::Waiter {
  int woken = 0;
  void wake() override { ++woken; }
};

}  // namespace

TEST(EventLog, FramesCarryTheirNumberTopicAndData) {
  EventLog log(10);
  log.publish("epoch", R"({"epoch":1})");
  log.publish("batch", R"({"loss":0.5})");
  auto w = std::make_shared<Counter>();
  int64_t cursor = 0;
  std::string out;
  ASSERT_TRUE(log.read(cursor, out, 1 << 20, w));
  EXPECT_EQ(out,
            "id: 0\nevent: epoch\ndata: {\"epoch\":1}\n\nid: 1\nevent: batch\ndata: "
            "{\"loss\":0.5}\n\n");
  EXPECT_EQ(cursor, 2);
  EXPECT_EQ(log.next_id(), 2);
}

TEST(EventLog, AStreamIsWokenOnceByTheNextEvent) {
  EventLog log(10);
  auto w = std::make_shared<Counter>();
  int64_t cursor = 0;
  std::string out;
  EXPECT_FALSE(log.read(cursor, out, 100, w));
  EXPECT_FALSE(log.read(cursor, out, 100, w));  // still one registration
  log.publish("a", "1");
  log.publish("b", "2");
  EXPECT_EQ(w->woken, 1);
  ASSERT_TRUE(log.read(cursor, out, 100, w));
  EXPECT_EQ(cursor, 2);
}

TEST(EventLog, KeepsTheNewestEventsAndSkipsAStreamPastDroppedOnes) {
  EventLog log(3);
  for (int i = 0; i < 5; ++i) log.publish("e", std::to_string(i));
  auto w = std::make_shared<Counter>();
  int64_t cursor = 0;
  std::string out;
  ASSERT_TRUE(log.read(cursor, out, 1 << 20, w));
  EXPECT_EQ(out.find("id: 0\n"), std::string::npos);
  EXPECT_EQ(out.rfind("id: 2\n", 0), 0u) << out;
  EXPECT_EQ(cursor, 5);
}

TEST(EventLog, ReadsWholeFramesUpToTheSize) {
  EventLog log(100);
  for (int i = 0; i < 10; ++i) log.publish("e", std::string(100, 'x'));
  auto w = std::make_shared<Counter>();
  int64_t cursor = 0;
  std::string out;
  ASSERT_TRUE(log.read(cursor, out, 250, w));
  EXPECT_EQ(cursor, 3);  // a frame is ~120 bytes: whole frames until 250 is passed
  out.clear();
  ASSERT_TRUE(log.read(cursor, out, 1, w));  // at least one frame
  EXPECT_EQ(cursor, 4);
}

TEST(EventLog, ClosedStreamsDoNotPileUp) {
  EventLog log(10);
  for (int i = 0; i < 10000; ++i) {
    auto w = std::make_shared<Counter>();
    int64_t cursor = 0;
    std::string out;
    EXPECT_FALSE(log.read(cursor, out, 100, w));
  }  // each waiter is gone; the log holds expired weak pointers only until a sweep
  auto alive = std::make_shared<Counter>();
  int64_t cursor = 0;
  std::string out;
  EXPECT_FALSE(log.read(cursor, out, 100, alive));
  log.publish("e", "1");
  EXPECT_EQ(alive->woken, 1);
}
