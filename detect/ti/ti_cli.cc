#include "detect/ti/ti_cli.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "detect/ti/importers.h"
#include "detect/ti/package_signing.h"
#include "detect/ti/taxii_client.h"
#include "detect/ti/ti_store.h"

namespace ots::detect::ti {

namespace {

constexpr size_t kRejectedShownOnImport = 50;

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TiError(path + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const std::string& path, std::string_view text, mode_t mode) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw TiError(path + ": cannot write");
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) throw TiError(path + ": write failed");
  ::chmod(path.c_str(), mode);
}

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

void print_rejected(std::ostream& out, const std::vector<RejectedEntry>& rejected, size_t limit) {
  size_t shown = 0;
  for (const RejectedEntry& r : rejected) {
    if (shown++ == limit) {
      out << "    … " << rejected.size() - limit << " more (otsensor ti show ID)\n";
      break;
    }
    out << "    " << r.location << ": " << r.reason;
    if (!r.value.empty()) out << "  [" << r.value << "]";
    out << "\n";
  }
}

void print_package(std::ostream& out, const StoredPackage& p) {
  out << "  id:          " << p.row_id << "\n"
      << "  kind:        " << package_kind_name(p.kind) << "\n"
      << "  version:     " << or_dash(p.version) << "\n"
      << "  build date:  " << or_dash(p.build_date) << "\n"
      << "  source:      " << or_dash(p.source) << "\n";
  if (!p.key_id.empty()) out << "  signed by:   key " << p.key_id << "\n";
  out << "  imported at: " << format_iso8601(p.imported_at_ns) << "\n"
      << "  enabled:     " << (p.enabled ? "yes" : "no") << "\n"
      << "  counts:      " << p.definitions << " definitions, " << p.indicators << " indicators, " << p.rules
      << " rules, " << p.rejected << " rejected\n"
      << "  rollback:    " << p.older_versions << " previous version(s) kept\n";
}

// State that outlives add_ti_commands: CLI11 keeps the callbacks, which bind these options.
struct TiCommandState {
  std::string db;
  std::string trusted_keys_dir = kDefaultTrustedKeysDir;
  std::string path, name, type_text, comment, key_path, output, collection, api_root, username, password;
  int min_confidence = 0;
  int column = -1;
  int64_t id = 0;
  bool allow = false;
  bool json = false;
};

// Runs one command; TiError and store errors become a message and exit status 1.
template <typename Fn>
std::function<void()> guarded(std::ostream& err, Fn fn) {
  return [&err, fn] {
    try {
      fn();
    } catch (const CLI::Error&) {
      throw;
    } catch (const std::exception& e) {
      err << "otsensor: ti: " << e.what() << "\n";
      throw CLI::RuntimeError(1);
    }
  };
}

TrustedKeys all_trusted_keys(const TiStore& store, const std::string& directory, std::ostream& err) {
  TrustedKeys keys = store.trusted_keys();
  std::error_code ec;
  if (!directory.empty() && std::filesystem::is_directory(directory, ec)) {
    std::vector<std::string> problems;
    keys.add_directory(directory, problems);
    for (const std::string& p : problems) err << "otsensor: ti: ignoring trusted key " << p << "\n";
  }
  return keys;
}

}  // namespace

