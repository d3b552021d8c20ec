#include "inventory/oui.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace ots {
namespace {

TEST(OuiRegistry, LongestPrefixWinsAndLocalMacsHaveNoVendor) {
  const auto dir = std::filesystem::temp_directory_path() / "ots-oui-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "oui.csv") << "Registry,Assignment,Organization Name,Organization Address\n"
                                 << "MA-L,001B1B,Siemens AG,\"Werner-von-Siemens, Str. 1\"\n"
                                 << "MA-L,70B3D5,IEEE Registration Authority,x\n";
  std::ofstream(dir / "oui36.csv") << "Registry,Assignment,Organization Name,Organization Address\n"
                                   << "MA-S,70B3D5F2F,\"TELEPLATFORMS, Ltd\",x\n";
  const OuiRegistry oui = OuiRegistry::load(dir.string());
  EXPECT_EQ(oui.size(), 3u);
  EXPECT_EQ(oui.vendor(*MacAddr::parse("00:1b:1b:6a:10:0a")), "Siemens AG");
  EXPECT_EQ(oui.vendor(*MacAddr::parse("70:b3:d5:f2:f0:01")), "TELEPLATFORMS, Ltd");
  EXPECT_EQ(oui.vendor(*MacAddr::parse("70:b3:d5:00:00:01")), "IEEE Registration Authority");
  EXPECT_EQ(oui.vendor(*MacAddr::parse("02:1b:1b:6a:10:0a")), "");  // locally administered
  EXPECT_EQ(oui.vendor(*MacAddr::parse("00:11:22:33:44:55")), "");
  std::filesystem::remove_all(dir);
}

TEST(OuiRegistry, DebianIeeeDataLoadsWhenInstalled) {
  if (!std::filesystem::exists("/usr/share/ieee-data/oui.csv")) GTEST_SKIP() << "ieee-data is not installed";
  const OuiRegistry oui = OuiRegistry::load("/usr/share/ieee-data");
  EXPECT_GT(oui.size(), 30000u);
  EXPECT_NE(oui.vendor(*MacAddr::parse("00:1b:1b:00:00:01")).find("Siemens"), std::string_view::npos);
}

}  // namespace
}  // namespace ots
