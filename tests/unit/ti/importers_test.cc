#include "detect/ti/importers.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace ots::detect::ti {
namespace {

std::vector<std::string> values(const TiPackage& p) {
  std::vector<std::string> out;
  for (const AlertDefinition& d : p.definitions)
    for (const Indicator& i : d.indicators) out.push_back(std::string(indicator_type_name(i.type)) + ":" + i.value);
  return out;
}

std::vector<std::string> reasons(const TiPackage& p) {
  std::vector<std::string> out;
  for (const RejectedEntry& r : p.rejected) out.push_back(r.location + ": " + r.reason);
  return out;
}

TEST(ListImport, OneValuePerLineWithCommentsAndInferredTypes) {
  ImportOptions options;
  options.name = "feodo";
  TiPackage p = import_list(
      "# Feodo Tracker\r\n# comment\r\n192.0.2.1\r\n\r\n203.0.113.0/24\r\nevil.example # inline\n"
      "http://bad.example/x\n0.0.0.0 hosts.example\nnot-a-value\n300.1.1.1/8\n",
      options);
  EXPECT_EQ(p.kind, PackageKind::List);
  EXPECT_EQ(values(p), (std::vector<std::string>{"ip:192.0.2.1", "cidr:203.0.113.0/24", "domain:evil.example",
                                                 "url:http://bad.example/x", "domain:hosts.example"}));
  EXPECT_EQ(reasons(p), (std::vector<std::string>{
                            "line 9: not an IP, CIDR, domain, URL or MD5/SHA-1/SHA-256 digest",
                            "line 10: not an IP, CIDR, domain, URL or MD5/SHA-1/SHA-256 digest"}));
  ASSERT_EQ(p.definitions.size(), 1u);
  EXPECT_EQ(p.definitions[0].id, "list:feodo");
  EXPECT_EQ(p.definitions[0].indicators[0].source, "list:feodo");
}

TEST(ListImport, AbuseChCsvWithCommentedHeaderPicksTheNamedColumn) {
  TiPackage p = import_list(
      "################\n# abuse.ch Feodo Tracker\n"
      "# first_seen_utc,dst_ip,dst_port,c2_status,last_online,malware\n"
      "\"2024-01-01 00:00:00\",\"192.0.2.7\",\"443\",\"online\",\"2024-01-02\",\"QakBot\"\n"
      "\"2024-01-01 00:00:00\",\"bogus\",\"443\",\"online\",\"2024-01-02\",\"QakBot\"\n"
      "\"2024-01-01 00:00:00\"\n",
      {});
  EXPECT_EQ(values(p), std::vector<std::string>{"ip:192.0.2.7"});
  EXPECT_EQ(reasons(p), (std::vector<std::string>{"line 5: not an IP, CIDR, domain, URL or MD5/SHA-1/SHA-256 digest",
                                                  "line 6: no indicator column in this row"}));
}

TEST(ListImport, CsvWithPlainHeaderChosenColumnAndForcedType) {
  TiPackage by_header = import_list("id,url,threat\n1,http://a.example/x,malware\n2,http://b.example/,malware\n", {});
  EXPECT_EQ(values(by_header), (std::vector<std::string>{"url:http://a.example/x", "url:http://b.example/"}));
  EXPECT_TRUE(by_header.rejected.empty());

  ImportOptions column;
  column.column = 2;
  column.type = IndicatorType::Ja3;
  column.action = IndicatorAction::Allow;
  TiPackage forced = import_list("a;b;" + std::string(32, 'e') + "\n", column);
  ASSERT_EQ(values(forced), std::vector<std::string>{"ja3:" + std::string(32, 'e')});
  EXPECT_EQ(forced.definitions[0].indicators[0].action, IndicatorAction::Allow);

  EXPECT_THROW(import_list("alpha,beta\nx,y\n", {}), TiError);  // a header naming no indicator column
  TiPackage no_values = import_list("# only comments\n\n", {});
  EXPECT_TRUE(no_values.definitions.empty());
}

TEST(ZeekIntel, FieldsHeaderTypesAndSources) {
  const std::string text =
      "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\n"
      "192.0.2.1\tIntel::ADDR\tfeodo\tC2\n"
      "10.0.0.0/8\tIntel::SUBNET\tfeodo\t-\n"
      "Evil.Example\tIntel::DOMAIN\tcisa\tbad domain\n"
      "evil.example/path\tIntel::URL\tcisa\t-\n" +
      std::string(64, 'a') + "\tIntel::FILE_HASH\tcisa\t-\n" + std::string(40, 'b') + "\tIntel::CERT_HASH\t-\t-\n" +
      std::string(32, 'c') + "\tIntel::JA3\t-\t-\n"
      "bob@example.com\tIntel::EMAIL\tcisa\t-\n"
      "short\n"
      "1.2.3\tIntel::ADDR\tcisa\t-\n";
  TiPackage p = import_zeek_intel(text, {});
  EXPECT_EQ(p.kind, PackageKind::Zeek);
  EXPECT_EQ(values(p), (std::vector<std::string>{"ip:192.0.2.1", "cidr:10.0.0.0/8", "domain:evil.example",
                                                 "url:http://evil.example/path", "sha256:" + std::string(64, 'a'),
                                                 "cert_sha1:" + std::string(40, 'b'), "ja3:" + std::string(32, 'c')}));
  ASSERT_EQ(p.definitions.size(), 3u);  // one per meta.source: feodo, cisa, none
  EXPECT_EQ(p.definitions[0].title, "Known malicious indicator (feodo)");
  EXPECT_EQ(reasons(p), (std::vector<std::string>{"line 9: Intel::EMAIL is not matchable by otsensor",
                                                  "line 10: fewer tab-separated columns than #fields names",
                                                  "line 11: ip: not an IP address"}));
  EXPECT_THROW(import_zeek_intel("192.0.2.1\tIntel::ADDR\n", {}), TiError);
  EXPECT_THROW(import_zeek_intel("#fields\tvalue\n", {}), TiError);
}

const std::string kEvent = R"({"Event": {
  "uuid": "5f0a6a3c-0000-4000-8000-000000000001", "info": "INCONTROLLER infrastructure", "date": "2022-04-13",
  "threat_level_id": "1", "timestamp": "1650000000",
  "Tag": [{"name": "misp-galaxy:mitre-ics-techniques=\"Program Download - T0843\""}],
  "Attribute": [
    {"uuid": "a1", "type": "ip-dst", "value": "198.51.100.20", "to_ids": true},
    {"uuid": "a2", "type": "ip-dst|port", "value": "198.51.100.21|11740", "to_ids": true},
    {"uuid": "a3", "type": "hostname", "value": "plc-update.example", "to_ids": true},
    {"uuid": "a4", "type": "comment", "value": "context", "to_ids": false},
    {"uuid": "a5", "type": "filename|sha256", "value": "x.dll|)" + std::string(64, 'f') + R"(", "to_ids": true},
    {"uuid": "a6", "type": "ja3-fingerprint-md5", "value": ")" + std::string(32, '1') + R"(", "to_ids": "1"},
    {"uuid": "a7", "type": "x509-fingerprint-sha1", "value": ")" + std::string(40, '2') + R"(", "to_ids": true},
    {"uuid": "a8", "type": "email-src", "value": "a@b.example", "to_ids": true},
    {"uuid": "a9", "type": "md5", "value": "nothex", "to_ids": true},
    {"uuid": "a10", "type": "ip-src", "value": "192.0.2.99", "to_ids": true, "deleted": true},
    {"uuid": "a11", "type": "domain|ip", "value": "c2.example|192.0.2.55", "to_ids": true}
  ],
  "Object": [{"name": "domain-ip", "Attribute": [{"uuid": "o1", "type": "domain", "value": "obj.example", "to_ids": true}]}]
}})";

