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
  std::unique_ptr<NdpiLabeler::FlowState> ndpi;  // while nDPI is still deciding
  std::string_view application;                  // the flow's label once known (static storage)
  // Requests of the flow's current command not yet counted into the worker's
  // command rows; folded with the flow's traffic (Worker::fold_flow) or when the
  // command changes. A poll repeats one command, so a request costs no hash lookup.
  struct PendingCommand {
    std::string_view protocol, name;  // static storage (descriptor / Operation names)
    uint32_t code = 0;
    uint32_t requests = 0, errors = 0;
    bool is_write = false;
    int64_t first_seen_ns = 0, last_seen_ns = 0;
    bool empty() const { return requests == 0 && errors == 0; }
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
