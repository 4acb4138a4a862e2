#pragma once
// The server's base URL as `bench` takes it (vLLM's --base-url): scheme, host and port only; the
// endpoint path is --endpoint's.
#include <string>

#include "fleetsizer/error.h"

namespace fleetsizer::http {

struct BaseUrl {
  bool tls = false;
  std::string host;
  unsigned short port = 0;
  std::string text() const;  // "https://host:port"
};

// "http://HOST[:PORT]" (port 80 when absent) or "https://HOST[:PORT]" (443); HOST a name, an IPv4
// address or a bracketed IPv6 address; one trailing '/' allowed. Anything else (another scheme, a
// path, a query, a bad port) is an error naming what is wrong.
Result<BaseUrl> parse_base_url(const std::string& url);

}  // namespace fleetsizer::http
