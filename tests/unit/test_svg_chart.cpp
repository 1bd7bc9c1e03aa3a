// The report's SVG charts (tools/report/svg_chart.cpp): tick ranges and labels, escaping, and
// what is drawn for the data, gaps (NaN) included.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <string_view>

#include "report/svg_chart.hpp"

using namespace trsim::report;

namespace {

std::size_t count(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + needle.size()))
    ++n;
  return n;
}

constexpr std::int64_t k0800 = 1772438400;  // 2026-03-02T08:00:00Z

LineChart one_series_chart(std::vector<double> x, std::vector<double> y) {
  // Strings built, not assigned from literals: GCC 12 warns falsely (-Wrestrict) on the latter.
  LineChart chart;
  chart.title = std::string(1, 't');
  chart.x.label = std::string("x (s)");
  chart.y.label = std::string(1, 'y');
  Series s;
  s.name = std::string(1, 's');
  s.x = std::move(x);
  s.y = std::move(y);
  chart.series.push_back(s);
  return chart;
}

}  // namespace

TEST_CASE("nice_ticks covers the range with round steps", "[report]") {
  const Ticks t = nice_ticks(0, 0.93, 5);  // raw step 0.186 -> 0.2
  CHECK(t.step == Approx(0.2));
  CHECK(t.lo == 0);
  CHECK(t.hi == Approx(1.0));
  REQUIRE(t.values.size() == 6);
  for (std::size_t i = 0; i < t.values.size(); ++i)
    CHECK(t.values[i] == Approx(0.2 * static_cast<double>(i)));

  const Ticks c = nice_ticks(3, 97, 5);  // raw 18.8 -> 20
  CHECK(c.step == 20);
  CHECK(c.lo == 0);
  CHECK(c.hi == 100);

  const Ticks n = nice_ticks(-12, 48, 5);  // raw 12 -> 20; floor(-0.6) = -1, ceil(2.4) = 3
  CHECK(n.values == std::vector<double>{-20, 0, 20, 40, 60});

  // Any range: the ticks enclose it, evenly spaced, a handful of them.
  for (const auto& [lo, hi] :
       {std::pair{0.0, 1.0}, std::pair{0.013, 0.0172}, std::pair{-5.5, 1e6}, std::pair{17.0, 17.5},
        std::pair{1e-9, 3e-9}, std::pair{-300.0, -2.0}}) {
    INFO(lo << " .. " << hi);
    const Ticks r = nice_ticks(lo, hi, 5);
    REQUIRE(r.values.size() >= 2);
    CHECK(r.values.front() <= lo + r.step * 1e-6);  // up to rounding
    CHECK(r.values.back() >= hi - r.step * 1e-6);
    CHECK(r.values.size() <= 12);
    for (std::size_t i = 1; i < r.values.size(); ++i)
      CHECK(r.values[i] - r.values[i - 1] == Approx(r.step));
  }
}

TEST_CASE("nice_ticks widens a single value and survives non-finite bounds", "[report]") {
  const Ticks t = nice_ticks(7, 7, 5);  // widened to 6.3 .. 7.7, step 0.5
  CHECK(t.step == 0.5);
  CHECK(t.lo == 6);
  CHECK(t.hi == 8);
  const Ticks z = nice_ticks(0, 0, 5);
  CHECK(z.lo == 0);
  CHECK(z.hi == 1);
  const Ticks bad = nice_ticks(NAN, INFINITY, 5);
  CHECK(bad.lo == 0);
  CHECK(bad.hi == 1);
}

TEST_CASE("time_ticks fall on whole steps of the wall clock", "[report]") {
  // 6 hours from 08:00: hourly ticks (half-hourly would be 12, more than 9).
  const Ticks t = time_ticks(0, 21600, 9, k0800);
  CHECK(t.step == 3600);
  REQUIRE(t.values.size() == 7);
  CHECK(t.values.front() == 0);
  CHECK(t.values.back() == 21600);
  CHECK(format_tick(t.values[1], t.step, AxisFormat::clock, k0800) == "09:00");
  // Starting at 08:10, the first tick is 09:00, 50 minutes in.
  const Ticks late = time_ticks(0, 21600, 9, k0800 + 600);
  CHECK(late.values.front() == 3000);
  // A whole day: 3-hourly ticks.
  CHECK(time_ticks(0, 86400, 9, k0800).step == 10800);
}

