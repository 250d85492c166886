// The calling thread's robust-futex list: the death detector the kernel runs.
//
// When a thread dies (SIGKILL included), the kernel walks the list it
// registered (set_robust_list) and, for each entry and for the one entry in
// list_op_pending, looks at the 32-bit futex word at entry + futex_offset: if
// the word's bits 0-29 hold the dead thread's tid, it sets the word to
// FUTEX_OWNER_DIED | (word & FUTEX_WAITERS) and wakes one sleeper on it if
// FUTEX_WAITERS was set (Documentation/locking/robust-futex-ABI.rst). The mark
// is made while the thread exits, before its tid can be reused, so it never
// confuses a dead thread with a new one of the same tid (kill(tid, 0) can).
//
// glibc registers one list per thread at thread start (futex_offset -32 on
// x86-64: a pthread_mutex_t's lock word sits 32 bytes before its list entry)
// and shares it with us. The kernel only adds futex_offset to an entry
// pointer, so a word can be watched through list_op_pending without any list
// entry around it: the pointer is never followed.
#pragma once

#include <linux/futex.h>

#include <atomic>
#include <cstdint>

namespace billiard {

// This thread's list head, as the C library registered it; cached per
// thread. std::runtime_error if the thread has none.
robust_list_head& this_thread_robust_list();

// Watches `word` for this thread's death: while set, a death of this thread
// with its tid in the word's bits 0-29 makes the kernel mark the word
// FUTEX_OWNER_DIED. A thread watches at most one word this way (it is the
// slot glibc's robust mutexes use during their lock and unlock calls), so
// call it only inside a lock operation. nullptr stops watching.
void watch_for_death(robust_list_head& head, const std::atomic<std::uint32_t>* word) noexcept;

}  // namespace billiard
