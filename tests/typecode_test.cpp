// The seed's typecode table, at compile time and at run time.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <type_traits>

#include "billiard/billiard.hpp"

using billiard::ctype_t;

static_assert(std::is_same_v<ctype_t<'c'>, char>);
static_assert(std::is_same_v<ctype_t<'b'>, signed char>);
static_assert(std::is_same_v<ctype_t<'B'>, unsigned char>);
static_assert(std::is_same_v<ctype_t<'h'>, short>);
static_assert(std::is_same_v<ctype_t<'H'>, unsigned short>);
static_assert(std::is_same_v<ctype_t<'i'>, int>);
static_assert(std::is_same_v<ctype_t<'I'>, unsigned int>);
static_assert(std::is_same_v<ctype_t<'l'>, long>);
static_assert(std::is_same_v<ctype_t<'L'>, unsigned long>);
static_assert(std::is_same_v<ctype_t<'q'>, long long>);
static_assert(std::is_same_v<ctype_t<'Q'>, unsigned long long>);
static_assert(std::is_same_v<ctype_t<'f'>, float>);
static_assert(std::is_same_v<ctype_t<'d'>, double>);

TEST_CASE("parse_typecode describes every code of the table", "[typecode]") {
  for (char code : billiard::kTypecodes) {
    const billiard::Typecode t = billiard::parse_typecode(code);
    CHECK(t.code == code);
    const std::size_t size = billiard::with_typecode(code, []<class T>() { return sizeof(T); });
    CHECK(t.size == size);
  }
  const auto d = billiard::parse_typecode('d');
  CHECK(d.name == "double");
  CHECK_FALSE(d.is_integral);
  const auto big_l = billiard::parse_typecode('L');
  CHECK(big_l.name == "unsigned long");
  CHECK(big_l.is_integral);
  CHECK_FALSE(big_l.is_signed);
  CHECK(billiard::parse_typecode('i').is_signed);
}

TEST_CASE("parse_typecode names a bad code and lists the valid ones", "[typecode][errors]") {
  CHECK_THROWS_MATCHES(billiard::parse_typecode('z'), std::invalid_argument,
                       Catch::Message("billiard: unknown typecode 'z'; valid typecodes are "
                                      "c b B h H i I l L q Q f d"));
  CHECK_THROWS_WITH(billiard::parse_typecode('\n'), Catch::Contains("byte 10"));
  CHECK_THROWS_AS(billiard::with_typecode('x', []<class T>() { return 0; }), std::invalid_argument);
}

TEST_CASE("every byte is either a typecode or a clear invalid_argument", "[typecode][errors]") {
  int valid = 0;
  for (int byte = 0; byte < 256; ++byte) {
    const char code = static_cast<char>(byte);
    if (billiard::kTypecodes.find(code) != std::string_view::npos) {
      CHECK(billiard::parse_typecode(code).code == code);
      ++valid;
      continue;
    }
    try {
      billiard::parse_typecode(code);
      FAIL("byte " << byte << " was accepted");
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      CHECK(what.rfind("billiard: unknown typecode ", 0) == 0);
      CHECK(what.find("valid typecodes are c b B h H i I l L q Q f d") != std::string::npos);
    }
  }
  CHECK(valid == 13);
}
