// What a named segment records about each object, and the one extension point
// that makes a handle type storable in a segment.
//
// Layout: the handle kind, T's size, alignment and type name, the lock kind,
// the array length and the library's layout version. Segment::find and
// find_or_create compare the stored layout with the one asked for, field by
// field, and throw layout_mismatch naming both when any differs.
//
// segment_type<H>: how a handle type H lives in a segment. A specialization
// gives these static members (segment.hpp has those of every type of the
// library; a new shared type adds one beside its handle):
//
//   template <> struct segment_type<Event> {
//     static Layout layout();                    // what find asks for
//     static Layout layout(const Args&...);      // what find_or_create asks for
//     static std::size_t bytes(const Args&...);  // bytes of shared state to reserve
//     static void construct(std::byte* at, const Args&...);  // builds it there (64-byte aligned, zeroed)
//     static Event attach(detail::SharedBlock block, std::size_t length);  // a handle on it
//   };
//
// (detail::layout_of<T>(kind, lock, length) fills a Layout; the handle needs a
// constructor taking (detail::SharedBlock, detail::adopt_t), as RawValue's.)
//
// construct() runs under the segment's directory lock and must only write
// inside its bytes (a holder killed there leaves nothing behind: the block is
// freed again). attach() makes the handle from a block that shares the
// mapping's lifetime (SharedBlock::piece for objects of several parts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace billiard {

// Bumped whenever anything a segment stores changes shape (header, directory,
// allocator, or the layout of a shared type): segments of another version are
// refused with layout_mismatch.
inline constexpr std::uint32_t kLayoutVersion = 1;

struct Layout {
  std::string kind;         // handle kind: "RawValue", "Array", "Lock", ...
  std::string type;         // T's name ("" for locks)
  std::size_t size = 0;     // sizeof(T) (of the lock kind, for locks)
  std::size_t align = 0;    // alignof(T) (of the lock kind, for locks)
  std::string lock;         // lock kind ("" for raw objects)
  std::size_t length = 1;   // elements; in a request from find, kAnyLength
  std::uint32_t version = kLayoutVersion;  // stored once per segment, checked by open

  static constexpr std::size_t kAnyLength = static_cast<std::size_t>(-1);

  // "Array<int> (size 4, align 4, lock billiard::FutexLock, length 10, layout version 1)"
  std::string describe() const;
  // Every field equal (length: also when this, a request, says kAnyLength).
  bool accepts(const Layout& stored) const noexcept;
};

// Thrown by Segment::open, find and find_or_create when what is stored is not
// what was asked for: the message names the segment, the object, the stored
// layout and the requested one.
class layout_mismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The compiler's name of T ("long", "Quote", "billiard::FutexLock"), the same
// in every program built by the same compiler.
template <class T>
constexpr std::string_view type_name() {
  // GCC: "... type_name() [with T = long int; std::string_view = ...]";
  // clang: "... type_name() [T = long]". The two spell some types apart.
  constexpr std::string_view pretty = __PRETTY_FUNCTION__;
  constexpr std::string_view from = "T = ";
  constexpr std::size_t begin = pretty.find(from) + from.size();
  constexpr std::size_t end = pretty.find_first_of(";]", begin);
  static_assert(pretty.find(from) != std::string_view::npos && end != std::string_view::npos,
                "billiard::type_name: unexpected __PRETTY_FUNCTION__ format");
  return pretty.substr(begin, end - begin);
}

template <class H>
struct segment_type;  // specialized for each storable handle type (see above)

}  // namespace billiard
