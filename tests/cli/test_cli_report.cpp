// `trsim report` and `trsim run --report`: the command line, and the pages in a real browser
// (headless Chromium from Debian's `chromium` package, which tools/setup.sh installs): every chart
// is in the rendered DOM with its data points, and a screenshot is saved under build/tests/.
#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

namespace {

const std::string kCascade = scenario_path("timeout-cascade.yaml");
const std::string kSweepFixture = std::string(TRSIM_TEST_DATA_DIR) + "/sweep-timeout.json";

std::size_t count(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + needle.size()))
    ++n;
  return n;
}

// The charts of a page (or of a DOM dump): the text of each <svg class="chart ...">...</svg>.
std::vector<std::string> charts_of(const std::string& html) {
  std::vector<std::string> charts;
  for (std::size_t at = html.find("<svg class=\"chart"); at != std::string::npos;
       at = html.find("<svg class=\"chart", at + 1)) {
    const std::size_t end = html.find("</svg>", at);
    charts.push_back(html.substr(at, end == std::string::npos ? std::string::npos : end - at));
  }
  return charts;
}

std::size_t points_in(const std::string& chart) {
  return count(chart, "<circle class=\"point\"") + count(chart, "<rect class=\"point bar\"");
}

struct Browser {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs headless Chromium with `args` on the file `page` (a fresh profile in `scratch`), stdout
// and stderr captured; at most 60 s.
Browser chromium(const std::vector<std::string>& args, const std::string& page,
                 const TempDir& scratch) {
  static int n = 0;
  const std::string tag = std::to_string(n++);
  const std::string out = scratch.path() + "/chromium-out-" + tag;
  const std::string err = scratch.path() + "/chromium-err-" + tag;
  std::string command =
      "timeout 60 chromium --headless=new --no-sandbox --disable-gpu --no-first-run "
      "--user-data-dir=" +
      shell_quote(scratch.path() + "/profile-" + tag);
  // Appended in steps: `" " + s` trips GCC 12's false -Wrestrict.
  for (const std::string& a : args) {
    command += ' ';
    command += shell_quote(a);
  }
  command += ' ';
  command += shell_quote("file://" + page);
  command += " </dev/null >" + shell_quote(out);
  command += " 2>" + shell_quote(err);
  const int status = std::system(command.c_str());
  Browser b;
  b.exit_code = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  b.out = read_file(out);
  b.err = read_file(err);
  return b;
}

// Width and height from a PNG's IHDR chunk; {0, 0} when it is not a PNG.
std::pair<std::uint32_t, std::uint32_t> png_size(const std::string& png) {
  if (png.size() < 24 || png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 ||
      png.compare(12, 4, "IHDR") != 0)
    return {0, 0};
  const auto be32 = [&](std::size_t i) {
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) v = v << 8 | static_cast<unsigned char>(png[i + k]);
    return v;
  };
  return {be32(16), be32(20)};
}

