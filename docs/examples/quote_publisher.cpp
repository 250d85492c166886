// docs/segments.md's first program: publishes a Quote in the segment
// "quotes" under the name "eurusd", 1000 times a second, for N seconds.
//   quote_publisher [SECONDS]
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "billiard/billiard.hpp"
#include "quote.hpp"

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::stoi(argv[1]) : 10;
  auto seg = billiard::Segment::open_or_create("quotes", 1 << 20);
  auto quote = seg.find_or_create<billiard::Value<Quote, billiard::SeqLock>>("eurusd");
  std::printf("publishing in segment '%s' (%zu bytes) for %d s\n", seg.name().c_str(), seg.size(), seconds);
  for (long n = 1; n <= seconds * 1000L; ++n) {
    quote.store(Quote{1.0850 + 0.0001 * static_cast<double>(n % 10), 1.0852 + 0.0001 * static_cast<double>(n % 10), n});
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::printf("published %ld quotes\n", quote.load().sequence);
}
