// The shared recording sink (tests/support/recording_sink.h) under this suite's namespace.
#pragma once

#include "tests/support/recording_sink.h"

namespace ots::opcua_test {
using test_support::RecordedIdentity;
using test_support::RecordedOperation;
using test_support::RecordingSink;
}  // namespace ots::opcua_test
