// Fuzzes the SMB session (NBSS framing, SMB1/SMB2 parsing, NTLMSSP) as the flow layer drives it;
// see tests/support/stream_fuzz_driver.h for the input layout.
#include "dissectors/smb/ntlm.h"
#include "dissectors/smb/smb_session.h"
#include "tests/support/stream_fuzz_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::test_support::TouchingSink sink;
  ots::smb::SmbSession session(sink);
  ots::test_support::drive_session(session, data, size);
  // The NTLM parser on the raw input too: it is reachable from other protocols' security blobs.
  ots::ntlm::Message message;
  ots::ntlm::parse(ots::ntlm::find_message({data, size}), message);
  ots::smb::probe(ots::Direction::FromClient, {data, size});
  return 0;
}
