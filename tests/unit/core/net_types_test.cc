#include "core/net_types.h"

#include <gtest/gtest.h>

namespace ots {
namespace {

TEST(MacAddr, ParsesFormatsAndClassifies) {
  auto m = MacAddr::parse("00:1B:1b:6a:10:0a");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->str(), "00:1b:1b:6a:10:0a");
  EXPECT_TRUE(m->is_unicast());
  EXPECT_EQ(m->oui(), 0x001b1bu);
  EXPECT_TRUE(MacAddr::parse("ff:ff:ff:ff:ff:ff")->is_broadcast());
  EXPECT_TRUE(MacAddr::parse("01:00:5e:00:00:fb")->is_group());
  EXPECT_FALSE(MacAddr::parse("00:00:00:00:00:00")->is_unicast());
  EXPECT_FALSE(MacAddr::parse("00:1b:1b:6a:10"));
  EXPECT_FALSE(MacAddr::parse("00:1b:1b:6a:10:0g"));
}

TEST(IpAddr, BothFamiliesInOneType) {
  auto v4 = IpAddr::parse("192.168.1.10");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->is_v4());
  EXPECT_EQ(v4->str(), "192.168.1.10");
  EXPECT_EQ(v4->v4_host_order(), 0xc0a8010au);
  for (const char* text : {"0.0.0.0", "255.255.255.255", "10.0.99.100", "1.20.100.9"})
    EXPECT_EQ(IpAddr::parse(text)->str(), text);
  auto v6 = IpAddr::parse("fe80::20c:29ff:fe3e:5114");
  ASSERT_TRUE(v6);
  EXPECT_FALSE(v6->is_v4());
  EXPECT_TRUE(v6->is_link_local());
  EXPECT_EQ(v6->str(), "fe80::20c:29ff:fe3e:5114");
  EXPECT_FALSE(IpAddr::parse("224.0.0.252")->is_unicast());
  EXPECT_FALSE(IpAddr::parse("255.255.255.255")->is_unicast());
  EXPECT_FALSE(IpAddr::parse("0.0.0.0")->is_unicast());
  EXPECT_FALSE(IpAddr::parse("ff02::fb")->is_unicast());
  EXPECT_TRUE(IpAddr::parse("169.254.1.1")->is_link_local());
  EXPECT_FALSE(IpAddr::parse("not an address"));
  EXPECT_LT(*IpAddr::parse("10.0.0.1"), *IpAddr::parse("10.0.0.2"));
}

}  // namespace
}  // namespace ots
