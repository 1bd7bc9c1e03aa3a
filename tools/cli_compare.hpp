#pragma once
// What `trsim compare` and a multi-scenario `trsim check` print and write: the comparison table,
// its JSON, JUnit suites (one per scenario or pair) and a markdown summary for a pull request.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cli_output.hpp"
#include "trsim/compare.hpp"

namespace trsim::cli {

/// The table a person reads: the pairing, one row per metric (base, change, paired difference
/// with a `*` when significant, and the unpaired ci95 for contrast), then the rules.
std::string comparison_table(const Comparison& c);

/// One comparison as a JSON object (docs/experiments.md, "trsim compare").
std::string comparison_json(const Comparison& c);

/// A JUnit <testsuite> for one comparison: one test case per rule (a <failure> when it failed)
/// and one per metric (never failing; its numbers in <system-out>).
std::string comparison_junit_suite(const std::string& suite_name, const Comparison& c);

/// A JUnit <testsuite> holding one <error> test case: the scenario (or pair) could not run.
std::string error_junit_suite(const std::string& suite_name, const std::string& message);

/// Wraps suites into a JUnit document; `tests`, `failures` and `errors` are the totals.
std::string junit_document(const std::string& name, const std::vector<std::string>& suites,
                           std::size_t tests, std::size_t failures, std::size_t errors);

/// The markdown section of one comparison: a heading, the verdict, and a table (mark, metric,
/// base, change, difference ± ci95, the rule that failed).
std::string comparison_markdown(const std::string& title, const Comparison& c);

/// The markdown section of one checked scenario: a heading and a table (mark, metric, bound,
/// mean ± ci95, why it fell short).
std::string check_markdown(const std::string& title, const CheckReport& report);

/// The markdown section of a scenario (or pair) that could not run.
std::string error_markdown(const std::string& title, const std::string& message);

}  // namespace trsim::cli

namespace trsim::cli {

/// Runs body(job, threads) for every job in [0, count): several jobs at once on one thread each
/// when there are at least as many jobs as threads, else one after another with all the threads.
/// Shows "VERB: D/N NOUN done, T elapsed" on a terminal (not with --quiet). `body` must catch its
/// own errors.
void run_jobs(std::size_t count, std::uint32_t threads, bool quiet, const std::string& verb,
              const std::string& noun, const std::function<void(std::size_t, std::uint32_t)>& body);

}  // namespace trsim::cli
