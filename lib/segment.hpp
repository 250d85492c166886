// Segment: a named shared mapping that any process on the machine opens by
// name (another binary, started by anyone, later), holding objects found by
// name. Handles from a segment are the ordinary handle types and keep its
// mapping alive. docs/segments.md is the guide.
//
//   auto seg = billiard::Segment::open_or_create("orders", 16 << 20);
//   auto hits = seg.find_or_create<billiard::RawValue<long>>("hits");   // 0 when new
//   auto book = seg.find_or_create<billiard::Array<int, billiard::TicketLock>>("book", 1024);
//   auto jobs = seg.find_or_create<billiard::Queue<Job>>("jobs", 64);   // capacity 64
//
// In /dev/shm a segment is the file billiard.<name>: a header (magic, layout
// version, creator pid and PID namespace, flags), a directory of records
// (name, layout, offset of the object) and a first-fit free list, all in
// offsets from the start, so the mapping may sit anywhere in each process.
//
// Crash safety (SIGKILL at any instruction):
// - create builds the whole file under a temporary name, then link()s it to
//   billiard.<name>, which fails when the name is taken: a segment under its
//   name is always complete. A creator killed before that leaves a temporary
//   file, removed by the next create/open/list/collect_garbage.
// - find_or_create, erase, find and names take the directory lock, a
//   RobustLock in the header. Every write to the directory or free list is
//   first recorded (word offset, old value) in an undo log in the header; a
//   new object is built in memory the free list still covers. The next
//   locker after a holder died rolls the log back: the killed call left
//   nothing (no record, no lost bytes) and nobody is ever handed its
//   half-built object. A killed roll-back is rolled back again (idempotent).
// - open and every attached process hold an OFD lock on one byte (its
//   "slot") of the file, beyond its end; the kernel drops it when the last
//   descriptor of the process's open file description closes, by exit or
//   SIGKILL. attached counts those locks. A remove_when_unused segment is
//   unlinked by whoever takes a write lock on all the slots: the last process
//   to detach, or the next create/open/list of any segment when it died.
//   A process attaching checks after taking its slot that the file is still
//   linked, so it never uses a reclaimed one.
// - erase frees the object's memory for reuse at once: handles to it in
//   other processes must no longer be used (as Boost's destroy).
// fork: a child shares its parent's mappings and open file description (one
// attachment between them). exec: descriptors are close-on-exec; the new
// image attaches by name.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "billiard/array.hpp"
#include "billiard/barrier.hpp"
#include "billiard/condition.hpp"
#include "billiard/event.hpp"
#include "billiard/lock.hpp"
#include "billiard/queue.hpp"
#include "billiard/raw_array.hpp"
#include "billiard/raw_value.hpp"
#include "billiard/segment_layout.hpp"
#include "billiard/semaphore.hpp"
#include "billiard/shared_heap.hpp"
#include "billiard/value.hpp"

namespace billiard {

struct remove_when_unused_t {
  explicit remove_when_unused_t() = default;
};
// Segment::create(name, bytes, remove_when_unused): gone when the last process
// attached to it detaches or dies.
inline constexpr remove_when_unused_t remove_when_unused{};

struct SegmentInfo {
  std::string name;
  std::size_t bytes = 0;      // the file: header, directory and objects
  pid_t creator = 0;
  std::size_t attached = 0;   // processes attached now (a fork child shares its parent's)
  std::size_t objects = 0;
  bool remove_when_unused = false;
};

// A segment has no room left for an object: the message names the segment,
// the object, the bytes asked and the bytes free.
class segment_full : public std::bad_alloc {
 public:
  explicit segment_full(std::string what) : what_(std::move(what)) {}
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  std::string what_;
};

namespace detail {
class SegmentMap;  // one process's attachment: mapping, descriptor, slot (segment.cpp)
struct Placed {
  std::byte* object;
  std::size_t length;  // the stored array length
};
using Construct = void (*)(const void* context, std::byte* at);
}  // namespace detail

class Segment {
 public:
  // std::system_error EEXIST when a segment (or any file) has that name.
  static Segment create(std::string_view name, std::size_t bytes);
  static Segment create(std::string_view name, std::size_t bytes, remove_when_unused_t);
  // std::system_error ENOENT when there is none.
  static Segment open(std::string_view name);
  static Segment open_or_create(std::string_view name, std::size_t bytes);
  static Segment open_or_create(std::string_view name, std::size_t bytes, remove_when_unused_t);
  // The name goes (false when there was none); mappings already made stay valid.
  static bool remove(std::string_view name);
  // Every segment; attaches nothing.
  static std::vector<SegmentInfo> list();
  // Removes remove_when_unused segments nobody is attached to and files left by
  // creators that died; returns the names of what it removed.
  static std::vector<std::string> collect_garbage();

