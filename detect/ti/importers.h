// Threat-intelligence sources other than STIX, and recognising a source by its content. Each
// importer produces the same TiPackage: alert definitions holding indicators or rules, plus every
// entry that could not be used with its reason.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "detect/alert_model.h"
#include "detect/ti/package_signing.h"
#include "detect/ti/ti_model.h"

namespace ots::detect::ti {

enum class SourceFormat : uint8_t {
  Package,     // signed otsensor package
  Stix,        // STIX 2.1 bundle
  MispFolder,  // MISP feed: manifest.json + <uuid>.json
  MispEvent,   // one MISP event file ({"Event": …})
  Zeek,        // Zeek intel file (#fields …)
  Rules,       // Suricata/Snort-syntax rules
  List,        // plain list or CSV
  Unknown,
};
std::string_view source_format_name(SourceFormat format);

// Recognises the format from the content (a directory: a MISP feed when it holds manifest.json).
// Unknown for JSON that is neither STIX nor MISP, for unreadable paths and for binary files.
SourceFormat detect_format(const std::filesystem::path& path);
SourceFormat detect_text_format(std::string_view head);

struct ImportOptions {
  std::string name;                           // package name; default: the package's own or the file name
  const TrustedKeys* trusted_keys = nullptr;  // required for signed packages
  int min_confidence = 0;                     // STIX: lower-confidence indicators are rejected
  int column = -1;                            // CSV: the column to read (0-based); -1 picks it by header or content
  std::optional<IndicatorType> type;          // lists: every value is of this type (default: inferred per value)
  IndicatorAction action = IndicatorAction::Alert;  // lists, Zeek: the action of every indicator
};

// Imports a file or MISP folder in whatever format detect_format finds. Throws TiError when the
// source is rejected whole (unknown format, bad signature, malformed file); individual unusable
// entries are listed in the result's `rejected`.
TiPackage import_path(const std::filesystem::path& path, const ImportOptions& options);

TiPackage import_list(std::string_view text, const ImportOptions& options);
TiPackage import_zeek_intel(std::string_view text, const ImportOptions& options);
TiPackage import_misp_event(std::string_view json, const ImportOptions& options);
TiPackage import_misp_folder(const std::filesystem::path& directory, const ImportOptions& options);
TiPackage import_rules(std::string_view text, const ImportOptions& options);

}  // namespace ots::detect::ti
