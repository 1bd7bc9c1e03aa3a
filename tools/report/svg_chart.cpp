#include "report/svg_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace trsim::report {

const std::string& palette_colour(std::size_t i) {
  static const std::array<std::string, 10> kPalette = {"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1",
                                                       "#76b7b2", "#edc948", "#9c755f", "#ff9da7",
                                                       "#e15759", "#bab0ac"};
  return kPalette[i % kPalette.size()];
}

Ticks nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (lo > hi) std::swap(lo, hi);
  if (lo == hi) {
    const double pad = lo == 0 ? 1 : std::abs(lo) * 0.1;
    lo -= lo == 0 ? 0 : pad;
    hi += pad;
  }
  const double raw = (hi - lo) / std::max(target, 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude * 10;
  for (const double m : {1.0, 2.0, 2.5, 5.0}) {
    if (magnitude * m >= raw * (1 - 1e-9)) {
      step = magnitude * m;
      break;
    }
  }
  Ticks t;
  t.step = step;
  t.lo = std::floor(lo / step + 1e-9) * step;
  t.hi = std::ceil(hi / step - 1e-9) * step;
  const auto n = static_cast<long>(std::llround((t.hi - t.lo) / step));
  for (long i = 0; i <= n; ++i) {
    const double v = t.lo + static_cast<double>(i) * step;
    t.values.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);  // no "-0"
  }
  return t;
}

namespace {

// Seconds since the Unix epoch of (start_epoch + t), kept exact for whole seconds.
double wall(std::int64_t start_epoch, double t) { return static_cast<double>(start_epoch) + t; }

}  // namespace

Ticks time_ticks(double lo, double hi, int target, std::int64_t start_epoch) {
  Ticks t;
  if (!std::isfinite(lo) || !std::isfinite(hi) || hi <= lo) {
    lo = 0;
    hi = 3600;
  }
  t.lo = lo;
  t.hi = hi;
  constexpr std::array<double, 14> kSteps = {60,   120,   300,   600,   900,   1800,   3600,
                                             7200, 10800, 21600, 43200, 86400, 172800, 604800};
  t.step = kSteps.back();
  for (const double s : kSteps) {
    if ((hi - lo) / s <= target) {
      t.step = s;
      break;
    }
  }
  // On whole multiples of the step of the wall clock (UTC): 08:00, 08:30, ...
  double v =
      std::ceil(wall(start_epoch, lo) / t.step - 1e-9) * t.step - static_cast<double>(start_epoch);
  for (; v <= hi + 1e-9; v += t.step) t.values.push_back(v);
  return t;
}

std::string format_tick(double value, double step, AxisFormat format, std::int64_t start_epoch) {
  if (!std::isfinite(value)) return "–";
  if (format == AxisFormat::clock) {
    const auto w = static_cast<std::int64_t>(std::floor(wall(start_epoch, value) + 0.5));
    const std::int64_t day0 = (start_epoch >= 0 ? start_epoch : start_epoch - 86399) / 86400;
    const std::int64_t day = (w >= 0 ? w : w - 86399) / 86400;
    const std::int64_t second = w - day * 86400;
    std::string s = fmt::format("{:02}:{:02}", second / 3600, second / 60 % 60);
    if (day > day0) s += fmt::format(" +{}d", day - day0);
    return s;
  }
  double scale = format == AxisFormat::percent ? 100.0 : 1.0;
  const double scaled_step = std::abs(step * scale);
  int decimals = 0;
  if (scaled_step > 0 && std::isfinite(scaled_step)) {
    // Enough decimals that consecutive ticks differ: 0.25 needs 2, 0.5 needs 1, 5 needs 0.
    while (decimals < 6 && std::abs(std::round(scaled_step * std::pow(10.0, decimals)) -
                                    scaled_step * std::pow(10.0, decimals)) > 1e-6)
      ++decimals;
  }
  double v = value * scale;
  if (std::abs(v) < 0.5 * std::pow(10.0, -decimals)) v = 0;  // no "-0"
  std::string s = fmt::format("{:.{}f}", v, decimals);
  if (format == AxisFormat::percent) s += "%";
  return s;
}

