// relaxed_copy_in/out: every offset and length moves exactly its bytes.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>

#include "billiard/atomic/relaxed_copy.hpp"

TEST_CASE("relaxed copies move exactly the bytes asked for, at any alignment", "[atomic]") {
  alignas(64) std::array<unsigned char, 96> shared;
  std::array<unsigned char, 48> source, back;
  for (std::size_t i = 0; i < source.size(); ++i) source[i] = static_cast<unsigned char>(i + 1);
  for (std::size_t offset = 0; offset < 16; ++offset)
    for (std::size_t n = 0; n <= 40; ++n) {
      shared.fill(0xee);
      billiard::relaxed_copy_in(shared.data() + offset, source.data(), n);
      for (std::size_t i = 0; i < shared.size(); ++i) {
        const bool inside = i >= offset && i < offset + n;
        REQUIRE(shared[i] == (inside ? source[i - offset] : 0xee));
      }
      back.fill(0);
      billiard::relaxed_copy_out(back.data(), shared.data() + offset, n);
      for (std::size_t i = 0; i < back.size(); ++i) REQUIRE(back[i] == (i < n ? source[i] : 0));
    }
}
