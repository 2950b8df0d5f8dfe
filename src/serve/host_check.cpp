// serve/host_check.hpp: the Host header against the names the dashboard is bound to.
#include "serve/host_check.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace soma::serve::detail {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "[::1]" or "127.0.0.1": an address as a browser writes it in a URL.
bool is_ip_literal(const std::string& name) {
  unsigned char buf[16];
  if (name.size() > 2 && name.front() == '[' && name.back() == ']')
    return inet_pton(AF_INET6, name.substr(1, name.size() - 2).c_str(), buf) == 1;
  return inet_pton(AF_INET, name.c_str(), buf) == 1;
}

}  // namespace

HostPolicy::HostPolicy(const std::string& bind, int port) : port_(port) {
  names_ = {"localhost", "127.0.0.1", "[::1]"};
  const bool v6 = bind.find(':') != std::string::npos;
  names_.push_back(lower(v6 ? "[" + bind + "]" : bind));
  any_ip_ = bind == "0.0.0.0" || bind == "::" || bind == "[::]" || bind.empty();
}

bool HostPolicy::allows(std::string_view host) const {
  // name[:port]; an IPv6 literal's colons are inside its brackets.
  std::string_view name = host, port;
  const size_t bracket = host.rfind(']');
  const size_t colon = host.rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    name = host.substr(0, colon);
    port = host.substr(colon + 1);
  }
  if (port.empty()) {
    if (port_ != 80 || colon != std::string_view::npos) return false;
  } else {
    int p = -1;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    // The port as a browser writes it: digits with no leading zero ("08050" is not
    // 8050 here, so that one spelling of each origin is the dashboard).
    if (ec != std::errc() || end != port.data() + port.size() || p != port_ ||
        (port.size() > 1 && port.front() == '0'))
      return false;
  }
  const std::string n = lower(name);
  if (std::find(names_.begin(), names_.end(), n) != names_.end()) return true;
  return any_ip_ && is_ip_literal(n);
}

}  // namespace soma::serve::detail
