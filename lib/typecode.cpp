#include "billiard/typecode.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace billiard {
namespace {

template <char Code>
constexpr Typecode describe(std::string_view name) {
  using T = ctype_t<Code>;
  return {Code, sizeof(T), name, std::is_integral_v<T>, std::is_signed_v<T>};
}

constexpr std::array kTable{
    describe<'c'>("char"),        describe<'b'>("signed char"),
    describe<'B'>("unsigned char"), describe<'h'>("short"),
    describe<'H'>("unsigned short"), describe<'i'>("int"),
    describe<'I'>("unsigned int"),  describe<'l'>("long"),
    describe<'L'>("unsigned long"), describe<'q'>("long long"),
    describe<'Q'>("unsigned long long"), describe<'f'>("float"),
    describe<'d'>("double"),
};
static_assert(kTable.size() == kTypecodes.size());

std::string printable(char code) {
  if (code >= 0x20 && code < 0x7f) return std::string("'") + code + "'";
  return "byte " + std::to_string(static_cast<unsigned char>(code));
}

}  // namespace

Typecode parse_typecode(char code) {
  for (const Typecode& t : kTable)
    if (t.code == code) return t;
  std::string valid;
  for (char c : kTypecodes) (valid += valid.empty() ? "" : " ") += c;
  throw std::invalid_argument("billiard: unknown typecode " + printable(code) +
                              "; valid typecodes are " + valid);
}

}  // namespace billiard
