#include "store/sqlite.h"

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <string>

namespace ots {
namespace {

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ots_sqlite_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string db_path() const { return (dir_ / "test.db").string(); }
  std::filesystem::path dir_;
};

constexpr std::array<std::string_view, 2> kNotesV2{
    "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
    "ALTER TABLE notes ADD COLUMN author TEXT NOT NULL DEFAULT ''"};

TEST_F(SqliteTest, MigratesAModuleStepByStepAndOnlyOnce) {
  auto db = SqliteConnection::open(db_path(), SqliteConnection::Mode::ReadWrite);
  migrate_module(*db, "notes", std::span(kNotesV2).first(1));
  EXPECT_EQ(module_version(*db, "notes"), 1);
  migrate_module(*db, "notes", kNotesV2);
  EXPECT_EQ(module_version(*db, "notes"), 2);
  migrate_module(*db, "notes", kNotesV2);  // nothing left to apply
  EXPECT_EQ(module_version(*db, "notes"), 2);
  EXPECT_EQ(module_version(*db, "other"), 0);

  Statement insert(*db, "INSERT INTO notes(body, author) VALUES(?1, ?2)");
  insert.bind(1, "hello").bind(2, "ann").run();
  Statement read(*db, "SELECT body, author FROM notes");
  ASSERT_TRUE(read.step());
  EXPECT_EQ(read.text(0), "hello");
  EXPECT_EQ(read.text(1), "ann");
  EXPECT_FALSE(read.step());
}

TEST_F(SqliteTest, RefusesANewerModuleVersion) {
  {
    auto db = SqliteConnection::open(db_path(), SqliteConnection::Mode::ReadWrite);
    migrate_module(*db, "notes", kNotesV2);
  }
  auto db = SqliteConnection::open(db_path(), SqliteConnection::Mode::ReadWrite);
  try {
    migrate_module(*db, "notes", std::span(kNotesV2).first(1));
    FAIL() << "an older build must refuse a newer module schema";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("notes schema version 2 is newer"), std::string::npos) << e.what();
  }
}

TEST_F(SqliteTest, AFailedStepRollsBackAndReportsTheReason) {
  auto db = SqliteConnection::open(db_path(), SqliteConnection::Mode::ReadWrite);
  constexpr std::array<std::string_view, 1> kBroken{"CREATE TABLE t(x); CREATE TABLE t(y)"};
  EXPECT_THROW(migrate_module(*db, "broken", kBroken), StoreError);
  EXPECT_EQ(module_version(*db, "broken"), 0);
  Statement tables(*db, "SELECT count(*) FROM sqlite_master WHERE name = 't'");
  tables.step();
  EXPECT_EQ(tables.i64(0), 0) << "the half-applied step must be rolled back";
}

TEST_F(SqliteTest, TransactionRollsBackUnlessCommitted) {
  auto db = SqliteConnection::open(db_path(), SqliteConnection::Mode::ReadWrite);
  db->exec("CREATE TABLE t(x INTEGER)");
  {
    Transaction t(*db);
    db->exec("INSERT INTO t VALUES (1)");
  }
  {
    Transaction t(*db);
    db->exec("INSERT INTO t VALUES (2)");
    t.commit();
  }
  Statement sum(*db, "SELECT coalesce(sum(x), 0) FROM t");
  sum.step();
  EXPECT_EQ(sum.i64(0), 2);
}

TEST_F(SqliteTest, BlobsRoundTripAndReadOnlyConnectionsCannotWrite) {
  {
    auto db = SqliteConnection::open(db_path(), SqliteConnection::Mode::ReadWrite);
    db->exec("CREATE TABLE b(data BLOB)");
    const std::array<uint8_t, 4> bytes{0, 1, 0xFE, 0xFF};
    Statement(*db, "INSERT INTO b VALUES (?1)").bind_blob(1, bytes).run();
  }
  auto ro = SqliteConnection::open(db_path(), SqliteConnection::Mode::ReadOnly);
  Statement read(*ro, "SELECT data FROM b");
  ASSERT_TRUE(read.step());
  EXPECT_EQ(read.blob(0), (std::vector<uint8_t>{0, 1, 0xFE, 0xFF}));
  EXPECT_THROW(ro->exec("INSERT INTO b VALUES (x'00')"), StoreError);
}

TEST_F(SqliteTest, OpeningAnUnwritablePathIsOneClearError) {
  try {
    SqliteConnection::open((dir_ / "missing" / "x.db").string(), SqliteConnection::Mode::ReadWrite);
    FAIL();
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open database"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ots
