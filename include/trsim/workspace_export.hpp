#pragma once
// Back to TaskRouter (docs/import.md#back-to-taskrouter): a scenario's activities, task channels,
// task queues, workflows (configuration as the JSON string TaskRouter takes) and workers in the
// shapes of TaskRouter's v1 REST API, so that a setting tuned offline can be applied with its API
// or CLI, and `trsim import` of the files gives back an equivalent scenario.
#include <string>
#include <vector>

#include "trsim/scenario.hpp"

namespace trsim {

struct ExportedFile {
  std::string name;  ///< "workflows.json"
  std::string text;  ///< pretty-printed JSON
};

/// workspace.json (a Workspace resource), then list pages with `meta`: activities.json,
/// task_channels.json, task_queues.json, workflows.json, workers.json and worker_channels.json
/// (every worker's WorkerChannels in one `channels` page).
std::vector<ExportedFile> export_workspace(const Scenario& scenario);

}  // namespace trsim
