#include "detect/alert_model.h"

#include <array>
#include <cctype>
#include <utility>

namespace ots::detect {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// Name tables indexed by the enum's value; parse is the case-insensitive inverse.
template <typename Enum, size_t N>
std::optional<Enum> parse_by_name(const std::array<std::string_view, N>& names, std::string_view text) {
  for (size_t i = 0; i < N; ++i) {
    if (iequals(names[i], text)) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

template <typename Enum, size_t N>
std::string_view name_of(const std::array<std::string_view, N>& names, Enum value) {
  auto index = static_cast<size_t>(value);
  return index < N ? names[index] : std::string_view("unknown");
}

constexpr std::array<std::string_view, 4> kSeverities{"Warning", "Minor", "Major", "Critical"};
constexpr std::array<std::string_view, 5> kEngines{"protocol_violation", "policy_violation", "malware", "anomaly",
                                                   "operational"};
constexpr std::array<std::string_view, 12> kIndicatorTypes{"ip",  "cidr", "domain", "url",      "md5",       "sha1",
                                                           "sha256", "ja3", "ja3s", "ja4", "cert_sha1", "cert_sha256"};
constexpr std::array<std::string_view, 3> kActions{"alert", "alert+pcap", "allow"};
constexpr std::array<std::string_view, 4> kStates{"new", "acknowledged", "muted", "learned"};

}  // namespace

std::string_view severity_name(Severity s) { return name_of(kSeverities, s); }
std::optional<Severity> parse_severity(std::string_view text) { return parse_by_name<Severity>(kSeverities, text); }
std::string_view engine_name(EngineKind e) { return name_of(kEngines, e); }
std::optional<EngineKind> parse_engine(std::string_view text) { return parse_by_name<EngineKind>(kEngines, text); }
std::string_view indicator_type_name(IndicatorType t) { return name_of(kIndicatorTypes, t); }
std::optional<IndicatorType> parse_indicator_type(std::string_view text) {
  return parse_by_name<IndicatorType>(kIndicatorTypes, text);
}
std::string_view indicator_action_name(IndicatorAction a) { return name_of(kActions, a); }
std::optional<IndicatorAction> parse_indicator_action(std::string_view text) {
  return parse_by_name<IndicatorAction>(kActions, text);
}
std::string_view alert_state_name(AlertState s) { return name_of(kStates, s); }
std::optional<AlertState> parse_alert_state(std::string_view text) { return parse_by_name<AlertState>(kStates, text); }

}  // namespace ots::detect
