// Errors: typed exceptions that the Python binding maps onto torch's exception types
// (RuntimeError, TypeError, ValueError, IndexError, NotImplementedError), and TG_CHECK.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace tapegrad {

enum class ErrorKind { Runtime, Type, Value, Index, NotImplemented, Buffer };

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& msg) : std::runtime_error(msg), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

namespace detail {
inline void append(std::ostringstream&) {}
template <class T, class... R>
void append(std::ostringstream& os, const T& v, const R&... rest) {
  os << v;
  append(os, rest...);
}
template <class... A>
std::string str(const A&... a) {
  std::ostringstream os;
  append(os, a...);
  return os.str();
}
}  // namespace detail

}  // namespace tapegrad

#define TG_ERROR_KIND(kind, ...) \
  throw ::tapegrad::Error(::tapegrad::ErrorKind::kind, ::tapegrad::detail::str(__VA_ARGS__))
#define TG_CHECK_KIND(kind, cond, ...) \
  do {                                 \
    if (!(cond)) TG_ERROR_KIND(kind, __VA_ARGS__); \
  } while (0)
// Plain checks raise RuntimeError, as most of torch's do.
#define TG_CHECK(cond, ...) TG_CHECK_KIND(Runtime, cond, __VA_ARGS__)
#define TG_ERROR(...) TG_ERROR_KIND(Runtime, __VA_ARGS__)