namespace {

constexpr double kWidth = 900;
constexpr double kLeft = 72;
constexpr double kRight = 28;
constexpr double kPlotHeight = 270;
constexpr double kBottom = 58;      // tick labels and the x-axis label
constexpr double kCharWidth = 6.6;  // of 12px sans-serif text, for layout estimates

std::string num(double v) { return fmt::format("{:.1f}", v); }

// The chart's outer frame: <svg> with its title, subtitle and legend; returns the top of the plot.
struct Frame {
  std::string out;
  double plot_top = 0;
};

struct LegendEntry {
  std::string name;
  std::string colour;
  bool box = false;  // a filled box (bars, areas) rather than a line
  bool dashed = false;
};

Frame open_frame(const std::string& title, const std::string& subtitle,
                 const std::vector<LegendEntry>& legend, const std::string& kind) {
  Frame f;
  // Legend rows first, to know the height.
  std::vector<std::vector<std::pair<const LegendEntry*, double>>> rows(1);
  double x = kLeft;
  for (const LegendEntry& e : legend) {
    const double w = 26 + kCharWidth * static_cast<double>(e.name.size()) + 18;
    if (x + w > kWidth - kRight && !rows.back().empty()) {
      rows.emplace_back();
      x = kLeft;
    }
    rows.back().emplace_back(&e, x);
    x += w;
  }
  double y = 26;
  std::string body;
  body += fmt::format(R"(<text class="title" x="{}" y="{}">{}</text>)", num(kLeft), num(y),
                      escape_xml(title));
  body += '\n';
  if (!subtitle.empty()) {
    y += 18;
    body += fmt::format(R"(<text class="subtitle" x="{}" y="{}">{}</text>)", num(kLeft), num(y),
                        escape_xml(subtitle));
    body += '\n';
  }
  if (!legend.empty()) {
    body += "<g class=\"legend\">\n";
    for (const auto& row : rows) {
      y += 20;
      for (const auto& [e, ex] : row) {
        if (e->box) {
          body += fmt::format(R"(<rect x="{}" y="{}" width="16" height="10" fill="{}"/>)", num(ex),
                              num(y - 9), e->colour);
        } else {
          body += fmt::format(
              R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3"{}/>)", num(ex),
              num(y - 4), num(ex + 18), num(y - 4), e->colour,
              e->dashed ? R"( stroke-dasharray="5 3")" : "");
        }
        body += fmt::format(R"(<text class="legend-label" x="{}" y="{}">{}</text>)", num(ex + 24),
                            num(y), escape_xml(e->name));
        body += '\n';
      }
    }
    body += "</g>\n";
  }
  f.plot_top = y + 22;
  const double height = f.plot_top + kPlotHeight + kBottom;
  f.out = fmt::format(
      R"(<svg class="chart {}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" )"
      R"(preserveAspectRatio="xMidYMin meet" role="img" aria-label="{}" font-family="sans-serif" font-size="12">)",
      kind, num(kWidth), num(height), escape_xml(title));
  f.out += "\n<title>" + escape_xml(title) + "</title>\n" + body;
  return f;
}

// Linear map of a domain onto a pixel range.
struct Scale {
  double d0, d1, p0, p1;
  double operator()(double v) const {
    return d1 == d0 ? p0 : p0 + (v - d0) / (d1 - d0) * (p1 - p0);
  }
};

void y_axis(std::string& out, const Ticks& ticks, const Scale& y, const Axis& axis,
            double plot_top) {
  const double right = kWidth - kRight;
  out += "<g class=\"axis y-axis\">\n";
  for (const double v : ticks.values) {
    const double py = y(v);
    out += fmt::format(R"(<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}"/>)", num(kLeft),
                       num(py), num(right), num(py));
    out += fmt::format(R"(<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>)",
                       num(kLeft - 6), num(py + 4),
                       escape_xml(format_tick(v, ticks.step, axis.format)));
    out += '\n';
  }
  const double mid = plot_top + kPlotHeight / 2;
  out += fmt::format(
      R"svg(<text class="axis-label" transform="translate(16 {}) rotate(-90)" text-anchor="middle">{}</text>)svg",
      num(mid), escape_xml(axis.label));
  out += "\n</g>\n";
}

void x_axis_line(std::string& out, double plot_top, const std::string& label) {
  const double bottom = plot_top + kPlotHeight;
  out += fmt::format(R"(<line class="axis-line" x1="{}" y1="{}" x2="{}" y2="{}"/>)", num(kLeft),
                     num(bottom), num(kWidth - kRight), num(bottom));
  out += fmt::format(R"(<line class="axis-line" x1="{}" y1="{}" x2="{}" y2="{}"/>)", num(kLeft),
                     num(plot_top), num(kLeft), num(bottom));
  out += fmt::format(R"(<text class="axis-label" x="{}" y="{}" text-anchor="middle">{}</text>)",
                     num((kLeft + kWidth - kRight) / 2), num(bottom + 46), escape_xml(label));
  out += '\n';
}

