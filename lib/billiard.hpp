// billiard for C++: values, arrays and locks in memory shared between
// processes, and processes to share them with. Everything in one include.
#pragma once

#include "billiard/atomic/config.hpp"  // first: C++20 and Linux, or one clear #error

#include "billiard/array.hpp"
#include "billiard/barrier.hpp"
#include "billiard/condition.hpp"
#include "billiard/event.hpp"
#include "billiard/lock.hpp"
#include "billiard/process.hpp"
#include "billiard/queue.hpp"
#include "billiard/raw_array.hpp"
#include "billiard/raw_value.hpp"
#include "billiard/semaphore.hpp"
#include "billiard/segment.hpp"
#include "billiard/synchronized.hpp"
#include "billiard/typecode.hpp"
#include "billiard/value.hpp"
