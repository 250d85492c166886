// docs/segments.md's second program: another binary, started from another
// shell, finds the publisher's quote by name and reads it without blocking
// the publisher (SeqLock: readers retry, never lock).
//   quote_reader [READS]
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "billiard/billiard.hpp"
#include "quote.hpp"

int main(int argc, char** argv) {
  const int reads = argc > 1 ? std::stoi(argv[1]) : 5;
  auto seg = billiard::Segment::open("quotes");  // std::system_error ENOENT until the publisher made it
  auto quote = seg.find<billiard::Value<Quote, billiard::SeqLock>>("eurusd");
  if (!quote) {
    std::printf("no quote yet\n");
    return 1;
  }
  for (int i = 0; i < reads; ++i) {
    const Quote q = quote->load();
    std::printf("quote %ld: bid %.4f ask %.4f\n", q.sequence, q.bid, q.ask);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}
