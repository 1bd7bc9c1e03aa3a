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

constexpr double kLeft = 72;
constexpr double kRight = 28;
constexpr double kBottom = 58;      // tick labels and the x-axis label
constexpr double kCharWidth = 6.6;  // of 12px sans-serif text, for layout estimates
constexpr const char* kTargetColour = "#c0392b";

std::string num(double v) { return fmt::format("{:.1f}", v); }

// The size of a chart's viewBox and plot.
struct Geometry {
  double width = 900;
  double plot_height = 270;
  double right() const { return width - kRight; }
};

// The chart's outer frame: <svg> with its title, subtitle and legend; returns the top of the plot.
struct Frame {
  std::string out;
  double plot_top = 0;
};

struct LegendEntry {
  std::string name;
  std::string colour;
  bool box = false;  // a filled box (bars, areas) rather than a line
  std::string dash;  // of a line
  std::string entity;
};

std::string entity_attribute(const std::string& entity) {
  return entity.empty() ? "" : " data-entity=\"" + escape_xml(entity) + "\"";
}

// `text` cut to at most `chars` characters (with an ellipsis), for labels that must fit a slot.
std::string fit(const std::string& text, double chars) {
  const auto n = static_cast<std::size_t>(std::max(chars, 3.0));
  if (text.size() <= n) return text;
  std::size_t cut = n - 1;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  return text.substr(0, cut) + "…";
}

Frame open_frame(const std::string& title, const std::string& subtitle,
                 const std::vector<LegendEntry>& legend, const std::string& kind,
                 const Geometry& g) {
  Frame f;
  const double text_chars = (g.width - kLeft - 8) / kCharWidth;
  // Legend rows first, to know the height.
  std::vector<std::vector<std::pair<const LegendEntry*, double>>> rows(1);
  double x = kLeft;
  for (const LegendEntry& e : legend) {
    const double w = 26 + kCharWidth * static_cast<double>(e.name.size()) + 18;
    if (x + w > g.right() && !rows.back().empty()) {
      rows.emplace_back();
      x = kLeft;
    }
    rows.back().emplace_back(&e, x);
    x += w;
  }
  double y = 26;
  std::string body;
  body += fmt::format(R"(<text class="title" x="{}" y="{}">{}</text>)", num(kLeft), num(y),
                      escape_xml(fit(title, text_chars * 12 / 16)));
  body += '\n';
  if (!subtitle.empty()) {
    // A long subtitle takes a second line rather than running off the chart.
    std::vector<std::string> lines;
    std::string rest = subtitle;
    while (!rest.empty()) {
      if (static_cast<double>(rest.size()) <= text_chars || lines.size() == 1) {
        lines.push_back(lines.size() == 1 ? fit(rest, text_chars) : rest);
        break;
      }
      std::size_t cut = rest.rfind(' ', static_cast<std::size_t>(text_chars));
      if (cut == std::string::npos || cut == 0) cut = static_cast<std::size_t>(text_chars);
      lines.push_back(rest.substr(0, cut));
      rest = rest.substr(std::min(rest.size(), cut + 1));
    }
    for (const std::string& line : lines) {
      y += 17;
      body += fmt::format(R"(<text class="subtitle" x="{}" y="{}">{}</text>)", num(kLeft), num(y),
                          escape_xml(line));
      body += '\n';
    }
  }
  if (!legend.empty()) {
    body += "<g class=\"legend\">\n";
    for (const auto& row : rows) {
      y += 20;
      for (const auto& [e, ex] : row) {
        const std::string entity = entity_attribute(e->entity);
        if (e->box) {
          body += fmt::format(R"(<rect x="{}" y="{}" width="16" height="10" fill="{}"{}/>)",
                              num(ex), num(y - 9), e->colour, entity);
        } else {
          body += fmt::format(
              R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3"{}{}/>)",
              num(ex), num(y - 4), num(ex + 18), num(y - 4), e->colour,
              e->dash.empty() ? "" : " stroke-dasharray=\"" + e->dash + "\"", entity);
        }
        body += fmt::format(R"(<text class="legend-label" x="{}" y="{}">{}</text>)", num(ex + 24),
                            num(y), escape_xml(e->name));
        body += '\n';
      }
    }
    body += "</g>\n";
  }
  // Room above the plot for the labels of shaded spans (the warm-up), off the data.
  f.plot_top = y + 26;
  const double height = f.plot_top + g.plot_height + kBottom;
  f.out = fmt::format(
      R"(<svg class="chart {}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" )"
      R"(preserveAspectRatio="xMidYMin meet" role="img" aria-label="{}" font-family="sans-serif" font-size="12">)",
      kind, num(g.width), num(height), escape_xml(title));
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

void y_axis(std::string& out, const Ticks& ticks, const Scale& y, const Axis& axis, double plot_top,
            const Geometry& g) {
  out += "<g class=\"axis y-axis\">\n";
  for (const double v : ticks.values) {
    const double py = y(v);
    out += fmt::format(R"(<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}"/>)", num(kLeft),
                       num(py), num(g.right()), num(py));
    out += fmt::format(R"(<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>)",
                       num(kLeft - 6), num(py + 4),
                       escape_xml(format_tick(v, ticks.step, axis.format)));
    out += '\n';
  }
  const double mid = plot_top + g.plot_height / 2;
  out += fmt::format(
      R"svg(<text class="axis-label" transform="translate(16 {}) rotate(-90)" text-anchor="middle">{}</text>)svg",
      num(mid), escape_xml(fit(axis.label, g.plot_height / 7)));
  out += "\n</g>\n";
}

