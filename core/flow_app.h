// Application-layer state a flow carries once it has payload: TCP reassembly and
// the dissector session chosen by probing. Allocated from the worker's pool.
#pragma once

#include <memory>
#include <optional>

#include "core/ndpi_labeler.h"
#include "core/object_pool.h"
#include "detect/engine/worker_detector.h"
#include "detect/rules/rules.h"
#include "dissectors/dissector.h"
#include "dissectors/flow/tcp_reassembler.h"

namespace ots {

struct FlowAppState {
  std::optional<TcpReassembler> tcp;  // inline: created at the flow's first payload, no allocation of its own
  std::unique_ptr<DissectorSession> session;
  const DissectorDescriptor* dissector = nullptr;
  uint8_t probes_left = 4;  // payloads to probe before giving up on the flow
  bool done = false;        // no dissector wants this flow (or its session gave up)
  bool confirmed = false;   // a dissector recognised the flow: nDPI is not needed
  bool ndpi_decided = false;  // nDPI labelled the flow or gave up: it never sees the flow again
  bool labelled = false;     // the flow's application label is known (kept on its connection)
  std::unique_ptr<NdpiLabeler::FlowState> ndpi;  // while nDPI is still deciding
  // Requests of the flow's current command not yet counted into the worker's
  // command rows; folded with the flow's traffic (Worker::fold_flow) or when the
  // command changes. A poll repeats one command, so a request costs no hash lookup.
  struct PendingCommand {
    // Protocol and operation names are static storage (descriptor / Operation names), kept as
    // pointer and length: 16 bytes less than two string_views in every flow.
    const char* protocol_data = nullptr;
    const char* name_data = nullptr;
    uint8_t protocol_size = 0;
    bool is_write = false;
    uint16_t name_size = 0;
    uint32_t code = 0;
    uint32_t requests = 0, errors = 0;
    int64_t first_seen_ns = 0, last_seen_ns = 0;
    bool empty() const { return requests == 0 && errors == 0; }
    std::string_view protocol() const { return {protocol_data, protocol_size}; }
    std::string_view name() const { return {name_data, name_size}; }
    // False when a name is too long to keep (then the command is folded at once).
    bool set_names(std::string_view protocol_name, std::string_view operation_name) {
      if (protocol_name.size() > UINT8_MAX || operation_name.size() > UINT16_MAX) return false;
      protocol_data = protocol_name.data();
      protocol_size = static_cast<uint8_t>(protocol_name.size());
      name_data = operation_name.data();
      name_size = static_cast<uint16_t>(operation_name.size());
      return true;
    }
  } pending_command;
  detect::rules::FlowRuleState rules;  // flowbits of the rule engine
  detect::WorkerDetector::FlowMemo detection;  // the worker detector's per-flow shortcuts
};

using FlowAppPool = ObjectPool<FlowAppState>;

// Returns a flow's state to the pool it came from.
struct FlowAppRecycler {
  FlowAppPool* pool = nullptr;
  void operator()(FlowAppState* app) const { pool->release(app); }
};
using FlowAppStatePtr = std::unique_ptr<FlowAppState, FlowAppRecycler>;

}  // namespace ots
