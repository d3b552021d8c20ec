#include "dissectors/goose/goose_session.h"

#include <functional>
#include <string>

namespace ots::goose {
namespace {

constexpr std::string_view kProtocol = "goose";
constexpr std::string_view kOperationName = "GOOSE";

// stNum going back, except to 1: a publisher starts (after a restart) and wraps at 1.
bool st_num_regressed(uint32_t previous, uint32_t now) { return now < previous && now != 1; }
// sqNum going back within one state, except the wrap from its maximum.
bool sq_num_regressed(uint32_t previous, uint32_t now) { return now < previous && previous != UINT32_MAX; }

}  // namespace

void GooseSession::data(const FlowContext& ctx, Direction, Bytes bytes) {
  GoosePdu pdu = parse_goose(bytes);
  if (pdu.anomaly != Anomaly::None) {
    report(ctx, pdu.anomaly);
    return;
  }
  if (!confirmed_senders_.contains(ctx.client_mac)) {
    if (confirmed_senders_.size() == kMaxSenders) confirmed_senders_.clear();
    confirmed_senders_.insert(ctx.client_mac);
    sink_.protocol_confirmed(ctx, kProtocol);
  }
  track(ctx, pdu);
}

void GooseSession::track(const FlowContext& ctx, const GoosePdu& pdu) {
  PublicationKey key{ctx.client_mac, std::hash<std::string_view>{}(pdu.gocb_ref)};
  auto found = publications_.find(key);
  if (found == publications_.end()) {
    if (publications_.size() == kMaxPublications) publications_.clear();
    publications_.emplace(key, PublicationState{pdu.st_num, pdu.sq_num, pdu.t});
    report_publication(ctx, pdu, true);
    return;
  }
  PublicationState& state = found->second;
  // A new state is a new stNum, or a new event time t with the same stNum (a restarted publisher).
  if (pdu.st_num != state.st_num || pdu.t != state.t) {
    if (st_num_regressed(state.st_num, pdu.st_num)) report(ctx, Anomaly::StNumRegression);
    report_publication(ctx, pdu, false);
  } else if (sq_num_regressed(state.sq_num, pdu.sq_num)) {
    report(ctx, Anomaly::SqNumRegression);
  }
  state = {pdu.st_num, pdu.sq_num, pdu.t};
}

void GooseSession::report_publication(const FlowContext& ctx, const GoosePdu& pdu, bool is_new) {
  Operation op;
  op.code = pdu.appid;
  op.name = kOperationName;
  op.unit = pdu.st_num;
  op.address = pdu.sq_num;
  op.object = pdu.gocb_ref;
  sink_.operation(ctx, kProtocol, Side::Client, op);
  if (!is_new) return;
  auto identity = [&](IdentityField field, std::string_view value) {
    if (!value.empty()) sink_.identity(ctx, kProtocol, Side::Client, field, value, kOperationName);  // "GOOSE"
  };
  identity(IdentityField::Hostname, logical_device(pdu.gocb_ref));
  identity(IdentityField::DeviceType, "IED");
  identity(IdentityField::Role, "GOOSE publisher");
  identity(IdentityField::Description, "gocbRef " + std::string(pdu.gocb_ref));  // once per publication
}

void GooseSession::report(const FlowContext& ctx, Anomaly anomaly) {
  sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
}

}  // namespace ots::goose
