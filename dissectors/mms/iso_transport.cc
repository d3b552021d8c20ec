#include "dissectors/mms/iso_transport.h"

#include <algorithm>

namespace ots::iso {

namespace {

// Gives a drained buffer's memory back: most messages arrive whole, so a flow should not keep
// the largest one it ever had to assemble.
void release(std::vector<uint8_t>& buffer) { std::vector<uint8_t>().swap(buffer); }

constexpr size_t kHeaderWindow = 6;  // bytes s7comm::plausible_tpkt_start() needs
constexpr size_t kMaxProbedTpkts = 8;

size_t index(Direction d) { return static_cast<size_t>(d); }

}  // namespace

void IsoTransport::data(Direction dir, Bytes bytes) {
  DirectionState& st = dirs_[index(dir)];
  while (!bytes.empty() && !gave_up_) {
    if (st.hunting) {
      bytes = hunt(dir, bytes);
      continue;
    }
    if (!st.partial.empty()) {
      bytes = complete_partial(dir, bytes);
      continue;
    }
    s7comm::TpktFrame frame = s7comm::tpkt_frame(bytes);
    if (frame.status == s7comm::TpktStatus::Invalid) {
      lose_sync(dir, TransportError::InvalidTpkt);
      continue;
    }
    if (frame.status == s7comm::TpktStatus::NeedMore) {
      st.partial.assign(bytes.begin(), bytes.end());  // bounded by the 16-bit TPKT length
      break;
    }
    handle_tpkt(dir, bytes.first(frame.length));  // common path: no copy
    bytes = bytes.subspan(frame.length);
  }
}

void IsoTransport::gap(Direction dir) {
  DirectionState& st = dirs_[index(dir)];
  release(st.partial);
  release(st.message);
  st.message_overflow = false;
  st.hunting = true;
  st.hunted_bytes = 0;
}

void IsoTransport::lose_sync(Direction dir, TransportError error) {
  DirectionState& st = dirs_[index(dir)];
  handler_.on_transport_error(dir, error);
  release(st.partial);
  release(st.message);
  st.message_overflow = false;
  st.hunting = true;
  st.hunted_bytes = 0;
}

Bytes IsoTransport::complete_partial(Direction dir, Bytes bytes) {
  DirectionState& st = dirs_[index(dir)];
  std::vector<uint8_t>& p = st.partial;
  if (p.size() < s7comm::kTpktHeaderSize) {
    size_t take = std::min(s7comm::kTpktHeaderSize - p.size(), bytes.size());
    p.insert(p.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
    bytes = bytes.subspan(take);
    if (p.size() < s7comm::kTpktHeaderSize) return bytes;
  }
  s7comm::TpktFrame frame = s7comm::tpkt_frame(p);
  if (frame.status == s7comm::TpktStatus::Invalid) {
    lose_sync(dir, TransportError::InvalidTpkt);
    return bytes;
  }
  size_t take = std::min(frame.length - p.size(), bytes.size());
  p.insert(p.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
  bytes = bytes.subspan(take);
  if (p.size() == frame.length) {
    handle_tpkt(dir, p);  // handlers never call back into the transport
    release(p);
  }
  return bytes;
}

// Skips bytes up to the next plausible TPKT + COTP header; the last few unscanned bytes wait in `partial`.
Bytes IsoTransport::hunt(Direction dir, Bytes bytes) {
  DirectionState& st = dirs_[index(dir)];
  std::vector<uint8_t>& tail = st.partial;  // < kHeaderWindow bytes
  if (!tail.empty()) {
    std::array<uint8_t, 2 * kHeaderWindow> window{};
    const size_t from_tail = tail.size();
    const size_t from_bytes = std::min(bytes.size(), kHeaderWindow);
    std::copy(tail.begin(), tail.end(), window.begin());
    std::copy_n(bytes.begin(), from_bytes, window.begin() + static_cast<std::ptrdiff_t>(from_tail));
    const size_t total = from_tail + from_bytes;
    for (size_t i = 0; i < from_tail; ++i) {
      if (total - i < kHeaderWindow) {  // not enough bytes yet to judge this position
        tail.assign(window.begin() + static_cast<std::ptrdiff_t>(i),
                    window.begin() + static_cast<std::ptrdiff_t>(total));
        st.hunted_bytes += i;
        return bytes.subspan(from_bytes);
      }
      if (s7comm::plausible_tpkt_start(Bytes(window).subspan(i, total - i))) {
        tail.erase(tail.begin(), tail.begin() + static_cast<std::ptrdiff_t>(i));
        st.hunting = false;
        return bytes;  // the header continues in `partial`
      }
    }
    st.hunted_bytes += from_tail;
    release(tail);
  }
  for (size_t i = 0; i + kHeaderWindow <= bytes.size(); ++i) {
    if (s7comm::plausible_tpkt_start(bytes.subspan(i))) {
      st.hunting = false;
      return bytes.subspan(i);
    }
  }
  const size_t keep = std::min(bytes.size(), kHeaderWindow - 1);
  st.hunted_bytes += bytes.size() - keep;
  tail.assign(bytes.end() - static_cast<std::ptrdiff_t>(keep), bytes.end());
  if (st.hunted_bytes > kMaxResyncSkipBytes) {
    gave_up_ = true;
    handler_.on_transport_error(dir, TransportError::ResyncFailed);
  }
  return {};
}

void IsoTransport::handle_tpkt(Direction dir, Bytes frame) {
  CotpPdu tpdu;
  if (s7comm::parse_cotp(frame.subspan(s7comm::kTpktHeaderSize), tpdu) != s7comm::Anomaly::None) {
    handler_.on_transport_error(dir, TransportError::InvalidCotp);
    return;
  }
  if (tpdu.type == cotp::kData) {
    handle_data(dir, tpdu);
  } else {
    handler_.on_control_tpdu(dir, tpdu);
  }
}

void IsoTransport::handle_data(Direction dir, const CotpPdu& tpdu) {
  DirectionState& st = dirs_[index(dir)];
  std::vector<uint8_t>& msg = st.message;
  if (msg.empty() && !st.message_overflow && tpdu.last_data_unit) {
    handler_.on_message(dir, tpdu.user_data);  // single-TPDU message: no copy
    return;
  }
  if (st.message_overflow) {
    st.message_overflow = !tpdu.last_data_unit;
    return;
  }
  if (msg.size() + tpdu.user_data.size() > kMaxMessageBytes) {
    handler_.on_transport_error(dir, TransportError::ReassemblyOverflow);
    release(msg);
    st.message_overflow = !tpdu.last_data_unit;
    return;
  }
  msg.insert(msg.end(), tpdu.user_data.begin(), tpdu.user_data.end());
  if (tpdu.last_data_unit) {
    handler_.on_message(dir, msg);
    release(msg);
  }
}

FirstData first_data(Bytes payload) {
  FirstData out;
  for (size_t n = 0; n < kMaxProbedTpkts && !payload.empty(); ++n) {
    s7comm::TpktFrame frame = s7comm::tpkt_frame(payload);
    if (frame.status == s7comm::TpktStatus::Invalid) {
      out.status = FirstDataStatus::NotIso;
      return out;
    }
    if (payload.size() >= kHeaderWindow && !s7comm::plausible_tpkt_start(payload)) {
      out.status = FirstDataStatus::NotIso;
      return out;
    }
    if (frame.status == s7comm::TpktStatus::NeedMore) break;
    CotpPdu tpdu;
    if (s7comm::parse_cotp(payload.subspan(s7comm::kTpktHeaderSize, frame.length - s7comm::kTpktHeaderSize),
                           tpdu) != s7comm::Anomaly::None) {
      out.status = FirstDataStatus::NotIso;
      return out;
    }
    if (tpdu.type == cotp::kConnectRequest || tpdu.type == cotp::kConnectConfirm) {
      out.calling_tsap = tpdu.calling_tsap;
      out.called_tsap = tpdu.called_tsap;
    } else if (tpdu.type == cotp::kData && !tpdu.user_data.empty()) {
      out.status = FirstDataStatus::Found;
      out.user_data = tpdu.user_data;
      return out;
    }
    payload = payload.subspan(frame.length);
  }
  // A partial TPKT whose header is already visible: a DT's first user-data bytes may be there.
  if (payload.size() > s7comm::kTpktHeaderSize + 1 && s7comm::plausible_tpkt_start(payload)) {
    const size_t li = payload[s7comm::kTpktHeaderSize];
    const size_t header_end = s7comm::kTpktHeaderSize + 1 + li;
    if ((payload[s7comm::kTpktHeaderSize + 1] & 0xF0) == cotp::kData && payload.size() > header_end) {
      out.status = FirstDataStatus::Found;
      out.user_data = payload.subspan(header_end);
      return out;
    }
  }
  out.status = FirstDataStatus::NeedMoreData;
  return out;
}

}  // namespace ots::iso
