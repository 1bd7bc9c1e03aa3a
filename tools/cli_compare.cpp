#include "cli_compare.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <mutex>

#include "cli_common.hpp"
#include "experiment/parallel.hpp"
#include "report/xml.hpp"
#include "trsim/value.hpp"

namespace trsim::cli {

namespace {

// A rule's difference as the metric table prints it: a ratio's in percentage points.
std::string difference_text(const Aggregate& d, const std::string& metric) {
  return metric_mean_ci(d, metric, true);
}

std::string half_width(double v) { return std::isnan(v) ? "-" : fmt::format("± {:.2g}", v); }

std::string judged_on(const RuleOutcome& r) { return r.on_mean ? "mean" : "ci95"; }

// A markdown table cell: pipes escaped, line breaks flattened.
std::string md_cell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out;
}

void append_aggregate(std::string& out, const Aggregate& a) {
  out += "{\"mean\":";
  append_json_number(out, a.mean);
  out += ",\"ci95\":";
  append_json_number(out, a.ci95);
  out += ",\"n\":";
  append_json_number(out, static_cast<double>(a.n));
  out += '}';
}

// The rules that failed on `metric`.
std::vector<const RuleOutcome*> failed_rules(const Comparison& c, const std::string& metric) {
  std::vector<const RuleOutcome*> out;
  for (const RuleOutcome& r : c.rules)
    if (r.failed && r.rule.metric == metric) out.push_back(&r);
  return out;
}

std::string verdict(const Comparison& c) {
  if (c.rules.empty()) return "no rules";
  if (c.failures == 0) return fmt::format("all {} rules hold", c.rules.size());
  return fmt::format("{} of {} rules failed", c.failures, c.rules.size());
}

}  // namespace

std::string comparison_table(const Comparison& c) {
  std::string out = fmt::format(
      "base {}, change {}: seed {}, {} replication{}, replication r of the change paired with "
      "replication r of the base\n",
      c.base_name, c.change_name, c.seed, c.replications, c.replications == 1 ? "" : "s");
  if (!c.pairing.complete) {
    out +=
        "pairing is partial (streams or workers without a counterpart see other random "
        "numbers):\n";
    for (const std::string& n : c.pairing.notes) out += "  " + n + "\n";
  }
  out += fmt::format("\n{:<46} {:>18} {:>18} {:>22}   {:>10}\n", "metric", "base", "change",
                     "difference (paired)", "unpaired");
  for (const MetricComparison& m : c.metrics) {
    const bool ratio = is_ratio_metric(m.metric);
    out += fmt::format("{:<46} {:>18} {:>18} {:>22} {} {:>10}\n", m.metric,
                       metric_mean_ci(m.base, m.metric), metric_mean_ci(m.change, m.metric),
                       metric_mean_ci(m.difference, m.metric, true), m.significant ? "*" : " ",
                       ratio && !std::isnan(m.unpaired_ci95)
                           ? fmt::format("± {:.1f} pp", m.unpaired_ci95 * 100)
                           : half_width(m.unpaired_ci95));
  }
  out +=
      "(mean ± ci95 over the replications; * the paired ci95 excludes 0: a significant "
      "difference)\n";
  if (c.rules.empty()) return out;
  out += fmt::format("\n{:<46} {:<6} {:>22}  {}\n", "rule (change − base)", "judged", "difference",
                     "result");
  for (const RuleOutcome& r : c.rules) {
    out += fmt::format("{:<46} {:<6} {:>22}  {}\n", r.rule.text, judged_on(r),
                       difference_text(r.difference, r.rule.metric),
                       r.failed ? "FAILED: " + r.reason : "ok");
  }
  out += verdict(c) + "\n";
  return out;
}

