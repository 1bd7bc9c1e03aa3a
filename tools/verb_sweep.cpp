// `trsim sweep`: runs a grid of parameter values under common random numbers, or one shard of it
// (--shard K/N, merged later by `trsim merge`), and writes the table, the CSV and the JSON.
// The experiment logic is the library's (trsim/sweep.hpp); this file turns the command line and
// the scenario file into a grid and a builder of each point's scenario.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "cli_sweep.hpp"
#include "trsim/loader.hpp"
#include "trsim/runner.hpp"
#include "trsim/sweep.hpp"
#include "verbs.hpp"

namespace po = boost::program_options;

namespace trsim::cli {

namespace {

// A grid larger than this is a typo (a value list pasted twice), not a study.
constexpr std::size_t kMaxPoints = 1'000'000;

struct SweepOptions {
  std::string csv_path, json_path, shard_text;
  std::vector<std::string> metrics, precision;
  std::string baseline_text = "0";
  std::string max_replications_text = "1000";
};

// True when one of the fixed overrides sets `path`.
bool is_fixed(const std::vector<std::string>& fixed, const std::string& path) {
  for (const std::string& f : fixed)
    if (f.size() > path.size() && f.compare(0, path.size(), path) == 0 && f[path.size()] == '=')
      return true;
  return false;
}

// Splits the --set options into fixed overrides (one value) and swept parameters (a list).
// Returns false after reporting a malformed one.
bool split_sets(const std::vector<std::string>& sets, std::vector<std::string>& fixed,
                std::vector<SweepParameter>& swept) {
  for (std::size_t k = 0; k < sets.size(); ++k) {
    const std::string& s = sets[k];
    const std::size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "trsim sweep: --set expects PATH=VALUE or PATH=V1,V2,..., got '" << s << "'\n";
      return false;
    }
    const std::string path = s.substr(0, eq);
    const std::string text = s.substr(eq + 1);
    std::string why;
    const auto values = split_sweep_values(text, &why);
    if (!values) {
      std::cerr << "trsim sweep: --set " << s << ": " << why << "\n";
      return false;
    }
    const bool listed = values->size() > 1 || (!text.empty() && text.front() == '[');
    if (!listed) {
      fixed.push_back(s);
      continue;
    }
    // As in the `sweep:` block: every point shares the seed and the replications (common random
    // numbers; the points are paired replication by replication).
    const std::string head = path.substr(0, path.find('.'));
    if (head == "seed" || head == "replications" || head == "sweep") {
      std::cerr << "trsim sweep: --set " << s << ": '" << head
                << "' cannot be swept: every point shares the seed and the replications (common "
                   "random numbers); use --seed or --replications for one value\n";
      return false;
    }
    for (const SweepParameter& p : swept) {
      if (p.path == path) {
        std::cerr << "trsim sweep: --set " << path << " is swept twice\n";
        return false;
      }
    }
    swept.push_back({path, *values, {"--set", static_cast<int>(k) + 1, 0}});
  }
  for (const SweepParameter& p : swept) {
    if (is_fixed(fixed, p.path)) {
      std::cerr << "trsim sweep: --set " << p.path << " is both swept and fixed\n";
      return false;
    }
  }
  return true;
}

// The scenario's `sweep:` block without the parameters a --set fixes.
std::vector<SweepParameter> block_grid(const Scenario& scenario,
                                       const std::vector<std::string>& fixed) {
  std::vector<SweepParameter> out;
  for (const SweepParameter& p : scenario.sweep)
    if (!is_fixed(fixed, p.path)) out.push_back(p);
  return out;
}

std::optional<std::size_t> grid_size(const std::vector<SweepParameter>& parameters) {
  std::size_t n = 1;
  for (const SweepParameter& p : parameters) {
    if (p.values.empty() || n > kMaxPoints / p.values.size()) return std::nullopt;
    n *= p.values.size();
  }
  return n;
}

std::string describe_point(const SweepGrid& grid, std::size_t point) {
  std::string out;
  for (const std::string& o : grid.overrides(point)) out += (out.empty() ? "" : ", ") + o;
  return out;
}

// Loads every point before anything runs: a bad value is an input error (exit 2) reported with
// its point, at its place in the `sweep:` block when it comes from there; a --metric must name a
// number of every point's statistics.
bool validate_points(const CommonOptions& common, const SweepGrid& grid,
                     const std::vector<std::string>& metrics, std::vector<std::string>& files) {
  constexpr int kMaxReported = 10;
  const std::vector<std::string> fixed = load_overrides(common);
  std::set<std::string> reported;
  bool bad = false;
  int shown = 0;
  for (std::size_t p = 0; p < grid.size() && shown < kMaxReported; ++p) {
    LoadOptions options{fixed};
    options.limits = common.limits;
    const std::vector<std::string> point = grid.overrides(p);
    options.overrides.insert(options.overrides.end(), point.begin(), point.end());
    const LoadResult result = load_scenario_file(common.scenario, options);
    files.insert(files.end(), result.files.begin(), result.files.end());
    std::vector<std::string> problems;
    for (const Diagnostic& d : result.diagnostics) {
      if (d.severity != Diagnostic::Severity::error) continue;
      // An override's diagnostic points at its line among the overrides: show the parameter's
      // own place (its key in the sweep block, or its --set) instead.
      const auto line = static_cast<std::size_t>(d.where.line);
      if (d.where.file == "--set" && line > fixed.size() && line - fixed.size() <= point.size()) {
        const SweepParameter& param = grid.parameters[line - fixed.size() - 1];
        Diagnostic moved = d;
        moved.where = param.where;
        moved.where.column = std::max(param.where.column, 1);
        problems.push_back(moved.format());
      } else {
        problems.push_back(d.format());
      }
    }
    if (result.ok()) {
      const MetricNode shape = statistics_shape(*result.scenario);
      for (const std::string& m : metrics) {
        const MetricNode* n = shape.find(m);
        if (n == nullptr || n->is_group)
          problems.push_back("--metric " + m + ": no such number in the statistics" +
                             (n != nullptr ? " (it is a group: name one of its members)" : ""));
      }
    }
    if (problems.empty()) continue;
    bad = true;
    // A bad value spoils every point that has it: show each problem once, with its first point.
    std::erase_if(problems, [&](const std::string& line) { return !reported.insert(line).second; });
    if (problems.empty()) continue;
    ++shown;
    std::cerr << "trsim sweep: point " << p << " (" << describe_point(grid, p) << ") is invalid:\n";
    for (const std::string& line : problems) std::cerr << line << "\n";
  }
  return !bad;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "K/N" with 0 <= K < N.
std::optional<std::pair<std::size_t, std::size_t>> parse_shard(const std::string& text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  const auto k = parse_unsigned<std::size_t>(text.substr(0, slash));
  const auto n = parse_unsigned<std::size_t>(text.substr(slash + 1));
  if (!k || !n || *n == 0 || *k >= *n) return std::nullopt;
  return std::pair{*k, *n};
}

// "METRIC=HALF_WIDTH" with a positive half-width.
std::optional<PrecisionTarget> parse_precision(const std::string& text) {
  const std::size_t eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0) return std::nullopt;
  const std::string number = text.substr(eq + 1);
  char* end = nullptr;
  const double h = std::strtod(number.c_str(), &end);
  if (number.empty() || end != number.c_str() + number.size() || !std::isfinite(h) || h <= 0)
    return std::nullopt;
  return PrecisionTarget{text.substr(0, eq), h};
}

// A progress line on a terminal: points and replications done, elapsed, estimated remaining.
std::function<void(const SweepProgress&)> progress_line() {
  const auto start = std::chrono::steady_clock::now();
  return [start](const SweepProgress& p) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double left = p.units_done == 0 ? 0
                                          : elapsed / static_cast<double>(p.units_done) *
                                                static_cast<double>(p.units_total - p.units_done);
    std::fprintf(stderr, "\r\033[Kpoints %zu/%zu, replications %zu/%zu, %.0fs elapsed, ~%.0fs left",
                 p.points_done, p.points_total, p.units_done, p.units_total, elapsed, left);
    if (p.units_done == p.units_total) std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  };
}

}  // namespace

