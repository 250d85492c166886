#include "billiard/barrier.hpp"

#include <stdexcept>
#include <string>

namespace billiard::detail {

std::uint32_t checked_parties(std::size_t parties) {
  if (parties == 0 || parties > 0xffff'ffffu)
    throw std::invalid_argument("billiard::Barrier: parties " + std::to_string(parties) +
                                " is outside 1 .. 4294967295");
  return static_cast<std::uint32_t>(parties);
}

}  // namespace billiard::detail