// Run in Chromium on a copy of a page (at 1280 px wide), it writes what it finds wrong into
// <pre id="layout-check">: text boxes of a chart that overlap, a span or target label over a data
// point, a chart without data points, a table wider than its box or the window, an entity
// (data-entity) drawn in more than one colour. Its last line counts what it checked.
const char* const kLayoutCheck = R"js(
<script>
(function () {
  const problems = [];
  const boxes = (els) => Array.from(els).map((e) => [e, e.getBoundingClientRect()]);
  const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
                            Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  let texts = 0, tables = 0, entities = 0;
  const charts = document.querySelectorAll('svg.chart');
  charts.forEach((svg, i) => {
    const title = svg.getAttribute('aria-label');
    const t = boxes(svg.querySelectorAll('text')).filter(([e, r]) => r.width > 0);
    texts += t.length;
    for (let a = 0; a < t.length; ++a)
      for (let b = a + 1; b < t.length; ++b)
        if (overlap(t[a][1], t[b][1]))
          problems.push('overlap in "' + title + '": "' + t[a][0].textContent + '" / "' +
                        t[b][0].textContent + '"');
    const labels = boxes(svg.querySelectorAll('text.span-label, text.target-label'));
    const points = boxes(svg.querySelectorAll('.point'));
    if (points.length === 0) problems.push('no data in "' + title + '"');
    for (const [l, lr] of labels)
      for (const [p, pr] of points)
        if (overlap(lr, pr)) { problems.push('label over data in "' + title + '": "' + l.textContent + '"'); break; }
    const svgBox = svg.getBoundingClientRect();
    for (const [e, r] of t)
      if (r.right > svgBox.right + 1 || r.left < svgBox.left - 1)
        problems.push('text outside "' + title + '": "' + e.textContent + '"');
  });
  const width = document.documentElement.clientWidth;
  document.querySelectorAll('table').forEach((table) => {
    if (table.closest('details:not([open])')) return;
    ++tables;
    const r = table.getBoundingClientRect();
    const box = table.parentElement.getBoundingClientRect();
    if (r.right > width + 1 || r.right > box.right + 1)
      problems.push('table overflows: ' + Math.round(r.right) + ' px > ' + Math.round(Math.min(width, box.right)));
    table.querySelectorAll('th').forEach((th) => {
      // A header wrapped letter by letter: far taller than a line of its text.
      if (th.getBoundingClientRect().height > 80) problems.push('header too tall: ' + th.textContent);
    });
  });
  const colours = new Map();
  document.querySelectorAll('[data-entity]').forEach((e) => {
    const s = getComputedStyle(e);
    const c = e.matches('path.series, line') ? s.stroke : s.fill;
    const k = e.getAttribute('data-entity');
    if (!colours.has(k)) colours.set(k, new Set());
    colours.get(k).add(c);
  });
  for (const [k, set] of colours) {
    ++entities;
    if (set.size > 1) problems.push('entity ' + k + ' in ' + set.size + ' colours: ' + Array.from(set).join(' '));
  }
  const pre = document.createElement('pre');
  pre.id = 'layout-check';
  pre.textContent = problems.join('\n') + (problems.length ? '\n' : '') +
      'checked ' + charts.length + ' charts, ' + texts + ' texts, ' + tables + ' tables, ' +
      entities + ' entities\n';
  document.body.appendChild(pre);
})();
</script>
)js";

// The layout check's report on `page` in Chromium at 1280 px: its problem lines (empty when none)
// and its summary line.
std::pair<std::string, std::string> layout_problems(const std::string& page,
                                                    const TempDir& scratch) {
  std::string html = read_file(page);
  const std::size_t body_end = html.rfind("</body>");
  REQUIRE(body_end != std::string::npos);
  html.insert(body_end, kLayoutCheck);
  const std::string checked = page + ".layout-check.html";
  {
    std::ofstream out(checked, std::ios::binary);
    out << html;
  }
  const Browser dom = chromium({"--dump-dom", "--window-size=1280,2000"}, checked, scratch);
  REQUIRE(dom.exit_code == 0);
  const std::size_t at = dom.out.find("<pre id=\"layout-check\">");
  REQUIRE(at != std::string::npos);
  const std::size_t from = at + std::string("<pre id=\"layout-check\">").size();
  std::string text = dom.out.substr(from, dom.out.find("</pre>", from) - from);
  const std::size_t last = text.rfind("checked ");
  return {text.substr(0, last), text.substr(last)};
}

