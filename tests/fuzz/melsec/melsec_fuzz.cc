// Fuzzes the MELSEC session (and through it the wire parser) as the flow layer drives it; bit 7
// of byte 0 picks UDP (one datagram per chunk) or TCP (tests/support/stream_fuzz_driver.h).
#include "dissectors/melsec/melsec_parser.h"
#include "dissectors/melsec/melsec_session.h"
#include "tests/support/stream_fuzz_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ots::test_support::TouchingSink sink;
  ots::melsec::MelsecSession session(sink);
  ots::FlowContext ctx;
  ctx.transport = (data[0] & 0x80) ? 17 : 6;
  ots::test_support::drive_session(session, data, size, ctx);
  ots::melsec::probe({data, size});
  ots::melsec::parse_frame({data, size}, false);
  return 0;
}
