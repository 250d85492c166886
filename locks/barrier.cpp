#include "billiard/locks/barrier.hpp"

#include <climits>
#include <string>

#include "billiard/locks/futex.hpp"
#include "billiard/locks/lock_errors.hpp"
#include "billiard/locks/wait_words.hpp"

namespace billiard {
namespace {

[[noreturn]] void throw_broken(const char* how) {
  throw broken_barrier(std::string("billiard::Barrier::wait: the barrier is broken (") + how + ")");
}

std::uint32_t round_bit(std::uint32_t round) noexcept { return 1u << (round % 32); }

}  // namespace

// Holds lock_; a holder that died inside leaves the fields half-updated, so
// the barrier is broken from then on (until reset()).
class BarrierState::Section {
 public:
  explicit Section(BarrierState& b) : b_(b) {
    try {
      b_.lock_.lock();
    } catch (const owner_died&) {
      b_.break_round();
    }
  }
  ~Section() { b_.lock_.unlock(); }
  Section(const Section&) = delete;
  Section& operator=(const Section&) = delete;

 private:
  BarrierState& b_;
};

std::size_t BarrierState::wait(const timespec* deadline) {
  std::uint32_t round = 0, index = 0;
  {
    Section section(*this);
    const std::uint32_t state = state_.load(std::memory_order_relaxed);  // relaxed: lock_ orders it
    if (state & kBroken) throw_broken("broken before this arrival");
    round = state >> 1;
    index = count_++;
    if (count_ == parties_) {
      end_round(state, false);
      return index;
    }
  }
  const std::uint32_t waiting = round << 1;
  for (;;) {
    sleepers_.fetch_add(1, std::memory_order_seq_cst);  // then re-read state_: see the header
    const std::uint32_t seen = state_.load(std::memory_order_seq_cst);
    const WaitResult r =
        seen == waiting ? detail::sleep_rechecking(state_, waiting, deadline) : WaitResult::value_changed;
    sleepers_.fetch_sub(1, std::memory_order_relaxed);  // relaxed: a late decrement costs only a wake
    if (state_.load(std::memory_order_relaxed) != waiting) break;  // relaxed: read again under lock_
    if (r == WaitResult::timed_out) {
      Section section(*this);
      if (state_.load(std::memory_order_relaxed) != waiting) break;  // ended meanwhile: see how below
      break_round();
      throw_broken("this wait timed out");
    }
  }
  Section section(*this);
  if (!released(round)) throw_broken("time-out, abort() or reset() while waiting");
  return index;
}

bool BarrierState::released(std::uint32_t round) const noexcept {
  const std::uint32_t state = state_.load(std::memory_order_relaxed);  // relaxed: under lock_
  const std::uint32_t now = state >> 1;
  if (now == round) return false;        // still this round: it is broken
  if (now - round > 32) return false;    // its outcome bit was reused: see the header
  return (outcomes_ & round_bit(round)) == 0;
}

void BarrierState::end_round(std::uint32_t state, bool broken) noexcept {
  const std::uint32_t round = state >> 1;
  outcomes_ = broken ? outcomes_ | round_bit(round) : outcomes_ & ~round_bit(round);
  count_ = 0;
  state_.store(((round + 1) << 1) & ~kBroken, std::memory_order_seq_cst);  // then load sleepers_
  wake_all();
}

void BarrierState::break_round() noexcept {
  const std::uint32_t state = state_.load(std::memory_order_relaxed);  // relaxed: under lock_
  outcomes_ |= round_bit(state >> 1);
  state_.store(state | kBroken, std::memory_order_seq_cst);  // then load sleepers_
  wake_all();
}

void BarrierState::wake_all() noexcept {
  if (sleepers_.load(std::memory_order_seq_cst) != 0) futex_wake(state_, INT_MAX);
}

void BarrierState::reset() {
  Section section(*this);
  end_round(state_.load(std::memory_order_relaxed), true);  // relaxed: under lock_
}

void BarrierState::abort() {
  Section section(*this);
  if (!(state_.load(std::memory_order_relaxed) & kBroken)) break_round();  // relaxed: under lock_
}

std::size_t BarrierState::n_waiting() {
  Section section(*this);
  return (state_.load(std::memory_order_relaxed) & kBroken) ? 0 : count_;  // relaxed: under lock_
}

}  // namespace billiard
