#pragma once
// Which Host headers the dashboard answers (DNS-rebinding protection, as Jupyter and
// TensorBoard do it). A page on another site can point a name it controls at 127.0.0.1
// and then read the dashboard as same-origin; its requests still carry that name as
// Host, so only the names the dashboard is reached by are answered: localhost,
// 127.0.0.1, [::1] and the bound address, each with the bound port (or without one
// when the port is 80). A dashboard bound to every interface (0.0.0.0, ::) is reached
// by whatever address the machine has, so there any IP literal is accepted too — an IP
// literal cannot be rebound, only names can.
#include <string>
#include <string_view>
#include <vector>

namespace soma::serve::detail {

class HostPolicy {
 public:
  HostPolicy() = default;
  HostPolicy(const std::string& bind, int port);
  bool allows(std::string_view host) const;

 private:
  std::vector<std::string> names_;  // lower case; IPv6 in brackets
  int port_ = 0;
  bool any_ip_ = false;
};

}  // namespace soma::serve::detail
