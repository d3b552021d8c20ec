// The BACnet/IP session: events per message type, request/response matching, identities on the
// sender, anomalies, confirmation and rejection, truncation at every prefix.
#include "dissectors/bacnet/bacnet_session.h"

#include <gtest/gtest.h>

#include "bacnet_test_util.h"

namespace ots {
extern const DissectorDescriptor kDissector_bacnet;
}

namespace ots::bacnet {
namespace {

using namespace ots::bactest;

constexpr Direction kC = Direction::FromClient;
constexpr Direction kS = Direction::FromServer;

class BacnetSession : public ::testing::Test {
 protected:
  BacnetSession() {
    ctx.transport = 17;
    ctx.client_ip = *IpAddr::parse("10.0.0.1");
    ctx.server_ip = *IpAddr::parse("10.0.0.2");
    ctx.client_port = ctx.server_port = 47808;
  }
  void feed(Direction dir, const Buf& datagram) { session.data(ctx, dir, datagram); }
  const RecordedOperation& last_op() const { return sink.operations.back(); }

  FlowContext ctx;
  RecordingSink sink;
  Session session{sink};
};

TEST(BacnetDescriptor, RegistersUdpPortsAndProbe) {
  EXPECT_EQ(kDissector_bacnet.name, "bacnet");
  EXPECT_EQ(kDissector_bacnet.transports, transport_bit::Udp);
  ASSERT_EQ(kDissector_bacnet.ports.size(), 16u);
  EXPECT_EQ(kDissector_bacnet.ports.front(), 47808);
  EXPECT_EQ(kDissector_bacnet.ports.back(), 47823);
  EXPECT_EQ(kDissector_bacnet.probe(kC, broadcast(i_am(1, 2))), ProbeResult::Match);
  RecordingSink sink;
  EXPECT_NE(kDissector_bacnet.make_session(sink), nullptr);
}

TEST_F(BacnetSession, IAmNamesTheSender) {
  feed(kC, broadcast(i_am(721, 15)));
  EXPECT_EQ(sink.identity_value(Side::Client, IdentityField::Description), "device instance 721");
  EXPECT_EQ(sink.identity_value(Side::Client, IdentityField::Vendor), "Cornell University");
  EXPECT_EQ(sink.identities.back().ip, "10.0.0.1");
  EXPECT_EQ(sink.identity_count(Side::Server, IdentityField::Vendor), 0u);
  const RecordedOperation& op = last_op();
  EXPECT_EQ(op.from, Side::Client);
  EXPECT_EQ(op.op.code, kUnconfirmedCodeBase + 0);
  EXPECT_EQ(op.name, "i-Am");
  EXPECT_TRUE(op.op.is_request);
  EXPECT_FALSE(op.op.is_write);
  EXPECT_EQ(op.op.unit, 721u);
  EXPECT_TRUE(sink.anomalies.empty());

  feed(kS, broadcast(i_am(254, 4000)));  // unregistered vendor id
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::Description), "device instance 254");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::Vendor), "BACnet vendor 4000");
  EXPECT_EQ(sink.identities.back().ip, "10.0.0.2");
  EXPECT_EQ(sink.confirmations.size(), 1u);  // two valid datagrams
}

