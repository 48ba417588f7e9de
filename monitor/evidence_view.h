// monitor --verify-evidence [--key PUB.pem]: deploy's provenance ledger (beside the registry) checked
// offline: every line whole and in order, chained, signed by the key, and each entry an in-toto Statement v1
// with an SLSA provenance v1 predicate. No network, no Coolify configuration (docs/evidence.md).
#pragma once

#include <iosfwd>

#include "common/error.h"
#include "monitor/options.h"

namespace df::monitor {

ExitCode evidence_view(const Options& options, const std::string& registry, std::ostream& out,
                       std::ostream& err);

}  // namespace df::monitor
