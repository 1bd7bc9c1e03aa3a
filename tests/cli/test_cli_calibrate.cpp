// `trsim import` given event history: calibration on a round trip with a known truth
// (tests/data/calibration/truth.yaml). The truth is run once (fixed seed) with its event log in
// TaskRouter's shape, its workspace exported, both imported; the fitted behaviours and
// distributions must come back within the tolerances (shares ±0.02, response, handle and
// wrap-up means within 5%, patience within 10% with most callers censored), the naive patience
// estimate must be off by more, and the mirror's `trsim check` must pass against the observed KPIs.
// TaskRouter's Event resource (OpenAPI taskrouter.v1.workspace.event): "event_data: Data about
// the event. For more information, see Event types"; "event_date_ms: The time the event was sent
// in milliseconds".
#include <cmath>

#include "cli_support.hpp"
#include "trsim/loader.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

namespace {

const std::string kTruth = std::string(TRSIM_TEST_DATA_DIR) + "/calibration/truth.yaml";

struct History {
  TempDir scratch;
  std::string events, page, summary, exported;
};

// The truth run once: its events (one per line, and as a page), its summary, its export.
const History& history() {
  static History* h = [] {
    auto* r = new History;
    r->events = path_in(r->scratch, "events.jsonl");
    r->page = path_in(r->scratch, "events.json");
    r->summary = path_in(r->scratch, "truth.json");
    r->exported = path_in(r->scratch, "export");
    const CliResult run = run_trsim({"run", kTruth, "-q", "--events", r->events, "--events-format",
                                     "taskrouter", "--json", r->summary},
                                    r->scratch);
    REQUIRE(run.exit_code == 0);
    REQUIRE(run_trsim({"run", kTruth, "-q", "--events", r->page, "--events-format", "taskrouter"},
                      r->scratch)
                .exit_code == 0);
    REQUIRE(run_trsim({"export", kTruth, r->exported}, r->scratch).exit_code == 0);
    return r;
  }();
  return *h;
}

const trsim::Behavior& behavior(const trsim::Scenario& s, const std::string& name) {
  for (const trsim::Behavior& b : s.behaviors)
    if (b.name == name) return b;
  FAIL("no behaviour " << name);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("import calibrates from event history: the known truth comes back", "[cli][calibrate]") {
  const History& h = history();
  TempDir out;
  const std::string mirror = path_in(out, "mirror.yaml");
  const CliResult imported = run_trsim({"import", h.exported, h.events, "-o", mirror}, out);
  INFO(describe(imported));
  REQUIRE(imported.exit_code == 0);
  // The fit summary is printed and written beside the scenario.
  CHECK(contains(imported.out, "## Worker behaviours"));
  const std::string fit = read_file(path_in(out, "mirror.fit.txt"));
  CHECK(contains(fit, "censored MLE"));
  CHECK(contains(fit, "Kaplan-Meier restricted mean"));
  CHECK(contains(fit, "handle_time (reservation accepted -> wrapup): n="));
  CHECK(contains(files_in(out.path()).back(), "mirror.yaml"));

  const trsim::LoadResult loaded = trsim::load_scenario_file(mirror);
  for (const auto& d : loaded.diagnostics) INFO(d.format());
  REQUIRE(loaded.ok());
  const trsim::Scenario& s = *loaded.scenario;
  const Json truth = parse_json(read_file(h.summary));

  SECTION("accept, reject and no-response shares within 0.02") {
    // Both groups (24 agents each, about 8,000 offers over the day: a standard error of a share
    // near 0.0045 for 0.8, so ±0.02 is over 4 of them) are held to the issue's ±0.02. Over 24
    // seeds of the former truth (8 late agents, 830 offers) the late group's mean accept share
    // was 0.797 ± 0.003: its 0.031 miss at this seed was noise, not a bias of the estimator.
    for (const char* group : {"early", "late"}) {
      INFO(group);
      const trsim::Behavior& b = behavior(s, group);
      CHECK(
          truth.at_path(std::string("statistics.workers.") + group + ".reservations_created.mean")
              ->number > 7000);
      CHECK(b.p_accept == Approx(0.8).margin(0.02));
      CHECK(b.p_reject == Approx(0.1).margin(0.02));
      CHECK(b.p_no_response == Approx(0.1).margin(0.02));
    }
  }
  SECTION("response, wrap-up and timeout-activity means within 5%") {
    for (const char* group : {"early", "late"}) {
      INFO(group);
      const trsim::Behavior& b = behavior(s, group);
      CHECK(b.response_time.mean() == Approx(6).epsilon(0.05));
      REQUIRE(b.reject_response_time);
      CHECK(b.reject_response_time->mean() == Approx(3).epsilon(0.05));
      CHECK(b.wrapup_time.mean() == Approx(20).epsilon(0.05));
      REQUIRE(b.return_after);
      // weibull(shape 1.5, scale 60 s): mean 60 * Gamma(1 + 1/1.5), sd 0.68 of it; about 800
      // timeouts per group, so 5% is over 2 standard errors of the mean.
      const double mean = 60 * std::tgamma(1 + 1 / 1.5);
      CHECK(b.return_after->mean() == Approx(mean).epsilon(0.05));
      CHECK(s.activities[b.after_timeout_activity].name == "Available");
    }
  }
  SECTION("handle time within 5%, patience within 10% with most callers censored") {
    REQUIRE(s.arrivals.size() == 1);
    const trsim::ArrivalStream& calls = s.arrivals[0];
    CHECK(calls.kind == trsim::ArrivalStream::Kind::trace);
    CHECK(
        calls.trace.size() ==
        static_cast<std::size_t>(truth.at_path("statistics.workspace.tasks_created.mean")->number));
    CHECK(calls.handle_time.mean() == Approx(240).epsilon(0.05));
    REQUIRE(calls.patience);
    const double created = truth.at_path("statistics.workspace.tasks_created.mean")->number;
    const double abandoned = truth.at_path("statistics.workspace.tasks_abandoned.mean")->number;
    CHECK(1 - abandoned / created >= 0.3);  // censored: answered before hanging up
    CHECK(calls.patience->mean() == Approx(90).epsilon(0.10));
    // The naive estimate, the mean of the abandoned waits alone, is off by far more.
    const double naive =
        truth.at_path("statistics.workspace.wait_duration_until_canceled.avg.mean")->number;
    CHECK(std::abs(naive - 90) > 0.10 * 90);
    CHECK(std::abs(naive - 90) > 5 * std::abs(calls.patience->mean() - 90));
  }
  SECTION("schedules: the late agents log in after an hour") {
    bool found = false;
    for (const trsim::WorkerGroup& g : s.worker_groups) {
      if (g.name != "late") continue;
      found = true;
      CHECK(g.count == 24);
      REQUIRE(g.schedule.size() == 1);
      CHECK(g.schedule[0].at == 3600 * trsim::kMicrosPerSecond);
      CHECK(s.activities[g.schedule[0].activity].name == "Available");
      CHECK(s.activities[s.workers[g.first_worker].initial_activity].name == "Offline");
    }
    CHECK(found);
  }
  SECTION("the mirror's check passes against the observed KPIs, whole-run and per interval") {
    // Ten whole-run lines (workspace and queue: three service levels, speed of answer, abandon
    // rate), then the same five per queue and per 30-minute interval with a task in it.
    std::size_t per_interval = 0;
    for (const trsim::Expectation& e : s.expectations) per_interval += e.interval ? 1 : 0;
    CHECK(s.expectations.size() - per_interval == 10);
    CHECK(per_interval == 2 * 5 * 48);
    const CliResult check = run_trsim({"check", mirror}, out);
    INFO(describe(check));
    CHECK(check.exit_code == 0);
    CHECK(contains(check.out, fmt::format("{0} of {0} expectations met", s.expectations.size())));
  }
  SECTION("a mirror whose late agents log in an hour late fails the intervals it changes") {
    // Every whole-run line still holds (a day evens it out); the per-interval lines of 1:00 and
    // 1:30 do not.
    std::string text = read_file(mirror);
    const std::string from = "schedule: [{at: 3600, activity: \"Available\"}]";
    REQUIRE(contains(text, from));
    text.replace(text.find(from), from.size(), "schedule: [{at: 7200, activity: \"Available\"}]");
    const std::string wrong = out.write("wrong.yaml", text);
    const CliResult check = run_trsim({"check", wrong}, out);
    INFO(describe(check));
    CHECK(check.exit_code == 1);
    std::size_t failed = 0, failed_whole_run = 0;
    for (const std::string& line : lines_of(check.out)) {
      if (!contains(line, "FAILED")) continue;
      ++failed;
      if (!contains(line, " at 1:00 ") && !contains(line, " at 1:30 ")) ++failed_whole_run;
    }
    CHECK(failed >= 8);
    CHECK(failed_whole_run == 0);
    CHECK(contains(check.out, "workspace.abandon_rate"));
  }
}

TEST_CASE("an Events API page and the same events one per line import the same",
          "[cli][calibrate]") {
  const History& h = history();
  TempDir a, b;
  REQUIRE(
      run_trsim({"import", h.exported, h.events, "-o", path_in(a, "m.yaml"), "-q"}, a).exit_code ==
      0);
  REQUIRE(
      run_trsim({"import", h.exported, h.page, "-o", path_in(b, "m.yaml"), "-q"}, b).exit_code ==
      0);
  CHECK(read_file(path_in(a, "m.yaml")) == read_file(path_in(b, "m.yaml")));
  CHECK(read_file(path_in(a, "m.support-voice.trace.csv")) ==
        read_file(path_in(b, "m.support-voice.trace.csv")));
  CHECK(read_file(path_in(a, "m.fit.txt")) == read_file(path_in(b, "m.fit.txt")));
}

TEST_CASE("import with --rates writes a forecast per interval instead of a trace",
          "[cli][calibrate]") {
  const History& h = history();
  TempDir out;
  const CliResult r = run_trsim(
      {"import", h.exported, h.events, "-o", path_in(out, "m.yaml"), "-q", "--rates", "1h"}, out);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const trsim::LoadResult loaded = trsim::load_scenario_file(path_in(out, "m.yaml"));
  REQUIRE(loaded.ok());
  const trsim::ArrivalStream& calls = loaded.scenario->arrivals.at(0);
  CHECK(calls.kind == trsim::ArrivalStream::Kind::piecewise);
  REQUIRE(calls.rates_per_second.size() == 24);
  // 600/h in the truth: each hour's count is Poisson(600), within 4 standard errors.
  for (double rate : calls.rates_per_second) CHECK(rate * 3600 == Approx(600).margin(4 * 24.5));
  CHECK_FALSE(fs::exists(path_in(out, "m.support-voice.trace.csv")));
}

TEST_CASE("bad event history is an error naming the file and the place, and nothing is written",
          "[cli][calibrate]") {
  const History& h = history();
  TempDir out;
  const std::vector<std::string> lines = lines_of(read_file(h.events));
  REQUIRE(lines.size() > 10);
  const auto attempt = [&](const std::string& name, const std::string& text) {
    const std::string file = out.write(name, text);
    const std::string mirror = path_in(out, "mirror.yaml");
    const CliResult r = run_trsim({"import", h.exported, file, "-o", mirror}, out);
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK_FALSE(fs::exists(mirror));
    CHECK_FALSE(fs::exists(path_in(out, "mirror.fit.txt")));
    return r.err;
  };
  SECTION("a reservation event without its worker_sid, one event per line") {
    std::string text;
    std::size_t bad = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      std::string line = lines[i];
      if (bad == 0 && contains(line, "\"reservation.created\"")) {
        const std::size_t at = line.find(",\"worker_sid\":\"");
        line.erase(at, line.find('"', at + 15) + 1 - at);
        bad = i + 1;
      }
      text += line + "\n";
    }
    const std::string err = attempt("bad.jsonl", text);
    CHECK(contains(err, fmt::format("bad.jsonl:{}:1: event {} (reservation.created): missing "
                                    "field 'event_data.worker_sid'",
                                    bad, bad)));
  }
  SECTION("an event without event_date_ms or event_date, in a page") {
    std::string text = "{\"events\": [\n";
    for (std::size_t i = 0; i < 5; ++i) {
      std::string line = lines[i];
      if (i == 3) {
        const std::size_t at = line.find(",\"event_date\":");
        const std::size_t end = line.find(",\"resource_type\"");
        line.erase(at, end - at);
      }
      text += "  " + line + (i < 4 ? ",\n" : "\n");
    }
    text += "], \"meta\": {\"key\": \"events\"}}\n";
    const std::string err = attempt("bad.json", text);
    CHECK(contains(err,
                   "bad.json:5:3: event 4 (task-queue.entered): missing field "
                   "'event_date_ms' (or 'event_date')"));
  }
  SECTION("a truncated page") {
    std::string text = "{\"events\": [\n" + lines[0] + ",\n" + lines[1].substr(0, 40);
    const std::string err = attempt("cut.json", text);
    CHECK(contains(err, "cut.json:3:40: the file ends inside the JSON (truncated?)"));
  }
  SECTION("a line that is not JSON") {
    const std::string err = attempt("bad.jsonl", lines[0] + "\n{\"event_type\": \n");
    CHECK(contains(err, "bad.jsonl:2:"));
    CHECK(contains(err, "event 2: not JSON"));
  }
  SECTION("a number JSON does not write") {
    // The flat event reader once took from_chars' numbers after a '-': -inf, -.5 and 1. passed.
    for (const char* word : {"-inf", "-.5", "1.", "01", "-nan"}) {
      std::string line = lines[0];
      line.insert(line.find(",\"resource_type\""), std::string(",\"x\":") + word);
      const std::string err = attempt("number.jsonl", line + "\n");
      INFO(word);
      CHECK(contains(err, "number.jsonl:1:"));
      CHECK(contains(err, "event 1: not JSON"));
    }
  }
  SECTION("events without the workspace's export") {
    const std::string mirror = path_in(out, "mirror.yaml");
    const CliResult r = run_trsim({"import", h.events, "-o", mirror}, out);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "event history needs the workspace's REST export"));
    CHECK_FALSE(fs::exists(mirror));
  }
  SECTION("events out of time order") {
    const std::string err = attempt("order.jsonl", lines[5] + "\n" + lines[0] + "\n");
    CHECK(contains(err, "order.jsonl:2:1: event 2"));
    CHECK(contains(err, "not in time order"));
  }
}