TEST_F(BacnetSession, ForwardedAndRoutedIAmAreNotAboutTheSender) {
  feed(kC, make_bvlc(0x04, cat({{10, 0, 0, 9, 0xBA, 0xC0}, make_npdu(i_am(9, 5))})));
  // Routed from network 7, MAC 0x05: the sender is the router.
  feed(kC, make_bvlc(0x0A, cat({{0x01, 0x08}, be16(7), {1, 0x05}, i_am(10, 5)})));
  EXPECT_TRUE(sink.identities.empty());
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[0].op.unit, 9u);
  EXPECT_EQ(sink.operations[1].op.unit, 10u);
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(BacnetSession, ReadPropertyOfTheDeviceObject) {
  feed(kC, unicast(read_property(1, kDevice, 721, 77)));
  feed(kS, unicast(read_property_ack(1, kDevice, 721, 77, app_string("PLC_12"))));
  ASSERT_EQ(sink.operations.size(), 2u);
  const Operation& request = sink.operations[0].op;
  EXPECT_EQ(request.code, 12u);
  EXPECT_EQ(sink.operations[0].name, "readProperty");
  EXPECT_TRUE(request.is_request);
  EXPECT_TRUE(request.has_range);
  EXPECT_EQ(request.address, 721u);
  EXPECT_EQ(request.quantity, 1u);
  EXPECT_EQ(request.unit, 721u);
  EXPECT_EQ(sink.operations[0].object, "object-name");
  EXPECT_EQ(sink.operations[1].from, Side::Server);
  EXPECT_FALSE(sink.operations[1].op.is_request);
  EXPECT_EQ(sink.operations[1].object, "object-name");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::Hostname), "PLC_12");
  EXPECT_EQ(session.pending_requests(), 0u);
  EXPECT_EQ(sink.confirmations.size(), 1u);
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(BacnetSession, DeviceIdentityProperties) {
  const std::pair<uint32_t, std::string> reads[] = {
      {121, "Acme Controls"}, {70, "ETA-633"},  {44, "3.8.4"},       {12, "1.3.3"},
      {58, "bay_6436"},       {372, "SN-0042"}, {28, "boiler plant"}};
  uint8_t invoke = 10;
  for (const auto& [property, value] : reads) {
    feed(kC, unicast(read_property(invoke, kDevice, 456, property)));
    feed(kS, unicast(read_property_ack(invoke, kDevice, 456, property, app_string(value))));
    ++invoke;
  }
  feed(kC, unicast(read_property(invoke, kDevice, 456, 120)));
  feed(kS, unicast(read_property_ack(invoke, kDevice, 456, 120, app_unsigned(8))));
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::ProductName), "ETA-633");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::FirmwareVersion), "3.8.4");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::SerialNumber), "SN-0042");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::Vendor), "Delta Controls");
  std::vector<std::string> descriptions, vendors;
  for (const auto& i : sink.identities) {
    if (i.field == IdentityField::Description) descriptions.push_back(i.value);
    if (i.field == IdentityField::Vendor) vendors.push_back(i.value);
  }
  EXPECT_EQ(descriptions,
            (std::vector<std::string>{"application software 1.3.3", "location bay_6436", "boiler plant"}));
  EXPECT_EQ(vendors, (std::vector<std::string>{"Acme Controls", "Delta Controls"}));
  EXPECT_EQ(sink.identity_count(Side::Client, IdentityField::Vendor), 0u);
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(BacnetSession, OtherObjectsGiveNoIdentity) {
  feed(kC, unicast(read_property(1, kAnalogInput, 1, 77)));
  feed(kS, unicast(read_property_ack(1, kAnalogInput, 1, 77, app_string("Sensor_45312"))));
  EXPECT_TRUE(sink.identities.empty());
  EXPECT_EQ(sink.operations[1].op.address, 1u);
}

TEST_F(BacnetSession, UnitComesFromTheKnownDevice) {
  feed(kS, broadcast(i_am(77, 8)));
  feed(kC, unicast(read_property(1, kAnalogInput, 3, 85)));
  feed(kS, unicast(read_property_ack(1, kAnalogInput, 3, 85, app_real())));
  EXPECT_EQ(sink.operations[1].op.unit, 77u);  // request: the receiver's instance
  EXPECT_EQ(sink.operations[2].op.unit, 77u);  // response: the sender's
  EXPECT_EQ(sink.operations[1].object, "present-value");
}