  // The object called name, built from args if there is none. layout_mismatch
  // when one with another layout is there; segment_full when it does not fit.
  template <class H, class... Args>
  H find_or_create(std::string_view name, const Args&... args) const {
    using Type = segment_type<H>;
    auto build = [&](std::byte* at) { Type::construct(at, args...); };
    const detail::Placed placed = place(name, Type::layout(args...), Type::bytes(args...),
                                        &call<decltype(build)>, &build);
    return Type::attach(block(placed.object), placed.length);
  }
  // For the arrays' {1, 2, 3} form.
  template <class H, class T>
  H find_or_create(std::string_view name, std::initializer_list<T> init) const {
    return find_or_create<H>(name, std::span<const T>(init.begin(), init.size()));
  }
  template <class H>
  std::optional<H> find(std::string_view name) const {
    using Type = segment_type<H>;
    const std::optional<detail::Placed> placed = lookup(name, Type::layout());
    if (!placed) return std::nullopt;
    return Type::attach(block(placed->object), placed->length);
  }
  // Frees the object's memory for reuse; false when there is none.
  bool erase(std::string_view name) const;
  std::vector<std::string> names() const;

  const std::string& name() const noexcept;
  std::size_t size() const noexcept;  // the file's bytes
  std::size_t free_bytes() const;     // room left for objects and their records

 private:
  explicit Segment(std::shared_ptr<detail::SegmentMap> map) noexcept : map_(std::move(map)) {}

  template <class F>
  static void call(const void* context, std::byte* at) {
    (*static_cast<const F*>(context))(at);
  }
  detail::Placed place(std::string_view name, const Layout& want, std::size_t bytes, detail::Construct build,
                       const void* context) const;
  std::optional<detail::Placed> lookup(std::string_view name, const Layout& want) const;
  detail::SharedBlock block(std::byte* object) const noexcept;

  std::shared_ptr<detail::SegmentMap> map_;
};

// ---- How each shared type of the library lives in a segment (see segment_layout.hpp).

namespace detail {
inline constexpr std::size_t round_to_slot(std::size_t bytes) {
  return (bytes + kSlotBytes - 1) / kSlotBytes * kSlotBytes;
}
template <class T>
Layout layout_of(const char* kind, std::string lock, std::size_t length) {
  static_assert(alignof(T) <= kSlotBytes, "billiard::Segment: objects are aligned to 64 bytes at most");
  return Layout{kind, std::string(type_name<T>()), sizeof(T), alignof(T), std::move(lock), length,
                kLayoutVersion};
}
// A waiting type's layout: its kind, its State's size and alignment, the lock kind (Condition's).
template <class State>
Layout state_layout(const char* kind, std::string lock) {
  static_assert(alignof(State) <= kSlotBytes, "billiard::Segment: objects are aligned to 64 bytes at most");
  return Layout{kind, "", sizeof(State), alignof(State), std::move(lock), 1, kLayoutVersion};
}

// Event, Semaphore, BoundedSemaphore and Barrier: one State in one block,
// built from segment_type<H>::state(args...) (the handle's arguments, checked
// as the handle's constructor checks them), adopted by H(block, adopt).
template <class H, class State>
struct StateSegmentType {
  template <class... Args>
  static Layout layout(const Args&...) {
    return state_layout<State>(segment_type<H>::kKind, "");
  }
  template <class... Args>
  static std::size_t bytes(const Args&...) {
    return sizeof(State);
  }
  template <class... Args>
  static void construct(std::byte* at, const Args&... args) {
    std::apply([at](auto... a) { ::new (static_cast<void*>(at)) State(a...); }, segment_type<H>::state(args...));
  }
  static H attach(SharedBlock block, std::size_t) { return H(std::move(block), adopt); }
};
}  // namespace detail

template <class T>
struct segment_type<RawValue<T>> {
  static Layout layout(const T& = T{}) { return detail::layout_of<T>("RawValue", "", 1); }
  static std::size_t bytes(const T& = T{}) { return detail::RawValueLayout<T>::kBytes; }
  static void construct(std::byte* at, const T& initial = T{}) { detail::RawValueLayout<T>::construct(at, initial); }
  static RawValue<T> attach(detail::SharedBlock block, std::size_t) {
    return RawValue<T>(std::move(block), detail::adopt);
  }
};

template <class T>
struct segment_type<RawArray<T>> {
  static Layout layout() { return detail::layout_of<T>("RawArray", "", Layout::kAnyLength); }
  static Layout layout(std::size_t n) { return detail::layout_of<T>("RawArray", "", n); }
  static Layout layout(std::span<const T> init) { return layout(init.size()); }
  static std::size_t bytes(std::size_t n) { return n * sizeof(T); }
  static std::size_t bytes(std::span<const T> init) { return init.size_bytes(); }
  static void construct(std::byte* at, std::size_t n) {
    std::uninitialized_value_construct_n(reinterpret_cast<T*>(at), n);
  }
  static void construct(std::byte* at, std::span<const T> init) {
    std::memcpy(static_cast<void*>(at), init.data(), init.size_bytes());
  }
  static RawArray<T> attach(detail::SharedBlock block, std::size_t length) {
    return RawArray<T>(std::move(block), length, detail::adopt);
  }
};

template <class Kind>
struct segment_type<Lock<Kind>> {
  static Layout layout() { return detail::layout_of<Kind>("Lock", std::string(type_name<Kind>()), 1); }
  static std::size_t bytes() { return sizeof(Kind); }
  static void construct(std::byte* at) { ::new (static_cast<void*>(at)) Kind(); }
  static Lock<Kind> attach(detail::SharedBlock block, std::size_t) {
    return Lock<Kind>(std::move(block), detail::adopt);
  }
};

// Value and Array: the lock on the first cache lines, the raw object after it.
template <class T, class L>
struct segment_type<Value<T, L>> {
  static constexpr std::size_t kObject = detail::round_to_slot(sizeof(L));
  using Raw = segment_type<RawValue<T>>;