void x_axis_line(std::string& out, double plot_top, const std::string& label, const Geometry& g) {
  const double bottom = plot_top + g.plot_height;
  out += fmt::format(R"(<line class="axis-line" x1="{}" y1="{}" x2="{}" y2="{}"/>)", num(kLeft),
                     num(bottom), num(g.right()), num(bottom));
  out += fmt::format(R"(<line class="axis-line" x1="{}" y1="{}" x2="{}" y2="{}"/>)", num(kLeft),
                     num(plot_top), num(kLeft), num(bottom));
  if (!label.empty())
    out += fmt::format(R"(<text class="axis-label" x="{}" y="{}" text-anchor="middle">{}</text>)",
                       num((kLeft + g.right()) / 2), num(bottom + 46),
                       escape_xml(fit(label, (g.right() - kLeft) / 7)));
  out += '\n';
}

bool finite(double v) { return std::isfinite(v); }

}  // namespace

namespace {
// The top of a point's 95% band. A ratio (a percent axis) never exceeds 100%: its band, a normal
// approximation, is cut there rather than stretching the axis to 125%.
double band_top(const LineChart& chart, double y, double ci) {
  if (chart.y.format == AxisFormat::percent) return std::max(std::min(y + ci, 1.0), y);
  return y + ci;
}
}  // namespace

