// Fuzzes the HTTP session (line framing, headers, Content-Length / chunked bodies, hashing,
// pipelining, resynchronisation) as the flow layer drives it (input layout:
// tests/support/stream_fuzz_driver.h), then the probe on the raw input.
#include "dissectors/http/http_parser.h"
#include "dissectors/http/http_session.h"
#include "tests/support/stream_fuzz_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::test_support::TouchingSink sink;
  ots::http::HttpSession session(sink);
  ots::test_support::drive_session(session, data, size);
  ots::http::probe(ots::Direction::FromClient, {data, size});
  ots::http::probe(ots::Direction::FromServer, {data, size});
  return 0;
}
