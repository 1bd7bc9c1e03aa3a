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
    // The early group (40 agents, about 4,800 offers: a standard error near 0.006) is held to the
    // issue's ±0.02. The late group (8 agents, about 830 offers) to 4 standard errors of a
    // proportion over its offers, which is wider than 0.02.
    const trsim::Behavior& early = behavior(s, "early");
    CHECK(early.p_accept == Approx(0.8).margin(0.02));
    CHECK(early.p_reject == Approx(0.1).margin(0.02));
    CHECK(early.p_no_response == Approx(0.1).margin(0.02));
    const double offers =
        truth.at_path("statistics.workers.late.reservations_created.mean")->number;
    const trsim::Behavior& late = behavior(s, "late");
    const auto se = [&](double p) { return 4 * std::sqrt(p * (1 - p) / offers); };
    CHECK(late.p_accept == Approx(0.8).margin(se(0.8)));
    CHECK(late.p_reject == Approx(0.1).margin(se(0.1)));
    CHECK(late.p_no_response == Approx(0.1).margin(se(0.1)));
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
      // weibull(shape 1.5, scale 60 s): mean 60 * Gamma(1 + 1/1.5); the late group has about 80
      // timeouts, so 10% (about 1.4 standard errors of its mean... held to 4 below).
      const double mean = 60 * std::tgamma(1 + 1 / 1.5);
      CHECK(b.return_after->mean() ==
            Approx(mean).epsilon(std::string(group) == "early" ? 0.05 : 0.2));
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
      CHECK(g.count == 8);
      REQUIRE(g.schedule.size() == 1);
      CHECK(g.schedule[0].at == 3600 * trsim::kMicrosPerSecond);
      CHECK(s.activities[g.schedule[0].activity].name == "Available");
      CHECK(s.activities[s.workers[g.first_worker].initial_activity].name == "Offline");
    }
    CHECK(found);
  }
  SECTION("the mirror's check passes against the observed KPIs") {
    CHECK(s.expectations.size() == 10);
    const CliResult check = run_trsim({"check", mirror}, out);
    INFO(describe(check));
    CHECK(check.exit_code == 0);
    CHECK(contains(check.out, "10 of 10 expectations met"));
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
  REQUIRE(calls.rates_per_second.size() == 8);
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
  const CliResult no_events = run_trsim({"import", h.exported, "-o", mirror, "--rates", "1h"}, out);
  CHECK(no_events.exit_code == 2);
  CHECK(contains(no_events.err, "--rates needs event history"));
  CHECK_FALSE(fs::exists(mirror));
}
