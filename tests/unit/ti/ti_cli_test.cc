#include "detect/ti/ti_cli.h"

#include <gtest/gtest.h>

#include <sstream>

#include "detect/ti/package_signing.h"
#include "detect/ti/ti_store.h"
#include "test_util.h"

namespace ots::detect::ti {
namespace {

struct CliResult {
  int status = 0;
  std::string out, err;
};

class TiCliTest : public testing::TempDirTest {
 protected:
  // Runs `otsensor <args>` through the same CLI11 wiring core/main.cc uses.
  CliResult run(std::vector<std::string> args) {
    std::ostringstream out, err;
    CLI::App app{"otsensor"};
    app.require_subcommand(1);
    add_ti_commands(app, db(), out, err);
    CliResult result;
    std::reverse(args.begin(), args.end());  // CLI11 takes the vector back to front
    try {
      app.parse(args);
    } catch (const CLI::ParseError& e) {
      result.status = app.exit(e, out, err);
    }
    result.out = out.str();
    result.err = err.str();
    return result;
  }
};

constexpr std::string_view kPayload = R"({"format":"otsensor-ti","id":"ots-ics","name":"otsensor ICS pack","version":"2.0.0",
"buildDate":"2024-05-01T00:00:00Z","source":"otsensor project",
"alertDefinitions":[{"id":"OTS-TI-1","title":"C2","severity":"Major","indicators":[{"type":"ip","value":"192.0.2.1"}]}]})";

TEST_F(TiCliTest, ImportListShowRollbackRemove) {
  const std::string feed = write("feodo.txt", "192.0.2.1\nbogus value\n");
  CliResult imported = run({"ti", "import", feed});
  ASSERT_EQ(imported.status, 0) << imported.err;
  EXPECT_NE(imported.out.find("imported feodo (list)"), std::string::npos) << imported.out;
  EXPECT_NE(imported.out.find("counts:      1 definitions, 1 indicators, 0 rules, 1 rejected"), std::string::npos)
      << imported.out;
  EXPECT_NE(imported.out.find("line 2: not an IP, CIDR, domain, URL or MD5/SHA-1/SHA-256 digest  [bogus value]"),
            std::string::npos)
      << imported.out;
  EXPECT_NE(imported.out.find("source:      " + feed), std::string::npos);

  write("feodo.txt", "192.0.2.1\n192.0.2.2\n");
  ASSERT_EQ(run({"ti", "import", feed}).status, 0);
  CliResult listed = run({"ti", "list"});
  EXPECT_NE(listed.out.find("feodo"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("INDICATORS"), std::string::npos);
  CliResult as_json = run({"ti", "list", "--json"});
  EXPECT_NE(as_json.out.find("\"indicators\": 2"), std::string::npos) << as_json.out;
  EXPECT_NE(as_json.out.find("\"previousVersions\": 1"), std::string::npos) << as_json.out;

  CliResult rolled = run({"ti", "rollback", "feodo"});
  ASSERT_EQ(rolled.status, 0) << rolled.err;
  EXPECT_NE(rolled.out.find("rolled back feodo"), std::string::npos);
  TiStore store(db());
  const int64_t id = store.current("feodo")->row_id;
  CliResult shown = run({"ti", "show", std::to_string(id)});
  EXPECT_NE(shown.out.find("[bogus value]"), std::string::npos) << shown.out;

  CliResult again = run({"ti", "rollback", "feodo"});
  EXPECT_EQ(again.status, 1);
  EXPECT_NE(again.err.find("no previous version"), std::string::npos) << again.err;

  CliResult removed = run({"ti", "remove", std::to_string(id)});
  ASSERT_EQ(removed.status, 0);
  EXPECT_NE(removed.out.find("removed feodo"), std::string::npos);
  EXPECT_NE(run({"ti", "list"}).out.find("no TI packages"), std::string::npos);
  EXPECT_EQ(run({"ti", "remove", "42"}).status, 1);
}

TEST_F(TiCliTest, SignedPackagesNeedATrustedKey) {
  CliResult keygen = run({"ti", "keygen", (dir_ / "vendor").string()});
  ASSERT_EQ(keygen.status, 0) << keygen.err;
  write("payload.json", kPayload);
  CliResult signed_out = run({"ti", "sign", (dir_ / "payload.json").string(), "--key", (dir_ / "vendor.key").string(),
                              "-o", (dir_ / "ics.otspkg").string()});
  ASSERT_EQ(signed_out.status, 0) << signed_out.err;
  EXPECT_NE(signed_out.out.find("signed otsensor ICS pack 2.0.0 (1 definitions, 1 indicators, 0 rules)"), std::string::npos);

  CliResult untrusted = run({"ti", "import", (dir_ / "ics.otspkg").string(), "--trusted-keys", ""});
  EXPECT_EQ(untrusted.status, 1);
  EXPECT_NE(untrusted.err.find("no trusted keys"), std::string::npos) << untrusted.err;

  CliResult trust = run({"ti", "trust-key", (dir_ / "vendor.pub.pem").string(), "--comment", "otsensor project"});
  ASSERT_EQ(trust.status, 0) << trust.err;
  EXPECT_NE(run({"ti", "keys"}).out.find("otsensor project"), std::string::npos);
  CliResult imported = run({"ti", "import", (dir_ / "ics.otspkg").string()});
  ASSERT_EQ(imported.status, 0) << imported.err;
  EXPECT_NE(imported.out.find("imported otsensor ICS pack (package)"), std::string::npos) << imported.out;
  EXPECT_NE(imported.out.find("version:     2.0.0"), std::string::npos);
  EXPECT_NE(imported.out.find("build date:  2024-05-01T00:00:00Z"), std::string::npos);
  EXPECT_NE(imported.out.find("signed by:   key "), std::string::npos);

  // Tampered: rejected whole, the version in force stays.
  std::string file;
  {
    std::ifstream in(dir_ / "ics.otspkg");
    file.assign(std::istreambuf_iterator<char>(in), {});
  }
  file.replace(file.find("192.0.2.1"), 9, "192.0.2.9");
  CliResult tampered = run({"ti", "import", write("tampered.otspkg", file)});
  EXPECT_EQ(tampered.status, 1);
  EXPECT_NE(tampered.err.find("bad signature"), std::string::npos) << tampered.err;
  EXPECT_EQ(TiStore(db()).current("otsensor ICS pack")->version, "2.0.0");

  // Trusted through a directory of PEM files as well.
  SigningKey other = generate_signing_key();
  write("keys/other.pem", other.public_pem);
  CliResult by_dir = run({"ti", "import", write("o.otspkg", sign_package(kPayload, other.private_pem)), "--name", "o",
                          "--trusted-keys", (dir_ / "keys").string()});
  EXPECT_EQ(by_dir.status, 0) << by_dir.err;
}

TEST_F(TiCliTest, NothingUsableIsRejectedWithTheReasons) {
  CliResult result = run({"ti", "import", write("junk.txt", "one\ntwo\n")});
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.out.find("has nothing usable; 2 rejected entries"), std::string::npos) << result.out;
  EXPECT_NE(result.err.find("nothing usable"), std::string::npos) << result.err;
  CliResult unknown = run({"ti", "import", write("x.json", "{\"a\": 1}")});
  EXPECT_EQ(unknown.status, 1);
  EXPECT_NE(unknown.err.find("unknown format"), std::string::npos);
  EXPECT_EQ(run({"ti", "import", write("y.txt", "1.2.3.4\n"), "--type", "nonsense"}).status, 1);
}

}  // namespace
}  // namespace ots::detect::ti