// Loads `page` in Chromium: the DOM it rendered has the page's charts, each with data points, and
// the screenshot is a real 1280×2000 image, kept in build/tests/report-screenshots/NAME.png.
void check_in_browser(const std::string& page, const std::string& name, std::size_t expected_charts,
                      const TempDir& scratch) {
  const std::string html = read_file(page);
  const std::vector<std::string> source_charts = charts_of(html);
  REQUIRE(source_charts.size() == expected_charts);

  const Browser dom = chromium({"--dump-dom"}, page, scratch);
  INFO("chromium --dump-dom exit "
       << dom.exit_code << "\n--- stderr (tail):\n"
       << dom.err.substr(dom.err.size() > 3000 ? dom.err.size() - 3000 : 0));
  if (dom.exit_code == 127 || dom.exit_code == 126)
    FAIL("chromium cannot be started: install Debian's chromium package (tools/setup.sh does)");
  REQUIRE(dom.exit_code == 0);
  REQUIRE(contains(dom.out, "</html>"));
  const std::vector<std::string> rendered = charts_of(dom.out);
  CHECK(rendered.size() == expected_charts);
  for (std::size_t i = 0; i < rendered.size() && i < source_charts.size(); ++i) {
    INFO("chart " << i << ": " << rendered[i].substr(0, 300));
    CHECK(points_in(rendered[i]) > 0);
    CHECK(points_in(rendered[i]) == points_in(source_charts[i]));  // the browser kept every point
    CHECK(count(rendered[i], "class=\"series\"") > 0);
  }

  // The page as laid out: no overlapping text, no label over data, no empty chart, no table wider
  // than the page, one colour per queue, group and activity.
  const auto [problems, summary] = layout_problems(page, scratch);
  INFO(summary);
  CHECK(problems == "");
  CHECK(contains(summary, "checked " + std::to_string(expected_charts) + " charts"));

  const fs::path shots = fs::path(TRSIM_TEST_OUTPUT_DIR) / "report-screenshots";
  fs::create_directories(shots);
  const std::string png_path = (shots / (name + ".png")).string();
  fs::remove(png_path);
  const Browser shot = chromium(
      {"--screenshot=" + png_path, "--window-size=1280,2000", "--hide-scrollbars"}, page, scratch);
  INFO("chromium --screenshot exit " << shot.exit_code);
  REQUIRE(shot.exit_code == 0);
  const std::string png = read_file(png_path);
  CHECK(png_size(png) == std::pair<std::uint32_t, std::uint32_t>{1280, 2000});
  // A page of charts compresses to well over 50 KB; a blank or error page to a few KB.
  CHECK(png.size() > 50'000);
}

}  // namespace

TEST_CASE("trsim report turns a run summary into a page that Chromium renders with every chart",
          "[cli][report][chromium]") {
  TempDir dir;
  const std::string json = dir.path() + "/summary.json";
  const std::string page = dir.path() + "/run-report.html";
  const std::string direct = dir.path() + "/direct.html";
  const CliResult run =
      run_trsim({"run", kCascade, "--replications", "2", "--set", "statistics.snapshots=true",
                 "--json", json, "--report", direct, "--quiet"},
                dir);
  INFO(describe(run));
  REQUIRE(run.exit_code == 0);
  const CliResult report = run_trsim({"report", json, "-o", page}, dir);
  INFO(describe(report));
  REQUIRE(report.exit_code == 0);
  CHECK(report.out.empty());
  // `run --report` writes exactly what `report` makes of the summary.
  CHECK(read_file(direct) == read_file(page));
  // timeout-cascade: volume and occupancy; service level and speed of answer for the workspace
  // and each queue (small multiples); waiting tasks and workers per activity; workers parked and
  // reservations timed out; one chart per reservation outcome that happened.
  const std::string html = read_file(page);
  for (const char* title :
       {"aria-label=\"Volume\"", "aria-label=\"Occupancy\"", "aria-label=\"Average handle time\"",
        "aria-label=\"Service level — workspace\"", "aria-label=\"Service level — queue ",
        "aria-label=\"Average speed of answer — queue ", "aria-label=\"Workers per activity\"",
        "aria-label=\"Tasks waiting\"", "aria-label=\"Reservations timed out\"",
        "aria-label=\"Reservations accepted\""}) {
    INFO(title);
    CHECK(contains(html, title));
  }
  // Never-happening outcomes are not drawn: no reservation is rescinded with one per queue.
  CHECK(!contains(html, "aria-label=\"Reservations rescinded\""));
  // At a glance: the expectations with a mark.
  CHECK(contains(html, "<section id=\"glance\">"));
  CHECK(count(html, "<div class=\"card ") >= 3);
  check_in_browser(page, "run-report", charts_of(html).size(), dir);
}

