// Issue 4's false-positive proof: every public capture in ../shared/pcaps shows normal operation
// (lab traffic, protocol test traces), so replaying each one alone raises none of the behaviour
// pack's attack alerts (OTS-BHV-*). Skips cleanly when ../shared/pcaps is absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/e2e/e2e_support.h"

namespace ots::proof {
namespace {

using e2e::run;
using e2e::shell_quote;

const std::filesystem::path kShared = std::filesystem::path(OTS_SOURCE_DIR) / ".." / "shared" / "pcaps";

std::vector<std::string> shared_captures() {
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(kShared, error)) {
    const std::string extension = entry.path().extension().string();
    if (extension == ".pcap" || extension == ".pcapng") files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class BenignCapture : public ::testing::TestWithParam<std::string> {};

TEST_P(BenignCapture, RaisesNoBehaviourAlert) {
  e2e::TempDir dir;
  const std::string db = shell_quote(dir.file("benign.db"));
  auto replay = run(e2e::otsensor("replay --workers 1 --db " + db + " " + shell_quote((kShared / GetParam()).string())));
  // 2: a capture truncated by its publisher; everything before the bad record still counts.
  ASSERT_TRUE(replay.exit_code == 0 || replay.exit_code == 2) << replay.err;
  auto listed = run(e2e::otsensor("alerts --json --db " + db));
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const nlohmann::json alerts = nlohmann::json::parse(listed.out)["alerts"];
  ASSERT_TRUE(alerts.is_array());
  for (const auto& alert : alerts) {
    const std::string id = alert["definitionId"].get<std::string>();
    EXPECT_FALSE(id.starts_with("OTS-BHV-")) << GetParam() << " raised " << id << ": " << alert["message"];
  }
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(SharedCaptures, BenignCapture, ::testing::ValuesIn(shared_captures()), test_name);
// Without ../shared/pcaps there is nothing to instantiate, which is not an error.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(BenignCapture);

}  // namespace
}  // namespace ots::proof