void add_ti_commands(CLI::App& app, const std::string& default_db, std::ostream& out, std::ostream& err) {
  auto state = std::make_shared<TiCommandState>();
  state->db = default_db;
  CLI::App* ti = app.add_subcommand("ti", "Threat intelligence: packages, feeds and trusted keys");
  ti->require_subcommand(1);
  auto add_db = [&](CLI::App* cmd) { cmd->add_option("--db", state->db, "SQLite database")->capture_default_str(); };

  CLI::App* import = ti->add_subcommand(
      "import", "Import a signed package, STIX bundle, MISP feed folder or event, Zeek intel file, rules file or list");
  add_db(import);
  import->add_option("PATH", state->path, "File or MISP feed folder (format recognised by content)")->required();
  import->add_option("--name", state->name, "Package name (default: the package's own, or the file name)");
  import->add_option("--trusted-keys", state->trusted_keys_dir, "Directory of trusted public keys (*.pem)")
      ->capture_default_str();
  import->add_option("--min-confidence", state->min_confidence, "STIX: reject indicators below this confidence")
      ->check(CLI::Range(0, 100));
  import->add_option("--column", state->column, "CSV: the 0-based column holding the indicator");
  import->add_option("--type", state->type_text, "Lists: every value has this type (ip, cidr, domain, url, md5, …)");
  import->add_flag("--allow", state->allow, "Lists, Zeek: the values are allow-listed (suppress alerts)");
  import->callback(guarded(err, [state, &out, &err] {
    TiStore store(state->db);
    TrustedKeys keys = all_trusted_keys(store, state->trusted_keys_dir, err);
    ImportOptions options;
    options.name = state->name;
    options.trusted_keys = &keys;
    options.min_confidence = state->min_confidence;
    options.column = state->column;
    options.action = state->allow ? IndicatorAction::Allow : IndicatorAction::Alert;
    if (!state->type_text.empty()) {
      options.type = parse_indicator_type(state->type_text);
      if (!options.type) throw TiError("unknown indicator type \"" + state->type_text + "\"");
    }
    const SourceFormat format = detect_format(state->path);
    TiPackage package = import_path(state->path, options);
    if (package.definitions.empty()) {
      out << "rejected: " << state->path << " (" << source_format_name(format) << ") has nothing usable; "
          << package.rejected.size() << " rejected entries:\n";
      print_rejected(out, package.rejected, kRejectedShownOnImport);
    }
    StoredPackage stored = store.import(package, wall_clock_ns());
    out << "imported " << stored.name << " (" << source_format_name(format) << ")\n";
    print_package(out, stored);
    if (!package.rejected.empty()) {
      out << "  rejected entries:\n";
      print_rejected(out, package.rejected, kRejectedShownOnImport);
    }
  }));

  CLI::App* list = ti->add_subcommand("list", "List TI packages in force");
  add_db(list);
  list->add_flag("--json", state->json, "JSON output");
  list->callback(guarded(err, [state, &out] {
    TiStore store(state->db);
    std::vector<StoredPackage> packages = store.list();
    if (state->json) {
      nlohmann::json array = nlohmann::json::array();
      for (const StoredPackage& p : packages)
        array.push_back({{"id", p.row_id},           {"name", p.name},
                         {"kind", package_kind_name(p.kind)}, {"packageId", p.package_id},
                         {"version", p.version},     {"buildDate", p.build_date},
                         {"source", p.source},       {"keyId", p.key_id},
                         {"importedAt", format_iso8601(p.imported_at_ns)},
                         {"enabled", p.enabled},     {"definitions", p.definitions},
                         {"indicators", p.indicators}, {"rules", p.rules},
                         {"rejected", p.rejected},   {"previousVersions", p.older_versions}});
      out << array.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      return;
    }
    if (packages.empty()) {
      out << "no TI packages (otsensor ti import FILE)\n";
      return;
    }
    char line[512];
    std::snprintf(line, sizeof line, "%-5s %-24s %-8s %-22s %-22s %6s %10s %6s %8s %-3s %4s  %s\n", "ID", "NAME", "KIND",
                  "VERSION", "BUILD DATE", "DEFS", "INDICATORS", "RULES", "REJECTED", "ON", "PREV", "SOURCE");
    out << line;
    for (const StoredPackage& p : packages) {
      std::snprintf(line, sizeof line, "%-5lld %-24s %-8s %-22s %-22s %6zu %10zu %6zu %8zu %-3s %4zu  %s\n",
                    static_cast<long long>(p.row_id), p.name.c_str(), std::string(package_kind_name(p.kind)).c_str(),
                    or_dash(p.version).c_str(), or_dash(p.build_date).c_str(), p.definitions, p.indicators, p.rules,
                    p.rejected, p.enabled ? "yes" : "no", p.older_versions, or_dash(p.source).c_str());
      out << line;
    }
  }));

  CLI::App* show = ti->add_subcommand("show", "Show one TI package with every rejected entry");
  add_db(show);
  show->add_option("ID", state->id, "Package id (ti list)")->required();
  show->callback(guarded(err, [state, &out] {
    TiStore store(state->db);
    auto p = store.find(state->id);
    if (!p) throw TiError("no TI package with id " + std::to_string(state->id));
    out << p->name << "\n";
    print_package(out, *p);
    std::vector<RejectedEntry> rejected = store.rejected(p->row_id);
    if (!rejected.empty()) {
      out << "  rejected entries:\n";
      print_rejected(out, rejected, rejected.size());
    }
  }));

  CLI::App* remove = ti->add_subcommand("remove", "Remove a TI package (every version)");
  add_db(remove);
  remove->add_option("ID", state->id, "Package id (ti list)")->required();
  remove->callback(guarded(err, [state, &out] {
    TiStore store(state->db);
    StoredPackage removed = store.remove(state->id);
    out << "removed " << removed.name << " (id " << removed.row_id << ", version " << or_dash(removed.version) << ", "
        << removed.older_versions + 1 << " version(s))\n";
  }));

  CLI::App* rollback = ti->add_subcommand("rollback", "Restore the previous version of a TI package");
  add_db(rollback);
  rollback->add_option("NAME", state->name, "Package name (ti list)")->required();
  rollback->callback(guarded(err, [state, &out] {
    TiStore store(state->db);
    auto before = store.current(state->name);
    StoredPackage restored = store.rollback(state->name);
    out << "rolled back " << restored.name << " from version " << or_dash(before ? before->version : "") << " to "
        << or_dash(restored.version) << "\n";
    print_package(out, restored);
  }));

  for (bool enable : {true, false}) {
    CLI::App* toggle = ti->add_subcommand(enable ? "enable" : "disable",
                                          enable ? "Enable a TI package" : "Disable a TI package (kept, not matched)");
    add_db(toggle);
    toggle->add_option("ID", state->id, "Package id (ti list)")->required();
    toggle->callback(guarded(err, [state, &out, enable] {
      TiStore store(state->db);
      store.set_enabled(state->id, enable);
      out << (enable ? "enabled " : "disabled ") << store.find(state->id)->name << "\n";
    }));
  }

  CLI::App* trust = ti->add_subcommand("trust-key", "Trust an Ed25519 public key (PEM) for signed packages");
  add_db(trust);
  trust->add_option("PEM", state->path, "Public key file")->required();
  trust->add_option("--comment", state->comment, "Whose key this is");
  trust->callback(guarded(err, [state, &out] {
    TiStore store(state->db);
    const std::string id = store.trust_key(read_text(state->path), state->comment, wall_clock_ns());
    out << "trusted key " << id << (state->comment.empty() ? "" : " (" + state->comment + ")") << "\n";
  }));

  CLI::App* keys = ti->add_subcommand("keys", "List trusted package-signing keys");
  add_db(keys);
  keys->callback(guarded(err, [state, &out] {
    TiStore store(state->db);
    auto records = store.trusted_key_records();
    if (records.empty()) out << "no trusted keys (otsensor ti trust-key PEM)\n";
    for (const TrustedKeyRecord& k : records)
      out << k.key_id << "  added " << format_iso8601(k.added_at_ns) << "  " << k.comment << "\n";
  }));

  CLI::App* keygen = ti->add_subcommand("keygen", "Maintainers: create an Ed25519 signing key pair");
  keygen->add_option("PREFIX", state->output, "Writes PREFIX.key (private, mode 0600) and PREFIX.pub.pem")->required();
  keygen->callback(guarded(err, [state, &out] {
    SigningKey key = generate_signing_key();
    write_text(state->output + ".key", key.private_pem, 0600);
    write_text(state->output + ".pub.pem", key.public_pem, 0644);
    out << "key " << key.key_id << ": " << state->output << ".key (keep secret), " << state->output << ".pub.pem\n";
  }));

  CLI::App* sign = ti->add_subcommand("sign", "Maintainers: sign a package payload (JSON) into a package file");
  sign->add_option("PAYLOAD", state->path, "Package payload JSON (detect/ti/README.md)")->required();
  sign->add_option("--key", state->key_path, "Ed25519 private key PEM")->required();
  sign->add_option("--out,-o", state->output, "Package file to write")->required();
  sign->callback(guarded(err, [state, &out] {
    const std::string payload = read_text(state->path);
    TiPackage package = package_from_json(payload);  // never sign a package the sensor would refuse
    const std::string file = sign_package(payload, read_text(state->key_path));
    write_text(state->output, file, 0644);
    out << "signed " << package.name << " " << package.version << " (" << package.definitions.size()
        << " definitions, " << package.indicator_count() << " indicators, " << package.rule_count() << " rules) with key "
        << signing_key_from_private_pem(read_text(state->key_path)).key_id << " → " << state->output << "\n";
  }));

  CLI::App* taxii = ti->add_subcommand("taxii", "Poll a TAXII 2.1 collection for objects added since the last poll");
  add_db(taxii);
  taxii->add_option("URL", state->path, "Discovery URL, e.g. https://taxii.example/taxii2/")->required();
  taxii->add_option("--api-root", state->api_root, "API root URL (default: the discovery's default)");
  taxii->add_option("--collection", state->collection, "Collection id or title (default: the only readable one)");
  taxii->add_option("--user", state->username, "HTTP basic authentication user");
  taxii->add_option("--password", state->password, "HTTP basic authentication password");
  taxii->add_option("--name", state->name, "Package name (default: taxii:<collection title>)");
  taxii->add_option("--min-confidence", state->min_confidence, "Reject indicators below this confidence")
      ->check(CLI::Range(0, 100));
  taxii->callback(guarded(err, [state, &out] {
    TiStore store(state->db);
    TaxiiOptions options;
    options.discovery_url = state->path;
    options.api_root = state->api_root;
    options.collection = state->collection;
    options.username = state->username;
    options.password = state->password;
    options.name = state->name;
    options.min_confidence = state->min_confidence;
    TaxiiSync sync = sync_taxii(store, options, wall_clock_ns());
    out << "polled " << sync.poll.feed << " added after " << or_dash(sync.poll.added_after) << ": "
        << sync.poll.objects << " objects in " << sync.poll.pages << " page(s), " << sync.poll.package.definitions.size()
        << " new definitions; next cursor " << or_dash(sync.poll.next_added_after) << "\n";
    if (sync.stored) {
      out << "stored " << sync.stored->name << "\n";
      print_package(out, *sync.stored);
    } else {
      out << "nothing new\n";
    }
    if (!sync.poll.package.rejected.empty()) {
      out << "  rejected entries:\n";
      print_rejected(out, sync.poll.package.rejected, kRejectedShownOnImport);
    }
  }));
}

}  // namespace ots::detect::ti
