#include "sockaddr.h"

#include <cstring>
#include <cstdlib>

namespace wsc {

SocketAddress::SocketAddress() { std::memset(&storage_, 0, sizeof storage_); }

uint16_t SocketAddress::port() const {
  return ntohs(family() == AF_INET6 ? storage_.Ipv6.sin6_port : storage_.Ipv4.sin_port);
}

int SocketAddress::length() const {
  return family() == AF_INET6 ? static_cast<int>(sizeof(sockaddr_in6)) : static_cast<int>(sizeof(sockaddr_in));
}

bool SocketAddress::Parse(const std::string& ip, uint16_t port, SocketAddress* out) {
  SocketAddress result;
  if (inet_pton(AF_INET, ip.c_str(), &result.storage_.Ipv4.sin_addr) == 1) {
    result.storage_.Ipv4.sin_family = AF_INET;
    result.storage_.Ipv4.sin_port = htons(port);
    *out = result;
    return true;
  }
  // IPv6, optionally with a numeric zone ("%3"); names of interfaces are not resolved.
  std::string host = ip;
  ULONG scope = 0;
  size_t percent = ip.find('%');
  if (percent != std::string::npos) {
    std::string zone = ip.substr(percent + 1);
    char* end = nullptr;
    unsigned long value = std::strtoul(zone.c_str(), &end, 10);
    if (zone.empty() || *end != '\0') return false;
    scope = static_cast<ULONG>(value);
    host = ip.substr(0, percent);
  }
  if (inet_pton(AF_INET6, host.c_str(), &result.storage_.Ipv6.sin6_addr) != 1) return false;
  result.storage_.Ipv6.sin6_family = AF_INET6;
  result.storage_.Ipv6.sin6_port = htons(port);
  result.storage_.Ipv6.sin6_scope_id = scope;
  *out = result;
  return true;
}

bool SocketAddress::FromSockaddr(const sockaddr* sa, int length, SocketAddress* out) {
  if (sa == nullptr) return false;
  if (sa->sa_family == AF_INET && length >= static_cast<int>(sizeof(sockaddr_in))) {
    *out = SocketAddress();
    std::memcpy(&out->storage_.Ipv4, sa, sizeof(sockaddr_in));
    return true;
  }
  if (sa->sa_family == AF_INET6 && length >= static_cast<int>(sizeof(sockaddr_in6))) {
    *out = SocketAddress();
    std::memcpy(&out->storage_.Ipv6, sa, sizeof(sockaddr_in6));
    return true;
  }
  return false;
}

SocketAddress SocketAddress::ToV4Mapped() const {
  if (family() != AF_INET) return *this;
  SocketAddress mapped;
  mapped.storage_.Ipv6.sin6_family = AF_INET6;
  mapped.storage_.Ipv6.sin6_port = storage_.Ipv4.sin_port;
  unsigned char* bytes = mapped.storage_.Ipv6.sin6_addr.s6_addr;
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  std::memcpy(bytes + 12, &storage_.Ipv4.sin_addr, 4);
  return mapped;
}

bool SocketAddress::IsV4Mapped() const {
  static const unsigned char kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return family() == AF_INET6 && std::memcmp(storage_.Ipv6.sin6_addr.s6_addr, kPrefix, sizeof kPrefix) == 0;
}

SocketAddress SocketAddress::Unmapped() const {
  if (!IsV4Mapped()) return *this;
  const unsigned char* bytes = storage_.Ipv6.sin6_addr.s6_addr;
  SocketAddress v4;
  v4.storage_.Ipv4.sin_family = AF_INET;
  v4.storage_.Ipv4.sin_port = storage_.Ipv6.sin6_port;
  std::memcpy(&v4.storage_.Ipv4.sin_addr, bytes + 12, 4);
  return v4;
}

std::string SocketAddress::IpString() const {
  char text[INET6_ADDRSTRLEN + 16] = {0};
  if (family() == AF_INET6) {
    inet_ntop(AF_INET6, &storage_.Ipv6.sin6_addr, text, sizeof text);
    std::string result = text;
    if (storage_.Ipv6.sin6_scope_id != 0) result += "%" + std::to_string(storage_.Ipv6.sin6_scope_id);
    return result;
  }
  inet_ntop(AF_INET, &storage_.Ipv4.sin_addr, text, sizeof text);
  return text;
}

Napi::Object SocketAddress::ToJs(Napi::Env env) const {
  SocketAddress plain = Unmapped();
  Napi::Object object = Napi::Object::New(env);
  object.Set("address", plain.IpString());
  object.Set("family", plain.family() == AF_INET6 ? "IPv6" : "IPv4");
  object.Set("port", plain.port());
  return object;
}

bool LocalAddressOf(SOCKET s, SocketAddress* out) {
  SOCKADDR_STORAGE storage{};
  int length = sizeof storage;
  if (getsockname(s, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return false;
  return SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&storage), length, out);
}

bool PeerAddressOf(SOCKET s, SocketAddress* out) {
  SOCKADDR_STORAGE storage{};
  int length = sizeof storage;
  if (getpeername(s, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return false;
  return SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&storage), length, out);
}

SocketAddress SocketAddress::Loopback(int family, uint16_t port) {
  SocketAddress address;
  Parse(family == AF_INET6 ? "::1" : "127.0.0.1", port, &address);
  return address;
}

bool SocketAddress::IsLoopback() const {
  SocketAddress plain = Unmapped();
  if (plain.family() == AF_INET) {
    return (ntohl(reinterpret_cast<const sockaddr_in*>(plain.sockaddr_ptr())->sin_addr.s_addr) >> 24) == 127;
  }
  return plain.family() == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<const sockaddr_in6*>(plain.sockaddr_ptr())->sin6_addr);
}

}  // namespace wsc
