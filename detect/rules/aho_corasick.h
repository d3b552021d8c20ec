// Case-insensitive Aho-Corasick automaton: the prefilter that turns "which of N rules could
// match this payload" into one pass over the payload, whatever N is.
// Sparse goto edges with failure links keep memory proportional to the pattern bytes; the
// root has a dense table because most payload bytes leave the automaton at the root.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/bytes.h"

namespace ots::detect::rules {

class AhoCorasick {
 public:
  // Patterns are folded to lower case; `id` is reported for every occurrence.
  void add(std::string_view pattern, uint32_t id);
  void build();
  bool empty() const { return pattern_count_ == 0; }
  size_t pattern_count() const { return pattern_count_; }

  // Calls on_match(id) for each pattern occurrence (an id may be reported several times).
  template <typename OnMatch>
  void scan(Bytes text, OnMatch&& on_match) const {
    if (pattern_count_ == 0) return;
    uint32_t state = 0;
    for (uint8_t raw : text) {
      uint8_t c = kFold[raw];
      state = step(state, c);
      for (uint32_t s = nodes_[state].has_output ? state : nodes_[state].output_link; s != kNone;
           s = nodes_[s].output_link) {
        const Node& node = nodes_[s];
        for (uint32_t i = node.output_begin; i < node.output_begin + node.output_count; ++i) on_match(outputs_[i]);
      }
    }
  }

  static const std::array<uint8_t, 256> kFold;

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  struct Node {
    uint32_t fail = 0;
    uint32_t output_link = kNone;  // nearest node on the failure chain (excluding self) with outputs
    uint32_t edge_begin = 0, edge_count = 0;
    uint32_t output_begin = 0, output_count = 0;
    bool has_output = false;
  };
  struct Edge {
    uint8_t byte;
    uint32_t target;
  };

  uint32_t child(uint32_t state, uint8_t c) const;
  uint32_t step(uint32_t state, uint8_t c) const {
    while (state != 0) {
      uint32_t next = child(state, c);
      if (next != kNone) return next;
      state = nodes_[state].fail;
    }
    return root_[c];
  }

  // Build-time trie.
  struct BuildNode {
    std::vector<std::pair<uint8_t, uint32_t>> children;
    std::vector<uint32_t> ids;
  };
  std::vector<BuildNode> trie_{1};
  size_t pattern_count_ = 0;

  std::vector<Node> nodes_;
  std::vector<Edge> edges_;
  std::vector<uint32_t> outputs_;
  std::array<uint32_t, 256> root_{};
};

}  // namespace ots::detect::rules
