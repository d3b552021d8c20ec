#include "detect/alert_model.h"

#include <gtest/gtest.h>

namespace ots::detect {
namespace {

TEST(AlertModel, NamesRoundTripCaseInsensitively) {
  for (auto s : {Severity::Warning, Severity::Minor, Severity::Major, Severity::Critical})
    EXPECT_EQ(parse_severity(severity_name(s)), s);
  EXPECT_EQ(parse_severity("critical"), Severity::Critical);
  EXPECT_EQ(parse_severity("fatal"), std::nullopt);

  for (int i = 0; i <= static_cast<int>(EngineKind::Operational); ++i) {
    auto e = static_cast<EngineKind>(i);
    EXPECT_EQ(parse_engine(engine_name(e)), e);
  }
  for (int i = 0; i <= static_cast<int>(IndicatorType::CertSha256); ++i) {
    auto t = static_cast<IndicatorType>(i);
    EXPECT_EQ(parse_indicator_type(indicator_type_name(t)), t);
  }
  EXPECT_EQ(parse_indicator_action("alert+pcap"), IndicatorAction::AlertWithPcap);
  EXPECT_EQ(parse_indicator_action("ALLOW"), IndicatorAction::Allow);
  EXPECT_EQ(parse_indicator_action("block"), std::nullopt);
  EXPECT_EQ(parse_alert_state("muted"), AlertState::Muted);
  EXPECT_EQ(alert_state_name(AlertState::Learned), "learned");
}

}  // namespace
}  // namespace ots::detect
