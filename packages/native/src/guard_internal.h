// Between the SIGBUS handler (guard.cc) and the registry (guard_registry.cc). Both
// functions are async-signal-safe: atomic loads and stores only.
#pragma once
#include <cstdint>

#include "guard.h"

namespace mmcdb {

// The live region holding addr, or nullptr.
GuardRegion* FindRegion(uintptr_t addr);
// Records a fault at addr in r (the first one wins).
void RecordFault(GuardRegion* r, uintptr_t addr);

}  // namespace mmcdb
