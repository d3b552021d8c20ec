#include "detect/ti/ti_store.h"

#include <gtest/gtest.h>

#include "detect/ti/indicator_set.h"
#include "test_util.h"

namespace ots::detect::ti {
namespace {

TiPackage package(std::string name, std::string version, std::vector<std::string> ips) {
  TiPackage p;
  p.kind = PackageKind::List;
  p.id = "list:" + name;
  p.name = std::move(name);
  p.version = std::move(version);
  p.source = "/feeds/" + p.name;
  AlertDefinition d;
  d.id = "def-" + p.name;
  d.title = "Known bad " + p.name;
  for (const std::string& ip : ips) {
    Indicator i;
    i.type = IndicatorType::Ip;
    i.value = ip;
    d.indicators.push_back(i);
  }
  p.definitions.push_back(d);
  return p;
}

class TiStoreTest : public testing::TempDirTest {};

TEST_F(TiStoreTest, ImportListRollbackRemove) {
  TiStore store(db());
  TiPackage v1 = package("feodo", "1", {"192.0.2.1"});
  add_rejected(v1.rejected, "line 3", "bogus", "not an IP");
  StoredPackage first = store.import(v1, 100);
  EXPECT_EQ(first.name, "feodo");
  EXPECT_EQ(first.kind, PackageKind::List);
  EXPECT_EQ(first.definitions, 1u);
  EXPECT_EQ(first.indicators, 1u);
  EXPECT_EQ(first.rejected, 1u);
  EXPECT_EQ(first.older_versions, 0u);
  EXPECT_EQ(first.imported_at_ns, 100);
  ASSERT_EQ(store.rejected(first.row_id).size(), 1u);
  EXPECT_EQ(store.rejected(first.row_id)[0].reason, "not an IP");

  StoredPackage second = store.import(package("feodo", "2", {"192.0.2.2", "192.0.2.3"}), 200);
  store.import(package("other", "7", {"198.51.100.1"}), 300);
  auto listed = store.list();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].version, "2");
  EXPECT_EQ(listed[0].older_versions, 1u);
  EXPECT_EQ(store.active_definitions().size(), 2u);

  StoredPackage restored = store.rollback("feodo");
  EXPECT_EQ(restored.version, "1");
  EXPECT_EQ(restored.row_id, first.row_id);
  EXPECT_EQ(store.current("feodo")->version, "1");
  EXPECT_FALSE(store.find(second.row_id));
  try {
    store.rollback("feodo");
    FAIL() << "no older version left";
  } catch (const TiError& e) {
    EXPECT_NE(std::string(e.what()).find("no previous version"), std::string::npos);
  }
  EXPECT_THROW(store.rollback("nope"), TiError);

  store.set_enabled(restored.row_id, false);
  auto active = store.active_definitions();
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].id, "def-other");
  store.set_enabled(restored.row_id, true);

  StoredPackage removed = store.remove(restored.row_id);
  EXPECT_EQ(removed.name, "feodo");
  EXPECT_EQ(store.list().size(), 1u);
  EXPECT_TRUE(store.rejected(first.row_id).empty());
  EXPECT_THROW(store.remove(999), TiError);
}

TEST_F(TiStoreTest, APackageWithNothingUsableLeavesTheOneInForce) {
  TiStore store(db());
  store.import(package("feodo", "1", {"192.0.2.1"}), 1);
  TiPackage empty = package("feodo", "2", {});
  empty.definitions.clear();
  add_rejected(empty.rejected, "line 1", "x", "bad");
  EXPECT_THROW(store.import(empty, 2), TiError);
  EXPECT_EQ(store.current("feodo")->version, "1");
}

TEST_F(TiStoreTest, ActiveDefinitionsSurviveReopenAndFeedTheIndicatorSet) {
  {
    TiStore store(db());
    store.import(package("a", "1", {"192.0.2.1"}), 1);
  }
  TiStore reopened(db());
  auto set = IndicatorSet::build(reopened.active_definitions());
  auto match = set->match_ip(*IpAddr::parse("192.0.2.1"), 0);
  ASSERT_TRUE(match.alert());
  EXPECT_EQ(set->definitions()[match.definition_index].title, "Known bad a");
  EXPECT_EQ(reopened.load(reopened.current("a")->row_id).definitions[0].indicators[0].value, "192.0.2.1");
}

TEST_F(TiStoreTest, MergeImportReplacesAndWithdraws) {
  TiStore store(db());
  TiPackage first;
  first.kind = PackageKind::Taxii;
  first.name = "taxii:c";
  first.id = "c";
  first.version = "t1";
  for (std::string id : {"indicator--1", "indicator--2"}) {
    AlertDefinition d;
    d.id = id;
    d.title = id;
    Indicator domain;
    domain.type = IndicatorType::Domain;
    domain.value = id.substr(11) + ".example";
    d.indicators.push_back(domain);
    first.definitions.push_back(d);
  }
  ASSERT_TRUE(store.merge_import(first, 1));
  TiPackage delta = first;
  delta.version = "t2";
  delta.definitions.resize(1);
  delta.definitions[0].title = "updated";
  delta.withdrawn_ids = {"indicator--2"};
  auto merged = store.merge_import(delta, 2);
  ASSERT_TRUE(merged);
  EXPECT_EQ(merged->definitions, 1u);
  EXPECT_EQ(store.active_definitions()[0].title, "updated");
  TiPackage nothing = first;
  nothing.definitions.clear();
  EXPECT_FALSE(store.merge_import(nothing, 3));
}

TEST_F(TiStoreTest, TrustedKeysAndTaxiiCursors) {
  TiStore store(db());
  SigningKey key = generate_signing_key();
  EXPECT_EQ(store.trust_key(key.public_pem, "vendor", 5), key.key_id);
  EXPECT_EQ(store.trust_key(key.public_pem, "vendor (renamed)", 6), key.key_id);
  ASSERT_EQ(store.trusted_key_records().size(), 1u);
  EXPECT_EQ(store.trusted_key_records()[0].comment, "vendor (renamed)");
  EXPECT_TRUE(store.trusted_keys().contains(key.key_id));
  EXPECT_THROW(store.trust_key("nope", "", 7), TiError);
  EXPECT_TRUE(store.untrust_key(key.key_id));
  EXPECT_FALSE(store.untrust_key(key.key_id));

  EXPECT_FALSE(store.taxii_cursor("feed"));
  store.set_taxii_cursor("feed", "2024-01-01T00:00:00Z", 1);
  store.set_taxii_cursor("feed", "2024-02-01T00:00:00Z", 2);
  EXPECT_EQ(*store.taxii_cursor("feed"), "2024-02-01T00:00:00Z");
}

}  // namespace
}  // namespace ots::detect::ti
