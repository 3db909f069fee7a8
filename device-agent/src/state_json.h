// Internal: the JSON pieces `candor-agent status --json` and `candor-agent
// report --json` share (docs/AGENT.md), so that both name an installed release
// and a last-seen checkpoint with the same keys, written by one function each.
// Not a public header.
//
// Thread-safety: pure functions.
#ifndef CANDOR_AGENT_SRC_STATE_JSON_H_
#define CANDOR_AGENT_SRC_STATE_JSON_H_

#include <string>
#include <string_view>

#include "candor/agent/state.h"

namespace candor::agent::internal {

// Opens a release object and appends its stored keys: `{"product":…,
// "version":…,"rollback":…,"log_index":…,"installed_at":…,"image_size":…,
// "image_sha256":…,"leaf_hash":…` (the caller appends more keys and the `}`).
void AppendInstalledJsonKeys(std::string& out, std::string_view product,
                             const InstalledRelease& rel);

// `"checkpoints":[…]`: one object per log origin, ascending, with origin,
// size, root_hash, quorum_time (or null) and the signed note.
void AppendCheckpointsJson(std::string& out, const DeviceState& state);

}  // namespace candor::agent::internal

#endif  // CANDOR_AGENT_SRC_STATE_JSON_H_