TEST_CASE(
    "the quickstart's report: its targets at a glance with ok marks, no chart of a service level "
    "that is 0 everywhere, and a layout Chromium finds clean",
    "[cli][report]") {
  TempDir dir;
  const std::string page = dir.path() + "/quickstart.html";
  const CliResult run = run_trsim(
      {"run", scenario_path("quickstart.yaml"), "--replications", "3", "--report", page, "--quiet"},
      dir);
  INFO(describe(run));
  REQUIRE(run.exit_code == 0);
  const std::string html = read_file(page);
  // Three expect: bounds, each a card with ok or MISSED, then one headline number without a target.
  CHECK(count(html, "<div class=\"card ok\">") + count(html, "<div class=\"card missed\">") == 3);
  CHECK(contains(html, "no target in expect:"));
  // Occupancy and average handle time per interval, without statistics.snapshots.
  CHECK(contains(html, "aria-label=\"Occupancy"));
  CHECK(contains(html, "aria-label=\"Average handle time"));
  // The service level within 0 s is 0 in every interval: said, not drawn.
  CHECK(contains(html, "Not drawn: service level within 0 s"));
  CHECK(!contains(html, "within 0 s</text>"));
  // Statistics in one format: ratios in %, never as a bare fraction.
  for (const char* ratio :
       {"<td>abandon_rate</td>", "<td>occupancy</td>", "<td>service_level.20</td>"}) {
    const std::size_t at = html.find(ratio);
    REQUIRE(at != std::string::npos);
    const std::string row = html.substr(at, html.find("</tr>", at) - at);
    INFO(row);
    CHECK(count(row, "%</td>") == 5);  // mean, ci95, min, max, and the unit column
  }
  check_in_browser(page, "quickstart-report", charts_of(html).size(), dir);
}

TEST_CASE("trsim report turns a sweep into a page that Chromium renders with every chart",
          "[cli][report][chromium]") {
  TempDir dir;
  const std::string page = dir.path() + "/sweep-report.html";
  const CliResult report = run_trsim({"report", kSweepFixture, "-o", page}, dir);
  INFO(describe(report));
  REQUIRE(report.exit_code == 0);
  // Per headline metric its levels, with the fixture's 6 points (3 timeouts × 2 staff levels), and
  // beside them the paired difference to the baseline at the 5 other points.
  const std::vector<std::string> charts = charts_of(read_file(page));
  REQUIRE(charts.size() == 6);
  for (std::size_t i = 0; i < charts.size(); ++i) {
    const bool difference = contains(charts[i], "aria-label=\"Δ ");
    CHECK(difference == (i % 2 == 1));
    CHECK(points_in(charts[i]) == (difference ? 5 : 6));
    // Ticks at the swept values (15, 30, 60 s), not at round numbers between them.
    CHECK(contains(charts[i], ">15</text>"));
    CHECK(contains(charts[i], ">30</text>"));
    CHECK(contains(charts[i], ">60</text>"));
    CHECK(!contains(charts[i], ">45</text>"));
    // The two staff levels are told apart by a dash pattern as well as a colour.
    CHECK(count(charts[i], "class=\"series\"") == 2);
    CHECK(count(charts[i], "stroke-dasharray=\"8 4\"") >= 1);
  }
  // Chart titles in words, not paths.
  CHECK(contains(charts[0], "<title>service level within 20 s (workspace)</title>"));
  check_in_browser(page, "sweep-report", 6, dir);
}

