// Fuzzes the RDP session (TPKT framing, X.224 negotiation, MCS Connect Initial);
// see tests/support/stream_fuzz_driver.h for the input layout.
#include "dissectors/rdp/rdp_session.h"
#include "tests/support/stream_fuzz_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::test_support::TouchingSink sink;
  ots::rdp::RdpSession session(sink);
  ots::test_support::drive_session(session, data, size);
  ots::rdp::ClientCore core;
  ots::rdp::parse_connect_initial({data, size}, core);
  ots::rdp::probe(ots::Direction::FromClient, {data, size});
  ots::rdp::probe(ots::Direction::FromServer, {data, size});
  return 0;
}
