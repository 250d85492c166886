// The messages of the errors that the header templates throw, built out of line.
#include <stdexcept>
#include <string>

#include "billiard/raw_array.hpp"

namespace billiard::detail {

void throw_index_out_of_range(const char* type, const char* operation, std::size_t index,
                              std::size_t size) {
  throw std::out_of_range("billiard::" + std::string(type) + "::" + operation + ": index " +
                          std::to_string(index) + " is out of range for an array of size " +
                          std::to_string(size));
}

void throw_text_too_long(const char* where, std::size_t length, std::size_t size) {
  throw std::length_error("billiard::" + std::string(where) + ": text of " + std::to_string(length) +
                          " bytes does not fit in an array of size " + std::to_string(size));
}

void throw_array_too_large(const char* type, std::size_t n, std::size_t element_bytes) {
  throw std::length_error("billiard::" + std::string(type) + ": " + std::to_string(n) + " elements of " +
                          std::to_string(element_bytes) + " bytes do not fit in the address space");
}

}  // namespace billiard::detail
