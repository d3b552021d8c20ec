// Application-layer state a flow carries once it has payload: TCP reassembly and
// the dissector session chosen by probing. Allocated from the worker's pool.
#pragma once

#include <memory>
#include <optional>

#include "core/ndpi_labeler.h"
#include "core/object_pool.h"
#include "detect/rules/rules.h"
#include "dissectors/dissector.h"
#include "dissectors/flow/tcp_reassembler.h"

namespace ots {

struct CommandObservation;

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
  // The command row this flow's last operation went to, valid while command_epoch
  // matches the worker's (rows move out at every delta); saves a hash lookup per request.
  CommandObservation* last_command = nullptr;
  uint32_t last_command_code = 0;
  std::string_view last_command_name;
  uint64_t command_epoch = 0;
  detect::rules::FlowRuleState rules;  // flowbits of the rule engine
};

using FlowAppPool = ObjectPool<FlowAppState>;

// Returns a flow's state to the pool it came from.
struct FlowAppRecycler {
  FlowAppPool* pool = nullptr;
  void operator()(FlowAppState* app) const { pool->release(app); }
};
using FlowAppStatePtr = std::unique_ptr<FlowAppState, FlowAppRecycler>;

}  // namespace ots
