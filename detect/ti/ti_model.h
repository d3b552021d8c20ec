// The in-memory model every threat-intelligence source is turned into (otsensor packages,
// STIX bundles, TAXII collections, MISP feeds, lists, Zeek intel, rule files), the canonical
// form of indicator values, and the JSON payload of an otsensor TI package.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "detect/alert_model.h"

namespace ots::detect::ti {

// A source rejected whole (bad signature, malformed file …): the reason is the message.
class TiError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class PackageKind : uint8_t { Package, Stix, Misp, List, Zeek, Rules, Taxii };
std::string_view package_kind_name(PackageKind kind);  // "package", "stix", "misp", "list", "zeek", "rules", "taxii"
std::optional<PackageKind> parse_package_kind(std::string_view text);

// One entry of a source that could not be used, never dropped silently.
struct RejectedEntry {
  std::string location;  // "line 12", "indicator--5f2…", "event 4a1…/attribute 17"
  std::string value;     // the offending text, shortened to 200 characters
  std::string reason;
};

struct TiPackage {
  PackageKind kind = PackageKind::Package;
  std::string id;          // package id, bundle id, feed name …
  std::string name;        // what `ti list` shows and `ti rollback` takes
  std::string version;
  std::string build_date;  // ISO 8601 as given by the source
  std::string source;      // producer or origin (file path, URL)
  std::string key_id;      // signing key (signed packages only)
  std::vector<AlertDefinition> definitions;
  std::vector<RejectedEntry> rejected;
  // STIX ids that a later TAXII poll revoked: merging removes the definitions with these ids.
  std::vector<std::string> withdrawn_ids;

  size_t indicator_count() const;
  size_t rule_count() const;
};

void add_rejected(std::vector<RejectedEntry>& out, std::string location, std::string_view value, std::string reason);

// The canonical text of an indicator value, or nullopt with `reason` set when the value is not
// valid for the type: IPs as IpAddr::str, CIDRs as "<network>/<len>" with host bits zero (an IPv4
// CIDR keeps its IPv4 length), lower-case domains without trailing dot, normalised URLs,
// lower-case hex digests of the right length, lower-case JA3/JA3S (MD5 hex), JA4 as given.
std::optional<std::string> canonical_indicator_value(IndicatorType type, std::string_view value, std::string* reason);
// A URL with lower-case scheme and host, the scheme's default port removed, "/" for an empty
// path and no fragment. nullopt when there is no "scheme://host".
std::optional<std::string> normalize_url(std::string_view url);
// The same into a reused buffer (no allocation once it has grown): false when not a URL.
bool normalize_url_into(std::string_view url, std::string& out);
// Guesses the type of a bare value from a list or CSV column: IP, CIDR, URL, MD5/SHA-1/SHA-256
// by hex length, domain. nullopt when it looks like none of them.
std::optional<IndicatorType> infer_indicator_type(std::string_view value);

// ISO 8601 / RFC 3339 UTC time ("2024-05-01T12:00:00Z", fractions and "+hh:mm" offsets allowed,
// a bare date means midnight) → nanoseconds since the epoch.
std::optional<int64_t> parse_iso8601_ns(std::string_view text);
std::string format_iso8601(int64_t ns);  // "2024-05-01T12:00:00Z"

// The JSON payload of an otsensor package (the format in detect/ti/README.md). Parsing is
// strict: any malformed field or invalid indicator throws TiError naming it, so a package is
// used whole or not at all.
std::string package_to_json(const TiPackage& package);
TiPackage package_from_json(std::string_view json);

}  // namespace ots::detect::ti