std::string comparison_json(const Comparison& c) {
  std::string out = "{\"base\":";
  append_json_string(out, c.base_name);
  out += ",\"change\":";
  append_json_string(out, c.change_name);
  out += ",\"seed\":" + std::to_string(c.seed);
  out += ",\"replications\":" + std::to_string(c.replications);
  out += ",\"pairing\":{\"complete\":";
  out += c.pairing.complete ? "true" : "false";
  out += ",\"notes\":[";
  for (std::size_t i = 0; i < c.pairing.notes.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, c.pairing.notes[i]);
  }
  out += "]},\"metrics\":[";
  for (std::size_t i = 0; i < c.metrics.size(); ++i) {
    const MetricComparison& m = c.metrics[i];
    if (i) out += ',';
    out += "\n{\"metric\":";
    append_json_string(out, m.metric);
    out += ",\"base\":";
    append_aggregate(out, m.base);
    out += ",\"change\":";
    append_aggregate(out, m.change);
    out += ",\"difference\":";
    append_aggregate(out, m.difference);
    out += ",\"unpaired_ci95\":";
    append_json_number(out, m.unpaired_ci95);
    out += ",\"significant\":";
    out += m.significant ? "true" : "false";
    out += '}';
  }
  out += "],\"rules\":[";
  for (std::size_t i = 0; i < c.rules.size(); ++i) {
    const RuleOutcome& r = c.rules[i];
    if (i) out += ',';
    out += "\n{\"rule\":";
    append_json_string(out, r.rule.text);
    out += ",\"judged_on\":";
    append_json_string(out, judged_on(r));
    out += ",\"failed\":";
    out += r.failed ? "true" : "false";
    out += ",\"reason\":";
    append_json_string(out, r.reason);
    out += '}';
  }
  out += "],\"failures\":" + std::to_string(c.failures) + "}";
  return out;
}

std::string comparison_junit_suite(const std::string& suite_name, const Comparison& c) {
  const std::string suite = report::escape_xml(suite_name);
  std::string out =
      fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n", suite,
                  c.rules.size() + c.metrics.size(), c.failures);
  out += fmt::format(
      "    <properties>\n      <property name=\"seed\" value=\"{}\"/>\n"
      "      <property name=\"replications\" value=\"{}\"/>\n"
      "      <property name=\"pairing\" value=\"{}\"/>\n    </properties>\n",
      c.seed, c.replications, c.pairing.complete ? "complete" : "partial");
  for (const RuleOutcome& r : c.rules) {
    const std::string name = report::escape_xml("rule: " + r.rule.text + " (" + judged_on(r) + ")");
    if (!r.failed) {
      out += fmt::format("    <testcase classname=\"{}\" name=\"{}\"/>\n", suite, name);
      continue;
    }
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\">\n", suite, name);
    out += fmt::format("      <failure message=\"{}\">{}: difference {} (rule {})</failure>\n",
                       report::escape_xml(r.rule.text + ": " + r.reason),
                       report::escape_xml(r.rule.metric),
                       report::escape_xml(difference_text(r.difference, r.rule.metric)),
                       report::escape_xml(r.rule.text));
    out += "    </testcase>\n";
  }
  for (const MetricComparison& m : c.metrics) {
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\">\n", suite,
                       report::escape_xml("metric: " + m.metric));
    out += fmt::format("      <system-out>base {}, change {}, difference {}{}</system-out>\n",
                       report::escape_xml(metric_mean_ci(m.base, m.metric)),
                       report::escape_xml(metric_mean_ci(m.change, m.metric)),
                       report::escape_xml(metric_mean_ci(m.difference, m.metric, true)),
                       m.significant ? " (significant)" : "");
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n";
  return out;
}

std::string error_junit_suite(const std::string& suite_name, const std::string& message) {
  const std::string suite = report::escape_xml(suite_name);
  std::string out =
      fmt::format("  <testsuite name=\"{}\" tests=\"1\" failures=\"0\" errors=\"1\">\n", suite);
  out += fmt::format("    <testcase classname=\"{}\" name=\"run\">\n", suite);
  out += fmt::format("      <error message=\"{}\">{}</error>\n", report::escape_xml(message),
                     report::escape_xml(message));
  out += "    </testcase>\n  </testsuite>\n";
  return out;
}

