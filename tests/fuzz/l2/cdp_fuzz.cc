// Fuzzes the CDP session and wire parser (see l2_fuzz.h for the input layout).
#include "dissectors/cdp/cdp_session.h"
#include "dissectors/cdp/cdp_wire.h"
#include "tests/fuzz/l2/l2_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::Bytes body = ots::l2_fuzz::run<ots::cdp::CdpSession>(data, size);
  ots::cdp::probe(body);
  ots::cdp::version_token(ots::cdp::software_line(ots::as_chars(body)));
  return 0;
}
