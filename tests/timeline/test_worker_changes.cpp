// Timeline tests for mid-run worker changes (`workers.<group>.changes[]`, issue 15): a channel's
// capacity, a channel's availability and a worker's attributes change at given times, as a
// supervisor does through TaskRouter's Worker and WorkerChannel resources. Each test quotes the
// resource's documentation (TaskRouter's OpenAPI description) and states the whole timeline of the
// events it follows.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "support/scenario_fixture.hpp"
#include "trsim/loader.hpp"

using namespace trsim;
using namespace trsim::test;

namespace {

const std::vector<EventType> kFlow = {
    EventType::worker_capacity_update, EventType::worker_channel_availability_update,
    EventType::worker_attributes_update, EventType::reservation_created, EventType::task_completed};

constexpr const char* kChat = R"(
horizon: 1h
task_queues: {Chat: {}}
workflows:
  wf:
    configuration:
      task_routing:
        filters: [{expression: "1 == 1", targets: [{queue: Chat}]}]
workers:
  a:
    count: 1
    name: "a-{i}"
    channels: {chat: 1}
    activity: Available
    changes: [{at: 60s, channels: {chat: 3}}]
arrivals: {chats: {workflow: wf, channel: chat, trace: chats.csv, handle_time: 5m}}
)";

}  // namespace

// WorkerChannel, Capacity: "The total number of Tasks that the Worker should handle for the
// TaskChannel type. TaskRouter creates reservations for Tasks of this TaskChannel type up to the
// specified capacity." Raised from 1 to 3 at 60 s, the worker takes the two chats waiting.
TEST_CASE("a capacity raised mid-run lets the worker take waiting tasks at once",
          "[routing][worker-changes]") {
  TempDir dir;
  dir.write("chats.csv", "time\n0\n10\n20\n");
  const Scenario sc = load_yaml(kChat, dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, kFlow)) ==
        R"(0 reservation.created task=0 worker=a-1 queue=Chat
60 worker.capacity.update worker=a-1
60 reservation.created task=1 worker=a-1 queue=Chat
60 reservation.created task=2 worker=a-1 queue=Chat
300 task.completed task=0 worker=a-1 queue=Chat
360 task.completed task=1 worker=a-1 queue=Chat
360 task.completed task=2 worker=a-1 queue=Chat
)");
}

// The same line: "If the capacity is 0, no new reservations will be created." The chat held when
// the capacity drops to 0 runs to its end; the next one waits until the capacity comes back.
TEST_CASE("a capacity of 0 stops new offers and keeps the tasks held",
          "[routing][worker-changes]") {
  TempDir dir;
  dir.write("chats.csv", "time\n0\n10\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues: {Chat: {}}
workflows:
  wf:
    configuration:
      task_routing:
        filters: [{expression: "1 == 1", targets: [{queue: Chat}]}]
workers:
  a:
    count: 1
    name: "a-{i}"
    channels: {chat: 1}
    activity: Available
    changes: [{at: 5s, channels: {chat: 0}}, {at: 400s, channels: {chat: 1}}]
arrivals: {chats: {workflow: wf, channel: chat, trace: chats.csv, handle_time: 5m}}
)",
                                dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, kFlow)) ==
        R"(0 reservation.created task=0 worker=a-1 queue=Chat
5 worker.capacity.update worker=a-1
300 task.completed task=0 worker=a-1 queue=Chat
400 worker.capacity.update worker=a-1
400 reservation.created task=1 worker=a-1 queue=Chat
700 task.completed task=1 worker=a-1 queue=Chat
)");
}

// WorkerChannel, Available: "Whether the WorkerChannel is available. Set to `false` to prevent the
// Worker from receiving any new Tasks of this TaskChannel type." Voice off at 30 s, on at 90 s:
// the call arriving at 40 waits until 90; expressions read the channel as unavailable meanwhile.
TEST_CASE("a channel made unavailable receives no new tasks until it is available again",
          "[routing][worker-changes]") {
  TempDir dir;
  dir.write("calls.csv", "time\n40\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues: {Q: {}}
workflows:
  wf:
    configuration:
      task_routing:
        filters: [{expression: "1 == 1", targets: [{queue: Q}]}]
workers:
  a:
    count: 1
    name: "a-{i}"
    activity: Available
    changes:
      - {at: 30s, channel_availability: {voice: false}}
      - {at: 90s, channel_availability: {voice: true}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 1m}}
)",
                                dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, kFlow)) ==
        R"(30 worker.channel.availability.update worker=a-1
90 worker.channel.availability.update worker=a-1
90 reservation.created task=0 worker=a-1 queue=Q
150 task.completed task=0 worker=a-1 queue=Q
)");
}

