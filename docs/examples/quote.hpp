// What the two example programs share (docs/segments.md): one struct, the
// same definition in both, so its stored layout matches.
#pragma once

struct Quote {
  double bid, ask;
  long sequence;
};