TEST_CASE("trsim tune's page renders in Chromium: the curve with its band, a clean layout",
          "[cli][report][chromium]") {
  TempDir dir;
  const std::string page = dir.path() + "/tune.html";
  const CliResult r =
      run_trsim({"tune", scenario_path("tune-timeout.yaml"), "--param",
                 "workflows.main.task_reservation_timeout", "--range", "5..60", "--steps", "6",
                 "--objective", "min:workspace.avg_task_acceptance_time", "--constraint",
                 "workspace.abandon_rate<=0.2", "--report", page, "--quiet"},
                dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const std::string html = read_file(page);
  const std::vector<std::string> charts = charts_of(html);
  REQUIRE(!charts.empty());
  // The objective's curve over the values tried, and the constraint's.
  CHECK(contains(charts[0], "avg_task_acceptance_time"));
  check_in_browser(page, "tune-report", charts.size(), dir);
}

TEST_CASE("a per-interval staffing's page renders in Chromium with data in every chart",
          "[cli][report][chromium]") {
  TempDir dir;
  const std::string scenario = dir.write("desk.yaml", R"(name: desk
seed: 3
horizon: 2h
replications: 4
statistics: {service_level_thresholds: [20]}
task_queues: {Q: {}}
workflows: {wf: {configuration: {task_routing: {filters: [], default_filter: {queue: Q}}}}}
workers: {agents: {count: 3, name: "agent-{i}", activity: Available}}
arrivals:
  calls: {workflow: wf, rates: {interval: 30m, per_hour: [60, 180, 180, 60]}, handle_time: {exponential: {mean: 2m}}}
expect:
  - {metric: workspace.service_level.20, min: 0.8}
)");
  const std::string json = dir.path() + "/staffing.json";
  const std::string page = dir.path() + "/staffing.html";
  const CliResult staff =
      run_trsim({"staff", scenario, "--per-interval", "--json", json, "--quiet"}, dir);
  INFO(describe(staff));
  REQUIRE(staff.exit_code == 0);
  const CliResult report = run_trsim({"report", json, "-o", page}, dir);
  INFO(describe(report));
  REQUIRE(report.exit_code == 0);
  const std::string html = read_file(page);
  // Agents required for the one group, and the service level achieved against its target.
  CHECK(contains(html, "Agents required: agents"));
  // Required and analytic agree in most intervals: the analytic line, dashed and thinner, is drawn
  // after (on top of) the wide required one, so both stay visible; the legend names both.
  const std::string agents = charts_of(html).at(0);
  const std::size_t required = agents.find("data-series=\"required (simulation)\"");
  const std::size_t analytic = agents.find("data-series=\"analytic (Erlang)\"");
  REQUIRE(required != std::string::npos);
  REQUIRE(analytic != std::string::npos);
  CHECK(required < analytic);
  const auto tag = [&](std::size_t at) { return agents.substr(at, agents.find("/>", at) - at); };
  CHECK(contains(tag(analytic), "stroke-dasharray=\"7 4\""));
  CHECK(contains(tag(required), "stroke-width=\"6.0\""));
  CHECK(contains(tag(analytic), "stroke-width=\"2.5\""));
  CHECK(!contains(tag(required), "stroke-dasharray"));
  CHECK(contains(agents, ">required (simulation)</text>"));
  CHECK(contains(agents, ">analytic (Erlang)</text>"));
  // The target's bound in % like the axis, not as a fraction.
  CHECK(contains(html, "workspace.service_level.20 &gt;= 80% per interval"));
  check_in_browser(page, "staffing-report", charts_of(html).size(), dir);
}

TEST_CASE(
    "trsim report refuses what is not JSON, or not a summary or sweep, with FILE:LINE:COL and exit "
    "2",
    "[cli][report]") {
  TempDir dir;
  dir.write("bad.json", "{\n  \"scenario\": \"x\",\n  oops\n}\n");
  dir.write("other.json", "{\"hello\": 1}\n");
  const CliResult bad = run_trsim({"report", "bad.json", "-o", "out.html"}, dir, dir.path());
  INFO(describe(bad));
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.err, "bad.json:3:3: "));
  const CliResult other = run_trsim({"report", "other.json", "-o", "out.html"}, dir, dir.path());
  INFO(describe(other));
  CHECK(other.exit_code == 2);
  // It names every kind of file it reads and the command that writes each.
  CHECK(contains(other.err, "other.json:1:1: not a trsim summary, sweep, tuning or staffing"));
  for (const char* writer : {"trsim run --json", "trsim sweep --json", "trsim tune --json",
                             "trsim staff --per-interval"})
    CHECK(contains(other.err, writer));
  const CliResult missing =
      run_trsim({"report", "nowhere.json", "-o", "out.html"}, dir, dir.path());
  CHECK(missing.exit_code == 2);
  CHECK(contains(missing.err, "nowhere.json"));
  const CliResult no_output = run_trsim({"report", "other.json"}, dir, dir.path());
  CHECK(no_output.exit_code == 2);
  CHECK(contains(no_output.err, "-o"));
  CHECK(!fs::exists(dir.path() + "/out.html"));
}

