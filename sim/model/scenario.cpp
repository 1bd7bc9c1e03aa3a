// Scenario look-ups and TaskRouter-style sids.
#include "trsim/scenario.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

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

bool Scenario::has_transfers() const {
  for (const Worker& w : workers)
    if (w.group < worker_groups.size() && worker_groups[w.group].behavior < behaviors.size() &&
        !behaviors[worker_groups[w.group].behavior].transfers.empty())
      return true;
  return false;
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

std::optional<CompareRule> parse_compare_rule(std::string_view text, std::string* error) {
  const auto fail = [&](std::string why) -> std::optional<CompareRule> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  const auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  const std::size_t op = text.find_first_of("<>");
  if (op == std::string_view::npos || text.find_first_of("<>", op + 1) != std::string_view::npos)
    return fail("expected 'METRIC < NUMBER' or 'METRIC > NUMBER' (one '<' or '>')");
  if (op + 1 < text.size() && text[op + 1] == '=')
    return fail("'<=' and '>=' are not rules: use '<' or '>' (the rule fails strictly beyond)");
  CompareRule rule;
  rule.text = std::string(trim(text));
  rule.below = text[op] == '<';
  rule.metric = std::string(trim(text.substr(0, op)));
  if (rule.metric.empty())
    return fail("the rule names no metric before '" + std::string(1, text[op]) + "'");
  if (rule.metric.find_first_of(" \t") != std::string::npos)
    return fail("the metric '" + rule.metric + "' holds a space");
  const std::string_view number = trim(text.substr(op + 1));
  double value = 0;
  const char* end = number.data() + number.size();
  const char* first = number.data();
  if (!number.empty() && number.front() == '+') ++first;  // from_chars takes no '+'
  const auto [ptr, ec] = std::from_chars(first, end, value);
  if (number.empty() || ec != std::errc() || ptr != end || !std::isfinite(value))
    return fail("expected a number after '" + std::string(1, text[op]) + "', got '" +
                std::string(number) + "'");
  rule.threshold = value;
  return rule;
}

}  // namespace trsim
