// The shared heap: storage is reused only when no child can still hold it.
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "billiard/billiard.hpp"
#include "billiard/shared_heap.hpp"
#include "billiard/test/support.hpp"

using billiard::RawArray;
using billiard::RawValue;
using billiard::test::expect;

namespace {

void wait_for(const RawValue<int>& flag, int value) {
  while (flag.load() != value) std::this_thread::yield();
}

}  // namespace

TEST_CASE("a child's new objects never overwrite its parent's", "[heap][fork]") {
  constexpr int kObjects = 1000;
  std::vector<RawValue<long>> parents;
  for (int i = 0; i < kObjects; ++i) parents.emplace_back(i + 1);
  std::optional<RawArray<long>> parent_array(std::in_place, 5000);
  for (long& x : parent_array->span()) x = 7;
  RawValue<int> step;  // 1: child allocated; 2: parent allocated; 3: child checked

  billiard::Process child([&] {
    parents.clear();  // drop every inherited handle...
    parent_array.reset();
    std::vector<RawValue<long>> mine;  // ...then allocate 1,000 objects of our own
    for (int i = 0; i < kObjects; ++i) mine.emplace_back(-1);
    RawArray<long> my_array(5000);
    for (long& x : my_array.span()) x = -1;
    step.store(1);
    wait_for(step, 2);  // the parent has allocated as many meanwhile
    for (const auto& v : mine) expect(v.load() == -1, "child's value intact");
    for (long x : my_array.span()) expect(x == -1, "child's array intact");
    step.store(3);
  });
  child.start();
  wait_for(step, 1);
  std::vector<RawValue<long>> more;
  for (int i = 0; i < kObjects; ++i) more.emplace_back(1'000'000 + i);
  step.store(2);
  REQUIRE(child.join(billiard::test::kJoinBound));
  REQUIRE(child.exitcode() == 0);
  CHECK(step.load() == 3);
  for (int i = 0; i < kObjects; ++i) {
    REQUIRE(parents[i].load() == i + 1);
    REQUIRE(more[i].load() == 1'000'000 + i);
  }
  for (long x : parent_array->span()) REQUIRE(x == 7);
}

TEST_CASE("a freed slot is reused, zeroed, until a fork may share it", "[heap][fork]") {
  const void* freed;
  {
    RawValue<int> a(5);
    freed = a.data();
  }
  RawValue<int> b;
  CHECK(b.data() == freed);  // same generation: reused
  CHECK(b.load() == 0);

  const auto retired_before = billiard::detail::shared_heap_stats().bytes_retired;
  {
    RawValue<int> c(5);
    freed = c.data();
    billiard::Process p([] {});
    p.start();
    p.join();
  }
  RawValue<int> d;
  CHECK(d.data() != freed);  // c lived across a fork: never handed out again here
  CHECK(billiard::detail::shared_heap_stats().bytes_retired == retired_before + 64);
}

TEST_CASE("a big block outlives the parent's handle in the child", "[heap][fork]") {
  constexpr std::size_t kBytes = 4 << 20;  // over 1 MiB: a mapping of its own
  std::optional<RawArray<char>> big(std::in_place, kBytes);
  big->span()[kBytes - 1] = 'z';
  RawValue<int> step;
  char* data = big->data();
  billiard::Process child([&] {
    wait_for(step, 1);
    expect(data[kBytes - 1] == 'z', "child still sees the block");
    data[0] = 'a';
  });
  child.start();
  const auto in_use = billiard::detail::shared_heap_stats().bytes_in_use;
  big.reset();  // unmaps the parent's view only
  CHECK(billiard::detail::shared_heap_stats().bytes_in_use == in_use - kBytes);
  step.store(1);
  REQUIRE(child.join(billiard::test::kJoinBound));
  CHECK(child.exitcode() == 0);
}

// Issue 10, defect 1: (bytes + 63) / 64 wrapped to no slot at all, and a slot
// count over 2^32 was truncated into SlotMeta's 32 bits.
TEST_CASE("a block over the heap's largest throws length_error before any slot arithmetic", "[heap][errors]") {
  using billiard::detail::kMaxBlockBytes;
  using billiard::detail::SharedBlock;
  for (const std::size_t bytes : {kMaxBlockBytes + 1, SIZE_MAX - 62, SIZE_MAX}) {
    INFO(bytes);
    CHECK_THROWS_MATCHES(SharedBlock::allocate(bytes), std::length_error,
                         Catch::Message("billiard::SharedBlock::allocate: " + std::to_string(bytes) +
                                        " bytes is over the largest block, " + std::to_string(kMaxBlockBytes) +
                                        " bytes"));
  }
  const auto before = billiard::detail::shared_heap_stats();
  CHECK_THROWS_AS(SharedBlock::allocate(kMaxBlockBytes + 64), std::length_error);
  CHECK(billiard::detail::shared_heap_stats().bytes_reserved == before.bytes_reserved);  // nothing mapped
}