TEST_CASE("import's calibration options are checked before anything is read", "[cli][calibrate]") {
  const History& h = history();
  TempDir out;
  const std::string mirror = path_in(out, "m.yaml");
  const CliResult zero =
      run_trsim({"import", h.exported, h.events, "-o", mirror, "--rates", "0"}, out);
  CHECK(zero.exit_code == 2);
  CHECK(contains(zero.err, "--rates: expected a duration of at least 1 s"));
  const CliResult bad =
      run_trsim({"import", h.exported, h.events, "-o", mirror, "--interval", "soon"}, out);
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.err, "--interval: expected a duration"));
  // 1.5 s would write expect lines at truncated starts (1 s, 2 s, ...) that the mirror refuses.
  const CliResult fractional =
      run_trsim({"import", h.exported, h.events, "-o", mirror, "--interval", "1500ms"}, out);
  CHECK(fractional.exit_code == 2);
  CHECK(contains(fractional.err, "--interval: expected a duration in whole seconds"));
  const CliResult no_events = run_trsim({"import", h.exported, "-o", mirror, "--rates", "1h"}, out);
  CHECK(no_events.exit_code == 2);
  CHECK(contains(no_events.err, "--rates needs event history"));
  CHECK_FALSE(fs::exists(mirror));
}

TEST_CASE("task attributes travel the round trip: task.created carries them, import routes by them",
          "[cli][calibrate]") {
  // TaskRouter's task.created event: "task_attributes" among its event data (the Events API's
  // event_data). support-centre routes by language, tier and reason: without the attributes every
  // task of the mirror would take the default filter (English).
  TempDir out;
  const std::string scenario = scenario_path("support-centre.yaml");
  const std::string events = path_in(out, "events.jsonl");
  const std::string own = path_in(out, "own.jsonl");
  const std::vector<std::string> day = {"--set", "replications=1", "--set", "horizon=12h"};
  std::vector<std::string> args = {"run",        scenario, "-q",
                                   "--events",   events,   "--events-format",
                                   "taskrouter", "--json", path_in(out, "truth.json")};
  args.insert(args.end(), day.begin(), day.end());
  REQUIRE(run_trsim(args, out).exit_code == 0);
  args = {"run", scenario, "-q", "--events", own};
  args.insert(args.end(), day.begin(), day.end());
  REQUIRE(run_trsim(args, out).exit_code == 0);
  std::size_t created = 0;
  for (const std::string& line : lines_of(read_file(events))) {
    if (!contains(line, "\"event_type\":\"task.created\"")) continue;
    ++created;
    const Json event = parse_json(line);
    const Json* attributes = event.at_path("event_data.task_attributes");
    REQUIRE(attributes != nullptr);
    const Json parsed = parse_json(attributes->text);  // a JSON string, as TaskRouter sends it
    CHECK(parsed.get("language") != nullptr);
  }
  CHECK(created > 100);
  // trsim's own JSON Lines log keeps task.created without them.
  for (const std::string& line : lines_of(read_file(own)))
    if (contains(line, "\"type\":\"task.created\"")) CHECK_FALSE(contains(line, "\"attributes\""));

  REQUIRE(run_trsim({"export", scenario, path_in(out, "export")}, out).exit_code == 0);
  const std::string mirror = path_in(out, "mirror.yaml");
  const CliResult imported =
      run_trsim({"import", path_in(out, "export"), events, "-o", mirror, "-q"}, out);
  INFO(describe(imported));
  REQUIRE(imported.exit_code == 0);
  const trsim::LoadResult loaded = trsim::load_scenario_file(mirror);
  REQUIRE(loaded.ok());
  std::size_t rows = 0;
  for (const trsim::ArrivalStream& a : loaded.scenario->arrivals)
    for (const trsim::TraceRow& r : a.trace) {
      ++rows;
      CHECK(r.attributes.find("language") != nullptr);
    }
  CHECK(rows == created);
  const CliResult run = run_trsim({"run", mirror, "-q", "--json", "-"}, out);
  REQUIRE(run.exit_code == 0);
  const Json truth = parse_json(read_file(path_in(out, "truth.json")));
  const Json mirrored = parse_json(run.out);
  for (const char* queue : {"Senior", "Billing", "Technical", "Spanish"}) {
    INFO(queue);
    const std::string path = std::string("statistics.task_queues.") + queue + ".tasks_entered.mean";
    REQUIRE(truth.at_path(path) != nullptr);
    CHECK(truth.at_path(path)->number > 0);
    CHECK(mirrored.at_path(path)->number > 0);
  }
}
