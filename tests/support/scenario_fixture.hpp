#pragma once
// Test support: load a scenario from YAML text (with side files such as trace CSVs written to a
// fresh temporary folder), run one replication, and print its events as a readable timeline.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "trsim/engine.hpp"
#include "trsim/loader.hpp"
#include "trsim/sink.hpp"

namespace trsim::test {

/// A temporary folder for the files a scenario refers to; removed when the fixture goes.
class TempDir {
 public:
  // A new folder every time (mkdtemp): a name made of the pid could be a folder a killed test
  // of another worktree left behind with the same pid, files and all, on a machine where several
  // suites share /tmp.
  TempDir() {
    std::string name = (std::filesystem::temp_directory_path() / "trsim-test-XXXXXX").string();
    if (::mkdtemp(name.data()) == nullptr)
      throw std::runtime_error("cannot create a temporary folder in " + name);
    path_ = name;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  // One owner per folder: a copy would remove it a second time (and under the other's feet).
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string write(const std::string& name, const std::string& text) const {
    const auto p = path_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

/// Loads YAML text; fails the test with every diagnostic when it does not load.
inline Scenario load_yaml(const std::string& yaml, const TempDir& dir,
                          std::vector<std::string> overrides = {}) {
  LoadOptions options;
  options.overrides = std::move(overrides);
  LoadResult result = load_scenario_text(yaml, "test.yaml", dir.path(), options);
  std::string errors;
  for (const Diagnostic& d : result.diagnostics) errors += d.format() + "\n";
  INFO(errors);
  REQUIRE(result.ok());
  return std::move(*result.scenario);
}

inline Scenario load_yaml(const std::string& yaml) {
  TempDir dir;
  return load_yaml(yaml, dir);
}

struct Run {
  ReplicationResult result;
  std::vector<Event> events;
};

inline Run run_once(const Scenario& scenario, std::uint32_t replication = 0,
                    bool invariants = true) {
  MemorySink sink;
  Engine engine(scenario, EngineOptions{scenario.seed, replication, invariants}, &sink);
  Run run;
  run.result = engine.run();
  run.events = std::move(sink.events);
  return run;
}

/// "12.5" for 12.5 s: trailing zeros of the microseconds dropped.
inline std::string short_seconds(SimTime t) {
  std::string s = fmt::format("{}.{:06}", t / kMicrosPerSecond, t % kMicrosPerSecond);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

/// One line per event: "<t> <type> task=<n> worker=<name> queue=<name> activity=<name> ...".
inline std::string describe(const Scenario& sc, const Event& e) {
  std::string s = short_seconds(e.time) + " " + std::string(event_type_name(e.type));
  if (e.task != kNoId) s += fmt::format(" task={}", e.task);
  if (e.worker != kNoId) s += " worker=" + sc.workers[e.worker].name;
  if (e.type == EventType::worker_activity_update) {
    s += " activity=" + sc.activities[e.activity].name;
  } else if (e.queue != kNoId) {
    s += " queue=" + sc.task_queues[e.queue].name;
  }
  if (e.type == EventType::task_canceled)
    s += " reason=" + std::string(cancel_reason_text(e.reason));
  if (e.type == EventType::task_updated) s += fmt::format(" priority={}", e.priority);
  if (e.type == EventType::task_transfer_initiated) {
    s += fmt::format(" mode={} type={}", transfer_mode_text(e.transfer_mode),
                     transfer_kind_text(e.transfer_kind));
    if (e.transfer_kind == 2) s += " to=" + sc.workers[e.transfer_to].name;
  }
  if (e.transfer_failure != TransferFailure::none)
    s += " reason=" + std::string(transfer_failure_text(e.transfer_failure));
  return s;
}

/// The timeline of a run, optionally only the given event types.
inline std::vector<std::string> timeline(const Scenario& sc, const std::vector<Event>& events,
                                         const std::vector<EventType>& only = {}) {
  std::vector<std::string> lines;
  for (const Event& e : events) {
    if (!only.empty() && std::find(only.begin(), only.end(), e.type) == only.end()) continue;
    lines.push_back(describe(sc, e));
  }
  return lines;
}

inline std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

}  // namespace trsim::test