TEST_CASE("trsim report --help shows examples, and -o - writes the page to stdout",
          "[cli][report]") {
  TempDir dir;
  const CliResult help = run_trsim({"report", "--help"}, dir);
  INFO(describe(help));
  CHECK(help.exit_code == 0);
  CHECK(contains(help.out, "usage: trsim report"));
  CHECK(contains(help.out, "examples:"));
  CHECK(contains(help.out, "--report"));
  const CliResult page = run_trsim({"report", kSweepFixture, "-o", "-"}, dir);
  CHECK(page.exit_code == 0);
  CHECK(page.out.rfind("<!DOCTYPE html>", 0) == 0);
  // From stdin: the same page.
  const std::string piped = dir.path() + "/piped.html";
  const std::string command = shell_quote(TRSIM_BINARY) + " report - -o " + shell_quote(piped) +
                              " <" + shell_quote(kSweepFixture);
  CHECK(std::system(command.c_str()) == 0);
  CHECK(read_file(piped) == page.out);
  const CliResult usage = run_trsim({"--help"}, dir);
  CHECK(contains(usage.out, "report"));
}

TEST_CASE("trsim run --report refuses to share a path with another output", "[cli][report]") {
  TempDir dir;
  const CliResult r =
      run_trsim({"run", kCascade, "--json", "x.out", "--report", "x.out"}, dir, dir.path());
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "--report"));
  CHECK(!fs::exists(dir.path() + "/x.out"));
}

TEST_CASE(
    "trsim report of a real trsim sweep: one chart per headline metric, a point per grid point",
    "[cli][report]") {
  TempDir dir;
  const std::string json = dir.path() + "/sweep.json";
  const std::string page = dir.path() + "/sweep.html";
  // sweep-timeout.yaml's own grid: 3 reservation timeouts × 2 staff levels.
  const CliResult sweep = run_trsim({"sweep", scenario_path("sweep-timeout.yaml"), "--replications",
                                     "2", "--json", json, "--quiet"},
                                    dir);
  INFO(describe(sweep));
  REQUIRE(sweep.exit_code == 0);
  const CliResult report = run_trsim({"report", json, "-o", page}, dir);
  INFO(describe(report));
  REQUIRE(report.exit_code == 0);
  const Json doc = parse_json(read_file(json));
  const std::size_t metrics = doc.get("metrics")->items.size();
  REQUIRE(metrics > 0);
  const std::string html = read_file(page);
  const std::vector<std::string> charts = charts_of(html);
  // A metric the same at every point (common random numbers) is named, not drawn; each drawn one
  // has its levels and its paired difference.
  std::size_t levels = 0, differences = 0;
  for (const std::string& chart : charts) {
    const bool difference = contains(chart, "aria-label=\"Δ ");
    ++(difference ? differences : levels);
    CHECK(points_in(chart) == (difference ? 5 : 6));
    CHECK(count(chart, "data-points=\"3\"") == (difference ? 1 : 2));  // one line per staff level
    CHECK(contains(chart,
                   "workflows.main.task_reservation_timeout (s)"));  // durations on a numeric axis
  }
  CHECK(levels == differences);
  const std::size_t note = html.find("The same at every point");
  const std::string constant_note =
      note == std::string::npos ? "" : html.substr(note, html.find("</p>", note) - note);
  std::size_t constant = 0;
  for (const auto& m : doc.get("metrics")->items)
    if (contains(constant_note, "<code>" + m.text + "</code>")) ++constant;
  CHECK(levels >= 1);
  CHECK(levels + constant == metrics);
  CHECK(count(html, "(baseline)") == 1);
}
