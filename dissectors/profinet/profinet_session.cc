#include "dissectors/profinet/profinet_session.h"

#include <cstdio>

namespace ots::profinet {
namespace {

constexpr std::string_view kProtocol = "profinet";
constexpr uint8_t kControlResponseSize = 3;  // option, suboption, error code

// Device strings: trailing NULs dropped, everything else kept verbatim (station names are data).
std::string_view trim_nuls(std::string_view text) {
  while (!text.empty() && text.back() == '\0') text.remove_suffix(1);
  return text;
}

Operation operation_from(const DcpOperation& dcp) {
  Operation op;
  op.code = dcp.code;
  op.name = dcp.name;
  op.is_write = dcp.is_write;
  return op;
}

Operation set_operation(uint16_t block_key) {
  uint32_t code = dcp_code(service::kSet, block_key);
  for (const DcpOperation& known : kDcpSetOperations) {
    if (known.code == code) return operation_from(known);
  }
  return operation_from({code, kDcpSetOther, true});
}

std::string_view vendor_name(uint16_t id) {
  for (const VendorName& v : kVendors) {
    if (v.id == id) return v.name;
  }
  return {};
}

}  // namespace

void ProfinetSession::data(const FlowContext& ctx, Direction, Bytes bytes) {
  if (bytes.size() < 2) {
    report(ctx, Anomaly::Truncated);
    return;
  }
  uint16_t id = static_cast<uint16_t>(bytes[0] << 8 | bytes[1]);
  switch (classify(id)) {
    case FrameKind::Dcp: handle_dcp(ctx, bytes); return;
    case FrameKind::RtCyclic:
    case FrameKind::Alarm: {
      if (bytes.size() < 2 + kRtTrailerSize) {
        report(ctx, Anomaly::Truncated);
        return;
      }
      confirm(ctx);
      Operation op;
      if (uint16_t range = cyclic_range(id)) {
        op.code = range;
        op.name = kRtCyclic;
        op.address = id;
      } else {
        op.code = id;
        op.name = id == frame_id::kAlarmHigh ? kAlarmHighName : kAlarmLowName;
      }
      emit(ctx, op);
      return;
    }
    case FrameKind::Ptcp: confirm(ctx); return;
    case FrameKind::Reserved: return;  // nothing known to say about it
  }
}

void ProfinetSession::handle_dcp(const FlowContext& ctx, Bytes frame) {
  DcpMessage message = parse_dcp(frame);
  if (message.anomaly != Anomaly::None) {
    report(ctx, message.anomaly);
    return;
  }
  const DcpHeader& h = message.header;
  bool well_formed = true;
  if (h.service_type == service_type::kResponseUnsupported) {
    Operation op;
    op.code = dcp_code(h.service_id);
    op.name = h.service_id == service::kSet   ? kDcpSetOther
              : h.service_id == service::kGet ? kDcpGet.name
                                              : kDcpIdentify.name;
    op.is_request = false;
    op.is_error = true;
    emit(ctx, op);
  } else if (h.service_id == service::kIdentify) {
    well_formed = h.is_request() ? handle_identify_request(ctx, message)
                                 : report_identity(ctx, message, "DCP Identify reply");
  } else if (h.service_id == service::kHello) {
    emit(ctx, operation_from(kDcpHello));
    well_formed = report_identity(ctx, message, "DCP Hello");
  } else if (h.service_id == service::kGet) {
    if (h.is_request()) emit(ctx, operation_from(kDcpGet));
    BlockReader blocks(message);
    if (h.is_request()) {
      DcpBlock block;
      while (blocks.next(block)) {
      }
      well_formed = blocks.anomaly() == Anomaly::None;
      if (!well_formed) report(ctx, blocks.anomaly());
    } else {
      well_formed = report_identity(ctx, message, "DCP Get reply");
    }
  } else {
    well_formed = h.is_request() ? handle_set_request(ctx, message) : handle_set_response(ctx, message);
  }
  if (well_formed) confirm(ctx);
}

bool ProfinetSession::handle_identify_request(const FlowContext& ctx, const DcpMessage& message) {
  Operation op = operation_from(kDcpIdentify);
  BlockReader blocks(message);
  DcpBlock block;
  while (blocks.next(block)) {
    if (block.key == block::kNameOfStation) op.object = trim_nuls(as_chars(block.value));
  }
  emit(ctx, op);
  if (blocks.anomaly() == Anomaly::None) return true;
  report(ctx, blocks.anomaly());
  return false;
}

bool ProfinetSession::handle_set_request(const FlowContext& ctx, const DcpMessage& message) {
  BlockReader blocks(message);
  DcpBlock block;
  while (blocks.next(block)) {
    if (block.key == block::kStartTransaction || block.key == block::kEndTransaction) continue;
    Operation op = set_operation(block.key);
    if (block.key == block::kNameOfStation) {
      op.object = trim_nuls(as_chars(block.value));
      if (ctx.server_mac.is_unicast() && !op.object.empty()) {
        sink_.identity(ctx, kProtocol, Side::Server, IdentityField::Hostname, op.object, "DCP Set request");
      }
    }
    emit(ctx, op);
  }
  if (blocks.anomaly() == Anomaly::None) return true;
  report(ctx, blocks.anomaly());
  return false;
}

bool ProfinetSession::handle_set_response(const FlowContext& ctx, const DcpMessage& message) {
  BlockReader blocks(message);
  DcpBlock block;
  while (blocks.next(block)) {
    if (block.key != block::kResponse) continue;
    if (block.value.size() != kControlResponseSize) {
      report(ctx, Anomaly::InvalidDcpLength);
      return false;
    }
    uint16_t answered = static_cast<uint16_t>(block.value[0] << 8 | block.value[1]);
    if (answered == block::kStartTransaction || answered == block::kEndTransaction) continue;
    Operation op = set_operation(answered);
    op.is_request = false;
    op.is_error = block.value[2] != 0;
    emit(ctx, op);
  }
  if (blocks.anomaly() == Anomaly::None) return true;
  report(ctx, blocks.anomaly());
  return false;
}

bool ProfinetSession::report_identity(const FlowContext& ctx, const DcpMessage& message, std::string_view event) {
  auto identity = [&](IdentityField field, std::string_view value) {
    value = trim_nuls(value);
    if (!value.empty()) sink_.identity(ctx, kProtocol, Side::Client, field, value, event);
  };
  BlockReader blocks(message);
  DcpBlock block;
  while (blocks.next(block)) {
    switch (block.key) {
      case block::kNameOfStation: identity(IdentityField::Hostname, as_chars(block.value)); break;
      case block::kTypeOfStation: identity(IdentityField::ProductName, as_chars(block.value)); break;
      case block::kDeviceId: {
        DeviceId id;
        if (!parse_device_id(block.value, id)) break;
        char text[40];
        int n = std::snprintf(text, sizeof text, "vendor 0x%04x device 0x%04x", id.vendor, id.device);
        identity(IdentityField::Description, std::string_view(text, static_cast<size_t>(n)));
        identity(IdentityField::Vendor, vendor_name(id.vendor));
        break;
      }
      case block::kDeviceRole: {
        if (block.value.empty()) break;
        for (const DeviceRole& role : kDeviceRoles) {
          if (!(block.value[0] & role.bit)) continue;
          identity(IdentityField::Role, role.role);
          identity(IdentityField::DeviceType, role.device_type);
          break;  // the most significant role names the device
        }
        break;
      }
      default: break;  // IP, MAC, options, alias, instance, DHCP: no identity field
    }
  }
  if (blocks.anomaly() == Anomaly::None) return true;
  report(ctx, blocks.anomaly());
  return false;
}

void ProfinetSession::emit(const FlowContext& ctx, const Operation& op) {
  sink_.operation(ctx, kProtocol, Side::Client, op);
}

void ProfinetSession::confirm(const FlowContext& ctx) {
  if (confirmed_senders_.contains(ctx.client_mac)) return;
  if (confirmed_senders_.size() == kMaxSenders) confirmed_senders_.clear();
  confirmed_senders_.insert(ctx.client_mac);
  sink_.protocol_confirmed(ctx, kProtocol);
}

void ProfinetSession::report(const FlowContext& ctx, Anomaly anomaly) {
  sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
}

}  // namespace ots::profinet