TEST_F(BacnetSession, ReadPropertyMultiple) {
  feed(kC, unicast(confirmed_request(2, 14,
                                     cat({ctx_object(0, kDevice, 9), open_tag(1), ctx_unsigned(0, 121),
                                          ctx_unsigned(0, 70), close_tag(1)}))));
  feed(kS, unicast(complex_ack(2, 14,
                               cat({ctx_object(0, kDevice, 9), open_tag(1), ctx_unsigned(2, 121), open_tag(4),
                                    app_string("Acme"), close_tag(4), ctx_unsigned(2, 70), open_tag(4),
                                    app_string("X1"), close_tag(4), close_tag(1)}))));
  const Operation& request = sink.operations[0].op;
  EXPECT_EQ(request.code, 14u);
  EXPECT_EQ(request.quantity, 2u);
  EXPECT_EQ(sink.operations[0].object, "");  // two properties: none named
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::Vendor), "Acme");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::ProductName), "X1");
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(BacnetSession, WritePropertyAndSimpleAck) {
  feed(kC, unicast(write_property(3, kAnalogOutput, 0, 85, app_real(), 8)));
  feed(kS, unicast(simple_ack(3, 15)));
  const RecordedOperation& request = sink.operations[0];
  EXPECT_EQ(request.op.code, 15u);
  EXPECT_TRUE(request.op.is_write);
  EXPECT_EQ(request.op.address, 0u);
  EXPECT_TRUE(request.op.has_range);
  EXPECT_EQ(request.object, "present-value");
  const RecordedOperation& ack = sink.operations[1];
  EXPECT_EQ(ack.from, Side::Server);
  EXPECT_FALSE(ack.op.is_request);
  EXPECT_TRUE(ack.op.is_write);
  EXPECT_TRUE(ack.op.has_range);
  EXPECT_EQ(ack.object, "present-value");
  EXPECT_EQ(session.pending_requests(), 0u);
}

TEST_F(BacnetSession, WritePropertyMultiple) {
  feed(kC, unicast(confirmed_request(4, 16,
                                     cat({ctx_object(0, kAnalogOutput, 1), open_tag(1), ctx_unsigned(0, 85),
                                          open_tag(2), app_real(), close_tag(2), close_tag(1)}))));
  EXPECT_TRUE(last_op().op.is_write);
  EXPECT_EQ(last_op().name, "writePropertyMultiple");
  EXPECT_EQ(last_op().object, "present-value");
  EXPECT_EQ(last_op().op.address, 1u);
}

