// One MMS session fed from both directions; the input chooses chunking, direction and gaps
// (tests/support/stream_fuzz_driver.h). The probe sees the whole input too.
#include <cstddef>
#include <cstdint>

#include "dissectors/mms/mms_session.h"
#include "tests/support/stream_fuzz_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::test_support::TouchingSink sink;
  ots::mms::Session session(sink);
  ots::test_support::drive_session(session, data, size);
  ots::mms::probe(ots::Direction::FromClient, ots::Bytes(data, size));
  return 0;
}