TEST(MispImport, EventAttributesWithToIds) {
  TiPackage p = import_misp_event(kEvent, {});
  EXPECT_EQ(p.kind, PackageKind::Misp);
  ASSERT_EQ(p.definitions.size(), 1u);
  const AlertDefinition& d = p.definitions[0];
  EXPECT_EQ(d.id, "misp:5f0a6a3c-0000-4000-8000-000000000001");
  EXPECT_EQ(d.title, "INCONTROLLER infrastructure");
  EXPECT_EQ(d.severity, Severity::Critical);
  EXPECT_EQ(d.attack_techniques, std::vector<std::string>{"T0843"});
  EXPECT_EQ(values(p), (std::vector<std::string>{"ip:198.51.100.20", "ip:198.51.100.21", "domain:plc-update.example",
                                                 "sha256:" + std::string(64, 'f'), "ja3:" + std::string(32, '1'),
                                                 "cert_sha1:" + std::string(40, '2'), "domain:c2.example",
                                                 "ip:192.0.2.55", "domain:obj.example"}));
  EXPECT_EQ(d.indicators[1].port, 11740);
  EXPECT_EQ(d.indicators[1].role, EndpointRole::Destination);
  EXPECT_EQ(reasons(p), (std::vector<std::string>{
                            "event attribute a8: MISP type \"email-src\" is not matchable by otsensor",
                            "event attribute a9: md5: an MD5 digest must be 32 hex digits",
                            "event: 1 attribute(s) with to_ids false (context, not for detection)"}));
  EXPECT_THROW(import_misp_event("{\"x\":1}", {}), TiError);
}