int verb_sweep(int argc, char** argv) {
  const VerbHelp help{
      "sweep", "SCENARIO.yaml [--set PATH=V1,V2,...]... [options]",
      "  trsim sweep scenarios/sweep-timeout.yaml          # the scenario's sweep: block\n"
      "  trsim sweep scenarios/quickstart.yaml --set workflows.support.task_reservation_timeout="
      "15s,30s,60s --set workers.english.count=12,14 --csv sweep.csv --json sweep.json\n"
      "  trsim sweep scenarios/quickstart.yaml --set workers.english.count=12,13,14 "
      "--metric workspace.service_level.20 --precision workspace.service_level.20=0.01\n"
      "  trsim sweep scenarios/sweep-timeout.yaml --shard 0/4 --json part-0.json   # then trsim "
      "merge part-*.json\n"};
  CommonOptions common;
  SweepOptions o;
  po::options_description specific("sweep options");
  specific.add_options()  //
      ("csv", po::value(&o.csv_path)->value_name("FILE"),
       "write one row per point (means, ci95, paired differences) to FILE (- = stdout)")  //
      ("json", po::value(&o.json_path)->value_name("FILE"),
       "write the sweep JSON (or, with --shard, the partial result) to FILE (- = stdout)")  //
      ("metric", po::value(&o.metrics)->composing()->value_name("PATH"),
       "a headline metric (repeatable; replaces the default set), e.g. "
       "task_queues.Spanish.avg_task_acceptance_time")  //
      ("baseline", po::value(&o.baseline_text)->value_name("N"),
       "the point the paired differences are taken against (default 0)")  //
      ("shard", po::value(&o.shard_text)->value_name("K/N"),
       "run slice K of N (0 <= K < N) of the (point, replication) units and write the partial "
       "result to --json, for `trsim merge`")  //
      ("precision", po::value(&o.precision)->composing()->value_name("METRIC=HALF_WIDTH"),
       "add replications until every point's ci95 half-width of METRIC is at most HALF_WIDTH "
       "(repeatable)")  //
      ("max-replications", po::value(&o.max_replications_text)->value_name("N"),
       "the cap on replications per point for --precision (default 1000)");
  po::variables_map vm;
  if (auto code = parse_command_line(argc, argv, help, common, specific, vm)) return *code;

  std::vector<std::string> fixed;
  std::vector<SweepParameter> swept;
  if (!split_sets(common.overrides, fixed, swept)) return kExitUsage;
  common.overrides = fixed;

  const auto baseline = parse_unsigned<std::size_t>(o.baseline_text);
  if (!baseline) {
    std::cerr << "trsim sweep: --baseline must be a point number (got '" << o.baseline_text
              << "')\n";
    return kExitUsage;
  }
  std::optional<std::pair<std::size_t, std::size_t>> shard;
  if (vm.count("shard")) {
    shard = parse_shard(o.shard_text);
    if (!shard) {
      std::cerr << "trsim sweep: --shard expects K/N with 0 <= K < N (got '" << o.shard_text
                << "')\n";
      return kExitUsage;
    }
    if (o.json_path.empty() || !o.csv_path.empty()) {
      std::cerr << "trsim sweep: --shard writes a partial result to --json (and no --csv); "
                   "`trsim merge` makes the CSV\n";
      return kExitUsage;
    }
  }
  std::vector<PrecisionTarget> precision;
  for (const std::string& p : o.precision) {
    const auto target = parse_precision(p);
    if (!target) {
      std::cerr << "trsim sweep: --precision expects METRIC=HALF_WIDTH with a positive half-width "
                   "(got '"
                << p << "')\n";
      return kExitUsage;
    }
    precision.push_back(*target);
  }
  if (!precision.empty() && shard) {
    std::cerr << "trsim sweep: --precision and --shard cannot be combined: the replication count "
                 "depends on every shard's results (run the precision sweep once, then shard "
                 "with --replications set to the count it reached)\n";
    return kExitUsage;
  }
  const auto max_replications = parse_unsigned<std::uint32_t>(o.max_replications_text);
  if (!max_replications || *max_replications == 0) {
    std::cerr << "trsim sweep: --max-replications must be a whole number of at least 1 (got '"
              << o.max_replications_text << "')\n";
    return kExitUsage;
  }

  const auto scenario = load(common, !common.quiet);
  if (!scenario) return kExitUsage;
  SweepGrid grid{swept.empty() ? block_grid(*scenario, fixed) : swept};
  // Without a grid, a sweep is only useful for its precision rule: one point, the scenario itself.
  if (grid.parameters.empty() && precision.empty()) {
    std::cerr << "trsim sweep: nothing to sweep: give --set PATH=V1,V2,... or a `sweep:` block in "
                 "the scenario (or --precision, to run the scenario alone to a precision)\n";
    return kExitUsage;
  }
  const auto points = grid_size(grid.parameters);
  if (!points) {
    std::cerr << "trsim sweep: the grid has more than " << kMaxPoints << " points\n";
    return kExitUsage;
  }
  if (*baseline >= *points) {
    std::cerr << "trsim sweep: --baseline " << *baseline << " is not a point of the grid (0 to "
              << *points - 1 << ")\n";
    return kExitUsage;
  }
  if (!precision.empty() && *max_replications < scenario->replications) {
    std::cerr << "trsim sweep: --max-replications " << *max_replications
              << " is below the scenario's " << scenario->replications << " replications\n";
    return kExitUsage;
  }
  SweepDesign design{scenario->name,
                     scenario->seed,
                     scenario->replications,
                     grid,
                     o.metrics.empty() ? default_sweep_metrics(*scenario) : o.metrics,
                     *baseline};
  std::vector<std::string> metrics_to_check = o.metrics;
  for (const PrecisionTarget& t : precision) metrics_to_check.push_back(t.metric);
  std::vector<std::string> inputs;
  if (!validate_points(common, grid, metrics_to_check, inputs)) return kExitUsage;

  SweepOutputs outputs(o.csv_path, o.json_path);
  outputs.add_inputs(inputs);
  if (!outputs.open("sweep")) return kExitUsage;

  const std::vector<std::string> fixed_overrides = load_overrides(common);
  const std::string path = common.scenario;
  const LoadLimits limits = common.limits;
  const ScenarioBuilder build = [&grid, fixed_overrides, path, limits](std::size_t point) {
    LoadOptions options{fixed_overrides};
    options.limits = limits;
    const std::vector<std::string> extra = grid.overrides(point);
    options.overrides.insert(options.overrides.end(), extra.begin(), extra.end());
    LoadResult result = load_scenario_file(path, options);
    if (!result.ok())  // it loaded during validation: the file changed under the sweep
      throw std::runtime_error(
          "point " + std::to_string(point) + " no longer loads: " +
          (result.diagnostics.empty() ? "" : result.diagnostics.front().format()));
    return std::move(*result.scenario);
  };
  SweepSettings settings;
  settings.threads = common.threads;
  settings.check_invariants = common.check_invariants;
  if (!common.quiet && isatty(STDERR_FILENO)) settings.on_progress = progress_line();

  if (shard) {
    const auto text = read_file(path);
    if (!text) {
      std::cerr << path << ": cannot read the scenario\n";
      return kExitUsage;
    }
    const std::size_t units_total = *points * design.replications;
    const UnitRange range = shard_range(units_total, shard->first, shard->second);
    SweepPartial partial;
    partial.design = design;
    partial.scenario_hash = sweep_identity_hash(*text, fixed_overrides, grid);
    partial.version = TRSIM_VERSION;
    partial.shard = shard->first;
    partial.shards = shard->second;
    for (std::size_t u = range.begin; u < range.end; ++u)
      partial.units.push_back(
          {u / design.replications, static_cast<std::uint32_t>(u % design.replications)});
    partial.statistics = MetricRows(run_sweep_units(partial.units, build, settings));
    outputs.write_json(sweep_partial_json(partial));
    if (!outputs.commit("sweep")) return kExitUsage;
    if (!common.quiet && !outputs.uses_stdout())
      std::cout << "shard " << shard->first << "/" << shard->second << ": units " << range.begin
                << " to " << range.end << " of " << units_total << " written to " << o.json_path
                << "\n";
    return kExitOk;
  }

  const SweepResults results = run_sweep(design, build, settings, precision, *max_replications);
  const std::vector<SweepPointSummary> summary = summarise_sweep(results);
  outputs.write(results, summary);
  if (!outputs.commit("sweep")) return kExitUsage;
  if (results.precision && !results.precision->met)
    std::cerr << "trsim sweep: the precision targets were not met within "
              << results.precision->max_replications << " replications per point\n";
  if (!common.quiet && !outputs.uses_stdout()) std::cout << sweep_table(results, summary);
  return kExitOk;
}

}  // namespace trsim::cli
