#include "detect/rules/aho_corasick.h"

#include <algorithm>
#include <deque>

namespace ots::detect::rules {

const std::array<uint8_t, 256> AhoCorasick::kFold = [] {
  std::array<uint8_t, 256> table{};
  for (int i = 0; i < 256; ++i) table[i] = static_cast<uint8_t>(i >= 'A' && i <= 'Z' ? i + 32 : i);
  return table;
}();

void AhoCorasick::add(std::string_view pattern, uint32_t id) {
  uint32_t state = 0;
  for (char raw : pattern) {
    uint8_t c = kFold[static_cast<uint8_t>(raw)];
    auto& children = trie_[state].children;
    auto it = std::find_if(children.begin(), children.end(), [c](const auto& e) { return e.first == c; });
    if (it != children.end()) {
      state = it->second;
    } else {
      auto next = static_cast<uint32_t>(trie_.size());
      children.emplace_back(c, next);
      trie_.emplace_back();
      state = next;
    }
  }
  trie_[state].ids.push_back(id);
  ++pattern_count_;
}

uint32_t AhoCorasick::child(uint32_t state, uint8_t c) const {
  const Node& node = nodes_[state];
  const Edge* begin = edges_.data() + node.edge_begin;
  const Edge* end = begin + node.edge_count;
  const Edge* it = std::lower_bound(begin, end, c, [](const Edge& e, uint8_t b) { return e.byte < b; });
  return it != end && it->byte == c ? it->target : kNone;
}

void AhoCorasick::build() {
  nodes_.assign(trie_.size(), Node{});
  edges_.clear();
  outputs_.clear();
  for (size_t i = 0; i < trie_.size(); ++i) {
    auto& children = trie_[i].children;
    std::sort(children.begin(), children.end());
    nodes_[i].edge_begin = static_cast<uint32_t>(edges_.size());
    nodes_[i].edge_count = static_cast<uint32_t>(children.size());
    for (const auto& [byte, target] : children) edges_.push_back({byte, target});
    auto& ids = trie_[i].ids;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    nodes_[i].output_begin = static_cast<uint32_t>(outputs_.size());
    nodes_[i].output_count = static_cast<uint32_t>(ids.size());
    nodes_[i].has_output = !ids.empty();
    outputs_.insert(outputs_.end(), ids.begin(), ids.end());
  }
  root_.fill(0);
  for (const auto& [byte, target] : trie_[0].children) root_[byte] = target;

  // Breadth-first: a node's failure target is the longest proper suffix present in the trie.
  std::deque<uint32_t> queue;
  for (const auto& [byte, target] : trie_[0].children) {
    nodes_[target].fail = 0;
    queue.push_back(target);
  }
  while (!queue.empty()) {
    uint32_t state = queue.front();
    queue.pop_front();
    for (const auto& [byte, target] : trie_[state].children) {
      uint32_t fail = step(nodes_[state].fail, byte);
      if (fail == target) fail = 0;
      nodes_[target].fail = fail;
      nodes_[target].output_link = nodes_[fail].has_output ? fail : nodes_[fail].output_link;
      queue.push_back(target);
    }
  }
  trie_.clear();
  trie_.shrink_to_fit();
}

}  // namespace ots::detect::rules