TEST_F(BacnetSession, ReinitializeDeviceRefusedWithError) {
  feed(kC, unicast(confirmed_request(5, 20, cat({ctx_unsigned(0, 1), ctx_string(1, "secret")}))));
  feed(kS, unicast(error_pdu(5, 20, 4, 26)));
  EXPECT_EQ(sink.operations[0].name, "reinitializeDevice");
  EXPECT_TRUE(sink.operations[0].op.is_write);
  EXPECT_EQ(sink.operations[0].object, "warmstart with password");
  const RecordedOperation& error = sink.operations[1];
  EXPECT_EQ(error.op.code, 20u);
  EXPECT_TRUE(error.op.is_error);
  EXPECT_TRUE(error.op.is_write);
  EXPECT_EQ(error.object, "password-failure");
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(BacnetSession, DeviceCommunicationControl) {
  feed(kC, unicast(confirmed_request(6, 17, cat({ctx_unsigned(0, 60), ctx_unsigned(1, 1)}))));
  EXPECT_TRUE(last_op().op.is_write);
  EXPECT_EQ(last_op().object, "disable");
  EXPECT_FALSE(last_op().op.has_range);
  EXPECT_EQ(last_op().op.quantity, 60u);
  feed(kC, unicast(confirmed_request(7, 17, cat({ctx_unsigned(1, 2), ctx_string(2, "pw")}))));
  EXPECT_EQ(last_op().object, "disable-initiation with password");
}

TEST_F(BacnetSession, RejectAndAbortTakeTheirRequestsService) {
  feed(kC, unicast(write_property(8, kAnalogOutput, 2, 85, app_real(), 16)));
  feed(kS, unicast(reject_pdu(8, 9)));
  EXPECT_EQ(last_op().op.code, 15u);
  EXPECT_EQ(last_op().name, "writeProperty");
  EXPECT_TRUE(last_op().op.is_error);
  EXPECT_EQ(last_op().object, "unrecognized-service");
  EXPECT_EQ(last_op().op.address, 2u);
  feed(kC, unicast(read_property(9, kDevice, 1, 77)));
  feed(kC, unicast(abort_pdu(9, 0, false)));  // the client gives up its own transaction
  EXPECT_EQ(last_op().op.code, 12u);
  EXPECT_EQ(last_op().object, "other");
  EXPECT_EQ(session.pending_requests(), 0u);
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(BacnetSession, UnmatchedResponses) {
  // The requesting direction has sent nothing yet: no blame.
  feed(kS, unicast(abort_pdu(1, 4)));
  EXPECT_EQ(last_op().op.code, kPduCodeBase + pdu::kAbort);
  EXPECT_EQ(last_op().name, "Abort");
  EXPECT_TRUE(sink.anomalies.empty());
  feed(kC, unicast(read_property(2, kDevice, 1, 77)));
  feed(kS, unicast(simple_ack(3, 15)));
  EXPECT_TRUE(sink.has_anomaly("bacnet.unmatched_response"));
  // The ACK of another service with the same invoke id does not answer it either.
  sink.clear();
  feed(kS, unicast(simple_ack(2, 15)));
  EXPECT_TRUE(sink.has_anomaly("bacnet.unmatched_response"));
  EXPECT_EQ(session.pending_requests(), 1u);
  EXPECT_FALSE(session.rejected());
}

TEST_F(BacnetSession, SegmentedComplexAckKeepsTheRequestUntilTheLastSegment) {
  feed(kC, unicast(confirmed_request(0x5E, 12, cat({ctx_object(0, kDevice, 254), ctx_unsigned(1, 76)}))));
  Buf first = cat({{0x3C, 0x5E, 0x00, 0x03, 0x0C},
                   ctx_object(0, kDevice, 254),
                   ctx_unsigned(1, 76),
                   open_tag(3),
                   app_object(3, 0),
                   {0xC4, 0x00}});
  feed(kS, unicast(first));
  EXPECT_EQ(session.pending_requests(), 1u);
  feed(kC, unicast(Buf{0x40, 0x5E, 0x00, 0x03}));  // Segment-ACK
  EXPECT_EQ(last_op().op.code, kPduCodeBase + pdu::kSegmentAck);
  EXPECT_EQ(last_op().name, "Segment-ACK");
  feed(kS, unicast(cat({{0x38, 0x5E, 0x01, 0x03, 0x0C}, {0xC0, 0x00, 0x01}, close_tag(3)})));
  EXPECT_EQ(session.pending_requests(), 0u);
  EXPECT_EQ(last_op().op.code, 12u);
  EXPECT_EQ(last_op().op.address, 254u);  // from the request
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(BacnetSession, WhoIsWhoHasAndIHave) {
  feed(kC, broadcast(unconfirmed_request(8, cat({ctx_unsigned(0, 100), ctx_unsigned(1, 199)}))));
  EXPECT_EQ(last_op().op.code, kUnconfirmedCodeBase + 8);
  EXPECT_TRUE(last_op().op.has_range);
  EXPECT_EQ(last_op().op.address, 100u);
  EXPECT_EQ(last_op().op.quantity, 100u);
  feed(kC, broadcast(unconfirmed_request(7, ctx_string(3, "SYNERGY"))));
  EXPECT_EQ(last_op().name, "who-Has");
  feed(kS, broadcast(unconfirmed_request(
               1, cat({app_object(kDevice, 61), app_object(23, 4), app_string("SYNERGY")}))));
  EXPECT_EQ(last_op().op.unit, 61u);
  EXPECT_EQ(last_op().op.address, 4u);
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(BacnetSession, WhoAmIDescribesTheSenderYouAreIsAWrite) {
  feed(kC,
       broadcast(unconfirmed_request(13, cat({app_unsigned(8), app_string("LMCP24"), app_string("12345")}))));
  EXPECT_EQ(sink.identity_value(Side::Client, IdentityField::Vendor), "Delta Controls");
  EXPECT_EQ(sink.identity_value(Side::Client, IdentityField::ProductName), "LMCP24");
  EXPECT_EQ(sink.identity_value(Side::Client, IdentityField::SerialNumber), "12345");
  size_t facts = sink.identities.size();
  feed(kS, broadcast(unconfirmed_request(14, cat({app_unsigned(8), app_string("LMCP24"), app_string("12345"),
                                                  app_object(kDevice, 3)}))));
  EXPECT_EQ(sink.identities.size(), facts);
  EXPECT_TRUE(last_op().op.is_write);
  EXPECT_EQ(last_op().op.unit, 3u);
}

TEST_F(BacnetSession, TimeSynchronizationIsAWrite) {
  feed(kC, broadcast(unconfirmed_request(
               6, cat({tag(10, false, {124, 3, 6, 2}), tag(11, false, {16, 48, 27, 0})}))));
  EXPECT_EQ(last_op().name, "timeSynchronization");
  EXPECT_TRUE(last_op().op.is_write);
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(BacnetSession, NetworkLayerMessages) {
  feed(kS, network_message(0x01, cat({be16(3), be16(4), be16(9)})));
  EXPECT_EQ(last_op().op.code, kNetworkCodeBase + 1);
  EXPECT_EQ(last_op().name, "I-Am-Router-To-Network");
  EXPECT_EQ(last_op().op.address, 3u);
  EXPECT_EQ(last_op().op.quantity, 3u);
  feed(kC, network_message(0x00, {}));
  EXPECT_EQ(last_op().name, "Who-Is-Router-To-Network");
  EXPECT_FALSE(last_op().op.has_range);
  feed(kS, network_message(0x03, cat({{1}, be16(12)})));
  EXPECT_TRUE(last_op().op.is_error);
  EXPECT_FALSE(last_op().op.is_request);
  EXPECT_EQ(last_op().object, "no route to DNET");
  feed(kC, network_message(0x06, cat({{1}, be16(1), {1, 0}})));
  EXPECT_TRUE(last_op().op.is_write);
  feed(kC, network_message(0x85, cat({be16(260), {1, 2, 3}})));
  EXPECT_EQ(last_op().name, "Proprietary-Network-Message");
  EXPECT_EQ(last_op().op.unit, 260u);
  EXPECT_TRUE(sink.anomalies.empty());
  feed(kC, network_message(0x50, {}));
  EXPECT_EQ(last_op().name, "unknown");
  EXPECT_TRUE(sink.has_anomaly("bacnet.unknown_service"));
}

TEST_F(BacnetSession, BvllMessages) {
  feed(kC, make_bvlc(0x05, be16(60)));
  EXPECT_EQ(last_op().op.code, kBvlcCodeBase + 5);
  EXPECT_EQ(last_op().name, "Register-Foreign-Device");
  EXPECT_TRUE(last_op().op.is_write);
  EXPECT_EQ(last_op().op.quantity, 60u);
  feed(kS, make_bvlc(0x00, be16(0x0030)));
  EXPECT_FALSE(last_op().op.is_request);
  EXPECT_TRUE(last_op().op.is_error);
  EXPECT_EQ(last_op().object, "Register-Foreign-Device NAK");
  feed(kC, make_bvlc(0x01, Buf(20, 1)));
  EXPECT_TRUE(last_op().op.is_write);
  EXPECT_EQ(last_op().op.quantity, 2u);
  feed(kC, make_bvlc(0x02, {}));
  EXPECT_FALSE(last_op().op.is_write);
  feed(kS, make_bvlc(0x00, be16(0)));
  EXPECT_FALSE(last_op().op.is_error);
  EXPECT_EQ(last_op().object, "Successful completion");
  EXPECT_TRUE(sink.anomalies.empty());
}

struct AnomalyCase {
  const char* name;
  Buf datagram;
  const char* anomaly;
};

TEST_F(BacnetSession, EveryAnomalyHasItsName) {
  Buf deep;
  for (int i = 0; i < 20; ++i) deep.push_back(0x0E);
  const AnomalyCase cases[] = {
      {"bvlc type", {0x82, 0x0A, 0x00, 0x04}, "bacnet.invalid_bvlc"},
      {"bvlc function", {0x81, 0x20, 0x00, 0x04}, "bacnet.invalid_bvlc"},
      {"bvlc length", {0x81, 0x0A, 0x00, 0x10, 0x01, 0x00, 0x10, 0x08}, "bacnet.invalid_bvlc_length"},
      {"bdt size", make_bvlc(0x01, Buf(11, 0)), "bacnet.invalid_bvlc_length"},
      {"npdu version", make_bvlc(0x0A, {0x02, 0x00, 0x10, 0x08}), "bacnet.invalid_npdu"},
      {"pdu type", unicast({0x90, 0x00}), "bacnet.invalid_apdu"},
      {"i-am shape", broadcast(unconfirmed_request(0, app_unsigned(5))), "bacnet.invalid_apdu"},
      {"tag", unicast(confirmed_request(1, 3, {0xD1, 0x00})), "bacnet.invalid_tag"},
      {"nesting", unicast(confirmed_request(1, 3, deep)), "bacnet.tag_nesting_too_deep"},
      {"short bvlc", {0x81, 0x0A}, "bacnet.truncated"},
      {"short apdu", unicast({0x00, 0x05}), "bacnet.truncated"},
      {"confirmed service", unicast(confirmed_request(1, 40, {})), "bacnet.unknown_service"},
      {"unconfirmed service", broadcast(unconfirmed_request(20, {})), "bacnet.unknown_service"},
  };
  for (const AnomalyCase& c : cases) {
    RecordingSink fresh;
    Session s(fresh);
    s.data(ctx, kC, c.datagram);
    EXPECT_EQ(fresh.anomalies, std::vector<std::string>{c.anomaly}) << c.name;
    EXPECT_TRUE(fresh.confirmations.empty()) << c.name;
  }
}

TEST_F(BacnetSession, WrongBvlcLengthIsReportedYetDecoded) {
  Buf request = unicast(confirmed_request(1, 20, cat({ctx_unsigned(0, 6), ctx_string(1, "Delcatty70")})));
  request[3] = 0x11;  // as a traffic generator in the public captures wrote it
  feed(kC, request);
  feed(kC, request);
  EXPECT_EQ(sink.anomalies,
            (std::vector<std::string>{"bacnet.invalid_bvlc_length", "bacnet.invalid_bvlc_length"}));
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(last_op().name, "reinitializeDevice");
  EXPECT_EQ(last_op().object, "abortrestore with password");
  EXPECT_EQ(sink.confirmations.size(), 1u);
  EXPECT_FALSE(session.rejected());
}

TEST_F(BacnetSession, UnknownServiceStillReportsTheOperation) {
  feed(kC, unicast(confirmed_request(1, 40, {})));
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_EQ(last_op().op.code, 40u);
  EXPECT_EQ(last_op().name, "unknown");
}

TEST_F(BacnetSession, RepeatedViolationsReject) {
  for (uint32_t i = 0; i < kMaxConsecutiveViolations - 1; ++i) feed(kC, Buf{0x81, 0x0A, 0x00, 0x99});
  EXPECT_FALSE(session.rejected());
  feed(kC, broadcast(i_am(1, 1)));  // a valid datagram resets the count
  for (uint32_t i = 0; i < kMaxConsecutiveViolations - 1; ++i) feed(kC, Buf{0x81, 0x0A, 0x00, 0x99});
  EXPECT_FALSE(session.rejected());
  feed(kC, Buf{0x81, 0x0A, 0x00, 0x99});
  EXPECT_TRUE(session.rejected());
  size_t events = sink.operations.size() + sink.anomalies.size();
  feed(kC, broadcast(i_am(1, 1)));
  EXPECT_EQ(sink.operations.size() + sink.anomalies.size(), events);
}

TEST_F(BacnetSession, PendingRequestsAreCapped) {
  for (int i = 0; i < 100; ++i)
    feed(kC, unicast(read_property(static_cast<uint8_t>(i), kAnalogInput, 1, 85)));
  EXPECT_EQ(session.pending_requests(), kMaxPendingRequests);
  // The newest are kept: invoke id 99 still matches, invoke id 0 was evicted.
  feed(kS, unicast(read_property_ack(99, kAnalogInput, 1, 85, app_real())));
  EXPECT_TRUE(sink.anomalies.empty());
  feed(kS, unicast(read_property_ack(0, kAnalogInput, 1, 85, app_real())));
  EXPECT_TRUE(sink.has_anomaly("bacnet.unmatched_response"));
}

TEST_F(BacnetSession, StaleRequestsExpireFirst) {
  for (int i = 0; i < static_cast<int>(kMaxPendingRequests); ++i) {
    feed(kC, unicast(read_property(static_cast<uint8_t>(i), kAnalogInput, 1, 85)));
  }
  ctx.ts_ns += kPendingTimeoutNs + 1;
  feed(kC, unicast(read_property(200, kAnalogInput, 1, 85)));
  EXPECT_EQ(session.pending_requests(), 1u);
}

// Every prefix of every valid message, as received (BVLC length now wrong) and with the BVLC
// length adjusted so the inner layers see the cut: never a crash, never an operation claiming
// more than was there.
TEST_F(BacnetSession, EveryPrefixIsHandled) {
  const Buf messages[] = {
      broadcast(i_am(721, 15)),
      unicast(read_property(1, kDevice, 721, 77)),
      unicast(read_property_ack(1, kDevice, 721, 77, app_string("PLC_12"))),
      unicast(write_property(3, kAnalogOutput, 0, 85, app_real(), 8)),
      unicast(confirmed_request(5, 20, cat({ctx_unsigned(0, 1), ctx_string(1, "secret")}))),
      unicast(error_pdu(5, 20, 4, 26)),
      network_message(0x01, cat({be16(3), be16(4)})),
      make_bvlc(0x04, cat({{10, 0, 0, 9, 0xBA, 0xC0}, make_npdu(i_am(9, 5))})),
      make_bvlc(0x0A, cat({{0x01, 0x28}, be16(5), {1, 0x3D}, be16(7), {1, 0x05}, {0xFF}, simple_ack(1, 15)})),
  };
  for (const Buf& message : messages) {
    for (size_t n = 0; n < message.size(); ++n) {
      Buf cut(message.begin(), message.begin() + static_cast<std::ptrdiff_t>(n));
      RecordingSink as_received, adjusted;
      Session a(as_received), b(adjusted);
      a.data(ctx, kC, cut);
      EXPECT_GE(as_received.anomalies.size(), 1u) << n;
      EXPECT_LE(as_received.anomalies.size(), 2u) << n;  // the BVLC length, and the cut
      if (n >= 4) {
        cut[2] = static_cast<uint8_t>(n >> 8);
        cut[3] = static_cast<uint8_t>(n);
      }
      b.data(ctx, kS, cut);
      EXPECT_LE(adjusted.anomalies.size(), 1u) << n;
      EXPECT_TRUE(adjusted.identities.empty()) << n;
    }
  }
}

}  // namespace
}  // namespace ots::bacnet