// `text` cut to at most `chars` characters (with an ellipsis), for labels that must fit a slot.
std::string fit(const std::string& text, double chars) {
  const auto n = static_cast<std::size_t>(std::max(chars, 3.0));
  if (text.size() <= n) return text;
  return text.substr(0, n - 1) + "…";
}

bool finite(double v) { return std::isfinite(v); }

}  // namespace

std::string render_line_chart(const LineChart& chart) {
  // Colours: the palette in series order, unless a series names its own.
  std::vector<std::string> colours;
  std::size_t next_colour = 0;
  for (const Series& s : chart.series)
    colours.push_back(s.colour.empty() ? palette_colour(next_colour++) : s.colour);

  std::vector<LegendEntry> legend;
  for (std::size_t i = 0; i < chart.series.size(); ++i)
    legend.push_back({chart.series[i].name, colours[i], chart.series[i].area, false});
  for (const TargetLine& t : chart.targets) legend.push_back({t.label, "#c0392b", false, true});
  Frame f = open_frame(chart.title, chart.subtitle, legend, "line-chart");
  std::string& out = f.out;
  const double top = f.plot_top;
  const double bottom = top + kPlotHeight;

  // Domains: x from the axis or the data; y from the data, its bands and the targets, with 0.
  const bool categorical = !chart.x.categories.empty();
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  for (const Series& s : chart.series) {
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!finite(s.x[i])) continue;
      x_lo = std::min(x_lo, s.x[i]);
      x_hi = std::max(x_hi, s.x[i]);
      if (!finite(s.y[i])) continue;
      // Bands widen the range upwards only: a band below zero of a non-negative quantity is cut
      // at the axis rather than stretching it.
      const double ci = i < s.ci95.size() && finite(s.ci95[i]) ? s.ci95[i] : 0;
      y_lo = std::min(y_lo, s.y[i]);
      y_hi = std::max(y_hi, s.y[i] + ci);
    }
  }
  for (const TargetLine& t : chart.targets) {
    if (!finite(t.y)) continue;
    y_lo = std::min(y_lo, t.y);
    y_hi = std::max(y_hi, t.y);
  }
  if (!chart.y.min)
    y_lo = std::min(finite(y_lo) ? y_lo : 0.0, 0.0);
  else
    y_lo = *chart.y.min;
  if (chart.y.max) y_hi = *chart.y.max;
  if (!finite(y_hi)) y_hi = y_lo + 1;
  const Ticks yt = nice_ticks(y_lo, y_hi, 5);

  Ticks xt;
  if (categorical) {
    xt.lo = -0.5;
    xt.hi = static_cast<double>(chart.x.categories.size()) - 0.5;
    xt.step = 1;
    for (std::size_t i = 0; i < chart.x.categories.size(); ++i)
      xt.values.push_back(static_cast<double>(i));
  } else {
    if (chart.x.min) x_lo = *chart.x.min;
    if (chart.x.max) x_hi = *chart.x.max;
    if (chart.x.format == AxisFormat::clock) {
      xt = time_ticks(x_lo, x_hi, 9, chart.start_epoch);
    } else {
      xt = nice_ticks(x_lo, x_hi, 8);
    }
  }
  const Scale x{xt.lo, xt.hi, kLeft, kWidth - kRight};
  const Scale y{yt.lo, yt.hi, bottom, top};

  y_axis(out, yt, y, chart.y, top);
  out += "<g class=\"axis x-axis\">\n";
  const double slot_chars = (kWidth - kLeft - kRight) /
                            std::max<double>(1, static_cast<double>(xt.values.size())) / kCharWidth;
  for (const double v : xt.values) {
    const std::string label =
        categorical ? fit(chart.x.categories[static_cast<std::size_t>(v)], slot_chars - 1)
                    : format_tick(v, xt.step, chart.x.format, chart.start_epoch);
    out += fmt::format(R"(<line class="tick-mark" x1="{}" y1="{}" x2="{}" y2="{}"/>)", num(x(v)),
                       num(bottom), num(x(v)), num(bottom + 5));
    out += fmt::format(R"(<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>)",
                       num(x(v)), num(bottom + 19), escape_xml(label));
    out += '\n';
  }
  out += "</g>\n";
  x_axis_line(out, top, chart.x.label);

  for (const ShadedSpan& span : chart.spans) {
    const double a = std::clamp(span.from, xt.lo, xt.hi), b = std::clamp(span.to, xt.lo, xt.hi);
    if (!(b > a)) continue;
    out += fmt::format(
        R"(<rect class="span" x="{}" y="{}" width="{}" height="{}" fill="#000" fill-opacity="0.06"/>)",
        num(x(a)), num(top), num(x(b) - x(a)), num(kPlotHeight));
    out += fmt::format(R"(<text class="span-label" x="{}" y="{}">{}</text>)", num(x(a) + 4),
                       num(top + 14), escape_xml(span.label));
    out += '\n';
  }

  // Series: bands and areas under everything, then lines, then points; emphasised series on top.
  std::vector<std::size_t> order(chart.series.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_partition(order.begin(), order.end(),
                        [&](std::size_t i) { return !chart.series[i].emphasis; });
  const auto clamp_y = [&](double v) { return std::clamp(v, yt.lo, yt.hi); };
  const double base = y(clamp_y(0));
  const bool crowded = chart.series.size() > 4;  // thinner lines and points, so they stay apart
  for (const std::size_t si : order) {
    const Series& s = chart.series[si];
    const std::size_t n = std::min(s.x.size(), s.y.size());
    const auto ok = [&](std::size_t i) { return finite(s.x[i]) && finite(s.y[i]); };
    // Contiguous runs of points with data.
    std::vector<std::pair<std::size_t, std::size_t>> runs;
    for (std::size_t i = 0; i < n;) {
      if (!ok(i)) {
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j < n && ok(j)) ++j;
      runs.emplace_back(i, j);
      i = j;
    }
    for (const auto& [a, b] : runs) {
      if (s.area) {
        std::string d = fmt::format("M{} {}", num(x(s.x[a])), num(base));
        for (std::size_t i = a; i < b; ++i)
          d += fmt::format(" L{} {}", num(x(s.x[i])), num(y(clamp_y(s.y[i]))));
        d += fmt::format(" L{} {} Z", num(x(s.x[b - 1])), num(base));
        out += fmt::format(
            R"(<path class="area" d="{}" fill="{}" fill-opacity="0.15" stroke="none"/>)", d,
            colours[si]);
        out += '\n';
      }
      if (s.ci95.size() >= n) {
        // The band over the points of this run that have a half-width.
        for (std::size_t i = a; i < b;) {
          if (!finite(s.ci95[i])) {
            ++i;
            continue;
          }
          std::size_t j = i;
          while (j < b && finite(s.ci95[j])) ++j;
          std::string d;
          for (std::size_t k = i; k < j; ++k)
            d += fmt::format("{}{} {} ", k == i ? "M" : "L", num(x(s.x[k])),
                             num(y(clamp_y(s.y[k] + s.ci95[k]))));
          for (std::size_t k = j; k-- > i;)
            d += fmt::format("L{} {} ", num(x(s.x[k])), num(y(clamp_y(s.y[k] - s.ci95[k]))));
          out += fmt::format(
              R"(<path class="band" d="{}Z" fill="{}" fill-opacity="0.18" stroke="none"/>)", d,
              colours[si]);
          out += '\n';
          i = j;
        }
      }
    }
    std::string d;
    std::size_t points = 0;
    for (const auto& [a, b] : runs) {
      for (std::size_t i = a; i < b; ++i, ++points)
        d += fmt::format("{}{} {} ", i == a ? "M" : "L", num(x(s.x[i])), num(y(clamp_y(s.y[i]))));
    }
    if (!d.empty()) d.pop_back();
    out += fmt::format(
        R"(<path class="series" data-series="{}" data-points="{}" d="{}" fill="none" stroke="{}" stroke-width="{}" stroke-linejoin="round"/>)",
        escape_xml(s.name), points, d, colours[si],
        s.emphasis ? "3.5"
        : crowded  ? "1.6"
                   : "2");
    out += '\n';
    // Long series (a week of 15-minute intervals) get small points, so the line stays readable.
    const double r = n > 150 ? (s.emphasis ? 1.8 : 1.2) : s.emphasis ? 3.5 : crowded ? 2.0 : 2.6;
    for (std::size_t i = 0; i < n; ++i) {
      if (!ok(i)) continue;
      const std::string xs =
          categorical && s.x[i] >= 0 && s.x[i] < static_cast<double>(chart.x.categories.size())
              ? chart.x.categories[static_cast<std::size_t>(s.x[i])]
              : format_tick(s.x[i], xt.step, chart.x.format, chart.start_epoch);
      std::string tip = fmt::format("{} — {}: {}", s.name, xs,
                                    format_tick(s.y[i], yt.step / 100, chart.y.format));
      if (i < s.ci95.size() && finite(s.ci95[i]))
        tip += " ± " + format_tick(s.ci95[i], yt.step / 100, chart.y.format);
      out += fmt::format(
          R"(<circle class="point" cx="{}" cy="{}" r="{}" fill="{}"><title>{}</title></circle>)",
          num(x(s.x[i])), num(y(clamp_y(s.y[i]))), r, colours[si], escape_xml(tip));
      out += '\n';
    }
  }
  for (const TargetLine& t : chart.targets) {
    if (!finite(t.y)) continue;
    const double py = y(clamp_y(t.y));
    out += fmt::format(
        R"(<line class="target" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#c0392b" stroke-width="2" stroke-dasharray="6 4"/>)",
        num(kLeft), num(py), num(kWidth - kRight), num(py));
    out += fmt::format(R"(<text class="target-label" x="{}" y="{}" text-anchor="end">{}</text>)",
                       num(kWidth - kRight - 4), num(py - 5), escape_xml(t.label));
    out += '\n';
  }
  out += "</svg>\n";
  return out;
}

