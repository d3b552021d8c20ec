// Evaluation of each keyword on byte arrays, with the negative case next to the positive one.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "tests/unit/rules/rule_test_support.h"

namespace ots::detect::rules {
namespace {

using test::bytes_of;
using test::dnp3_frames;
using test::enip_pdu;
using test::enip_send_rr;
using test::Harness;
using test::modbus_adu;

// One rule on TCP port 502 with `options`; whether it alerts on `payload`.
bool rule_hits(const std::string& options, const std::vector<uint8_t>& payload) {
  Harness h("alert tcp any any -> any 502 (" + options + " sid:1;)");
  EXPECT_EQ(h.compiled.report.loaded, 1u) << (h.compiled.report.rejected.empty() ? "" : h.compiled.report.rejected[0].reason);
  return h.alerts(payload);
}

TEST(Content, HexEscapesOffsetDepth) {
  auto p = bytes_of("xxAB\r\nyy");
  EXPECT_TRUE(rule_hits("content:\"AB|0d 0A|\";", p));
  EXPECT_TRUE(rule_hits("content:\"AB\"; offset:2; depth:2;", p));
  EXPECT_FALSE(rule_hits("content:\"AB\"; offset:3;", p));
  EXPECT_FALSE(rule_hits("content:\"AB\"; depth:3;", p));
  EXPECT_TRUE(rule_hits("content:\"x\\;\"; ", bytes_of("x;")));
  EXPECT_FALSE(rule_hits("content:\"ab\";", p));
  EXPECT_TRUE(rule_hits("content:\"ab\"; nocase;", p));
}

TEST(Content, NegationStartsWithEndsWith) {
  auto p = bytes_of("hello world");
  EXPECT_TRUE(rule_hits("content:!\"bye\";", p));
  EXPECT_FALSE(rule_hits("content:!\"world\";", p));
  EXPECT_TRUE(rule_hits("content:!\"world\"; depth:5;", p));
  EXPECT_TRUE(rule_hits("content:\"hello\"; startswith;", p));
  EXPECT_FALSE(rule_hits("content:\"world\"; startswith;", p));
  EXPECT_TRUE(rule_hits("content:\"world\"; endswith;", p));
  EXPECT_FALSE(rule_hits("content:\"hello\"; endswith;", p));
}

TEST(Content, DistanceWithinAndBacktracking) {
  auto p = bytes_of("A1xxB A2B");
  EXPECT_TRUE(rule_hits("content:\"A\"; content:\"B\"; distance:1; within:2;", p));  // second A
  EXPECT_FALSE(rule_hits("content:\"A1\"; content:\"B\"; within:2;", p));
  EXPECT_TRUE(rule_hits("content:\"A1\"; content:\"B\"; distance:2; within:1;", p));
  EXPECT_TRUE(rule_hits("content:\"B\"; content:\"A\"; distance:-3; within:1;", bytes_of("xA2B")));
  EXPECT_FALSE(rule_hits("content:\"B\"; content:\"A\"; distance:0;", bytes_of("xA2B")));
}

TEST(ByteTest, OperatorsEndianAndNegation) {
  std::vector<uint8_t> p = {0x00, 0x01, 0x02, 0x80, 0x10};
  EXPECT_TRUE(rule_hits("byte_test:2,=,0x0102,1;", p));
  EXPECT_TRUE(rule_hits("byte_test:2,=,0x0201,1,little;", p));
  EXPECT_TRUE(rule_hits("byte_test:1,>,0x7F,3;", p));
  EXPECT_FALSE(rule_hits("byte_test:1,<,0x7F,3;", p));
  EXPECT_TRUE(rule_hits("byte_test:1,<=,0x80,3;", p));
  EXPECT_TRUE(rule_hits("byte_test:1,>=,0x80,3;", p));
  EXPECT_TRUE(rule_hits("byte_test:1,&,0x80,3;", p));
  EXPECT_FALSE(rule_hits("byte_test:1,&,0x01,3;", p));
  EXPECT_TRUE(rule_hits("byte_test:1,!&,0x01,3;", p));
  EXPECT_TRUE(rule_hits("byte_test:1,^,0x10,3;", p));
  EXPECT_FALSE(rule_hits("byte_test:1,^,0x10,4;", p));
  EXPECT_TRUE(rule_hits("byte_test:1,!=,0x10,3;", p));
  EXPECT_FALSE(rule_hits("byte_test:1,!=,0x10,4;", p));
  EXPECT_FALSE(rule_hits("byte_test:4,>,0,3;", p));  // past the end
  EXPECT_TRUE(rule_hits("byte_test:1,=,8,3,bitmask 0xF0;", p));
}

TEST(ByteTest, StringsAndRelative) {
  auto p = bytes_of("len=1234;hex=ff;oct=17");
  EXPECT_TRUE(rule_hits("content:\"len=\"; byte_test:4,=,1234,0,relative,string,dec;", p));
  EXPECT_FALSE(rule_hits("content:\"len=\"; byte_test:4,=,1234,1,relative,string,dec;", p));
  EXPECT_TRUE(rule_hits("content:\"hex=\"; byte_test:2,=,255,0,relative,string,hex;", p));
  EXPECT_TRUE(rule_hits("content:\"oct=\"; byte_test:2,=,15,0,relative,string,oct;", p));
  EXPECT_FALSE(rule_hits("byte_test:2,=,0,0,string,dec;", p));  // not digits
}

TEST(ByteJump, RelativeMultiplierAlignFromBeginningPostOffset) {
  // | 02 | a a | 03 | b b b | X |
  std::vector<uint8_t> p = {0x02, 'a', 'a', 0x03, 'b', 'b', 'b', 'X'};
  EXPECT_TRUE(rule_hits("byte_jump:1,0; byte_jump:1,0,relative; content:\"X\"; distance:0; within:1;", p));
  EXPECT_FALSE(rule_hits("byte_jump:1,0; content:\"a\"; distance:0; within:1;", p));
  EXPECT_TRUE(rule_hits("byte_jump:1,0,multiplier 2; content:\"b\"; distance:0; within:1;", p));
  EXPECT_TRUE(rule_hits("byte_jump:1,0,align; content:\"b\"; distance:0; within:1;", p));  // 2 → 4: 1+4 = 5
  EXPECT_TRUE(rule_hits("content:\"X\"; byte_jump:1,3,from_beginning; content:\"X\"; distance:0;", p));
  EXPECT_TRUE(rule_hits("byte_jump:1,0,post_offset -1; content:\"a\"; distance:0; within:1;", p));
  EXPECT_FALSE(rule_hits("byte_jump:1,7;", p));  // jumps 'X' = 88 bytes: past the end
}

TEST(IsDataAtAndDsize, Positions) {
  auto p = bytes_of("abcdef");
  EXPECT_TRUE(rule_hits("isdataat:5;", p));
  EXPECT_FALSE(rule_hits("isdataat:6;", p));
  EXPECT_TRUE(rule_hits("isdataat:!6;", p));
  EXPECT_TRUE(rule_hits("content:\"cd\"; isdataat:1,relative;", p));
  EXPECT_FALSE(rule_hits("content:\"cd\"; isdataat:2,relative;", p));
  EXPECT_TRUE(rule_hits("dsize:6;", p));
  EXPECT_TRUE(rule_hits("dsize:>5;", p));
  EXPECT_FALSE(rule_hits("dsize:<6;", p));
  EXPECT_TRUE(rule_hits("dsize:5<>7;", p));
  EXPECT_FALSE(rule_hits("dsize:6<>9;", p));
  EXPECT_TRUE(rule_hits("dsize:!7;", p));
}

TEST(Pcre, FlagsRelativeAndNegation) {
  auto p = bytes_of("USER admin\r\nPASS secret\r\n");
  EXPECT_TRUE(rule_hits("pcre:\"/^pass\\s+\\w+/mi\";", p));
  EXPECT_FALSE(rule_hits("pcre:\"/^pass\\s+\\w+/i\";", p));  // ^ without m: start of payload only
  EXPECT_FALSE(rule_hits("pcre:\"/^pass/m\";", p));          // case
  EXPECT_TRUE(rule_hits("pcre:\"/admin.PASS/s\";", bytes_of("admin\nPASS")));
  EXPECT_FALSE(rule_hits("pcre:\"/admin.PASS/\";", bytes_of("admin\nPASS")));
  EXPECT_TRUE(rule_hits("pcre:\"/ a d m i n /x\";", p));
  EXPECT_TRUE(rule_hits("content:\"USER \"; pcre:\"/admin/AR\";", p));
  EXPECT_FALSE(rule_hits("content:\"USER\"; pcre:\"/admin/AR\";", p));  // anchored at the space
  EXPECT_TRUE(rule_hits("content:\"PASS\"; pcre:!\"/admin/R\";", p));
  EXPECT_FALSE(rule_hits("pcre:!\"/admin/\";", p));
  EXPECT_TRUE(rule_hits("pcre:\"/secret/\"; content:\"|0d 0a|\"; distance:0; within:2;", p));
  EXPECT_TRUE(rule_hits("pcre:\"/[\\x00-\\x08]{2}\\x03/\";", std::vector<uint8_t>{0x01, 0x02, 0x03}));
}

TEST(Flow, DirectionEstablishedStream) {
  Harness h("alert tcp any any -> any 502 (flow:to_server,established; sid:1;)\n"
            "alert tcp any any -> any 502 (flow:from_server; sid:2;)\n"
            "alert tcp any any -> any 502 (flow:not_established; sid:3;)\n"
            "alert tcp any any -> any 502 (flow:only_stream; sid:4;)\n"
            "alert tcp any any -> any 502 (flow:no_stream,stateless; sid:5;)\n");
  ASSERT_EQ(h.compiled.report.loaded, 5u);
  std::vector<uint8_t> p = {1};
  EXPECT_EQ(h.sids(p), (std::vector<uint32_t>{1, 5}));
  h.input.to_server = false;
  h.input.established = false;
  h.input.from_stream = true;
  EXPECT_EQ(h.sids(p), (std::vector<uint32_t>{2, 3, 4}));
}

TEST(Modbus, FunctionSubfunctionAndCategories) {
  auto restart = modbus_adu(1, {0x08, 0x00, 0x01, 0x00, 0x00});
  auto listen_only = modbus_adu(1, {0x08, 0x00, 0x04, 0x00, 0x00});
  auto read = modbus_adu(1, {0x03, 0x00, 0x00, 0x00, 0x0A});
  auto user = modbus_adu(1, {0x41, 0x01});
  auto reserved = modbus_adu(1, {0x5A, 0x00, 0x41});
  EXPECT_TRUE(rule_hits("modbus: function 8;", restart));
  EXPECT_FALSE(rule_hits("modbus: function 8;", read));
  EXPECT_TRUE(rule_hits("modbus: function 8, subfunction 4;", listen_only));
  EXPECT_FALSE(rule_hits("modbus: function 8, subfunction 4;", restart));
  EXPECT_TRUE(rule_hits("modbus: function !8;", read));
  EXPECT_FALSE(rule_hits("modbus: function !8;", restart));
  EXPECT_TRUE(rule_hits("modbus: function assigned;", read));
  EXPECT_FALSE(rule_hits("modbus: function assigned;", user));
  EXPECT_TRUE(rule_hits("modbus: function user;", user));
  EXPECT_TRUE(rule_hits("modbus: function reserved;", reserved));
  EXPECT_FALSE(rule_hits("modbus: function public;", reserved));
  EXPECT_TRUE(rule_hits("modbus: function unassigned;", modbus_adu(1, {0x19})));
  EXPECT_TRUE(rule_hits("modbus: function 90, subfunction 0x41;", reserved));
  EXPECT_FALSE(rule_hits("modbus: function 90, subfunction 0x40;", reserved));
  // Not Modbus: a protocol id other than 0.
  auto bad = restart;
  bad[3] = 1;
  EXPECT_FALSE(rule_hits("modbus: function 8;", bad));
  // The second ADU of a segment counts too.
  auto two = read;
  two.insert(two.end(), restart.begin(), restart.end());
  EXPECT_TRUE(rule_hits("modbus: function 8, subfunction 1;", two));
}

TEST(Modbus, OnlyRequests) {
  Harness h("alert tcp any any -> any any (modbus: function 3; sid:1;)");
  auto read = modbus_adu(1, {0x03, 0x00, 0x00, 0x00, 0x0A});
  EXPECT_TRUE(h.alerts(read));
  h.input.to_server = false;
  EXPECT_FALSE(h.alerts(read));
}

TEST(Modbus, AccessAddressValueUnit) {
  auto write_single = modbus_adu(7, {0x06, 0x00, 0x96, 0x01, 0x2C});               // holding 150 := 300
  auto write_multi = modbus_adu(7, {0x10, 0x01, 0x00, 0x00, 0x02, 0x04, 0x00, 0x05, 0x03, 0xE8});  // 256..257
  auto read_coils = modbus_adu(9, {0x01, 0x00, 0x10, 0x00, 0x08});
  auto read_write = modbus_adu(7, {0x17, 0x00, 0x20, 0x00, 0x02, 0x00, 0x64, 0x00, 0x01, 0x02, 0x12, 0x34});
  EXPECT_TRUE(rule_hits("modbus: access write;", write_single));
  EXPECT_FALSE(rule_hits("modbus: access read;", write_single));
  EXPECT_TRUE(rule_hits("modbus: access write holding, address 150;", write_single));
  EXPECT_FALSE(rule_hits("modbus: access write coils;", write_single));
  EXPECT_FALSE(rule_hits("modbus: access write holding, address 151;", write_single));
  EXPECT_TRUE(rule_hits("modbus: access write holding, address >200;", write_multi));
  EXPECT_TRUE(rule_hits("modbus: access write holding, address 257;", write_multi));
  EXPECT_FALSE(rule_hits("modbus: access write holding, address <256;", write_multi));
  EXPECT_TRUE(rule_hits("modbus: access write holding, address 100<>200, value >299;", write_single));
  EXPECT_FALSE(rule_hits("modbus: access write holding, value >300;", write_single));
  EXPECT_TRUE(rule_hits("modbus: access write holding, value 1000;", write_multi));
  EXPECT_FALSE(rule_hits("modbus: access write holding, value 6;", write_multi));
  EXPECT_TRUE(rule_hits("modbus: access read coils, address 16<>24;", read_coils));
  EXPECT_FALSE(rule_hits("modbus: access read discretes;", read_coils));
  EXPECT_TRUE(rule_hits("modbus: access read holding, address 33;", read_write));    // FC 23 read part
  EXPECT_TRUE(rule_hits("modbus: access write holding, address 100;", read_write));  // FC 23 write part
  EXPECT_TRUE(rule_hits("modbus: access write holding, value 0x1234;", read_write));
  EXPECT_TRUE(rule_hits("modbus: unit 7;", write_single));
  EXPECT_FALSE(rule_hits("modbus: unit 7;", read_coils));
  EXPECT_TRUE(rule_hits("modbus: unit >8, function 1;", read_coils));
  EXPECT_FALSE(rule_hits("modbus: unit >9, function 1;", read_coils));
}

TEST(Dnp3, FunctionIndicationsObjectsAndData) {
  Harness h("alert tcp any any -> any any (dnp3_func:cold_restart; sid:1;)\n"
            "alert tcp any any -> any any (dnp3_func:disable_unsolicited; dnp3_obj:60,2; sid:2;)\n"
            "alert tcp any any -> any any (dnp3_ind:device_restart,need_time; sid:3;)\n"
            "alert tcp any any -> any any (dnp3_ind:device_restart; dnp3_ind:class_1_events; sid:4;)\n"
            "alert tcp any any -> any any (dnp3_data; content:\"secret.cfg\"; sid:5;)\n"
            "alert tcp any any -> any any (dnp3_func:13; dnp3_data; content:\"|C0 0D|\"; depth:2; sid:6;)\n");
  ASSERT_EQ(h.compiled.report.loaded, 6u);
  h.input.dst_port = 20000;
  EXPECT_EQ(h.sids(dnp3_frames({0xC0, 0x0D})), (std::vector<uint32_t>{1, 6}));
  std::vector<uint8_t> disable = {0xC1, 0x15, 60, 2, 0x06, 60, 3, 0x06, 60, 4, 0x06};
  EXPECT_EQ(h.sids(dnp3_frames(disable)), (std::vector<uint32_t>{2}));
  disable[3] = 3;  // g60v3 only: not class 1
  disable[6] = 4;
  EXPECT_TRUE(h.sids(dnp3_frames(disable)).empty());
  h.input.to_server = false;
  std::vector<uint8_t> restarted = {0xC0, 0x81, 0x80, 0x00};  // IIN1.7 device restart
  EXPECT_EQ(h.sids(dnp3_frames(restarted, false)), (std::vector<uint32_t>{3}));
  restarted[2] = 0x82;  // + class 1 events
  EXPECT_EQ(h.sids(dnp3_frames(restarted, false)), (std::vector<uint32_t>{3, 4}));
  restarted[2] = 0x00;
  EXPECT_TRUE(h.sids(dnp3_frames(restarted, false)).empty());
  // dnp3_data: a 60-byte fragment over several transport segments; the name straddles the
  // link CRCs (every 16 bytes), so only the reassembled buffer contains it.
  std::vector<uint8_t> open = {0xC2, 0x19};
  for (int i = 0; i < 28; ++i) open.push_back(static_cast<uint8_t>('a' + i % 26));
  for (char c : std::string("secret.cfg")) open.push_back(static_cast<uint8_t>(c));  // fragment bytes 30–39
  for (int i = 0; i < 12; ++i) open.push_back(static_cast<uint8_t>('a' + i));
  auto frames = dnp3_frames(open, true, 20);
  h.input.to_server = true;
  EXPECT_EQ(h.sids(frames), (std::vector<uint32_t>{5}));
  Harness raw("alert tcp any any -> any any (content:\"secret.cfg\"; sid:9;)");
  EXPECT_FALSE(raw.alerts(frames));
  // A corrupted block CRC drops that frame's data.
  auto broken = dnp3_frames({0xC0, 0x0D});
  broken[12] ^= 0xFF;
  EXPECT_TRUE(h.sids(broken).empty());
}

TEST(Enip, CommandAndCipService) {
  Harness h("alert tcp any any -> any any (enip_command:99; sid:1;)\n"
            "alert tcp any any -> any any (enip_command:0x6F; cip_service:0x0E,1,7; sid:2;)\n"
            "alert tcp any any -> any any (cip_service:0x4C; sid:3;)\n"
            "alert tcp any any -> any any (cip_service:0x05,1; sid:4;)\n");
  ASSERT_EQ(h.compiled.report.loaded, 4u);
  h.input.dst_port = 44818;
  EXPECT_EQ(h.sids(enip_pdu(0x63, {})), (std::vector<uint32_t>{1}));
  // Get_Attribute_Single, class 1 instance 1 attribute 7.
  auto get = enip_send_rr({0x0E, 0x03, 0x20, 0x01, 0x24, 0x01, 0x30, 0x07});
  EXPECT_EQ(h.sids(get), (std::vector<uint32_t>{2}));
  get[get.size() - 1] = 0x08;
  EXPECT_TRUE(h.sids(get).empty());
  // Multiple Service Packet (class 2) with a Read Tag (0x4C) and a Reset (0x05) of class 1 inside.
  std::vector<uint8_t> msp = {0x0A, 0x02, 0x20, 0x02, 0x24, 0x01,  // service, path: class 2, instance 1
                              0x02, 0x00, 0x06, 0x00, 0x0C, 0x00,  // count 2, offsets 6 and 12
                              0x4C, 0x02, 0x20, 0x6B, 0x24, 0x01,  // Read Tag on class 0x6B
                              0x05, 0x02, 0x20, 0x01, 0x24, 0x01};  // Reset on Identity
  EXPECT_EQ(h.sids(enip_send_rr(msp)), (std::vector<uint32_t>{3, 4}));
  EXPECT_TRUE(h.sids(bytes_of("not enip at all, just some text")).empty());
}

TEST(Threshold, LimitThresholdBothAndDetectionFilter) {
  Harness h("alert tcp any any -> any 502 (content:\"L\"; threshold: type limit, track by_src, count 2, seconds 10; sid:1;)\n"
            "alert tcp any any -> any 502 (content:\"T\"; threshold: type threshold, track by_dst, count 3, seconds 10; sid:2;)\n"
            "alert tcp any any -> any 502 (content:\"B\"; threshold: type both, track by_rule, count 2, seconds 10; sid:3;)\n"
            "alert tcp any any -> any 502 (content:\"D\"; detection_filter: track by_src, count 2, seconds 10; sid:4;)\n");
  ASSERT_EQ(h.compiled.report.loaded, 4u);
  auto count = [&](char c, int times, int64_t start_s) {
    int alerts = 0;
    for (int i = 0; i < times; ++i) {
      h.input.ts_ns = (start_s + i) * 1'000'000'000LL / 10;  // ten per second
      alerts += static_cast<int>(h.sids({static_cast<uint8_t>(c)}).size());
    }
    return alerts;
  };
  EXPECT_EQ(count('L', 5, 0), 2);
  h.input.src_ip = *IpAddr::parse("10.0.0.9");  // another source: its own count
  EXPECT_EQ(count('L', 5, 0), 2);
  EXPECT_EQ(count('L', 5, 200), 2);  // a new window 20 s later
  EXPECT_EQ(count('T', 7, 0), 2);    // every third
  EXPECT_EQ(count('B', 6, 0), 1);    // once per window
  EXPECT_EQ(count('D', 5, 0), 3);    // after the first two
}

TEST(Threshold, BoundedTable) {
  Harness h("alert tcp any any -> any 502 (content:\"L\"; threshold: type limit, track by_src, count 1, seconds 60; sid:1;)");
  RuleEvaluator small(16);
  std::vector<RuleMatch> out;
  std::vector<uint8_t> payload = {'L'};
  h.input.payload = payload;
  for (uint32_t i = 0; i < 1000; ++i) {
    h.input.src_ip = IpAddr::v4(0x0A000000u + i);
    small.evaluate(*h.compiled.rules, h.input, h.flow, out);
  }
  EXPECT_EQ(out.size(), 1000u);  // each new source alerts once
  EXPECT_GT(small.stats().threshold_evictions, 0u);
}

// Workers each have an evaluator of the one published set: counts are global, so splitting the
// matches over two evaluators (one of them a little behind in packet time) alerts exactly as one.
TEST(Threshold, CountsAreSharedByEveryEvaluatorOfASet) {
  const char* text =
      "alert tcp any any -> any 502 (content:\"L\"; threshold: type limit, track by_src, count 2, seconds 60; sid:1;)\n"
      "alert tcp any any -> any 502 (content:\"T\"; threshold: type threshold, track by_dst, count 3, seconds 60; sid:2;)\n"
      "alert tcp any any -> any 502 (content:\"B\"; threshold: type both, track by_rule, count 4, seconds 60; sid:3;)\n"
      "alert tcp any any -> any 502 (content:\"D\"; detection_filter: track by_src, count 5, seconds 60; sid:4;)\n";
  auto alerts = [&](size_t evaluators) {
    CompileResult compiled = compile_rules(text, test::test_variables());
    std::vector<std::unique_ptr<RuleEvaluator>> workers;
    for (size_t i = 0; i < evaluators; ++i) workers.push_back(std::make_unique<RuleEvaluator>());
    std::map<uint32_t, int> by_sid;
    for (const char c : {'L', 'T', 'B', 'D'}) {
      for (int i = 0; i < 12; ++i) {
        RuleInput input;
        input.transport = 6;
        input.src_ip = IpAddr::v4(0x0A000001u + static_cast<uint32_t>(i % 2));  // two sources
        input.dst_ip = IpAddr::v4(0x0A000064u + static_cast<uint32_t>(i % 3));  // three destinations
        input.src_port = static_cast<uint16_t>(40000 + i);
        input.dst_port = 502;
        input.established = true;
        const size_t worker = static_cast<size_t>(i / 2) % evaluators;  // each source on every worker
        input.ts_ns = 1'000'000'000LL * i - static_cast<int64_t>(worker) * 1'500'000'000LL;  // the second lags
        const std::vector<uint8_t> payload = {static_cast<uint8_t>(c)};
        input.payload = payload;
        FlowRuleState flow;
        std::vector<RuleMatch> out;
        workers[worker]->evaluate(*compiled.rules, input, flow, out);
        for (const RuleMatch& m : out) ++by_sid[m.sid];
      }
    }
    return by_sid;
  };
  const auto one = alerts(1);
  EXPECT_EQ(one, (std::map<uint32_t, int>{{1, 4}, {2, 3}, {3, 1}, {4, 2}}));
  EXPECT_EQ(alerts(2), one);
  EXPECT_EQ(alerts(3), one);
}

TEST(Threshold, ConcurrentEvaluatorsCountEveryMatch) {
  CompileResult compiled = compile_rules(
      "alert tcp any any -> any 502 (content:\"D\"; detection_filter: track by_rule, count 999, seconds 3600; sid:1;)",
      test::test_variables());
  std::atomic<int> alerted{0};
  auto worker = [&] {
    RuleEvaluator evaluator;
    RuleInput input;
    input.transport = 6;
    input.dst_port = 502;
    const std::vector<uint8_t> payload = {'D'};
    input.payload = payload;
    std::vector<RuleMatch> out;
    for (int i = 0; i < 1000; ++i) {
      FlowRuleState flow;
      input.ts_ns = i;
      out.clear();
      evaluator.evaluate(*compiled.rules, input, flow, out);
      alerted += static_cast<int>(out.size());
    }
  };
  std::thread a(worker), b(worker);
  a.join();
  b.join();
  EXPECT_EQ(alerted.load(), 2000 - 999);  // every match after the 999th, whichever thread saw it
}

TEST(Flowbits, SetIssetUnsetToggleNoalert) {
  Harness h("alert tcp any any -> any 502 (content:\"login\"; flowbits:set,auth; flowbits:noalert; sid:1;)\n"
            "alert tcp any any -> any 502 (content:\"write\"; flowbits:isset,auth; sid:2;)\n"
            "alert tcp any any -> any 502 (content:\"write\"; flowbits:isnotset,auth; sid:3;)\n"
            "alert tcp any any -> any 502 (content:\"logout\"; flowbits:unset,auth; sid:4;)\n"
            "alert tcp any any -> any 502 (content:\"flip\"; flowbits:toggle,auth; flowbits:noalert; sid:5;)\n"
            "alert tcp any any -> any 502 (content:\"any\"; flowbits:isset,auth|other; sid:6;)\n");
  ASSERT_EQ(h.compiled.report.loaded, 6u);
  EXPECT_EQ(h.sids(bytes_of("write")), (std::vector<uint32_t>{3}));
  EXPECT_TRUE(h.sids(bytes_of("login")).empty());  // noalert
  EXPECT_EQ(h.sids(bytes_of("write")), (std::vector<uint32_t>{2}));
  EXPECT_EQ(h.sids(bytes_of("any")), (std::vector<uint32_t>{6}));
  EXPECT_EQ(h.sids(bytes_of("logout")), (std::vector<uint32_t>{4}));
  EXPECT_EQ(h.sids(bytes_of("write")), (std::vector<uint32_t>{3}));
  EXPECT_TRUE(h.sids(bytes_of("flip")).empty());
  EXPECT_EQ(h.sids(bytes_of("write")), (std::vector<uint32_t>{2}));
  // Setter and checker in one packet: the setter is evaluated first.
  FlowRuleState fresh;
  h.flow = fresh;
  EXPECT_EQ(h.sids(bytes_of("login write")), (std::vector<uint32_t>{2}));
}

TEST(Actions, PassSuppressesTheOthers) {
  Harness h("alert tcp any any -> any 502 (content:\"x\"; sid:1;)\n"
            "pass tcp 10.0.0.1 any -> any 502 (sid:2;)\n");
  EXPECT_TRUE(h.sids(bytes_of("x")).empty());
  h.input.src_ip = *IpAddr::parse("10.0.0.3");
  EXPECT_EQ(h.sids(bytes_of("x")), (std::vector<uint32_t>{1}));
}

TEST(TestRules, QuickdrawStyleRulesFire) {
  Harness h(test::read_file(test::test_rules_path()));
  ASSERT_TRUE(h.compiled.report.rejected.empty());
  h.input.src_ip = *IpAddr::parse("10.0.0.5");  // not the authorised client
  EXPECT_EQ(h.sids(modbus_adu(1, {0x08, 0x00, 0x01, 0x00, 0x00})), (std::vector<uint32_t>{9000003}));
  h.input.src_ip = *IpAddr::parse("10.0.0.1");
  EXPECT_EQ(h.sids(modbus_adu(1, {0x08, 0x00, 0x01, 0x00, 0x00})), (std::vector<uint32_t>{9000001, 9000003}));
  EXPECT_EQ(h.sids(modbus_adu(1, {0x08, 0x00, 0x04, 0x00, 0x00})), (std::vector<uint32_t>{9000002, 9000003}));
  h.input.src_ip = *IpAddr::parse("10.0.0.5");
  EXPECT_EQ(h.sids(modbus_adu(1, {0x06, 0x00, 0x96, 0x00, 0x01})), (std::vector<uint32_t>{9000006, 9000007}));
  EXPECT_EQ(h.sids(modbus_adu(1, {0x5A, 0x00, 0x41})), (std::vector<uint32_t>{9000004, 9000005}));
  EXPECT_EQ(h.sids(modbus_adu(1, {0x5A, 0x00, 0x10})), (std::vector<uint32_t>{9000004}));  // sets the flowbit
  EXPECT_EQ(h.sids(modbus_adu(1, {0x5A, 0x00, 0x41})), (std::vector<uint32_t>{9000004, 9000005, 9000015}));
  auto trailing = modbus_adu(1, {0x10, 0x00, 0x01, 0x00, 0x01, 0x02, 0x00, 0x07, 0xEE});
  EXPECT_EQ(h.sids(trailing), (std::vector<uint32_t>{9000007, 9000010}));
  trailing.pop_back();
  EXPECT_EQ(h.sids(trailing), (std::vector<uint32_t>{9000007}));
  h.input.src_ip = *IpAddr::parse("10.0.0.1");
  EXPECT_EQ(h.sids(std::vector<uint8_t>(400, 0)), (std::vector<uint32_t>{9000008}));
  h.input.src_ip = *IpAddr::parse("192.0.2.99");  // trusted: pass
  EXPECT_TRUE(h.sids(modbus_adu(1, {0x08, 0x00, 0x04, 0x00, 0x00})).empty());
  // Server exception "slave device busy".
  h.input.src_ip = *IpAddr::parse("10.0.0.2");
  h.input.dst_ip = *IpAddr::parse("10.0.0.1");
  h.input.src_port = 502;
  h.input.dst_port = 40000;
  h.input.to_server = false;
  EXPECT_EQ(h.sids(modbus_adu(1, {0x83, 0x06})), (std::vector<uint32_t>{9000009}));
  EXPECT_TRUE(h.sids(modbus_adu(1, {0x83, 0x02})).empty());
  // DNP3 cold restart from an unauthorised client: content and keyword rules.
  h.input.src_ip = *IpAddr::parse("10.0.0.5");
  h.input.dst_ip = *IpAddr::parse("10.0.0.2");
  h.input.src_port = 40001;
  h.input.dst_port = 20000;
  h.input.to_server = true;
  EXPECT_EQ(h.sids(dnp3_frames({0xC0, 0x0D})), (std::vector<uint32_t>{9000101, 9000102}));
  EXPECT_EQ(h.sids(dnp3_frames({0xC0, 0x12})), (std::vector<uint32_t>{9000105}));
  // S7 CPU stop.
  std::vector<uint8_t> stop = {0x03, 0x00, 0x00, 0x21, 0x02, 0xF0, 0x80, 0x32, 0x01, 0x00, 0x00, 0x00, 0x01,
                               0x00, 0x10, 0x00, 0x00, 0x29, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09};
  for (char c : std::string("P_PROGRAM")) stop.push_back(static_cast<uint8_t>(c));
  h.input.dst_port = 102;
  EXPECT_EQ(h.sids(stop), (std::vector<uint32_t>{9000301}));
  stop[17] = 0x28;  // PI service instead of stop
  EXPECT_TRUE(h.sids(stop).empty());
}

TEST(Prefilter, ManyRulesFewCandidates) {
  std::string text;
  for (int i = 0; i < 3000; ++i) {
    char pattern[16];
    std::snprintf(pattern, sizeof pattern, "%04d", i);
    text += "alert tcp any any -> any 502 (content:\"tag" + std::string(pattern) + "\"; sid:" + std::to_string(i + 1) + ";)\n";
  }
  text += "alert tcp any any -> any 502 (dsize:>1000; sid:9999;)\n";
  Harness h(text);
  ASSERT_EQ(h.compiled.report.loaded, 3001u);
  // The prefilter folds case, the rule does not: sid 3000 is a candidate but does not match.
  EXPECT_EQ(h.sids(bytes_of("xx tag0042 yy TAG2999")), (std::vector<uint32_t>{43}));
  // Candidates: the two prefilter hits plus the one rule without content.
  EXPECT_EQ(h.evaluator.stats().candidates, 3u);
  h.input.dst_port = 503;
  EXPECT_TRUE(h.sids(bytes_of("tag0042")).empty());
  EXPECT_EQ(h.evaluator.stats().candidates, 3u);  // another port group: nothing to evaluate
}

TEST(Snapshot, NewRuleSetResetsFlowbits) {
  Harness h("alert tcp any any -> any 502 (content:\"a\"; flowbits:set,x; sid:1;)\n"
            "alert tcp any any -> any 502 (content:\"b\"; flowbits:isset,x; sid:2;)\n");
  EXPECT_EQ(h.sids(bytes_of("a")), (std::vector<uint32_t>{1}));
  EXPECT_EQ(h.sids(bytes_of("b")), (std::vector<uint32_t>{2}));
  auto reloaded = compile_rules("alert tcp any any -> any 502 (content:\"b\"; flowbits:isset,x; sid:2;)\n");
  std::vector<RuleMatch> out;
  auto payload = bytes_of("b");
  h.input.payload = payload;
  h.evaluator.evaluate(*reloaded.rules, h.input, h.flow, out);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace ots::detect::rules
