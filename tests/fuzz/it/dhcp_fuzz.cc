// Fuzzes the DHCP session and parser (see fuzz_driver.h for the input layout).
#include "dissectors/dhcp/dhcp_parser.h"
#include "dissectors/dhcp/dhcp_session.h"
#include "tests/fuzz/it/fuzz_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::fuzz::NullSink sink;
  ots::dhcp::DhcpSession session(sink);
  ots::Bytes body = ots::fuzz::drive(session, {data, size}, ots::fuzz::unicast_context(17, 67));
  ots::dhcp::Message message;
  ots::dhcp::parse(body, message);
  ots::dhcp::looks_like_dhcp(body);
  return 0;
}