// TaskQueue, TargetWorkers: "A string describing the Worker selection criteria for any Tasks that
// enter the TaskQueue. For example '"language" == "spanish"'": membership follows the worker's
// Attributes ("The JSON string that describes the Worker", the Worker resource), so an update of
// them moves the worker between queues. A skill added at 60 s makes the worker match the Spanish
// queue, and it takes the waiting call; the skill removed at 200 s takes it out again (the call at
// 250 is not offered to it).
TEST_CASE("an attribute change re-evaluates queue membership", "[routing][worker-changes]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n250\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues: {Spanish: {target_workers: "languages HAS 'es'"}}
workflows:
  wf:
    configuration:
      task_routing:
        filters: [{expression: "1 == 1", targets: [{queue: Spanish}]}]
workers:
  a:
    count: 1
    name: "a-{i}"
    activity: Available
    attributes: {languages: [en]}
    changes:
      - {at: 60s, attributes: {languages: [en, es]}}
      - {at: 200s, attributes: {languages: [en]}}
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 1m}}
)",
                                dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, kFlow)) ==
        R"(60 worker.attributes.update worker=a-1
60 reservation.created task=0 worker=a-1 queue=Spanish
120 task.completed task=0 worker=a-1 queue=Spanish
200 worker.attributes.update worker=a-1
)");
}

// order_by ranks by the workers' attributes as they are now: b-1's level rises above a-1's at 30 s,
// so the call at 40 goes to b-1 (before, a-1 ranked first).
TEST_CASE("an attribute change re-ranks order_by", "[routing][worker-changes]") {
  TempDir dir;
  dir.write("calls.csv", "time\n10\n40\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues: {Q: {}}
workflows:
  wf:
    configuration:
      task_routing:
        filters: [{expression: "1 == 1", targets: [{queue: Q, order_by: "worker.level DESC"}]}]
workers:
  a: {count: 1, name: "a-{i}", activity: Available, attributes: {level: 5}}
  b:
    count: 1
    name: "b-{i}"
    activity: Available
    attributes: {level: 1}
    changes: [{at: 30s, attributes: {level: 9}}]
arrivals: {calls: {workflow: wf, channel: voice, trace: calls.csv, handle_time: 10s}}
)",
                                dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, {EventType::reservation_created})) ==
        R"(10 reservation.created task=0 worker=a-1 queue=Q
40 reservation.created task=1 worker=b-1 queue=Q
)");
}

// Target expressions read the worker as it is now: worker.channel.<ch>.configured_capacity and
// .available follow the changes.
TEST_CASE("worker.channel fields follow capacity and availability changes",
          "[routing][worker-changes]") {
  TempDir dir;
  dir.write("chats.csv", "time\n10\n70\n");
  const Scenario sc = load_yaml(R"(
horizon: 1h
task_queues: {Chat: {}}
workflows:
  wf:
    configuration:
      task_routing:
        filters:
          - expression: "1 == 1"
            targets: [{queue: Chat, expression: "worker.channel.chat.configured_capacity >= 2"}]
workers:
  a:
    count: 1
    name: "a-{i}"
    channels: {chat: 1}
    activity: Available
    changes: [{at: 60s, channels: {chat: 2}}]
arrivals: {chats: {workflow: wf, channel: chat, trace: chats.csv, handle_time: 5m}}
)",
                                dir);
  const Run run = run_once(sc);
  CHECK(joined(timeline(sc, run.events, {EventType::reservation_created})) ==
        R"(60 reservation.created task=0 worker=a-1 queue=Chat
70 reservation.created task=1 worker=a-1 queue=Chat
)");
}

TEST_CASE("worker changes are checked at load", "[routing][worker-changes][loader]") {
  auto errors = [](const std::string& changes) {
    const LoadResult result = load_scenario_text(R"(
task_queues: {Q: {}}
workflows:
  wf:
    configuration: {task_routing: {filters: [{expression: "1==1", targets: [{queue: Q}]}]}}
workers:
  a: {count: 2, activity: Available, changes: )" + changes +
                                                     R"(}
arrivals: {calls: {workflow: wf, rate: 1/m, handle_time: 1m}}
)",
                                                 "test.yaml", ".", LoadOptions{});
    std::string out;
    for (const Diagnostic& d : result.diagnostics) out += d.format() + "\n";
    return out;
  };
  CHECK(errors("[{channels: {chat: 2}}]").find("a worker change needs 'at'") != std::string::npos);
  CHECK(
      errors("[{at: 2m, channels: {chat: 2}}, {at: 1m, channels: {chat: 1}}]")
          .find("worker changes must be in ascending order of 'at' (1m does not come after 2m)") !=
      std::string::npos);
  CHECK(errors("[{at: 1m}]").find("a worker change changes nothing") != std::string::npos);
  CHECK(errors("[{at: 1m, channels: {fax: 2}}]").find("unknown channel 'fax'") !=
        std::string::npos);
  CHECK(errors("[{at: 1m, channels: {chat: 1001}}]").find("1000") != std::string::npos);
  CHECK(errors("[{at: 1m, channel_availability: {chat: maybe}}]").find("expected true or false") !=
        std::string::npos);
}
