// billiard for C++: values, arrays and locks in memory shared between
// processes, and processes to share them with. Everything in one include.
#pragma once

#include "billiard/process.hpp"
#include "billiard/raw_array.hpp"
#include "billiard/raw_value.hpp"
#include "billiard/typecode.hpp"