std::string render_line_chart(const LineChart& chart) {
  const Geometry g{chart.width, chart.plot_height};
  // Colours: the palette in series order, unless a series names its own.
  std::vector<std::string> colours;
  std::size_t next_colour = 0;
  for (const Series& s : chart.series)
    colours.push_back(s.colour.empty() ? palette_colour(next_colour++) : s.colour);

  std::vector<LegendEntry> legend;
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    const Series& s = chart.series[i];
    legend.push_back({s.name, colours[i], s.area || chart.stacked, s.dash, s.entity});
  }
  for (const TargetLine& t : chart.targets)
    legend.push_back({t.label, kTargetColour, false, "6 4", ""});
  Frame f = open_frame(chart.title, chart.subtitle, legend, "line-chart", g);
  std::string& out = f.out;
  const double top = f.plot_top;
  const double bottom = top + g.plot_height;

  // A stacked chart draws each series on the sum of the ones before it.
  std::vector<std::vector<double>> base_of(chart.series.size());
  std::vector<std::vector<double>> top_of(chart.series.size());
  for (std::size_t si = 0; si < chart.series.size(); ++si) {
    const Series& s = chart.series[si];
    top_of[si] = s.y;
    base_of[si].assign(s.y.size(), 0.0);
    if (!chart.stacked || si == 0) continue;
    for (std::size_t i = 0; i < s.y.size(); ++i) {
      const double below = i < top_of[si - 1].size() && finite(top_of[si - 1][i])
                               ? top_of[si - 1][i]
                               : (i < base_of[si - 1].size() ? base_of[si - 1][i] : 0.0);
      base_of[si][i] = below;
      if (finite(s.y[i])) top_of[si][i] = below + s.y[i];
    }
  }

  // Domains: x from the axis or the data; y from the data, its bands and the targets, with 0.
  const bool categorical = !chart.x.categories.empty();
  const double half_step = chart.step_width / 2;
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  for (std::size_t si = 0; si < chart.series.size(); ++si) {
    const Series& s = chart.series[si];
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!finite(s.x[i])) continue;
      const double w = s.step || chart.stacked ? half_step : 0;
      x_lo = std::min(x_lo, s.x[i] - w);
      x_hi = std::max(x_hi, s.x[i] + w);
      if (!finite(s.y[i])) continue;
      // Bands widen the range upwards only: a band below zero of a non-negative quantity is cut
      // at the axis rather than stretching it.
      const double ci = i < s.ci95.size() && finite(s.ci95[i]) ? s.ci95[i] : 0;
      y_lo = std::min(y_lo, top_of[si][i]);
      y_hi = std::max(y_hi, band_top(chart, top_of[si][i], ci));
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
  const Ticks yt = nice_ticks(y_lo, y_hi, chart.plot_height < 220 ? 4 : 5);

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
    const int target = static_cast<int>(std::max(3.0, (g.width - kLeft - kRight) / 85));
    if (chart.x.format == AxisFormat::clock) {
      xt = time_ticks(x_lo, x_hi, target, chart.start_epoch);
    } else if (!chart.x_ticks.empty()) {
      // At the given values, the axis padded by a twentieth on each side so that the first and
      // last points are not on the frame.
      xt.values = chart.x_ticks;
      std::sort(xt.values.begin(), xt.values.end());
      const double span = xt.values.back() - xt.values.front();
      const double pad = span > 0 ? span / 20 : 1;
      xt.lo = xt.values.front() - pad;
      xt.hi = xt.values.back() + pad;
      // The labels' decimals: those of the closest two values.
      xt.step = span > 0 ? span : 1;
      for (std::size_t i = 1; i < xt.values.size(); ++i)
        if (xt.values[i] > xt.values[i - 1])
          xt.step = std::min(xt.step, xt.values[i] - xt.values[i - 1]);
    } else {
      xt = nice_ticks(x_lo, x_hi, target);
    }
  }
  const Scale x{xt.lo, xt.hi, kLeft, g.right()};
  const Scale y{yt.lo, yt.hi, bottom, top};

  y_axis(out, yt, y, chart.y, top, g);
  out += "<g class=\"axis x-axis\">\n";
  const double slot_chars =
      (g.right() - kLeft) / std::max<double>(1, static_cast<double>(xt.values.size())) / kCharWidth;
  // Explicit ticks may crowd: label only every k-th so the labels keep apart.
  std::size_t label_every = 1;
  if (!chart.x_ticks.empty()) {
    double widest = 0;
    for (const double v : xt.values)
      widest =
          std::max(widest, static_cast<double>(format_tick(v, xt.step, chart.x.format).size()));
    while (label_every < xt.values.size() &&
           slot_chars * static_cast<double>(label_every) < widest + 2)
      ++label_every;
  }
  for (std::size_t ti = 0; ti < xt.values.size(); ++ti) {
    const double v = xt.values[ti];
    const std::string label =
        categorical ? fit(chart.x.categories[static_cast<std::size_t>(v)], slot_chars - 1)
                    : format_tick(v, xt.step, chart.x.format, chart.start_epoch);
    out += fmt::format(R"(<line class="tick-mark" x1="{}" y1="{}" x2="{}" y2="{}"/>)", num(x(v)),
                       num(bottom), num(x(v)), num(bottom + 5));
    if (ti % label_every == 0)
      out += fmt::format(R"(<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>)",
                         num(x(v)), num(bottom + 19), escape_xml(label));
    out += '\n';
  }
  out += "</g>\n";
  x_axis_line(out, top, chart.x.label, g);

  for (const ShadedSpan& span : chart.spans) {
    const double a = std::clamp(span.from, xt.lo, xt.hi), b = std::clamp(span.to, xt.lo, xt.hi);
    if (!(b > a)) continue;
    out += fmt::format(
        R"(<rect class="span" x="{}" y="{}" width="{}" height="{}" fill="#000" fill-opacity="0.06"/>)",
        num(x(a)), num(top), num(x(b) - x(a)), num(g.plot_height));
    // The label above the plot, never over the data; cut to the room it has.
    out += fmt::format(R"(<text class="span-label" x="{}" y="{}">{}</text>)", num(x(a) + 2),
                       num(top - 6), escape_xml(fit(span.label, (g.right() - x(a)) / kCharWidth)));
    out += '\n';
  }

  // Series: bands and areas under everything, then lines, then points; emphasised series on top
  // unless the chart is stacked (its order is the stack's).
  std::vector<std::size_t> order(chart.series.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (!chart.stacked)
    std::stable_partition(order.begin(), order.end(),
                          [&](std::size_t i) { return !chart.series[i].emphasis; });
  const auto clamp_y = [&](double v) { return std::clamp(v, yt.lo, yt.hi); };
  const double zero = y(clamp_y(0));
  const bool crowded = chart.series.size() > 4;  // thinner lines and points, so they stay apart
  for (const std::size_t si : order) {
    const Series& s = chart.series[si];
    const bool step = s.step || chart.stacked;
    const std::vector<double>& ys = top_of[si];
    const std::size_t n = std::min(s.x.size(), s.y.size());
    const auto ok = [&](std::size_t i) { return finite(s.x[i]) && finite(s.y[i]); };
    const auto x_from = [&](std::size_t i) { return x(step ? s.x[i] - half_step : s.x[i]); };
    const auto x_to = [&](std::size_t i) { return x(step ? s.x[i] + half_step : s.x[i]); };
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
    // The outline of a run: through each point, or flat across each point's stretch.
    const auto outline = [&](std::size_t a, std::size_t b, const std::vector<double>& v,
                             bool first_move) {
      std::string d;
      for (std::size_t i = a; i < b; ++i) {
        const char* op = first_move && i == a ? "M" : "L";
        if (step)
          d += fmt::format("{}{} {} L{} {} ", op, num(x_from(i)), num(y(clamp_y(v[i]))),
                           num(x_to(i)), num(y(clamp_y(v[i]))));
        else
          d += fmt::format("{}{} {} ", op, num(x(s.x[i])), num(y(clamp_y(v[i]))));
      }
      return d;
    };
    const auto outline_back = [&](std::size_t a, std::size_t b, const std::vector<double>& v) {
      std::string d;
      for (std::size_t i = b; i-- > a;) {
        if (step)
          d += fmt::format("L{} {} L{} {} ", num(x_to(i)), num(y(clamp_y(v[i]))), num(x_from(i)),
                           num(y(clamp_y(v[i]))));
        else
          d += fmt::format("L{} {} ", num(x(s.x[i])), num(y(clamp_y(v[i]))));
      }
      return d;
    };
    for (const auto& [a, b] : runs) {
      if (chart.stacked) {
        out += fmt::format(
            R"(<path class="area" d="{}{}Z" fill="{}" fill-opacity="0.75" stroke="none"{}/>)",
            outline(a, b, ys, true), outline_back(a, b, base_of[si]), colours[si],
            entity_attribute(s.entity));
        out += '\n';
      } else if (s.area) {
        std::string d = fmt::format("M{} {} ", num(x_from(a)), num(zero));
        d += outline(a, b, ys, false);
        d += fmt::format("L{} {} Z", num(x_to(b - 1)), num(zero));
        out += fmt::format(
            R"(<path class="area" d="{}" fill="{}" fill-opacity="0.15" stroke="none"/>)", d,
            colours[si]);
        out += '\n';
      }
      if (s.ci95.size() >= n && !chart.stacked) {
        // The band over the points of this run that have a half-width.
        for (std::size_t i = a; i < b;) {
          if (!finite(s.ci95[i])) {
            ++i;
            continue;
          }
          std::size_t j = i;
          while (j < b && finite(s.ci95[j])) ++j;
          std::vector<double> hi(ys), lo(ys);
          for (std::size_t k = i; k < j; ++k) {
            hi[k] = band_top(chart, ys[k], s.ci95[k]);
            lo[k] = chart.y.format == AxisFormat::percent
                        ? std::max(ys[k] - s.ci95[k], std::min(0.0, ys[k]))
                        : ys[k] - s.ci95[k];
          }
          out += fmt::format(
              R"(<path class="band" d="{}{}Z" fill="{}" fill-opacity="0.16" stroke="none"/>)",
              outline(i, j, hi, true), outline_back(i, j, lo), colours[si]);
          out += '\n';
          i = j;
        }
      }
    }
    std::string d;
    std::size_t points = 0;
    for (const auto& [a, b] : runs) {
      d += outline(a, b, ys, true);
      points += b - a;
    }
    if (!d.empty()) d.pop_back();
    out += fmt::format(
        R"(<path class="series" data-series="{}" data-points="{}"{} d="{}" fill="none" stroke="{}" stroke-width="{}" stroke-linejoin="round"{}/>)",
        escape_xml(s.name), points, entity_attribute(s.entity), d, colours[si],
        s.width > 0  ? num(s.width)
        : s.emphasis ? std::string("3")
        : crowded    ? std::string("1.6")
                     : std::string("2"),
        s.dash.empty() ? "" : " stroke-dasharray=\"" + s.dash + "\"");
    out += '\n';
    // Long series (a week of 15-minute intervals) get small points, so the line stays readable;
    // step series have a small point at the middle of each step (for the tooltip).
    const double r = step         ? 1.6
                     : n > 150    ? (s.emphasis ? 1.8 : 1.2)
                     : s.emphasis ? 3.2
                     : crowded    ? 2.0
                                  : 2.6;
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
          R"(<circle class="point" cx="{}" cy="{}" r="{}" fill="{}"{}><title>{}</title></circle>)",
          num(x(s.x[i])), num(y(clamp_y(ys[i]))), r, colours[si], entity_attribute(s.entity),
          escape_xml(tip));
      out += '\n';
    }
  }
  // Targets: a dashed line named in the legend (a label inside the plot would cover the data).
  for (const TargetLine& t : chart.targets) {
    if (!finite(t.y)) continue;
    const double py = y(clamp_y(t.y));
    out += fmt::format(
        R"(<line class="target" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2" stroke-dasharray="6 4"><title>{}</title></line>)",
        num(kLeft), num(py), num(g.right()), num(py), kTargetColour, escape_xml(t.label));
    out += '\n';
  }
  out += "</svg>\n";
  return out;
}

