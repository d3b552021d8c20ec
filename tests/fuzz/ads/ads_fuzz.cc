// Fuzzes the ADS session (and through it the wire parser) as the flow layer drives it; bit 7 of
// byte 0 picks UDP discovery (one datagram per chunk) or AMS/TCP (tests/support/stream_fuzz_driver.h).
#include "dissectors/ads/ads_parser.h"
#include "dissectors/ads/ads_session.h"
#include "tests/support/stream_fuzz_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ots::test_support::TouchingSink sink;
  ots::ads::AdsSession session(sink);
  ots::FlowContext ctx;
  ctx.transport = (data[0] & 0x80) ? 17 : 6;
  ots::test_support::drive_session(session, data, size, ctx);
  ots::ads::probe({data, size});
  ots::ads::parse_ams({data, size}, false);
  return 0;
}