  static Layout layout(const T& = T{}) { return detail::layout_of<T>("Value", std::string(type_name<L>()), 1); }
  static std::size_t bytes(const T& = T{}) { return kObject + Raw::bytes(); }
  static void construct(std::byte* at, const T& initial = T{}) {
    segment_type<Lock<L>>::construct(at);
    Raw::construct(at + kObject, initial);
  }
  static Value<T, L> attach(detail::SharedBlock block, std::size_t length) {
    RawValue<T> raw = Raw::attach(block.piece(kObject), length);
    return Value<T, L>(std::move(raw), segment_type<Lock<L>>::attach(std::move(block), 1));
  }
};

template <class T, class L>
struct segment_type<Array<T, L>> {
  static constexpr std::size_t kObject = detail::round_to_slot(sizeof(L));
  using Raw = segment_type<RawArray<T>>;

  static Layout layout() { return detail::layout_of<T>("Array", std::string(type_name<L>()), Layout::kAnyLength); }
  template <class Init>
  static Layout layout(const Init& init) {
    Layout stored = Raw::layout(init);
    stored.kind = "Array";
    stored.lock = type_name<L>();
    return stored;
  }
  template <class Init>
  static std::size_t bytes(const Init& init) {
    return kObject + Raw::bytes(init);
  }
  template <class Init>
  static void construct(std::byte* at, const Init& init) {
    segment_type<Lock<L>>::construct(at);
    Raw::construct(at + kObject, init);
  }
  static Array<T, L> attach(detail::SharedBlock block, std::size_t length) {
    RawArray<T> raw = Raw::attach(block.piece(kObject), length);
    return Array<T, L>(std::move(raw), segment_type<Lock<L>>::attach(std::move(block), 1));
  }
};

// The waiting types (detail::StateSegmentType above) and Queue.
template <>
struct segment_type<Event> : detail::StateSegmentType<Event, EventState> {
  static constexpr const char* kKind = "Event";
  static std::tuple<> state() { return {}; }
};

template <bool kBounded>
struct segment_type<detail::BasicSemaphore<kBounded>>
    : detail::StateSegmentType<detail::BasicSemaphore<kBounded>, SemaphoreState> {
  static constexpr const char* kKind = detail::BasicSemaphore<kBounded>::kKind;
  static std::tuple<std::uint32_t, bool> state(long long n = 1) {
    return {detail::checked_permits(n, 0, kKind, "initial value"), kBounded};
  }
};

template <>
struct segment_type<Barrier> : detail::StateSegmentType<Barrier, BarrierState> {
  static constexpr const char* kKind = "Barrier";
  static std::tuple<std::uint32_t> state(std::size_t parties) { return {detail::checked_parties(parties)}; }
};

// Condition: its own lock on the first cache lines, the ConditionState after
// it (as Value). A Condition over a separate Lock<L> (Condition<L> cv(lock))
// cannot be stored: a segment object owns all its parts.
template <class L>
struct segment_type<Condition<L>> {
  static constexpr std::size_t kObject = detail::round_to_slot(sizeof(L));

  static Layout layout() { return detail::state_layout<ConditionState>("Condition", std::string(type_name<L>())); }
  static std::size_t bytes() { return kObject + sizeof(ConditionState); }
  static void construct(std::byte* at) {
    segment_type<Lock<L>>::construct(at);
    ::new (static_cast<void*>(at + kObject)) ConditionState();
  }
  static Condition<L> attach(detail::SharedBlock block, std::size_t) {
    detail::SharedBlock state = block.piece(kObject);
    return Condition<L>(segment_type<Lock<L>>::attach(std::move(block), 1), std::move(state), detail::adopt);
  }
};

// Queue: the QueueState of its capacity, stored as the length.
template <class T>
struct segment_type<Queue<T>> {
  using State = detail::QueueState<T>;

  static Layout layout() { return detail::layout_of<T>("Queue", "", Layout::kAnyLength); }
  static Layout layout(std::size_t capacity) { return detail::layout_of<T>("Queue", "", capacity); }
  static std::size_t bytes(std::size_t capacity) {
    detail::check_capacity(capacity);
    return State::bytes(capacity);
  }
  static void construct(std::byte* at, std::size_t capacity) { State::create_at(at, capacity); }
  static Queue<T> attach(detail::SharedBlock block, std::size_t) { return Queue<T>(std::move(block), detail::adopt); }
};

}  // namespace billiard