std::string junit_document(const std::string& name, const std::vector<std::string>& suites,
                           std::size_t tests, std::size_t failures, std::size_t errors) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n",
                     report::escape_xml(name), tests, failures, errors);
  for (const std::string& s : suites) out += s;
  out += "</testsuites>\n";
  return out;
}

std::string comparison_markdown(const std::string& title, const Comparison& c) {
  std::string out = fmt::format("### {} {}\n\n", c.failures > 0 ? "❌" : "✅", md_cell(title));
  out += fmt::format("{}, {} replications paired (seed {}){}.\n\n", verdict(c), c.replications,
                     c.seed, c.pairing.complete ? "" : "; pairing is partial");
  out += "| | metric | base | change | difference (95% CI) | rule failed |\n";
  out += "|---|---|---|---|---|---|\n";
  for (const MetricComparison& m : c.metrics) {
    const std::vector<const RuleOutcome*> failed = failed_rules(c, m.metric);
    const char* mark = !failed.empty() ? "❌" : m.significant ? "⚠️" : "✅";
    std::string rules;
    for (const RuleOutcome* r : failed) {
      if (!rules.empty()) rules += "; ";
      rules += r->rule.text;
    }
    const std::string diff = md_cell(metric_mean_ci(m.difference, m.metric, true));
    out += fmt::format("| {} | `{}` | {} | {} | {} | {} |\n", mark, md_cell(m.metric),
                       md_cell(metric_mean_ci(m.base, m.metric)),
                       md_cell(metric_mean_ci(m.change, m.metric)),
                       m.significant ? fmt::format("**{}**", diff) : diff,
                       rules.empty() ? std::string() : fmt::format("`{}`", md_cell(rules)));
  }
  out +=
      "\n✅ no significant difference · ⚠️ significant difference, no rule failed · ❌ a "
      "rule "
      "failed\n\n";
  return out;
}

std::string check_markdown(const std::string& title, const CheckReport& report) {
  std::string out = fmt::format("### {} {}\n\n", report.failures > 0 ? "❌" : "✅", md_cell(title));
  out += fmt::format("{} of {} expectations met.\n\n",
                     report.cases.size() - static_cast<std::size_t>(report.failures),
                     report.cases.size());
  out += "| | metric | bound | mean ± ci95 | result |\n|---|---|---|---|---|\n";
  for (const CheckCase& c : report.cases) {
    out +=
        fmt::format("| {} | `{}` | {} | {} | {} |\n", c.outcome.met ? "✅" : "❌", md_cell(c.metric),
                    md_cell(c.bound), md_cell(metric_mean_ci(c.outcome.value, c.metric)),
                    c.outcome.met ? "ok" : md_cell(c.outcome.reason));
  }
  out += "\n";
  return out;
}

std::string error_markdown(const std::string& title, const std::string& message) {
  return fmt::format("### ⛔ {}\n\nCould not run: `{}`\n\n", md_cell(title), md_cell(message));
}

void run_jobs(std::size_t count, std::uint32_t threads, bool quiet, const std::string& verb,
              const std::string& noun,
              const std::function<void(std::size_t, std::uint32_t)>& body) {
  const bool progress = !quiet && isatty(STDERR_FILENO) && count > 1;
  const auto started = std::chrono::steady_clock::now();
  std::mutex mutex;
  std::size_t done = 0;
  const auto show = [&] {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::fprintf(stderr, "\r\033[K%s: %zu/%zu %s done, %s elapsed", verb.c_str(), done, count,
                 noun.c_str(), wall_duration(elapsed).c_str());
    std::fflush(stderr);
  };
  if (progress) show();
  const auto finished = [&] {
    if (!progress) return;
    std::lock_guard lock(mutex);
    ++done;
    show();
  };
  if (count >= threads || threads == 1) {
    detail::parallel_for(count, threads, [&](std::size_t i) {
      body(i, 1);
      finished();
    });
  } else {
    for (std::size_t i = 0; i < count; ++i) {
      body(i, threads);
      finished();
    }
  }
  if (progress) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  }
}

}  // namespace trsim::cli
