#include "http/url.h"

#include <fmt/format.h>

#include <charconv>

namespace fleetsizer::http {

std::string BaseUrl::text() const {
  const bool v6 = host.find(':') != std::string::npos;
  return fmt::format("{}://{}{}{}:{}", tls ? "https" : "http", v6 ? "[" : "", host, v6 ? "]" : "",
                     port);
}

Result<BaseUrl> parse_base_url(const std::string& url) {
  BaseUrl u;
  std::string rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    u.tls = true;
    rest = url.substr(8);
  } else {
    const auto sep = url.find("://");
    return fail(
        sep == std::string::npos
            ? fmt::format("'{}': expected http://HOST:PORT or https://HOST[:PORT]", url)
            : fmt::format("'{}': scheme '{}' is not http or https", url, url.substr(0, sep)));
  }
  if (rest.ends_with('/')) rest.pop_back();
  if (const auto slash = rest.find_first_of("/?#"); slash != std::string::npos)
    return fail(
        fmt::format("'{}': has a path '{}'; give the server's root and the path as --endpoint", url,
                    rest.substr(slash)));
  std::string port_text;
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close == std::string::npos) return fail(fmt::format("'{}': unclosed '[' in the host", url));
    u.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return fail(fmt::format("'{}': expected ':' after ']'", url));
      port_text = rest.substr(close + 2);
    }
  } else {
    const auto colon = rest.rfind(':');
    u.host = rest.substr(0, colon);
    if (colon != std::string::npos) port_text = rest.substr(colon + 1);
  }
  if (u.host.empty()) return fail(fmt::format("'{}': no host", url));
  if (u.host.find('@') != std::string::npos)
    return fail(fmt::format("'{}': credentials in the URL are not supported; use --header", url));
  int port = u.tls ? 443 : 80;
  if (!port_text.empty() || rest.ends_with(':')) {
    const auto [ptr, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port < 1 || port > 65535)
      return fail(fmt::format("'{}': bad port '{}'", url, port_text));
  }
  u.port = static_cast<unsigned short>(port);
  return u;
}

}  // namespace fleetsizer::http
