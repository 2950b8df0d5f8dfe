// DNS-rebinding protection: only the dashboard's own names, with its port.
#include <gtest/gtest.h>

#include "serve/host_check.hpp"

using soma::serve::detail::HostPolicy;

TEST(HostPolicy, LoopbackNamesWithTheBoundPort) {
  const HostPolicy p("127.0.0.1", 8050);
  for (const char* ok : {"127.0.0.1:8050", "localhost:8050", "LOCALHOST:8050", "[::1]:8050"})
    EXPECT_TRUE(p.allows(ok)) << ok;
  for (const char* bad :
       {"evil.example:8050", "127.0.0.1:8051", "127.0.0.1", "localhost", "localhost:", "",
        "127.0.0.1:8050x", "127.0.0.1:+8050", "127.0.0.2:8050", "localhost.evil.example:8050",
        "::1:8050", "[::1]", "192.168.1.10:8050", "localhost:8050:8050", " localhost:8050"})
    EXPECT_FALSE(p.allows(bad)) << bad;
}

TEST(HostPolicy, TheBoundNameAndPort80) {
  const HostPolicy named("myhost.lan", 80);
  EXPECT_TRUE(named.allows("myhost.lan"));
  EXPECT_TRUE(named.allows("MyHost.lan:80"));
  EXPECT_TRUE(named.allows("localhost"));
  EXPECT_FALSE(named.allows("otherhost.lan"));
  const HostPolicy v6("::1", 9000);
  EXPECT_TRUE(v6.allows("[::1]:9000"));
  EXPECT_FALSE(v6.allows("[::2]:9000"));
}

TEST(HostPolicy, EveryInterfaceAcceptsAddressesButNotOtherNames) {
  const HostPolicy any("0.0.0.0", 8050);
  EXPECT_TRUE(any.allows("192.168.1.10:8050"));
  EXPECT_TRUE(any.allows("[fe80::1]:8050"));
  EXPECT_TRUE(any.allows("localhost:8050"));
  EXPECT_FALSE(any.allows("evil.example:8050"));
  EXPECT_FALSE(any.allows("192.168.1.10:8051"));
}
