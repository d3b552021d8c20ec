#include "core/object_pool.h"

#include <gtest/gtest.h>

#include <vector>

namespace ots {
namespace {

struct Counted {
  explicit Counted(int v, int& alive) : value(v), alive_(alive) { ++alive_; }
  ~Counted() { --alive_; }
  int value;
  int& alive_;
};

TEST(ObjectPool, ReusesReleasedCellsAndRunsConstructorsAndDestructors) {
  int alive = 0;
  ObjectPool<Counted, 4> pool;
  std::vector<Counted*> objects;
  for (int i = 0; i < 10; ++i) objects.push_back(pool.acquire(i, alive));
  EXPECT_EQ(alive, 10);
  EXPECT_EQ(pool.in_use(), 10u);
  const size_t capacity = pool.capacity_bytes();
  EXPECT_GE(capacity, 10 * sizeof(Counted));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(objects[static_cast<size_t>(i)]->value, i);
  Counted* released = objects[3];
  pool.release(released);
  EXPECT_EQ(alive, 9);
  Counted* again = pool.acquire(42, alive);
  EXPECT_EQ(again, released);  // the freed cell comes back first
  EXPECT_EQ(again->value, 42);
  EXPECT_EQ(pool.capacity_bytes(), capacity);  // no new chunk
  objects[3] = again;
  for (Counted* c : objects) pool.release(c);
  EXPECT_EQ(alive, 0);
  EXPECT_EQ(pool.in_use(), 0u);
}

}  // namespace
}  // namespace ots
