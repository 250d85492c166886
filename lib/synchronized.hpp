// synchronized() wraps a raw object, sharing its storage, with a new or given
// lock; copy() makes a new raw object with the same contents.
//
//   billiard::RawArray<int> raw{1, 2, 3};
//   auto arr = billiard::synchronized(raw);               // FutexLock
//   auto fair = billiard::synchronized<billiard::TicketLock>(raw);
//   billiard::RawArray<int> snapshot = billiard::copy(arr);
#pragma once

#include <span>
#include <utility>

#include "billiard/array.hpp"
#include "billiard/lock.hpp"
#include "billiard/raw_array.hpp"
#include "billiard/raw_value.hpp"
#include "billiard/value.hpp"

namespace billiard {

template <class L = FutexLock, class T>
Value<T, L> synchronized(const RawValue<T>& raw, Lock<L> lock = Lock<L>()) {
  return Value<T, L>(raw, std::move(lock));
}
template <class L = FutexLock, class T>
Array<T, L> synchronized(const RawArray<T>& raw, Lock<L> lock = Lock<L>()) {
  return Array<T, L>(raw, std::move(lock));
}

template <class T>
RawValue<T> copy(const RawValue<T>& raw) {
  return RawValue<T>(raw.load());
}
template <class T>
RawArray<T> copy(const RawArray<T>& raw) {
  return RawArray<T>(std::span<const T>(raw.to_vector()));
}
template <class T, class L>
RawValue<T> copy(const Value<T, L>& value) {
  return RawValue<T>(value.load());
}
template <class T, class L>
RawArray<T> copy(const Array<T, L>& array) {
  return RawArray<T>(std::span<const T>(array.to_vector()));
}

}  // namespace billiard
