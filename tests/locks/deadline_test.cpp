// Issue 10, defect 6: huge timeouts. now() + d overflowed (UBSan: signed
// overflow) and try_lock_for / join returned false at once; every deadline
// now saturates in locks/deadline.hpp. The waits run in a child that must
// still be waiting when the parent kills it after a short bound.
#include <catch2/catch.hpp>

#include <sys/prctl.h>
#include <signal.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <thread>
#include <tuple>

#include "billiard/billiard.hpp"
#include "billiard/locks/deadline.hpp"
#include "billiard/test/support.hpp"

using namespace std::chrono_literals;
using billiard::test::expect;
using Clock = std::chrono::steady_clock;

using AllKinds = std::tuple<billiard::FutexLock, billiard::TicketLock, billiard::SpinLock,
                            billiard::PthreadMutex, billiard::RobustLock,
                            billiard::RecursiveLock<billiard::FutexLock>, billiard::SeqLock>;

namespace {

constexpr auto k300Years = std::chrono::hours(24 * 365 * 300);  // over 2^63 ns
constexpr auto kStillWaiting = 300ms;                            // the child must not have returned by then

// Runs wait() in a child; the child must still be in it after kStillWaiting.
template <class Wait>
void require_still_waiting(Wait wait) {
  billiard::Process child([&] {
    const bool took = wait();
    throw std::logic_error(std::string("the wait returned at once: ") + (took ? "true" : "false"));
  });
  child.start();
  const bool ended = child.join(kStillWaiting);
  child.kill();
  child.join();
  INFO("exit code " << child.exitcode().value_or(0));
  REQUIRE_FALSE(ended);
  CHECK(child.exitcode() == -SIGKILL);
}

}  // namespace

TEST_CASE("deadline_after saturates at time_point::max() and never overflows", "[deadline]") {
  const auto now = Clock::now();
  CHECK(billiard::deadline_after(now, k300Years) == Clock::time_point::max());
  CHECK(billiard::deadline_after(now, std::chrono::hours::max()) == Clock::time_point::max());
  CHECK(billiard::deadline_after(now, Clock::duration::max()) == Clock::time_point::max());
  CHECK(billiard::deadline_after(now, std::chrono::duration<double>(std::numeric_limits<double>::infinity())) ==
        Clock::time_point::max());
  CHECK(billiard::deadline_after(now, std::chrono::duration<double>(std::nan(""))) == now);
  CHECK(billiard::deadline_after(now, -k300Years) == now);
  CHECK(billiard::deadline_after(now, std::chrono::hours::min()) == now);
  CHECK(billiard::deadline_after(now, 5ms) == now + 5ms);
  CHECK(billiard::deadline_after(now, std::chrono::duration<long long, std::pico>(1500)) == now + 2ns);
  CHECK(billiard::deadline_at(std::chrono::system_clock::time_point::max()) > Clock::now() + k300Years / 2);
  const auto past = billiard::deadline_at(std::chrono::system_clock::time_point::min());
  CHECK(past <= Clock::now());
  const auto in_a_second = billiard::deadline_at(std::chrono::system_clock::now() + 1s);
  const auto left = in_a_second - Clock::now();
  CHECK(left > 900ms);
  CHECK(left <= 1s);
}

TEMPLATE_LIST_TEST_CASE("a huge timeout waits behind a holder instead of returning at once",
                        "[locks][fork][timed][deadline]", AllKinds) {
  billiard::Lock<TestType> lock;
  lock.get().lock();  // the parent holds it throughout
  SECTION("try_lock_for(300 years)") {
    require_still_waiting([&] { return lock.try_lock_for(k300Years); });
  }
  SECTION("try_lock_for(hours::max())") {
    require_still_waiting([&] { return lock.try_lock_for(std::chrono::hours::max()); });
  }
  SECTION("try_lock_until(steady_clock max)") {
    require_still_waiting([&] { return lock.try_lock_until(Clock::time_point::max()); });
  }
  SECTION("try_lock_until(system_clock max)") {
    require_still_waiting([&] { return lock.try_lock_until(std::chrono::system_clock::time_point::max()); });
  }
  lock.get().unlock();
}

TEST_CASE("Process::join with a huge timeout waits for the child", "[process][deadline]") {
  SECTION("300 years") {
    require_still_waiting([] {
      billiard::Process sleeper([] {
        prctl(PR_SET_PDEATHSIG, SIGKILL);  // dies with the waiter the test kills
        std::this_thread::sleep_for(1h);
      });
      sleeper.start();
      const bool ended = sleeper.join(k300Years);
      sleeper.kill();
      return ended;
    });
  }
  SECTION("duration::max()") {
    require_still_waiting([] {
      billiard::Process sleeper([] {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        std::this_thread::sleep_for(1h);
      });
      sleeper.start();
      const bool ended = sleeper.join(Clock::duration::max());
      sleeper.kill();
      return ended;
    });
  }
}
