// Scenario look-ups and TaskRouter-style sids.
#include "trsim/scenario.hpp"

#include <fmt/format.h>

#include "trsim/random.hpp"

namespace trsim {

namespace {

// Scenarios hold tens of activities and channels and at most a few hundred queues and
// workflows; these run at load and report time, never per event, so a scan is enough.
template <typename T>
std::uint32_t index_by_name(const std::vector<T>& items, std::string_view name) {
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].name == name) return static_cast<std::uint32_t>(i);
  return kNoId;
}

}  // namespace

ActivityId Scenario::activity_by_name_or_none(std::string_view wanted) const {
  return index_by_name(activities, wanted);
}
ChannelId Scenario::channel_by_name_or_none(std::string_view wanted) const {
  return index_by_name(channels, wanted);
}
QueueId Scenario::queue_by_name_or_none(std::string_view wanted) const {
  return index_by_name(task_queues, wanted);
}
WorkflowId Scenario::workflow_by_name_or_none(std::string_view wanted) const {
  return index_by_name(workflows, wanted);
}

std::size_t draw_option(const AttributePick& pick, Rng& rng) {
  double u = rng.uniform01();
  std::size_t k = 0;
  while (k + 1 < pick.options.size() && u >= pick.options[k].second) u -= pick.options[k++].second;
  return k;
}

std::string make_sid(std::string_view prefix, std::string_view key) {
  // Two independent 64-bit hashes give the 128 bits of a TaskRouter sid's 32 hex digits.
  const std::uint64_t high = stable_hash(key, 0x5349443a68696768ULL);  // "SID:high"
  const std::uint64_t low = stable_hash(key, 0x5349443a6c6f7721ULL);   // "SID:low!"
  return fmt::format("{}{:016x}{:016x}", prefix, high, low);
}

}  // namespace trsim