std::string render_bar_chart(const BarChart& chart) {
  std::vector<LegendEntry> legend;
  std::vector<std::string> colours;
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    colours.push_back(chart.series[i].colour.empty() ? palette_colour(i) : chart.series[i].colour);
    legend.push_back({chart.series[i].name, colours.back(), true, false});
  }
  Frame f = open_frame(chart.title, chart.subtitle, legend, "bar-chart");
  std::string& out = f.out;
  const double top = f.plot_top;
  const double bottom = top + kPlotHeight;

  double y_hi = 0;
  for (const Series& s : chart.series)
    for (std::size_t i = 0; i < s.y.size(); ++i)
      if (finite(s.y[i]))
        y_hi = std::max(y_hi, s.y[i] + (i < s.ci95.size() && finite(s.ci95[i]) ? s.ci95[i] : 0));
  const Ticks yt = nice_ticks(0, y_hi > 0 ? y_hi : 1, 5);
  const Scale y{yt.lo, yt.hi, bottom, top};
  Axis y_axis_spec;
  y_axis_spec.label = chart.y_label;
  y_axis(out, yt, y, y_axis_spec, top);

  const double n = std::max<double>(1, static_cast<double>(chart.categories.size()));
  const double group = (kWidth - kLeft - kRight) / n;
  const double m = std::max<double>(1, static_cast<double>(chart.series.size()));
  const double bar = group * 0.8 / m;
  out += "<g class=\"axis x-axis\">\n";
  for (std::size_t c = 0; c < chart.categories.size(); ++c) {
    const double cx = kLeft + group * (static_cast<double>(c) + 0.5);
    out +=
        fmt::format(R"(<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>)", num(cx),
                    num(bottom + 19), escape_xml(fit(chart.categories[c], group / kCharWidth - 1)));
    out += '\n';
  }
  out += "</g>\n";
  x_axis_line(out, top, "");
  for (std::size_t si = 0; si < chart.series.size(); ++si) {
    const Series& s = chart.series[si];
    std::size_t points = 0;
    std::string bars;
    for (std::size_t c = 0; c < chart.categories.size() && c < s.y.size(); ++c) {
      if (!finite(s.y[c])) continue;
      ++points;
      const double bx =
          kLeft + group * (static_cast<double>(c) + 0.1) + bar * static_cast<double>(si);
      const double v = std::max(0.0, s.y[c]);
      std::string tip = fmt::format("{} — {}: {}", chart.categories[c], s.name,
                                    format_tick(s.y[c], 0.01, AxisFormat::number));
      const bool has_ci = c < s.ci95.size() && finite(s.ci95[c]);
      if (has_ci) tip += " ± " + format_tick(s.ci95[c], 0.01, AxisFormat::number);
      bars += fmt::format(
          R"(<rect class="point bar" x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>)",
          num(bx), num(y(v)), num(bar * 0.92), num(bottom - y(v)), colours[si], escape_xml(tip));
      bars += '\n';
      if (has_ci && s.ci95[c] > 0) {
        const double cx = bx + bar * 0.46;
        const double lo = y(std::max(0.0, s.y[c] - s.ci95[c])),
                     hi = y(std::min(yt.hi, s.y[c] + s.ci95[c]));
        bars += fmt::format(
            R"(<path class="errorbar" d="M{} {} L{} {} M{} {} L{} {} M{} {} L{} {}" stroke="#333" stroke-width="1.2"/>)",
            num(cx), num(lo), num(cx), num(hi), num(cx - 3), num(lo), num(cx + 3), num(lo),
            num(cx - 3), num(hi), num(cx + 3), num(hi));
        bars += '\n';
      }
    }
    out += fmt::format(R"(<g class="series" data-series="{}" data-points="{}">)",
                       escape_xml(s.name), points);
    out += '\n' + bars + "</g>\n";
  }
  out += "</svg>\n";
  return out;
}

}  // namespace trsim::report
