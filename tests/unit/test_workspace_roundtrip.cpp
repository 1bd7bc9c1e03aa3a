// `trsim export` then `trsim import` gives back an equivalent scenario: for every bundled scenario,
// the activities, channels, workspace settings, task queues, workflows (every filter and step) and
// workers (names, sids, attributes, capacities, initial activities) of the re-imported scenario
// equal the original's. What the REST resources cannot hold (behaviours, schedules, arrivals) is
// not compared.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/scenario_fixture.hpp"
#include "trsim/loader.hpp"
#include "trsim/value.hpp"
#include "trsim/workspace_export.hpp"
#include "trsim/workspace_import.hpp"

using namespace trsim;

namespace {

std::string text_of(const std::optional<Expression>& e) { return e ? e->text() : "-"; }

void require_same_target(const Scenario& a, const WorkflowTarget& x, const Scenario& b,
                         const WorkflowTarget& y) {
  CHECK((x.queue == kNoId ? "-" : a.task_queues[x.queue].name) ==
        (y.queue == kNoId ? "-" : b.task_queues[y.queue].name));
  CHECK(text_of(x.expression) == text_of(y.expression));
  CHECK(text_of(x.skip_if) == text_of(y.skip_if));
  CHECK(x.priority == y.priority);
  CHECK(x.timeout == y.timeout);
  REQUIRE(x.order_by.size() == y.order_by.size());
  for (std::size_t k = 0; k < x.order_by.size(); ++k) {
    CHECK(x.order_by[k].attribute == y.order_by[k].attribute);
    CHECK(x.order_by[k].descending == y.order_by[k].descending);
  }
  CHECK(x.known_worker_sid_attribute == y.known_worker_sid_attribute);
  CHECK(x.known_worker_name_attribute == y.known_worker_name_attribute);
}

}  // namespace

TEST_CASE("importing an export gives back the scenario's workspace", "[import]") {
  for (const auto& entry : std::filesystem::directory_iterator(TRSIM_SCENARIO_DIR)) {
    if (entry.path().extension() != ".yaml") continue;
    INFO(entry.path().string());
    const LoadResult original = load_scenario_file(entry.path().string(), {});
    REQUIRE(original.ok());
    const Scenario& a = *original.scenario;

    std::vector<ImportSource> sources;
    for (const ExportedFile& f : export_workspace(a)) sources.push_back({f.name, f.text});
    const ImportResult imported = import_workspace(sources, {true, "mirror"});
    for (const Diagnostic& d : imported.diagnostics) INFO(d.format());
    REQUIRE(imported.ok());
    test::TempDir dir;
    for (const ImportedFile& f : imported.files) dir.write(f.name, f.text);
    const std::string path = dir.write("mirror.yaml", imported.scenario);
    const LoadResult back = load_scenario_file(path, {});
    for (const Diagnostic& d : back.diagnostics) INFO(d.format());
    INFO(imported.scenario);
    REQUIRE(back.ok());
    const Scenario& b = *back.scenario;

    REQUIRE(a.activities.size() == b.activities.size());
    for (std::size_t i = 0; i < a.activities.size(); ++i) {
      CHECK(a.activities[i].name == b.activities[i].name);
      CHECK(a.activities[i].sid == b.activities[i].sid);
      CHECK(a.activities[i].available == b.activities[i].available);
    }
    REQUIRE(a.channels.size() == b.channels.size());
    for (std::size_t i = 0; i < a.channels.size(); ++i)
      CHECK(a.channels[i].name == b.channels[i].name);
    CHECK(a.activities[a.workspace.default_activity].name ==
          b.activities[b.workspace.default_activity].name);
    CHECK(a.activities[a.workspace.timeout_activity].name ==
          b.activities[b.workspace.timeout_activity].name);
    CHECK(a.workspace.multi_task == b.workspace.multi_task);
    CHECK(a.workspace.prioritize_queue_order == b.workspace.prioritize_queue_order);

    REQUIRE(a.task_queues.size() == b.task_queues.size());
    for (std::size_t i = 0; i < a.task_queues.size(); ++i) {
      const TaskQueue &x = a.task_queues[i], &y = b.task_queues[i];
      CHECK(x.name == y.name);
      CHECK(x.sid == y.sid);
      CHECK(x.target_workers.text() == y.target_workers.text());
      CHECK(x.task_order == y.task_order);
      CHECK(x.max_reserved_workers == y.max_reserved_workers);
      CHECK((x.reservation_activity == kNoId) == (y.reservation_activity == kNoId));
      CHECK((x.assignment_activity == kNoId) == (y.assignment_activity == kNoId));
    }

    REQUIRE(a.workflows.size() == b.workflows.size());
    for (std::size_t i = 0; i < a.workflows.size(); ++i) {
      const Workflow &x = a.workflows[i], &y = b.workflows[i];
      CHECK(x.name == y.name);
      CHECK(x.sid == y.sid);
      CHECK(x.task_reservation_timeout == y.task_reservation_timeout);
      REQUIRE(x.filters.size() == y.filters.size());
      for (std::size_t f = 0; f < x.filters.size(); ++f) {
        CHECK(x.filters[f].name == y.filters[f].name);
        CHECK(x.filters[f].expression.text() == y.filters[f].expression.text());
        REQUIRE(x.filters[f].targets.size() == y.filters[f].targets.size());
        for (std::size_t t = 0; t < x.filters[f].targets.size(); ++t)
          require_same_target(a, x.filters[f].targets[t], b, y.filters[f].targets[t]);
      }
      require_same_target(a, x.default_target, b, y.default_target);
    }

    REQUIRE(a.workers.size() == b.workers.size());
    for (std::size_t i = 0; i < a.workers.size(); ++i) {
      const Worker &x = a.workers[i], &y = b.workers[i];
      INFO(x.name);
      CHECK(x.name == y.name);
      CHECK(x.sid == y.sid);
      CHECK(to_json(x.attributes) == to_json(y.attributes));
      CHECK(x.capacity == y.capacity);
      const ActivityId xa =
          x.initial_activity != kNoId ? x.initial_activity : a.workspace.default_activity;
      const ActivityId ya =
          y.initial_activity != kNoId ? y.initial_activity : b.workspace.default_activity;
      CHECK(a.activities[xa].name == b.activities[ya].name);
    }
  }
}
