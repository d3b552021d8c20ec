// Helpers for the golden tests of the IT dissectors: tshark field extraction over the shared
// captures (../shared/pcaps next to the repository). Tests skip when the captures or tshark are absent.
#pragma once

#include <filesystem>

#include "tests/support/tshark.h"

namespace ots::it_test {

// The shared tshark helpers (tests/support/tshark.h) under this suite's namespace.
inline const std::filesystem::path kPcapDir = test_support::shared_pcap_dir();
using test_support::from_hex;
using test_support::have_tshark;
using test_support::run_lines;
using test_support::split;
using test_support::tshark_fields;

#define OTS_REQUIRE_PCAP(path)                                                     \
  do {                                                                             \
    if (!std::filesystem::exists(path)) GTEST_SKIP() << (path) << " not present"; \
    if (!::ots::it_test::have_tshark()) GTEST_SKIP() << "tshark not installed";    \
  } while (0)

}  // namespace ots::it_test
