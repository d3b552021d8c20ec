// The shared vocabulary of detection: alert definitions (from TI packages and the built-in
// behaviour pack), indicators they contain, and the alerts the engines raise.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/net_types.h"

namespace ots::detect {

// Defender for IoT's severities; CEF maps them to 1 / 4 / 8 / 10.
enum class Severity : uint8_t { Warning, Minor, Major, Critical };
std::string_view severity_name(Severity s);  // "Warning", "Minor", "Major", "Critical"
std::optional<Severity> parse_severity(std::string_view text);  // case-insensitive

// The five alert engines.
enum class EngineKind : uint8_t { ProtocolViolation, PolicyViolation, Malware, Anomaly, Operational };
std::string_view engine_name(EngineKind e);  // "protocol_violation", "policy_violation", "malware", "anomaly", "operational"
std::optional<EngineKind> parse_engine(std::string_view text);

enum class IndicatorType : uint8_t {
  Ip,          // exact address
  Cidr,        // network
  Domain,      // matches the name and its subdomains
  Url,
  Md5,
  Sha1,
  Sha256,
  Ja3,
  Ja3s,
  Ja4,
  CertSha1,
  CertSha256,
};
std::string_view indicator_type_name(IndicatorType t);  // "ip", "cidr", "domain", "url", "md5", …
std::optional<IndicatorType> parse_indicator_type(std::string_view text);

enum class IndicatorAction : uint8_t { Alert, AlertWithPcap, Allow };  // "alert", "alert+pcap", "allow"

// For Ip/Cidr indicators: which end of a flow the address must be (STIX network-traffic
// src_ref / dst_ref). Any also matches addresses seen outside a flow (e.g. DNS answers).
enum class EndpointRole : uint8_t { Any, Source, Destination };
std::string_view indicator_action_name(IndicatorAction a);
std::optional<IndicatorAction> parse_indicator_action(std::string_view text);

struct Indicator {
  IndicatorType type = IndicatorType::Ip;
  std::string value;  // canonical: lower-case names and hex digests, IPs via IpAddr::str, CIDR "a/len"
  IndicatorAction action = IndicatorAction::Alert;
  int confidence = 100;              // 0..100 (STIX confidence)
  int64_t valid_from_ns = 0;         // 0 = always
  int64_t valid_until_ns = 0;        // 0 = never expires
  std::string source;                // "package:<id>@<version>", "stix:<bundle id>", "misp:<event uuid>" …
  EndpointRole role = EndpointRole::Any;  // Ip/Cidr only
  uint16_t port = 0;                      // Ip/Cidr only: the port on the same end of the flow (0 = any)
};

// A container for indicators and detections, as in Defender for IoT's TI model.
struct AlertDefinition {
  std::string id;  // stable, e.g. "OTS-TI-0001" or "OTS-BHV-INDUSTROYER2"
  std::string title;
  std::string attack_name;  // "Industroyer2", "TRITON" …
  Severity severity = Severity::Major;
  std::string description;
  std::string remediation;
  std::vector<std::string> attack_techniques;  // ATT&CK for ICS, e.g. "T0855"
  std::string group;                           // alert group, e.g. "Suspicion of malicious activity"
  EngineKind engine = EngineKind::Malware;
  std::vector<Indicator> indicators;
  std::vector<std::string> rules;      // Suricata-syntax rule texts
  std::vector<std::string> behaviours; // ids of built-in behaviour detectors with "key=value" parameters
};

enum class AlertState : uint8_t { New, Acknowledged, Muted, Learned };
std::string_view alert_state_name(AlertState s);  // "new", "acknowledged", "muted", "learned"
std::optional<AlertState> parse_alert_state(std::string_view text);

// An alert raised by an engine. Repeats (same definition, engine, source, destination and
// protocol) are aggregated into one stored alert with a count.
struct Alert {
  int64_t id = 0;  // assigned by the store
  EngineKind engine = EngineKind::ProtocolViolation;
  Severity severity = Severity::Warning;
  std::string definition_id;  // AlertDefinition::id, or an engine's own id ("policy.new_device")
  std::string title;
  std::string message;
  IpAddr source_ip, destination_ip;  // unspecified when not IP traffic
  MacAddr source_mac, destination_mac;
  std::string protocol;               // "modbus", "tcp" …
  std::vector<std::string> attack_techniques;
  std::string group;
  // The specific activity behind the alert in a machine-readable form ("fc=16", "db=5",
  // "class=0x6b service=0x4c", "device=mac:.."): shown to the user and what "learn" adds to the baseline.
  std::string activity;
  int64_t first_seen_ns = 0, last_seen_ns = 0;  // packet time
  uint64_t count = 1;
  AlertState state = AlertState::New;
  std::vector<std::vector<uint8_t>> evidence_frames;  // raw frames that raised it (kept as a pcap)
  std::vector<int64_t> evidence_times_ns;
};

}  // namespace ots::detect