TEST_CASE("format_tick shows the decimals the step needs, percentages and clock times",
          "[report]") {
  CHECK(format_tick(0.8, 0.2, AxisFormat::percent) == "80%");
  CHECK(format_tick(0.125, 0.025, AxisFormat::percent) == "12.5%");
  CHECK(format_tick(2.5, 2.5, AxisFormat::number) == "2.5");
  CHECK(format_tick(0.25, 0.25, AxisFormat::number) == "0.25");
  CHECK(format_tick(1000, 200, AxisFormat::number) == "1000");
  CHECK(format_tick(-0.0000001, 0.5, AxisFormat::number) == "0.0");
  CHECK(format_tick(NAN, 1, AxisFormat::number) == "–");
  CHECK(format_tick(0, 3600, AxisFormat::clock, k0800) == "08:00");
  CHECK(format_tick(17 * 3600, 3600, AxisFormat::clock, k0800) == "01:00 +1d");  // past midnight
}

TEST_CASE("escape_xml escapes the five XML special characters", "[report]") {
  CHECK(escape_xml("<a href='x'>&\"") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;");
  CHECK(escape_xml("plain café") == "plain café");
}

// The one escaper of the report and of the JUnit XML (tools/report/xml.hpp): a line feed survives
// inside an attribute value as &#10;, a tab stays, other control characters (not allowed in
// XML 1.0) are dropped.
TEST_CASE("escape_xml keeps line feeds and tabs and drops other control characters", "[report]") {
  CHECK(escape_xml("a\nb\tc") == "a&#10;b\tc");
  CHECK(escape_xml(std::string("x\x01y\x1fz\r")) == "xyz");
}

TEST_CASE("a line chart draws one point element per value and a path over them", "[report]") {
  const std::string svg = render_line_chart(one_series_chart({0, 1, 2, 3}, {1, 2, 3, 4}));
  CHECK(svg.rfind("<svg class=\"chart", 0) == 0);
  CHECK(count(svg, "viewBox=\"0 0 900.0 ") == 1);
  CHECK(count(svg, "<circle class=\"point\"") == 4);
  CHECK(count(svg, "data-points=\"4\"") == 1);
  CHECK(count(svg, "<title>") == 1 + 4);  // the chart's and one tooltip per point
  CHECK(count(svg, "<text class=\"axis-label\"") == 2);
  CHECK(count(svg, ">x (s)</text>") == 1);
}

TEST_CASE("a NaN value is a gap in the line, not a point and not a crash", "[report]") {
  const std::string svg = render_line_chart(one_series_chart({0, 1, 2, 3}, {1, NAN, 3, 4}));
  CHECK(count(svg, "<circle class=\"point\"") == 3);
  CHECK(count(svg, "data-points=\"3\"") == 1);
  // The path restarts after the gap: two "M" moves.
  const std::size_t d = svg.find(" d=\"", svg.find("class=\"series\""));
  REQUIRE(d != std::string::npos);
  const std::string path = svg.substr(d, svg.find('"', d + 4) - d);
  CHECK(count(path, "M") == 2);
  CHECK(count(svg, "nan") == 0);
  CHECK(count(svg, "inf") == 0);

  // A series with no data at all: an empty chart, still well formed.
  const std::string empty = render_line_chart(one_series_chart({0, 1}, {NAN, NAN}));
  CHECK(count(empty, "<circle class=\"point\"") == 0);
  CHECK(count(empty, "data-points=\"0\"") == 1);
  CHECK(count(empty, "nan") == 0);
  CHECK(count(empty, "</svg>") == 1);
}

TEST_CASE("chart text is escaped: titles, series names, axis labels, categories", "[report]") {
  LineChart chart = one_series_chart({0, 1}, {1, 2});
  chart.title = "queue <Sales & \"Support\">";
  chart.series[0].name = "<script>alert(1)</script>";
  chart.x.categories = {"a<b", "c&d"};
  const std::string svg = render_line_chart(chart);
  CHECK(count(svg, "<script") == 0);
  CHECK(count(svg, "&lt;script&gt;alert(1)&lt;/script&gt;") >= 2);  // legend and path attribute
  CHECK(count(svg, "queue &lt;Sales &amp; &quot;Support&quot;&gt;") >= 2);
  CHECK(count(svg, ">a&lt;b</text>") == 1);
  CHECK(count(svg, ">c&amp;d</text>") == 1);
}

TEST_CASE("the y axis spans the data, its bands and the targets, from zero", "[report]") {
  LineChart chart = one_series_chart({0, 1, 2}, {40, 50, 45});
  chart.series[0].ci95 = {5, 30, NAN};  // up to 80
  chart.targets.push_back({95, "target ≤ 95 s"});
  const std::string svg = render_line_chart(chart);
  // Ticks 0 .. 100 in steps of 20: the target is inside the range.
  CHECK(count(svg, ">0</text>") == 1);
  CHECK(count(svg, ">100</text>") == 1);
  CHECK(count(svg, ">120</text>") == 0);
  CHECK(count(svg, "class=\"target\"") == 1);
  CHECK(count(svg, "target ≤ 95 s") == 2);   // on the line and in the legend
  CHECK(count(svg, "class=\"band\"") == 1);  // over the two points with a half-width
}

TEST_CASE("a bar chart draws one rect of class point per value", "[report]") {
  BarChart chart;
  chart.title = "outcomes";
  chart.y_label = "reservations";
  chart.categories = {"Sales", "Support"};
  for (const char* name : {"accepted", "rejected", "timed out"}) {
    Series s;
    s.name = name;
    s.y = {10, 0};
    s.ci95 = {1, NAN};
    chart.series.push_back(s);
  }
  chart.series[1].y[1] = NAN;  // no data: no bar
  const std::string svg = render_bar_chart(chart);
  CHECK(count(svg, "<rect class=\"point bar\"") == 5);
  CHECK(count(svg, "data-points=\"2\"") == 2);
  CHECK(count(svg, "data-points=\"1\"") == 1);
  CHECK(count(svg, "class=\"errorbar\"") == 3);
  CHECK(count(svg, ">Support</text>") == 1);
  CHECK(count(svg, "nan") == 0);
}

TEST_CASE("a shaded span covers its stretch of the x axis, clipped to the plot", "[report]") {
  LineChart chart = one_series_chart({0, 100, 200}, {1, 2, 3});
  chart.x.min = 0;
  chart.x.max = 200;
  chart.spans.push_back({-50, 50, "warm-up"});
  chart.spans.push_back({300, 400, "outside"});
  const std::string svg = render_line_chart(chart);
  CHECK(count(svg, "class=\"span\"") == 1);
  CHECK(count(svg, ">warm-up</text>") == 1);
  CHECK(count(svg, "outside") == 0);
}

// A ratio cannot pass 100%: a 95% band (a normal approximation) near it is cut at 100% and does
// not stretch the axis to 120% (the staffing page's service-level chart did).
TEST_CASE("a percent axis is not stretched past 100% by a confidence band", "[report]") {
  LineChart chart = one_series_chart({0, 1, 2}, {0.97, 0.95, 0.99});
  chart.y.format = AxisFormat::percent;
  chart.series[0].ci95 = {0.08, 0.1, 0.05};
  const std::string svg = render_line_chart(chart);
  CHECK(svg.find(">100%<") != std::string::npos);
  CHECK(svg.find(">120%<") == std::string::npos);
  CHECK(svg.find(">110%<") == std::string::npos);
  // A number axis keeps the whole band (up to 0.95 + 0.1): its top tick is above 1.
  chart.y.format = AxisFormat::number;
  const Ticks t = nice_ticks(0, 1.05, 5);
  REQUIRE(t.hi > 1.0);
  CHECK(render_line_chart(chart).find(">" + format_tick(t.hi, t.step, AxisFormat::number) + "<") !=
        std::string::npos);
}