class MispFolder : public testing::TempDirTest {};

TEST_F(MispFolder, ManifestAndEventFiles) {
  const std::string uuid = "5f0a6a3c-0000-4000-8000-000000000001";
  write("feed/manifest.json", R"({")" + uuid + R"(": {"info": "x", "timestamp": "1650000000"},
    "5f0a6a3c-0000-4000-8000-00000000dead": {"info": "missing"},
    "5f0a6a3c-0000-4000-8000-00000000bad0": {"info": "broken"},
    "../../etc/passwd": {"info": "escape"}})");
  write("feed/" + uuid + ".json", kEvent);
  write("feed/5f0a6a3c-0000-4000-8000-00000000bad0.json", "{not json");
  EXPECT_EQ(detect_format(dir_ / "feed"), SourceFormat::MispFolder);
  ImportOptions options;
  TiPackage p = import_path(dir_ / "feed", options);
  EXPECT_EQ(p.name, "feed");
  EXPECT_EQ(p.version, "1650000000");
  EXPECT_EQ(p.definitions.size(), 1u);
  std::vector<std::string> why = reasons(p);
  auto has = [&](std::string_view text) {
    return std::any_of(why.begin(), why.end(), [&](const std::string& r) { return r.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(has("00000000dead: listed in manifest.json but the file is missing"));
  EXPECT_TRUE(has("00000000bad0: not valid JSON"));
  EXPECT_TRUE(has("../../etc/passwd: not a MISP event uuid"));

  write("bad/manifest.json", "[");
  EXPECT_THROW(import_path(dir_ / "bad", options), TiError);
}

TEST(RulesImport, OneDefinitionPerRuleAndBadLinesListed) {
  TiPackage p = import_rules(
      "# Quickdraw-style\n"
      "alert tcp $MODBUS_CLIENT any -> $MODBUS_SERVER 502 (flow:from_client,established; content:\"|00 00|\"; "
      "offset:2; depth:2; content:\"|08 00 04|\"; offset:7; depth:3; msg:\"Modbus TCP - Force Listen Only Mode\"; "
      "sid:1111001; rev:2; priority:1; classtype:attempted-dos;)\n"
      "alert tcp any any -> any 502 (msg:\"continued; \\\n"
      "  rule\"; sid:7;)\n"
      "alert tcp any any -> any 502 (msg:\"no sid\";)\n"
      "alert tcp any any -> any 502 (msg:\"dup\"; sid:7;)\n"
      "garbage line\n",
      {});
  EXPECT_EQ(p.kind, PackageKind::Rules);
  ASSERT_EQ(p.definitions.size(), 2u);
  EXPECT_EQ(p.definitions[0].id, "sid:1111001");
  EXPECT_EQ(p.definitions[0].title, "Modbus TCP - Force Listen Only Mode");
  EXPECT_EQ(p.definitions[0].severity, Severity::Critical);
  EXPECT_EQ(p.definitions[0].group, "attempted-dos");
  EXPECT_EQ(p.definitions[1].title, "continued; rule");
  EXPECT_EQ(p.rule_count(), 2u);
  EXPECT_EQ(reasons(p), (std::vector<std::string>{"line 5: rule without a numeric sid", "line 6: sid 7 appears twice",
                                                  "line 7: not a rule: expected '<action> <header> (<options>)'"}));
}

TEST(DetectFormat, ByContent) {
  EXPECT_EQ(detect_text_format("OTSENSOR-TI-PACKAGE 1\n"), SourceFormat::Package);
  EXPECT_EQ(detect_text_format("\xEF\xBB\xBF { \"type\" : \"bundle\", \"id\": \"b\"}"), SourceFormat::Stix);
  EXPECT_EQ(detect_text_format("{\"id\": \"b\", \"objects\": [], \"type\": \"bundle\"}"), SourceFormat::Stix);
  EXPECT_EQ(detect_text_format("{\"Event\": {}}"), SourceFormat::MispEvent);
  EXPECT_EQ(detect_text_format("{\"other\": 1}"), SourceFormat::Unknown);
  EXPECT_EQ(detect_text_format("#separator \\x09\n#fields\tindicator\tindicator_type\n"), SourceFormat::Zeek);
  EXPECT_EQ(detect_text_format("# rules\n\nalert tcp any any -> any 502 (sid:1;)\n"), SourceFormat::Rules);
  EXPECT_EQ(detect_text_format("# list\n192.0.2.1\n"), SourceFormat::List);
  EXPECT_EQ(detect_text_format("alert: not a rule\n"), SourceFormat::List);
  EXPECT_EQ(detect_text_format(std::string("a\0b", 3)), SourceFormat::Unknown);
}

class ImportPath : public testing::TempDirTest {};

TEST_F(ImportPath, DispatchesByContentAndNamesAfterTheFile) {
  ImportOptions options;
  TiPackage list = import_path(write("feodo_ips.txt", "192.0.2.1\n"), options);
  EXPECT_EQ(list.kind, PackageKind::List);
  EXPECT_EQ(list.name, "feodo_ips");
  EXPECT_FALSE(list.version.empty());
  EXPECT_NE(list.source.find("feodo_ips.txt"), std::string::npos);
  TiPackage stix = import_path(write("b.json", R"({"type":"bundle","id":"bundle--x","objects":[
      {"type":"indicator","id":"indicator--1","pattern":"[ipv4-addr:value = '192.0.2.1']","valid_from":"2024-01-01T00:00:00Z"}]})"),
                               options);
  EXPECT_EQ(stix.kind, PackageKind::Stix);
  EXPECT_EQ(stix.name, "b");
  EXPECT_EQ(import_path(write("r.rules", "alert tcp any any -> any any (sid:1;)\n"), options).kind, PackageKind::Rules);
  EXPECT_EQ(import_path(write("z.intel", "#fields\tindicator\tindicator_type\nx.example\tIntel::DOMAIN\n"), options).kind,
            PackageKind::Zeek);
  try {
    import_path(write("p.pkg", "OTSENSOR-TI-PACKAGE 1\n"), options);
    FAIL() << "a package without trusted keys must be refused";
  } catch (const TiError& e) {
    EXPECT_NE(std::string(e.what()).find("no trusted keys"), std::string::npos);
  }
  EXPECT_THROW(import_path(write("x.json", "{\"a\":1}"), options), TiError);
  EXPECT_THROW(import_path(dir_ / "missing", options), TiError);
}

}  // namespace
}  // namespace ots::detect::ti
