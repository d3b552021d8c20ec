// An EventSink that keeps every event (with owned copies of the strings) for dissector tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dissectors/dissector.h"

namespace ots::test_support {

struct RecordedOperation {
  Side from;
  uint32_t code;
  std::string name;
  bool is_request, is_write, is_error;
  uint32_t address, quantity;
  bool has_range;
  uint32_t unit;
  std::string object;
};

struct RecordedObservable {
  Side side;
  Observable kind;
  std::string value;
};

struct RecordedIdentity {
  Side side;
  IdentityField field;
  std::string value;
  std::string event;  // the message that said it
};

class RecordingSink final : public EventSink {
 public:
  void protocol_confirmed(const FlowContext&, std::string_view protocol) override {
    confirmations.emplace_back(protocol);
  }
  void identity(const FlowContext&, std::string_view, Side side, IdentityField field, std::string_view value,
                std::string_view event) override {
    EXPECT_FALSE(event.empty()) << "no event named for " << value;
    identities.push_back({side, field, std::string(value), std::string(event)});
  }
  void operation(const FlowContext&, std::string_view, Side from, const Operation& op) override {
    operations.push_back({from, op.code, std::string(op.name), op.is_request, op.is_write, op.is_error,
                          op.address, op.quantity, op.has_range, op.unit, std::string(op.object)});
  }
  void anomaly(const FlowContext&, std::string_view, std::string_view name) override {
    anomalies.emplace_back(name);
  }
  void observable(const FlowContext&, std::string_view, Side side, Observable kind, std::string_view value) override {
    observables.push_back({side, kind, std::string(value)});
  }

  size_t count_anomaly(std::string_view name) const {
    size_t n = 0;
    for (const auto& a : anomalies) n += a == name;
    return n;
  }
  bool has_anomaly(std::string_view name) const { return count_anomaly(name) > 0; }
  bool has_identity(Side side, IdentityField field, std::string_view value) const {
    for (const auto& i : identities) {
      if (i.side == side && i.field == field && i.value == value) return true;
    }
    return false;
  }

  bool has_observable(Observable kind, std::string_view value) const {
    for (const auto& o : observables) {
      if (o.kind == kind && o.value == value) return true;
    }
    return false;
  }

  std::vector<std::string> confirmations;
  std::vector<RecordedIdentity> identities;
  std::vector<RecordedOperation> operations;
  std::vector<std::string> anomalies;
  std::vector<RecordedObservable> observables;
};

}  // namespace ots::test_support
