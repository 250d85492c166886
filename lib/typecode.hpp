// The seed's typecodes: ctype_t<'i'> is int, and so on; parse_typecode at run time.
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>

namespace billiard {

template <char Code>
struct ctype {
  // Instantiated only for a code not in the table below; the compiler's
  // "required from ctype<'z'>" line names the bad code.
  static_assert(Code != Code, "billiard: unknown typecode; valid: c b B h H i I l L q Q f d");
};
template <> struct ctype<'c'> { using type = char; };
template <> struct ctype<'b'> { using type = signed char; };
template <> struct ctype<'B'> { using type = unsigned char; };
template <> struct ctype<'h'> { using type = short; };
template <> struct ctype<'H'> { using type = unsigned short; };
template <> struct ctype<'i'> { using type = int; };
template <> struct ctype<'I'> { using type = unsigned int; };
template <> struct ctype<'l'> { using type = long; };
template <> struct ctype<'L'> { using type = unsigned long; };
template <> struct ctype<'q'> { using type = long long; };
template <> struct ctype<'Q'> { using type = unsigned long long; };
template <> struct ctype<'f'> { using type = float; };
template <> struct ctype<'d'> { using type = double; };

template <char Code>
using ctype_t = typename ctype<Code>::type;

inline constexpr std::string_view kTypecodes = "cbBhHiIlLqQfd";

struct Typecode {
  char code;
  std::size_t size;
  std::string_view name;  // the C type: "int", "unsigned long", ...
  bool is_integral;
  bool is_signed;
};

// The descriptor for code; throws std::invalid_argument naming code and
// listing the valid ones.
Typecode parse_typecode(char code);

// Calls f.template operator()<T>() with T = ctype_t<code>, for tools that take a
// typecode at run time: with_typecode('i', []<class T>() { ... }).
template <class F>
decltype(auto) with_typecode(char code, F&& f) {
  switch (parse_typecode(code).code) {
    case 'c': return f.template operator()<char>();
    case 'b': return f.template operator()<signed char>();
    case 'B': return f.template operator()<unsigned char>();
    case 'h': return f.template operator()<short>();
    case 'H': return f.template operator()<unsigned short>();
    case 'i': return f.template operator()<int>();
    case 'I': return f.template operator()<unsigned int>();
    case 'l': return f.template operator()<long>();
    case 'L': return f.template operator()<unsigned long>();
    case 'q': return f.template operator()<long long>();
    case 'Q': return f.template operator()<unsigned long long>();
    case 'f': return f.template operator()<float>();
    default: return f.template operator()<double>();  // 'd': parse_typecode let nothing else through
  }
}

}  // namespace billiard
