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
  const CliResult run = run_trsim(
      {"run", kCascade, "--replications", "2", "--json", json, "--report", direct, "--quiet"}, dir);
  INFO(describe(run));
  REQUIRE(run.exit_code == 0);
  const CliResult report = run_trsim({"report", json, "-o", page}, dir);
  INFO(describe(report));
  REQUIRE(report.exit_code == 0);
  CHECK(report.out.empty());
  // `run --report` writes exactly what `report` makes of the summary.
  CHECK(read_file(direct) == read_file(page));
  // timeout-cascade: service level at 20 s and 60 s, speed of answer, waiting tasks, workers per
  // activity, workers parked and reservations timed out, reservation outcomes.
  check_in_browser(page, "run-report", 8, dir);
}

TEST_CASE("trsim report turns a sweep into a page that Chromium renders with every chart",
          "[cli][report][chromium]") {
  TempDir dir;
  const std::string page = dir.path() + "/sweep-report.html";
  const CliResult report = run_trsim({"report", kSweepFixture, "-o", page}, dir);
  INFO(describe(report));
  REQUIRE(report.exit_code == 0);
  // One chart per headline metric, each with the fixture's 6 points (3 timeouts × 2 staff levels).
  const std::vector<std::string> charts = charts_of(read_file(page));
  REQUIRE(charts.size() == 3);
  for (const std::string& chart : charts) CHECK(points_in(chart) == 6);
  check_in_browser(page, "sweep-report", 3, dir);
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
  CHECK(contains(other.err, "other.json:1:1: not a trsim summary or sweep"));
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
  REQUIRE(charts.size() == metrics);
  for (const std::string& chart : charts) {
    CHECK(points_in(chart) == 6);
    CHECK(count(chart, "data-points=\"3\"") == 2);  // one line per staff level, 3 timeouts each
    CHECK(contains(chart,
                   "workflows.main.task_reservation_timeout (s)"));  // durations on a numeric axis
  }
  CHECK(count(html, "(baseline)") == 1);
}