std::string render_bar_chart(const BarChart& chart) {
  const Geometry g{chart.width, chart.plot_height};
  const bool by_category = !chart.category_colours.empty();
  std::vector<LegendEntry> legend;
  std::vector<std::string> colours;
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    colours.push_back(chart.series[i].colour.empty() ? palette_colour(i) : chart.series[i].colour);
    if (!by_category) legend.push_back({chart.series[i].name, colours.back(), true, "", ""});
  }
  Frame f = open_frame(chart.title, chart.subtitle, legend, "bar-chart", g);
  std::string& out = f.out;
  const double top = f.plot_top;
  const double bottom = top + g.plot_height;

  double y_hi = 0;
  for (const Series& s : chart.series)
    for (std::size_t i = 0; i < s.y.size(); ++i)
      if (finite(s.y[i]))
        y_hi = std::max(y_hi, s.y[i] + (i < s.ci95.size() && finite(s.ci95[i]) ? s.ci95[i] : 0));
  const Ticks yt = nice_ticks(0, y_hi > 0 ? y_hi : 1, chart.plot_height < 220 ? 4 : 5);
  const Scale y{yt.lo, yt.hi, bottom, top};
  Axis y_axis_spec;
  y_axis_spec.label = chart.y_label;
  y_axis(out, yt, y, y_axis_spec, top, g);

  const double n = std::max<double>(1, static_cast<double>(chart.categories.size()));
  const double group = (g.right() - kLeft) / n;
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
  x_axis_line(out, top, "", g);
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
      const std::string& colour = by_category && c < chart.category_colours.size()
                                      ? chart.category_colours[c]
                                      : colours[si];
      const std::string entity =
          c < chart.category_entities.size() ? entity_attribute(chart.category_entities[c]) : "";
      bars += fmt::format(
          R"(<rect class="point bar" x="{}" y="{}" width="{}" height="{}" fill="{}"{}><title>{}</title></rect>)",
          num(bx), num(y(v)), num(bar * 0.92), num(bottom - y(v)), colour, entity, escape_xml(tip));
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
