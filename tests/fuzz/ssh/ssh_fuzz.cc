// Fuzzes the SSH session (banner lines, the first binary packet, KEXINIT) as the flow layer
// drives it (input layout: tests/support/stream_fuzz_driver.h), then the stateless parsers.
#include "dissectors/ssh/ssh_parser.h"
#include "dissectors/ssh/ssh_session.h"
#include "tests/support/stream_fuzz_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::test_support::TouchingSink sink;
  ots::ssh::SshSession session(sink);
  ots::test_support::drive_session(session, data, size);

  ots::Bytes input(data, size);
  ots::ssh::probe(ots::Direction::FromClient, input);
  ots::ssh::KexInit kex;
  ots::ssh::parse_kexinit(input, kex);
  ots::ssh::Banner banner;
  ots::ssh::parse_banner(ots::as_chars(input), banner);
  return 0;
}
