// Fuzzes the DHCPv6 session (each chunk is one datagram, relay nesting included);
// see tests/support/stream_fuzz_driver.h for the input layout.
#include "dissectors/dhcpv6/dhcpv6_parser.h"
#include "dissectors/dhcpv6/dhcpv6_session.h"
#include "tests/support/stream_fuzz_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::test_support::TouchingSink sink;
  ots::dhcpv6::Dhcpv6Session session(sink);
  // Unicast addresses on both sides, so identity reporting runs too.
  static const ots::FlowContext ctx = [] {
    ots::FlowContext c;
    c.transport = 17;
    c.client_ip = *ots::IpAddr::parse("fe80::1");
    c.server_ip = *ots::IpAddr::parse("fe80::2");
    return c;
  }();
  ots::test_support::drive_session(session, data, size, ctx);
  ots::dhcpv6::Message message;
  ots::dhcpv6::parse({data, size}, message);
  ots::dhcpv6::looks_like_dhcpv6({data, size});
  return 0;
}
