// Fuzzes the MQTT session (and through it the wire parser) as the flow layer drives it; the
// input chooses chunking, directions and gaps (tests/support/stream_fuzz_driver.h).
#include "dissectors/mqtt/mqtt_parser.h"
#include "dissectors/mqtt/mqtt_session.h"
#include "tests/support/stream_fuzz_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::test_support::TouchingSink sink;
  ots::mqtt::MqttSession session(sink);
  ots::FlowContext ctx;
  ctx.transport = 6;
  ots::test_support::drive_session(session, data, size, ctx);
  ots::mqtt::probe({data, size});
  return 0;
}
