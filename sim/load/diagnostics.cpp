#include "load/diagnostics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <utility>

namespace trsim {

std::string Diagnostic::format() const {
  std::string out = where.file;
  if (where.line > 0) out += fmt::format(":{}:{}", where.line, std::max(where.column, 1));
  out += ": ";
  if (severity == Severity::warning) out += "warning: ";
  out += message;
  return out;
}

namespace detail {

void Diagnostics::register_file(const std::string& file) {
  if (std::find(files_.begin(), files_.end(), file) == files_.end()) files_.push_back(file);
}

void Diagnostics::error(SourceLocation where, std::string message) {
  ++errors_;
  add(Diagnostic::Severity::error, std::move(where), std::move(message));
}

void Diagnostics::warning(SourceLocation where, std::string message) {
  add(Diagnostic::Severity::warning, std::move(where), std::move(message));
}

void Diagnostics::add(Diagnostic::Severity severity, SourceLocation where, std::string message) {
  if (items_.size() >= kMaxDiagnostics) {
    if (dropped_++ == 0) first_dropped_ = where;
    return;
  }
  Diagnostic d;
  d.severity = severity;
  d.where = std::move(where);
  d.message = std::move(message);
  items_.push_back(std::move(d));
}

std::vector<Diagnostic> Diagnostics::take_sorted() {
  const auto rank = [this](const std::string& file) {
    const auto it = std::find(files_.begin(), files_.end(), file);
    return static_cast<std::size_t>(it - files_.begin());
  };
  std::stable_sort(items_.begin(), items_.end(), [&](const Diagnostic& a, const Diagnostic& b) {
    const std::size_t ra = rank(a.where.file), rb = rank(b.where.file);
    if (ra != rb) return ra < rb;
    if (a.where.file != b.where.file) return a.where.file < b.where.file;
    if (a.where.line != b.where.line) return a.where.line < b.where.line;
    return a.where.column < b.where.column;
  });
  if (dropped_ > 0) {
    Diagnostic d;
    d.where = first_dropped_.value_or(SourceLocation{});
    d.message = fmt::format("{} more problems not shown (only the first {} are listed)", dropped_,
                            kMaxDiagnostics);
    items_.push_back(std::move(d));
  }
  return std::move(items_);
}

namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// How far a word may be from a candidate to be suggested: short words get less slack, or every
// three-letter typo would "match" every other three-letter key.
std::size_t max_distance(std::string_view word) { return word.size() <= 3 ? 1 : 2; }

template <typename Range>
std::string best_hint(std::string_view word, const Range& candidates) {
  std::size_t best = std::numeric_limits<std::size_t>::max();
  std::string_view best_word;
  for (const auto& c : candidates) {
    const std::string_view cand(c);
    if (cand == word) continue;
    const std::size_t d = edit_distance(word, cand);
    if (d < best) {
      best = d;
      best_word = cand;
    }
  }
  if (best_word.empty() || best > max_distance(word)) return {};
  return fmt::format("; did you mean '{}'?", best_word);
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Words longer than any sensible key are not worth a quadratic table.
  if (a.size() > 64 || b.size() > 64) return std::max(a.size(), b.size());
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::size_t> d((n + 1) * (m + 1));
  const auto at = [&](std::size_t i, std::size_t j) -> std::size_t& { return d[i * (m + 1) + j]; };
  for (std::size_t i = 0; i <= n; ++i) at(i, 0) = i;
  for (std::size_t j = 0; j <= m; ++j) at(0, j) = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      std::size_t v = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1]))
        v = std::min(v, at(i - 2, j - 2) + 1);
      at(i, j) = v;
    }
  }
  return at(n, m);
}

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  return best_hint(word, candidates);
}

std::string did_you_mean(std::string_view word, std::span<const std::string> candidates) {
  return best_hint(word, candidates);
}

std::string quoted_list(std::span<const std::string> items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += ", ";
    out += '\'';
    out += s;
    out += '\'';
  }
  return out;
}

std::string describe_duration(SimTime t) {
  if (t < 0) return fmt::format("{}s", describe_number(to_seconds(t)));
  if (t % kMicrosPerSecond != 0) return fmt::format("{}s", describe_number(to_seconds(t)));
  std::int64_t s = t / kMicrosPerSecond;
  if (s == 0) return "0s";
  std::string out;
  const std::pair<std::int64_t, const char*> units[] = {
      {86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}};
  for (const auto& [size, name] : units) {
    if (s >= size) {
      out += fmt::format("{}{}", s / size, name);
      s %= size;
    }
  }
  return out;
}

std::string describe_number(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15)
    return fmt::format("{}", static_cast<std::int64_t>(d));
  // Twelve digits hide binary rounding: 0.9 + 0.05 shows as 0.95, not 0.9500000000000001.
  return fmt::format("{:.12g}", d);
}

}  // namespace detail
}  // namespace trsim
