#pragma once

#include <string>

#include "core/status.h"
#include "sim/simulator.h"

namespace winback::cli {

// Runs the simulator with a progress line on stderr (shared by `simulate` and `demo`).
Result<sim::SimStats> RunSimulation(const sim::SimOptions& options, const std::string& out);

}  // namespace winback::cli
