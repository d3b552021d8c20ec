// Fuzzes the TriStation session (one datagram per chunk, tests/support/stream_fuzz_driver.h).
#include "dissectors/tristation/tristation_parser.h"
#include "dissectors/tristation/tristation_session.h"
#include "tests/support/stream_fuzz_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::test_support::TouchingSink sink;
  ots::tristation::TriStationSession session(sink);
  ots::FlowContext ctx;
  ctx.transport = 17;
  ots::test_support::drive_session(session, data, size, ctx);
  ots::tristation::probe({data, size});
  return 0;
}
