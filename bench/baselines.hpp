// The locks a user would otherwise pick, as lock adapters: each is
// default-constructible in a shared page, has lock(), unlock() and a kName
// that names it in the benchmark (and that bench/report.py spells out).
// Boost and Concurrency Kit appear only here, in bench/.
#pragma once

#include <pthread.h>
#include <semaphore.h>

#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <spinlock/fas.h>     // not <ck_spinlock.h>: its CLH and MCS headers are not valid C++
#include <spinlock/ticket.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace billiard::bench {

// glibc's mutex as a C program would set it up for processes:
// PTHREAD_PROCESS_SHARED, default (normal) type. Not billiard::PthreadMutex,
// which is error-checking and records its owner.
class GlibcMutex {
 public:
  static constexpr const char* kName = "glibc_mutex";
  GlibcMutex() {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    check("pthread_mutex_init", pthread_mutex_init(&mutex_, &attr));
    pthread_mutexattr_destroy(&attr);
  }
  void lock() { check("pthread_mutex_lock", pthread_mutex_lock(&mutex_)); }
  void unlock() { check("pthread_mutex_unlock", pthread_mutex_unlock(&mutex_)); }

 private:
  static void check(const char* call, int error) {
    if (error == 0) return;
    std::fprintf(stderr, "%s: %s\n", call, std::strerror(error));
    std::abort();
  }
  pthread_mutex_t mutex_;
};

// A process-shared POSIX semaphore of one: what CPython's and billiard's
// (Python) Lock is.
class PosixSemaphore {
 public:
  static constexpr const char* kName = "posix_sem";
  PosixSemaphore() {
    if (sem_init(&sem_, /*pshared=*/1, /*value=*/1) != 0) die("sem_init");
  }
  void lock() {
    while (sem_wait(&sem_) != 0)
      if (errno != EINTR) die("sem_wait");
  }
  void unlock() {
    if (sem_post(&sem_) != 0) die("sem_post");
  }

 private:
  [[noreturn]] static void die(const char* call) {
    std::perror(call);
    std::abort();
  }
  sem_t sem_;
};

// Boost.Interprocess 1.74: on Linux a pthread mutex with PTHREAD_PROCESS_SHARED.
class BoostMutex {
 public:
  static constexpr const char* kName = "boost_mutex";
  void lock() { mutex_.lock(); }
  void unlock() { mutex_.unlock(); }

 private:
  boost::interprocess::interprocess_mutex mutex_;
};

// Concurrency Kit 0.7.1 fetch-and-store spin lock: spins, never sleeps or yields.
class CkFas {
 public:
  static constexpr const char* kName = "ck_fas";
  void lock() { ck_spinlock_fas_lock(&lock_); }
  void unlock() { ck_spinlock_fas_unlock(&lock_); }

 private:
  ck_spinlock_fas_t lock_ = CK_SPINLOCK_FAS_INITIALIZER;
};

// Concurrency Kit 0.7.1 ticket lock: FIFO, spins, never sleeps or yields.
class CkTicket {
 public:
  static constexpr const char* kName = "ck_ticket";
  void lock() { ck_spinlock_ticket_lock(&lock_); }
  void unlock() { ck_spinlock_ticket_unlock(&lock_); }

 private:
  ck_spinlock_ticket_t lock_ = CK_SPINLOCK_TICKET_INITIALIZER;
};

}  // namespace billiard::bench
