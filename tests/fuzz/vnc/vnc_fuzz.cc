// Fuzzes the VNC/RFB handshake session; see tests/support/stream_fuzz_driver.h for the input layout
// (with no cut points the whole input goes to the server, which speaks first in RFB).
#include "dissectors/vnc/vnc_session.h"
#include "tests/support/stream_fuzz_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::test_support::TouchingSink sink;
  ots::vnc::VncSession session(sink);
  ots::test_support::drive_session(session, data, size);
  ots::vnc::probe(ots::Direction::FromServer, {data, size});
  return 0;
}
