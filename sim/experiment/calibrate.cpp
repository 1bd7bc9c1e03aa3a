// Calibration from event history (docs/import.md#calibration-from-event-history). The reader is
// incremental: an Events API page is scanned character by character and each event object is
// parsed alone; a JSON Lines file line by line. State is kept per open task, open reservation and
// worker; samples for the fits are bounded reservoirs, so memory does not grow with the file.
#include "trsim/calibrate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <limits>
#include <numeric>
#include <optional>
#include <ranges>
#include <set>

#include "io/csv.hpp"
#include "model/json_number.hpp"
#include "model/units.hpp"
#include "trsim/fit.hpp"
#include "trsim/json.hpp"
#include "trsim/value.hpp"
#include "trsim/workspace_import.hpp"

namespace trsim {

namespace {

constexpr std::int64_t kMsPerDay = 86'400'000;
/// The most samples a fitted quantity keeps: beyond, a uniform reservoir sample of this many.
constexpr std::size_t kReservoir = 100'000;
/// The fewest tasks that stopped waiting in an interval for its KPIs to become `expect:` lines.
constexpr std::uint64_t kMinIntervalTasks = 20;
/// The chance that a mirror which is right fails any of its per-interval `expect:` lines.
constexpr double kIntervalFamilyError = 0.05;

// The standard normal quantile z with P(Z > z) = upper (0 < upper < 0.5).
double normal_upper_quantile(double upper) {
  return boost::math::quantile(boost::math::complement(boost::math::normal(), upper));
}

std::string json_quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string seconds(double ms) { return fmt::format("{:.6g}", ms / 1000.0); }

// A deterministic uniform reservoir of doubles (with optional event flags for censored data).
struct Reservoir {
  std::vector<double> values;
  std::vector<std::uint8_t> codes;  // 0 = censored; else the observed outcome
  std::uint64_t seen = 0;
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  double sum = 0;
  std::uint64_t event_count = 0;

  std::uint64_t next() {  // splitmix64
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  void add(double v, std::uint8_t code = 1) {
    ++seen;
    sum += v;
    if (code != 0) ++event_count;
    if (values.size() < kReservoir) {
      values.push_back(v);
      codes.push_back(code);
      return;
    }
    const std::uint64_t j = next() % seen;
    if (j < kReservoir) {
      values[j] = v;
      codes[j] = code;
    }
  }
  std::vector<bool> events() const {
    std::vector<bool> out(codes.size());
    for (std::size_t i = 0; i < codes.size(); ++i) out[i] = codes[i] != 0;
    return out;
  }
  double mean() const { return seen == 0 ? 0 : sum / static_cast<double>(seen); }
};

// Response times are censored: an offer canceled or rescinded before the worker answered tells
// only that the answer would have come later, so the answered offers alone are the quick ones.
// Inverse probability of censoring weighting: each answered time t weighs 1 / G(t-), G the
// Kaplan-Meier survival of the censoring (the cancels are its events, the answers censor it).
// The weighted sample is drawn systematically (each time repeated in proportion to its weight,
// the same number of values in all; in ascending order, so that the rounding cannot follow a
// pattern of the data) so that the usual fits apply. The weighted mean is the exact one,
// sum(w t) / sum(w), not the drawn sample's (whose rounding moves it).
struct WeightedSample {
  std::vector<double> values;
  double mean = 0;
};
double mean_of(const std::vector<double>& x) {
  return x.empty() ? 0 : std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}
WeightedSample censoring_weighted(std::vector<double> answered, const fit::KaplanMeier& censoring) {
  if (answered.empty() || censoring.times.empty()) {
    const double mean = mean_of(answered);
    return {std::move(answered), mean};
  }
  std::sort(answered.begin(), answered.end());
  std::vector<double> weight;
  double total = 0, weighted_sum = 0;
  for (double t : answered) {
    const double g = censoring.at(std::nextafter(t, 0.0));
    weight.push_back(1 / std::max(g, 1e-3));
    total += weight.back();
    weighted_sum += weight.back() * t;
  }
  std::vector<double> out;
  out.reserve(answered.size());
  const double n = static_cast<double>(answered.size());
  double cumulative = 0;
  for (std::size_t i = 0; i < answered.size(); ++i) {
    const double before = std::floor(cumulative + 0.5);
    cumulative += weight[i] * n / total;
    for (double k = before; k < std::floor(cumulative + 0.5); ++k) out.push_back(answered[i]);
  }
  return {std::move(out), weighted_sum / total};
}

std::string sample_note(const Reservoir& r) {
  return r.seen > r.values.size()
             ? fmt::format(" (fitted on a uniform sample of {} of {})", r.values.size(), r.seen)
             : std::string();
}

// Observed task KPIs of a queue (or the workspace): as docs/statistics.md defines them.
struct Kpi {
  std::uint64_t accepted = 0, canceled = 0, abandoned = 0;
  double wait_sum_s = 0, wait_square_sum_s = 0;  // of the accepted tasks' waits
  std::vector<std::uint64_t> below;              // per threshold: accepted with wait <= s
  std::uint64_t stopped() const { return accepted + canceled; }
};

struct TaskState {
  std::int64_t created = 0;
  std::size_t stream = 0;
  std::string queue;
  std::uint64_t row = 0;  // index of its trace row
  bool accepted = false;
};

struct ReservationState {
  std::string task, worker, queue;
  std::int64_t created = 0, accepted = -1, wrapup = -1;
  std::size_t stream = SIZE_MAX;
};

struct WorkerState {
  std::string first_activity;  // the activity before its first change
  std::string activity;
  std::int64_t last_reservation_event = -1;
  // Parked by a reservation timeout (1) or a reject (2) at `parked_at`.
  int parked = 0;
  std::int64_t parked_at = 0;
  std::vector<std::pair<std::int64_t, std::string>> schedule;  // absolute ms, activity
};

struct GroupBehavior {
  std::uint64_t accepted = 0, rejected = 0, timed_out = 0, canceled = 0;
  Reservoir offers;  // response time; 1 accepted, 2 rejected, 3 timed out, 0 canceled first
  fit::CompetingRisks shares;
  Reservoir accept_response, reject_response, wrapup, timeout_return, reject_return;
  std::map<std::string, std::uint64_t> timeout_return_to, reject_activity, reject_return_to;
  std::uint64_t timeout_return_censored = 0, reject_return_censored = 0;
  std::optional<fit::FitReport> accept_fit, reject_fit, wrapup_fit, timeout_return_fit,
      reject_return_fit;
  double accept_weighted_mean = 0, reject_weighted_mean = 0;  // after censoring_weighted
};

struct Stream {
  std::string workflow, channel, name;
  std::FILE* trace = nullptr;  // the rows, written in creation order as tasks close
  bool trace_lost = false;     // the temporary file could not be made or written
  std::uint64_t rows = 0;
  Reservoir handle, patience;
  std::map<std::int64_t, std::uint64_t> arrivals;  // per rates interval (absolute index)
  std::optional<fit::FitReport> handle_fit;
  std::optional<fit::CensoredReport> patience_fit;
};

struct Row {
  std::int64_t created = 0;
  std::size_t stream = 0;
  std::string channel, attributes;
  std::int64_t priority = 0;
  std::int64_t handle = -1;
  bool done = false;
};

std::string most_common(const std::map<std::string, std::uint64_t>& counts) {
  std::string best;
  std::uint64_t n = 0;
  for (const auto& [k, c] : counts)
    if (c > n) {
      best = k;
      n = c;
    }
  return best;
}

// "task_sid" -> "TaskSid" (the webhook / Event Streams spelling).
std::string pascal(std::string_view snake) {
  std::string out;
  bool up = true;
  for (char c : snake) {
    if (c == '_') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out;
}

// One member of an event read by the flat reader: strings unescaped, numbers and nested objects or
// arrays as their JSON text.
struct Field {
  Value::Kind kind = Value::Kind::null;
  std::string text;
  bool is_null() const { return kind == Value::Kind::null; }
  bool is_string() const { return kind == Value::Kind::string; }
  bool is_number() const { return kind == Value::Kind::number; }
  bool is_object() const { return kind == Value::Kind::object; }
  const std::string& as_string() const { return text; }
  double as_number() const { return std::strtod(text.c_str(), nullptr); }
};

// One level of an event: its members in order (buffers reused from event to event).
struct Flat {
  std::vector<std::pair<std::string, Field>> members;
  std::size_t size = 0;
  const Field* find(std::string_view key) const {
    for (std::size_t i = 0; i < size; ++i)
      if (members[i].first == key) return &members[i].second;
    return nullptr;
  }
  std::pair<std::string, Field>& add() {
    if (size == members.size()) members.emplace_back();
    return members[size++];
  }
};

struct FlatEvent {
  Flat top, data;
  bool has_data = false;
  void clear() {
    top.size = data.size = 0;
    has_data = false;
  }
};

// A flat reader of one event object: the top level and `event_data` member by member, anything
// nested deeper kept as text. It reads well-formed input only; on anything else it gives up and
// the caller parses the text with the strict reader (for the error message, or for whatever this
// reader does not handle, such as escapes in keys).
class FlatReader {
 public:
  explicit FlatReader(std::string_view text) : s_(text) {}

  bool read(FlatEvent& out) {
    out.clear();
    ws();
    if (!object(out.top, &out)) return false;
    ws();
    return i_ == s_.size();
  }

 private:
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool object(Flat& level, FlatEvent* event) {
    if (i_ >= s_.size() || s_[i_] != '{') return false;
    ++i_;
    ws();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      return true;
    }
    for (;;) {
      ws();
      std::string_view key;
      if (!plain_string(key)) return false;
      for (std::size_t k = 0; k < level.size; ++k)
        if (level.members[k].first == key) return false;  // a duplicate: the strict reader says so
      ws();
      if (i_ >= s_.size() || s_[i_] != ':') return false;
      ++i_;
      ws();
      auto& [name, field] = level.add();
      name.assign(key);
      if (event != nullptr && key == "event_data" && i_ < s_.size() && s_[i_] == '{') {
        field.kind = Value::Kind::object;
        field.text.clear();
        if (!object(event->data, nullptr)) return false;
        event->has_data = true;
      } else if (!value(field)) {
        return false;
      }
      ws();
      if (i_ >= s_.size()) return false;
      if (s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (s_[i_] == '}') {
        ++i_;
        return true;
      }
      return false;
    }
  }
  // A string without escapes (keys, and most values), as a view.
  bool plain_string(std::string_view& out) {
    if (i_ >= s_.size() || s_[i_] != '"') return false;
    std::size_t end = i_ + 1;
    while (end < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[end]);
      if (c == '"') break;
      if (c == '\\' || c < 0x20) return false;
      ++end;
    }
    if (end >= s_.size()) return false;
    out = s_.substr(i_ + 1, end - i_ - 1);
    i_ = end + 1;
    return true;
  }
  bool value(Field& f) {
    if (i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '"') {
      f.kind = Value::Kind::string;
      std::string_view plain;
      const std::size_t at = i_;
      if (plain_string(plain)) {
        f.text.assign(plain);
        return true;
      }
      i_ = at;  // escapes: the strict reader decodes the literal
      const std::size_t end = skip_string(at);
      if (end == std::string_view::npos) return false;
      const auto decoded = parse_json(s_.substr(at, end - at));
      if (!decoded || !decoded->is_string()) return false;
      f.text = decoded->as_string();
      i_ = end;
      return true;
    }
    if (c == '{' || c == '[') {
      f.kind = c == '{' ? Value::Kind::object : Value::Kind::array;
      const std::size_t at = i_;
      int depth = 0;
      while (i_ < s_.size()) {
        const char d = s_[i_];
        if (d == '"') {
          i_ = skip_string(i_);
          if (i_ == std::string_view::npos) return false;
          continue;
        }
        ++i_;
        if (d == '{' || d == '[') ++depth;
        if ((d == '}' || d == ']') && --depth == 0) {
          f.text.assign(s_.substr(at, i_ - at));
          return true;
        }
      }
      return false;
    }
    const std::size_t at = i_;
    const auto word_char = [](char d) {
      return (d >= '0' && d <= '9') || (d >= 'a' && d <= 'z') || d == '+' || d == '-' || d == '.' ||
             d == 'E';
    };
    while (i_ < s_.size() && word_char(s_[i_])) ++i_;
    const std::string_view word = s_.substr(at, i_ - at);
    if (word == "true" || word == "false") {
      f.kind = Value::Kind::boolean;
    } else if (word == "null") {
      f.kind = Value::Kind::null;
    } else {
      // JSON's grammar, not from_chars' (which also takes nan, -inf, .5, 1. and 01).
      if (!detail::is_json_number(word)) return false;
      double d = 0;
      const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), d);
      if (ec != std::errc() || end != word.data() + word.size()) return false;
      f.kind = Value::Kind::number;
    }
    f.text.assign(word);
    return true;
  }
  // The position after the string literal starting at `at`, or npos.
  std::size_t skip_string(std::size_t at) const {
    for (std::size_t k = at + 1; k < s_.size(); ++k) {
      if (s_[k] == '\\') {
        ++k;
      } else if (s_[k] == '"') {
        return k + 1;
      }
    }
    return std::string_view::npos;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

// The same members from a value the strict reader parsed.
void flatten(const Value& v, FlatEvent& out) {
  out.clear();
  const auto field = [](const Value& x, Field& f) {
    f.kind = x.kind();
    f.text = x.is_string() ? x.as_string() : to_json(x);
  };
  for (const auto& [key, member] : v.as_object()) {
    auto& [name, f] = out.top.add();
    name = key;
    field(member, f);
    if (key == "event_data" && member.is_object()) {
      out.has_data = true;
      for (const auto& [k, m] : member.as_object()) {
        auto& [n, g] = out.data.add();
        n = k;
        field(m, g);
      }
    }
  }
}

}  // namespace

struct Calibration::Impl {
  CalibrationOptions options;
  std::uint64_t events = 0, ignored = 0, other_replications = 0;
  std::int64_t first = -1, last = -1, last_created = -1;
  std::map<std::string, TaskState> tasks;
  std::map<std::string, ReservationState> reservations;
  std::map<std::string, WorkerState> workers;
  std::map<std::string, GroupBehavior> groups;
  std::vector<Stream> streams;
  std::map<std::string, std::size_t> stream_index;
  std::deque<Row> rows;  // trace rows not yet written (the oldest open task's onwards)
  std::uint64_t rows_written = 0;
  std::map<std::string, Kpi> queue_kpi;  // "" = the workspace
  using KpiMap = std::map<std::pair<std::string, std::int64_t>, Kpi>;
  KpiMap interval_kpi;
  std::uint64_t unknown_workers = 0;
  // Where the current event was written, for errors.
  std::string file;
  std::size_t at_line = 0, at_column = 0;
  std::uint64_t event_number = 0;
  std::vector<Diagnostic>* diags = nullptr;
  FlatEvent flat;                       // the event being read (buffers reused)
  std::int64_t start = 0, horizon = 0;  // ms: the mirror's start (absolute) and horizon

  ~Impl() {
    for (Stream& s : streams)
      if (s.trace != nullptr) std::fclose(s.trace);
  }

  Kpi& kpi(const std::string& queue) {
    Kpi& k = queue_kpi[queue];
    k.below.resize(options.service_level_thresholds.size());
    return k;
  }
  Kpi& interval(const std::string& queue, std::int64_t t) {
    const std::int64_t length = options.interval / 1000;
    Kpi& k = interval_kpi[{queue, t / length}];
    k.below.resize(options.service_level_thresholds.size());
    return k;
  }

  void error(const std::string& message) {
    Diagnostic d;
    d.where = {file, static_cast<int>(at_line), static_cast<int>(at_column)};
    d.message = message;
    diags->push_back(std::move(d));
  }

  // A field of event_data (snake_case, or the webhook's PascalCase).
  static const Field* data_field(const Flat& data, std::string_view name) {
    if (const Field* v = data.find(name); v != nullptr && !v->is_null()) return v;
    if (const Field* v = data.find(pascal(name)); v != nullptr && !v->is_null()) return v;
    return nullptr;
  }

  // A required string field; an error naming it when missing.
  std::optional<std::string> need(const Flat& data, std::string_view name,
                                  const std::string& type) {
    const Field* v = data_field(data, name);
    if (v != nullptr && (v->is_string() || v->is_number())) return v->text;
    error(fmt::format("event {} ({}): missing field 'event_data.{}'", event_number, type, name));
    return std::nullopt;
  }
  std::string text(const Flat& data, std::string_view name) {
    const Field* v = data_field(data, name);
    return v == nullptr ? std::string() : v->text;
  }

  std::size_t stream_of(const std::string& workflow, const std::string& channel) {
    const std::string key = workflow + "\n" + channel;
    if (const auto it = stream_index.find(key); it != stream_index.end()) return it->second;
    Stream s;
    s.workflow = workflow;
    s.channel = channel;
    s.name = workflow + " " + channel;
    stream_index[key] = streams.size();
    streams.push_back(std::move(s));
    return streams.size() - 1;
  }

  void flush_rows() {
    while (!rows.empty() && rows.front().done) {
      write_row(rows.front());
      rows.pop_front();
      ++rows_written;
    }
  }
  void write_row(const Row& r) {
    Stream& s = streams[r.stream];
    if (s.trace_lost) return;
    if (s.trace == nullptr) {
      s.trace = std::tmpfile();
      if (s.trace == nullptr ||
          std::fputs("time,channel,priority,handle_time,attributes\n", s.trace) == EOF) {
        s.trace_lost = true;
        return;
      }
    }
    std::string csv =
        fmt::format("{:.3f},", static_cast<double>(r.created - start_guess()) / 1000.0);
    detail::append_csv_cell(csv, r.channel);
    csv += fmt::format(",{},", r.priority);
    if (r.handle >= 0) csv += fmt::format("{:.3f}", static_cast<double>(r.handle) / 1000.0);
    csv += ',';
    if (!r.attributes.empty() && r.attributes != "{}") detail::append_csv_cell(csv, r.attributes);
    csv += '\n';
    if (std::fputs(csv.c_str(), s.trace) == EOF) s.trace_lost = true;
    ++s.rows;
  }
  Row* row(std::uint64_t index) {
    if (index < rows_written) return nullptr;
    const std::uint64_t k = index - rows_written;
    return k < rows.size() ? &rows[k] : nullptr;
  }

  void stop_waiting(TaskState& t, std::int64_t at, bool accepted, bool abandoned,
                    const std::string& queue) {
    const double wait_s = static_cast<double>(at - t.created) / 1000.0;
    streams[t.stream].patience.add(wait_s, abandoned ? 1 : 0);
    std::vector<Kpi*> scopes{&kpi(""), &interval("", at - start_guess())};
    if (!queue.empty()) {
      scopes.push_back(&kpi(queue));
      scopes.push_back(&interval(queue, at - start_guess()));
    }
    for (Kpi* k : scopes) {
      if (accepted) {
        ++k->accepted;
        k->wait_sum_s += wait_s;
        k->wait_square_sum_s += wait_s * wait_s;
        for (std::size_t i = 0; i < options.service_level_thresholds.size(); ++i)
          if (wait_s <= options.service_level_thresholds[i]) ++k->below[i];
      } else {
        ++k->canceled;
        if (abandoned) ++k->abandoned;
      }
    }
  }
  // Intervals are counted from the hour of the first event (the mirror's start).
  std::int64_t start_guess() const { return first - ((first % 3'600'000) + 3'600'000) % 3'600'000; }

  GroupBehavior& group_of(const std::string& worker) {
    const auto it = options.worker_group.find(worker);
    if (it == options.worker_group.end()) {
      ++unknown_workers;
      return groups["(workers not in the export)"];
    }
    return groups[it->second];
  }

  // Reads one event's text (`where` set to its place): the flat reader, or the strict one for
  // the error or what the flat one does not handle.
  void on_text(std::string_view text, std::size_t line, std::size_t column) {
    at_line = line;
    at_column = column;
    if (!FlatReader(text).read(flat)) {
      JsonError why;
      const auto v = parse_json(text, &why);
      if (!v) {
        if (why.line > 1) {
          at_line = line + why.line - 1;
          at_column = why.column;
        } else {
          at_column = column + why.column - 1;
        }
        error(fmt::format("event {}: not JSON: {}", event_number + 1, why.message));
        return;
      }
      if (!v->is_object()) {
        error(fmt::format("event {} is not a JSON object", event_number + 1));
        return;
      }
      flatten(*v, flat);
    }
    on_event(flat);
  }

  void on_event(const FlatEvent& event) {
    ++event_number;
    const Field* type_v = event.top.find("event_type");
    if (type_v == nullptr || !type_v->is_string()) {
      error(fmt::format("event {}: missing field 'event_type'", event_number));
      return;
    }
    const std::string& type = type_v->as_string();
    std::int64_t t = 0;
    const Field* ms = event.top.find("event_date_ms");
    if (ms != nullptr && (ms->is_number() || ms->is_string()) && !ms->text.empty() &&
        std::all_of(ms->text.begin(), ms->text.end(),
                    [](char c) { return c >= '0' && c <= '9'; })) {
      std::from_chars(ms->text.data(), ms->text.data() + ms->text.size(), t);
    } else if (ms != nullptr && ms->is_number()) {
      t = static_cast<std::int64_t>(std::floor(ms->as_number()));
    } else if (const Field* date = event.top.find("event_date");
               date != nullptr && date->is_string()) {
      std::string why;
      const auto micros = detail::parse_iso8601_micros(date->as_string(), &why);
      if (!micros) {
        error(fmt::format("event {} ({}): 'event_date' is not an ISO 8601 date-time: {}",
                          event_number, type, why));
        return;
      }
      t = *micros >= 0 ? *micros / 1000 : -((-*micros + 999) / 1000);
    } else {
      error(fmt::format("event {} ({}): missing field 'event_date_ms' (or 'event_date')",
                        event_number, type));
      return;
    }
    if (!event.has_data) {
      error(fmt::format("event {} ({}): missing field 'event_data'", event_number, type));
      return;
    }
    if (const Field* rep = event.top.find("replication");
        rep != nullptr && rep->is_number() && rep->as_number() != 0) {
      ++other_replications;
      return;
    }
    if (last >= 0 && t < last) {
      error(
          fmt::format("event {} ({}): events are not in time order ({} ms before the one "
                      "before it); give them oldest first",
                      event_number, type, last - t));
      return;
    }
    if (first < 0) first = t;
    last = t;
    ++events;
    dispatch(type, t, event.data);
  }

  void dispatch(const std::string& type, std::int64_t t, const Flat& data) {
    if (type == "task.created") {
      const auto sid = need(data, "task_sid", type);
      auto workflow = data_field(data, "workflow_name") != nullptr
                          ? need(data, "workflow_name", type)
                          : need(data, "workflow_sid", type);
      if (!sid || !workflow) return;
      std::string channel = text(data, "task_channel_unique_name");
      if (channel.empty()) channel = "default";
      TaskState task;
      task.created = t;
      task.stream = stream_of(*workflow, channel);
      task.queue = text(data, "task_queue_name");
      task.row = rows_written + rows.size();
      Row r;
      r.created = t;
      r.stream = task.stream;
      r.channel = channel;
      if (const Field* p = data_field(data, "task_priority"); p != nullptr && p->is_number())
        r.priority = static_cast<std::int64_t>(p->as_number());
      if (const Field* a = data_field(data, "task_attributes");
          a != nullptr && (a->is_string() || a->is_object())) {
        JsonError why;
        const auto parsed = parse_json(a->text, &why);
        if (!parsed || !parsed->is_object()) {
          error(fmt::format("event {} ({}): 'task_attributes' is not a JSON object{}", event_number,
                            type, parsed ? "" : ": " + why.message));
          return;
        }
        r.attributes = to_json(*parsed);
      }
      rows.push_back(std::move(r));
      ++streams[task.stream].arrivals[options.rates_interval > 0
                                          ? (t - start_guess()) / (options.rates_interval / 1000)
                                          : 0];
      last_created = t;
      tasks[*sid] = std::move(task);
      return;
    }
    if (type == "task-queue.entered" || type == "task-queue.moved") {
      const auto sid = need(data, "task_sid", type);
      const auto queue = need(data, "task_queue_name", type);
      if (!sid || !queue) return;
      if (const auto it = tasks.find(*sid); it != tasks.end()) it->second.queue = *queue;
      return;
    }
    if (type == "task.canceled") {
      const auto sid = need(data, "task_sid", type);
      if (!sid) return;
      const auto it = tasks.find(*sid);
      if (it == tasks.end()) return;
      TaskState& task = it->second;
      if (!task.accepted) {
        // TaskRouter's own cancels (TTL, workflow timeout, ...) censor the patience; any other
        // cancel of a waiting task is the caller hanging up.
        const std::string reason = text(data, "task_canceled_reason");
        const bool routing = reason.rfind("Task TTL", 0) == 0 ||
                             reason.find("Workflow") != std::string::npos ||
                             reason.find("limit of") != std::string::npos;
        std::string queue = text(data, "task_queue_name");
        if (queue.empty()) queue = task.queue;
        stop_waiting(task, t, false, !routing, queue);
      }
      if (Row* r = row(task.row)) r->done = true;
      tasks.erase(it);
      flush_rows();
      return;
    }
    if (type == "task.completed") {
      const auto sid = need(data, "task_sid", type);
      if (!sid) return;
      if (const auto it = tasks.find(*sid); it != tasks.end()) {
        if (Row* r = row(it->second.row)) r->done = true;
        tasks.erase(it);
        flush_rows();
      }
      return;
    }
    if (type.rfind("reservation.", 0) == 0) {
      const auto res = need(data, "reservation_sid", type);
      const auto task = need(data, "task_sid", type);
      const auto worker = need(data, "worker_sid", type);
      if (!res || !task || !worker) return;
      workers[*worker].last_reservation_event = t;
      if (type == "reservation.created") {
        ReservationState r;
        r.task = *task;
        r.worker = *worker;
        r.queue = text(data, "task_queue_name");
        r.created = t;
        reservations[*res] = std::move(r);
        return;
      }
      const auto it = reservations.find(*res);
      if (it == reservations.end()) return;  // created before the history began
      ReservationState& r = it->second;
      GroupBehavior& g = group_of(r.worker);
      const double response_s = static_cast<double>(t - r.created) / 1000.0;
      if (type == "reservation.accepted") {
        ++g.accepted;
        g.offers.add(response_s, 1);
        g.accept_response.add(response_s);
        r.accepted = t;
        if (const auto ti = tasks.find(r.task); ti != tasks.end()) {
          ti->second.accepted = true;
          r.stream = ti->second.stream;
          stop_waiting(ti->second, t, true, false, r.queue.empty() ? ti->second.queue : r.queue);
        }
      } else if (type == "reservation.rejected") {
        ++g.rejected;
        g.offers.add(response_s, 2);
        g.reject_response.add(response_s);
        reservations.erase(it);
      } else if (type == "reservation.timeout") {
        ++g.timed_out;
        g.offers.add(response_s, 3);
        reservations.erase(it);
        WorkerState& w = workers[*worker];
        w.parked = 1;
        w.parked_at = t;
      } else if (type == "reservation.canceled" || type == "reservation.rescinded") {
        ++g.canceled;  // the worker did not decide: a censored time
        g.offers.add(response_s, 0);
        reservations.erase(it);
      } else if (type == "reservation.wrapup") {
        if (r.accepted >= 0) {
          r.wrapup = t;
          const std::int64_t handle = t - r.accepted;
          if (r.stream != SIZE_MAX)
            streams[r.stream].handle.add(static_cast<double>(handle) / 1000.0);
          if (const auto ti = tasks.find(r.task); ti != tasks.end())
            if (Row* row_ = row(ti->second.row)) row_->handle = handle;
        }
      } else if (type == "reservation.completed") {
        if (r.wrapup >= 0) g.wrapup.add(static_cast<double>(t - r.wrapup) / 1000.0);
        reservations.erase(it);
      }
      if (type == "reservation.rejected") {
        WorkerState& w = workers[*worker];
        w.parked = 2;
        w.parked_at = t;
      }
      return;
    }
    if (type == "worker.activity.update") {
      const auto worker = need(data, "worker_sid", type);
      const auto activity = need(data, "worker_activity_name", type);
      if (!worker || !activity) return;
      WorkerState& w = workers[*worker];
      if (w.first_activity.empty() && w.activity.empty()) {
        w.first_activity = text(data, "worker_previous_activity_name");
        if (w.first_activity.empty()) w.first_activity = *activity;
      }
      w.activity = *activity;
      if (t == w.last_reservation_event) {
        // Driven by the reservation (the timeout or reject activity, the reservation or
        // assignment activity): not a schedule change.
        if (w.parked == 1 && t == w.parked_at) {
          w.parked = 3;  // now sitting in the timeout activity
        } else if (w.parked == 2 && t == w.parked_at) {
          ++group_of(*worker).reject_activity[*activity];
          w.parked = 4;
        }
        return;
      }
      if (w.parked == 3 || w.parked == 4) {
        GroupBehavior& g = group_of(*worker);
        const auto available = options.activity_available.find(*activity);
        if (available != options.activity_available.end() && !available->second) {
          // Moved on to an unavailable activity: a schedule change that cancels the return
          // (docs/scenario.md, after_timeout); the time away is censored, not a sample.
          ++(w.parked == 3 ? g.timeout_return_censored : g.reject_return_censored);
          w.parked = 0;
          w.schedule.emplace_back(t, *activity);
          return;
        }
        const double away = static_cast<double>(t - w.parked_at) / 1000.0;
        if (w.parked == 3) {
          g.timeout_return.add(away);
          ++g.timeout_return_to[*activity];
        } else {
          g.reject_return.add(away);
          ++g.reject_return_to[*activity];
        }
        w.parked = 0;
        return;
      }
      w.parked = 0;
      w.schedule.emplace_back(t, *activity);
      return;
    }
    ++ignored;
  }

  // --- the streaming readers ---

  bool read_lines(std::istream& in) {
    std::string text_line;
    at_line = 0;
    while (std::getline(in, text_line)) {
      ++at_line;
      at_column = 1;
      if (text_line.find_first_not_of(" \t\r") == std::string::npos) continue;
      on_text(text_line, at_line, 1);
      if (!diags->empty()) return false;
    }
    return true;
  }

  // Scans an `{"events": [...], ...}` page: each item of the top-level "events" list is cut out
  // and parsed alone; nothing else of the page is kept.
  bool read_page(std::istream& in) {
    std::size_t l = 1, c = 0;
    int depth = 0;
    bool in_string = false, escape = false, in_events = false, seen_events = false;
    std::string last_key, key, item;
    bool capturing = false, key_string = false;
    std::size_t item_line = 0, item_column = 0, item_depth = 0;
    char buffer[1 << 16];
    auto fail = [&](const std::string& message) {
      at_line = l;
      at_column = c;
      error(message);
      return false;
    };
    while (in) {
      in.read(buffer, sizeof buffer);
      const std::streamsize got = in.gcount();
      for (std::streamsize i = 0; i < got; ++i) {
        const char ch = buffer[i];
        if (ch == '\n') {
          ++l;
          c = 0;
        } else {
          ++c;
        }
        if (capturing) item += ch;
        if (in_string) {
          if (escape) {
            escape = false;
          } else if (ch == '\\') {
            escape = true;
          } else if (ch == '"') {
            in_string = false;
            if (key_string) last_key = key;
          } else if (key_string) {
            key += ch;
          }
          continue;
        }
        switch (ch) {
          case '"':
            in_string = true;
            key_string = depth == 1 && !capturing;
            key.clear();
            break;
          case '{':
          case '[':
            if (depth == 0 && ch != '{') return fail("an Events API page must be a JSON object");
            if (depth == 1 && ch == '[' && last_key == "events") {
              in_events = true;
              seen_events = true;
            } else if (depth == 2 && in_events && !capturing) {
              if (ch != '{')
                return fail(
                    fmt::format("item {} of 'events' is not a JSON object", event_number + 1));
              capturing = true;
              item = "{";
              item_line = l;
              item_column = c;
              item_depth = 2;
            }
            ++depth;
            break;
          case '}':
          case ']':
            if (depth == 0) return fail("unbalanced '" + std::string(1, ch) + "'");
            --depth;
            if (capturing && static_cast<std::size_t>(depth) == item_depth) {
              capturing = false;
              on_text(item, item_line, item_column);
              if (!diags->empty()) return false;
              item.clear();
            } else if (depth == 1 && in_events) {
              in_events = false;
            }
            break;
          default:
            break;
        }
      }
    }
    if (depth != 0 || in_string) return fail("the file ends inside the JSON (truncated?)");
    if (!seen_events) {
      at_line = 1;
      at_column = 1;
      error("no 'events' list: not an Events API page");
      return false;
    }
    return true;
  }

  // --- fitting and writing ---

  void finish() {
    start = first < 0 ? 0 : start_guess();
    const std::int64_t length = options.interval / 1000;
    const std::int64_t last_arrival = (last_created < 0 ? start : last_created) - start;
    horizon = (last_arrival / length + 1) * length;
    // Tasks still waiting when the history ends: their patience is censored there.
    for (auto& [sid, task] : tasks) {
      if (!task.accepted)
        streams[task.stream].patience.add(static_cast<double>(last - task.created) / 1000.0, 0);
      if (Row* r = row(task.row)) r->done = true;
    }
    tasks.clear();
    flush_rows();
    std::set<std::string> taken;
    for (std::size_t i = 0; i < streams.size(); ++i)
      trace_names.push_back(unique_file_name(taken, options.file_stem + ".", streams[i].name,
                                             fmt::format("stream-{}", i + 1), ".trace.csv"));
    for (Stream& s : streams) {
      s.handle_fit = fit::fit_duration(s.handle.values);
      s.patience_fit = fit::fit_censored(s.patience.values, s.patience.events());
    }
    for (auto& [name, g] : groups) {
      g.shares = fit::competing_risks(g.offers.values, g.offers.codes, 3);
      WeightedSample accept{g.accept_response.values, mean_of(g.accept_response.values)};
      WeightedSample reject{g.reject_response.values, mean_of(g.reject_response.values)};
      if (g.canceled > 0) {
        std::vector<bool> canceled;
        for (std::uint8_t code : g.offers.codes) canceled.push_back(code == 0);
        const fit::KaplanMeier censoring = fit::kaplan_meier(g.offers.values, canceled);
        accept = censoring_weighted(std::move(accept.values), censoring);
        reject = censoring_weighted(std::move(reject.values), censoring);
      }
      g.accept_weighted_mean = accept.mean;
      g.reject_weighted_mean = reject.mean;
      g.accept_fit = fit::fit_duration(std::move(accept.values));
      g.reject_fit = fit::fit_duration(std::move(reject.values));
      g.wrapup_fit = fit::fit_duration(g.wrapup.values);
      g.timeout_return_fit = fit::fit_duration(g.timeout_return.values);
      g.reject_return_fit = fit::fit_duration(g.reject_return.values);
    }
  }

  // The days of a worker's schedule repeat when every later day (from the mirror's start) has
  // the changes of the first at the same times of day, the last day only those before the history
  // ends: then the first day and a period of 24 h stand for all of them.
  bool daily(const WorkerState& w) const {
    if (w.schedule.empty() || w.schedule.back().first - start < kMsPerDay) return false;
    std::vector<std::pair<std::int64_t, std::string>> first_day;
    for (const auto& [at, activity] : w.schedule)
      if (at - start < kMsPerDay) first_day.emplace_back(at - start, activity);
    if (first_day.empty()) return false;
    const std::int64_t span = last - start;
    std::size_t i = 0;
    for (std::int64_t day = 0; day * kMsPerDay <= span; ++day)
      for (const auto& [offset, activity] : first_day) {
        const std::int64_t at = day * kMsPerDay + offset;
        if (at > span) break;  // the history ended first
        if (i >= w.schedule.size() || w.schedule[i].first - start != at ||
            w.schedule[i].second != activity)
          return false;
        ++i;
      }
    return i == w.schedule.size();
  }

  std::string schedule_yaml(const WorkerState& w) const {
    const bool repeats = daily(w);
    std::string out;
    for (const auto& [at, activity] : w.schedule) {
      if (repeats && at - start >= kMsPerDay) break;
      out += fmt::format("{}{{at: {}, activity: {}}}", out.empty() ? "" : ", ",
                         seconds(static_cast<double>(at - start)), json_quoted(activity));
    }
    return out;
  }
  // ", schedule: [...]" with ", schedule_period: 86400" when its days repeat ("" without one).
  std::string schedule_fields(const WorkerState& w) const {
    if (w.schedule.empty()) return "";
    return ", schedule: [" + schedule_yaml(w) + "]" +
           (daily(w) ? fmt::format(", schedule_period: {}", kMsPerDay / 1000) : std::string());
  }

  std::string behavior_yaml(const GroupBehavior& g) const {
    const std::uint64_t decided = g.accepted + g.rejected + g.timed_out;
    std::string fields;
    const auto add = [&](const std::string& f) { fields += (fields.empty() ? "" : ", ") + f; };
    if (decided > 0) {
      const double reject = std::round(1e6 * g.shares.share[1]) / 1e6;
      const double none = std::round(1e6 * g.shares.share[2]) / 1e6;
      add(fmt::format("outcome: {{accept: {:.6g}, reject: {:.6g}, no_response: {:.6g}}}",
                      1 - reject - none, reject, none));
    }
    const bool has_accept = g.accept_fit && g.accept_fit->n > 0;
    const bool has_reject = g.reject_fit && g.reject_fit->n > 0;
    if (has_accept) add("response_time: " + g.accept_fit->chosen.yaml());
    if (has_reject) {
      add("reject_response_time: " + g.reject_fit->chosen.yaml());
      if (!has_accept) add("response_time: " + g.reject_fit->chosen.yaml());
    }
    if (g.wrapup_fit && g.wrapup_fit->n > 0) add("wrapup_time: " + g.wrapup_fit->chosen.yaml());
    if (g.timeout_return_fit && g.timeout_return_fit->n > 0)
      add(fmt::format("after_timeout: {{return_after: {}, activity: {}}}",
                      g.timeout_return_fit->chosen.yaml(),
                      json_quoted(most_common(g.timeout_return_to))));
    if (!g.reject_activity.empty()) {
      add("reject_activity: " + json_quoted(most_common(g.reject_activity)));
      if (g.reject_return_fit && g.reject_return_fit->n > 0)
        add(fmt::format("after_reject: {{return_after: {}, activity: {}}}",
                        g.reject_return_fit->chosen.yaml(),
                        json_quoted(most_common(g.reject_return_to))));
    }
    return "{" + fields + "}";
  }

  // The variance of an observed KPI, a ratio sum(a_k) / sum(b_k) over the intervals k: that of
  // the ratio estimator over the intervals as batches, K/(K-1) * sum b_k^2 (r_k - R)^2 /
  // (sum b_k)^2; empty with fewer than two batches.
  template <typename Metric>
  std::optional<double> batch_variance(const std::string& queue, Metric metric) const {
    std::vector<std::pair<double, double>> batch;  // (r_k, b_k)
    for (const auto& [key, k] : intervals_of(queue))
      if (const auto v = metric(k); v && v->second > 0)
        batch.emplace_back(v->first / v->second, v->second);
    if (batch.size() < 2) return std::nullopt;
    double sa = 0, sb = 0;
    for (const auto& [r, b] : batch) {
      sa += r * b;
      sb += b;
    }
    const double ratio = sa / sb, n = static_cast<double>(batch.size());
    double ss = 0;
    for (const auto& [r, b] : batch) ss += b * b * (r - ratio) * (r - ratio);
    return n / (n - 1) * ss / (sb * sb);
  }
  // The tolerance of a whole-run KPI: three standard errors of the batch means, at least `floor`.
  template <typename Metric>
  double tolerance(const std::string& queue, Metric metric, double floor) const {
    const auto variance = batch_variance(queue, metric);
    return variance ? std::max(floor, 3 * std::sqrt(*variance)) : 2 * floor;
  }
  // How much more a per-interval KPI varies than if its tasks were independent (waits in a queue
  // are not: a busy spell lengthens many): from the differences of adjacent intervals, each
  // (x_k - x_{k-1})^2 / (v_k + v_{k-1}) with v the variance of independent tasks (p(1-p)/n for a
  // fraction, s^2/n for a mean) is the design effect times a chi-square with 1 degree of freedom,
  // whose median is 0.4549; the median keeps a change of load (a shift starting) from counting.
  // At least 1; 1 with fewer than 5 pairs.
  template <typename Metric>
  double design_effect(const std::string& queue, Metric metric) const {
    std::vector<double> ratios;
    std::optional<std::pair<double, double>> before;
    std::int64_t before_index = -2;
    for (const auto& [key, k] : intervals_of(queue)) {
      const auto now = k.stopped() >= kMinIntervalTasks ? metric(k) : std::nullopt;
      if (now && before && key.second == before_index + 1 && now->second + before->second > 0)
        ratios.push_back((now->first - before->first) * (now->first - before->first) /
                         (now->second + before->second));
      before = now;
      before_index = key.second;
    }
    if (ratios.size() < 5) return 1.0;
    const auto mid = ratios.begin() + static_cast<std::ptrdiff_t>(ratios.size() / 2);
    std::nth_element(ratios.begin(), mid, ratios.end());
    return std::max(1.0, *mid / 0.4549);
  }

  // The queue's intervals, in time order (interval_kpi is ordered by queue, then interval): one
  // queue's look-up costs its own intervals, not every queue's.
  struct KpiRange {
    KpiMap::const_iterator first, last;
    [[nodiscard]] KpiMap::const_iterator begin() const { return first; }
    [[nodiscard]] KpiMap::const_iterator end() const { return last; }
  };
  [[nodiscard]] KpiRange intervals_of(const std::string& queue) const {
    constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
    constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
    return {interval_kpi.lower_bound({queue, kMin}), interval_kpi.upper_bound({queue, kMax})};
  }

  // A fraction x of n tasks with its variance as if they were independent; a proportion of 0 or 1
  // has no spread of its own, so (x n + 0.5) / (n + 1) keeps it off the edges.
  static std::pair<double, double> fraction_and_variance(double x, double n) {
    const double p = (x * n + 0.5) / (n + 1);
    return {x, p * (1 - p) / n};
  }
  // The accepted tasks' mean wait and the variance of that mean (s^2 / m); none under 2 tasks.
  static std::optional<std::pair<double, double>> mean_wait_and_variance(const Kpi& k) {
    if (k.accepted < 2) return std::nullopt;
    const double m = static_cast<double>(k.accepted), mean = k.wait_sum_s / m;
    const double var = std::max(0.0, (k.wait_square_sum_s - m * mean * mean) / (m - 1));
    return std::pair{mean, var / m};
  }

  struct IntervalLine {
    std::string scope, metric;
    std::int64_t at_s = 0;
    double value = 0, se = 0, floor = 0;
    bool fraction = true;
  };

  static double fraction_of(const Kpi& k, std::size_t threshold) {  // SIZE_MAX: abandon rate
    const double n = static_cast<double>(k.stopped());
    return static_cast<double>(threshold == SIZE_MAX ? k.abandoned : k.below[threshold]) / n;
  }

  // The per-interval KPIs with their standard errors: those of independent tasks (a binomial
  // proportion; the waits' sample variance over their number) times the design effect, for the
  // observed value and for the mean of the mirror's replications.
  std::vector<IntervalLine> interval_lines() const {
    std::vector<IntervalLine> out;
    const std::int64_t length_s = options.interval / kMicrosPerSecond;
    const double mirror = 1 + 1.0 / static_cast<double>(std::max(1, options.replications));
    const std::size_t thresholds = options.service_level_thresholds.size();
    // The fractions of a record: each threshold's service level, then (SIZE_MAX) the abandon rate.
    std::vector<std::size_t> fractions;
    for (std::size_t t = 0; t < thresholds; ++t) fractions.push_back(t);
    fractions.push_back(SIZE_MAX);
    for (const auto& [queue, whole] : queue_kpi) {
      if (whole.stopped() == 0) continue;
      const std::string scope = queue.empty() ? "workspace" : "task_queues." + queue;
      std::vector<double> effect;  // per fraction
      for (const std::size_t t : fractions)
        effect.push_back(
            design_effect(queue, [&](const Kpi& b) -> std::optional<std::pair<double, double>> {
              const double n = static_cast<double>(b.stopped());
              return fraction_and_variance(fraction_of(b, t), n);
            }));
      const double asa_effect = design_effect(queue, mean_wait_and_variance);
      const auto line = [&](std::string metric, std::int64_t at_s, double value, double variance,
                            double floor, bool fraction) {
        out.push_back(
            {scope, std::move(metric), at_s, value, std::sqrt(variance * mirror), floor, fraction});
      };
      for (const auto& entry : intervals_of(queue)) {
        // Not a structured binding: the lambda below captures k, which C++20 allows but clang
        // (clang-tidy's parser) before 16 rejects.
        const Kpi& k = entry.second;
        if (k.stopped() < kMinIntervalTasks) continue;
        const std::int64_t at_s = entry.first.second * length_s;
        if (at_s * 1000 >= horizon) continue;  // drained after the last arrival: not a cell
        const double n = static_cast<double>(k.stopped());
        const auto fraction_line = [&](std::size_t i, std::string metric) {
          const auto [x, variance] = fraction_and_variance(fraction_of(k, fractions[i]), n);
          line(std::move(metric), at_s, x, effect[i] * variance, 0.03, true);
        };
        for (std::size_t t = 0; t < thresholds; ++t)
          fraction_line(t, fmt::format("service_level.{}", options.service_level_thresholds[t]));
        // The speed of answer, then the abandon rate, as in the whole-run lines.
        if (const auto asa = mean_wait_and_variance(k))
          line("avg_task_acceptance_time", at_s, asa->first, asa_effect * asa->second,
               std::max(2.0, 0.15 * asa->first), false);
        fraction_line(thresholds, "abandon_rate");
      }
    }
    return out;
  }

  std::string expect_yaml() const {
    std::string out;
    for (const auto& [queue, k] : queue_kpi) {
      if (k.stopped() == 0) continue;
      const std::string scope = queue.empty() ? "workspace" : "task_queues." + queue;
      const double stopped = static_cast<double>(k.stopped());
      const auto add = [&](const std::string& metric, double value, double tol, bool fraction) {
        const double lo = fraction ? std::max(0.0, value - tol) : std::max(0.0, value - tol);
        const double hi = fraction ? std::min(1.0, value + tol) : value + tol;
        out += fmt::format("  - {{metric: {}, min: {:.4f}, max: {:.4f}}}  # observed {:.4f}\n",
                           json_quoted(scope + "." + metric), lo, hi, value);
      };
      for (std::size_t i = 0; i < options.service_level_thresholds.size(); ++i) {
        const double value = static_cast<double>(k.below[i]) / stopped;
        const double tol = tolerance(
            queue,
            [&](const Kpi& b) -> std::optional<std::pair<double, double>> {
              return std::pair{static_cast<double>(b.below[i]), static_cast<double>(b.stopped())};
            },
            0.03);
        add(fmt::format("service_level.{}", options.service_level_thresholds[i]), value, tol, true);
      }
      if (k.accepted > 0) {
        const double asa = k.wait_sum_s / static_cast<double>(k.accepted);
        const double tol = tolerance(
            queue,
            [](const Kpi& b) -> std::optional<std::pair<double, double>> {
              return std::pair{b.wait_sum_s, static_cast<double>(b.accepted)};
            },
            std::max(2.0, 0.15 * asa));
        add("avg_task_acceptance_time", asa, tol, false);
      }
      const double abandon = static_cast<double>(k.abandoned) / stopped;
      const double tol = tolerance(
          queue,
          [](const Kpi& b) -> std::optional<std::pair<double, double>> {
            return std::pair{static_cast<double>(b.abandoned), static_cast<double>(b.stopped())};
          },
          0.03);
      add("abandon_rate", abandon, tol, true);
    }
    const std::vector<IntervalLine> lines = interval_lines();
    if (lines.empty()) return out;
    // Bonferroni: z standard errors each, so that a right model fails none of the m lines with
    // probability 1 - kIntervalFamilyError.
    const double z =
        normal_upper_quantile(kIntervalFamilyError / 2 / static_cast<double>(lines.size()));
    out += fmt::format(
        "  # Per interval (start from `start`, s): tasks that stopped waiting in it, at least {};\n"
        "  # {:.2f} standard errors (of independent tasks times the design effect of adjacent "
        "intervals, observed and mirrored),\n  # so that a right mirror fails none of these {} "
        "lines with "
        "probability {:g}.\n",
        kMinIntervalTasks, z, lines.size(), 1 - kIntervalFamilyError);
    for (const IntervalLine& l : lines) {
      const double tol = std::max(l.floor, z * l.se);
      const double lo = std::max(0.0, l.value - tol);
      const double hi = l.fraction ? std::min(1.0, l.value + tol) : l.value + tol;
      out += fmt::format(
          "  - {{metric: {}, interval: {}, min: {:.4f}, max: {:.4f}}}  # observed {:.4f}\n",
          json_quoted(l.scope + "." + l.metric), l.at_s, lo, hi, l.value);
    }
    return out;
  }

  std::string rates_yaml(const Stream& s) const {
    const std::int64_t length = options.rates_interval / 1000;
    const std::int64_t span = horizon;
    std::vector<double> per_hour;
    if (span <= kMsPerDay || kMsPerDay % length != 0) {
      const std::int64_t n = (span + length - 1) / length;
      for (std::int64_t i = 0; i < n; ++i) {
        const auto it = s.arrivals.find(i);
        per_hour.push_back((it == s.arrivals.end() ? 0.0 : static_cast<double>(it->second)) *
                           3'600'000.0 / static_cast<double>(length));
      }
    } else {  // a day of intervals, each the mean over the days of the history
      const std::int64_t n = kMsPerDay / length;
      const double days = std::ceil(static_cast<double>(span) / kMsPerDay);
      per_hour.assign(static_cast<std::size_t>(n), 0.0);
      for (const auto& [i, count] : s.arrivals)
        per_hour[static_cast<std::size_t>(i % n)] +=
            static_cast<double>(count) * 3'600'000.0 / static_cast<double>(length) / days;
    }
    std::string list;
    for (double r : per_hour) list += fmt::format("{}{:.6g}", list.empty() ? "" : ", ", r);
    return fmt::format("{{interval: {}, per_hour: [{}]}}", seconds(static_cast<double>(length)),
                       list);
  }

  std::vector<std::string> trace_names;  // per stream, unique (finish())
  const std::string& trace_name(std::size_t i) const { return trace_names[i]; }

  std::string sections() const {
    std::string out;
    out += fmt::format("start: {}\nhorizon: {}\nreplications: {}\n",
                       json_quoted(detail::format_iso8601_utc(start / 1000)),
                       seconds(static_cast<double>(horizon)), options.replications);
    std::string thresholds;
    for (double s : options.service_level_thresholds)
      thresholds += fmt::format("{}{}", thresholds.empty() ? "" : ", ", s);
    out += fmt::format("statistics: {{service_level_thresholds: [{}], interval: {}}}\n", thresholds,
                       seconds(static_cast<double>(options.interval / 1000)));
    bool any_behavior = false;
    for (const auto& [name, g] : groups) {
      if (g.accepted + g.rejected + g.timed_out + g.canceled == 0) continue;
      if (!any_behavior) out += "behaviors:\n";
      any_behavior = true;
      out += fmt::format("  {}: {}\n", json_quoted(name), behavior_yaml(g));
    }
    if (!streams.empty()) out += "arrivals:\n";
    for (std::size_t i = 0; i < streams.size(); ++i) {
      const Stream& s = streams[i];
      std::string fields =
          fmt::format("workflow: {}, channel: {}", json_quoted(s.workflow), json_quoted(s.channel));
      if (options.rates_interval > 0)
        fields += ", rates: " + rates_yaml(s);
      else
        fields += ", trace: " + json_quoted(trace_name(i));
      fields += ", handle_time: " +
                (s.handle_fit && s.handle_fit->n > 0 ? s.handle_fit->chosen.yaml() : "0");
      if (s.patience_fit && s.patience_fit->chosen.ok)
        fields += ", patience: " + s.patience_fit->chosen.yaml();
      out += fmt::format("  {}: {{{}}}\n", json_quoted(s.name), fields);
    }
    const std::string expect = expect_yaml();
    if (!expect.empty())
      out +=
          "# The KPIs observed in the history, with 3 standard errors (batch means over the "
          "intervals) as tolerance:\n# `trsim check` tells whether the mirrored model reproduces "
          "them.\nexpect:\n" +
          expect;
    return out;
  }

  static std::string candidates(const std::vector<fit::Fitted>& c) {
    std::string out;
    for (const fit::Fitted& f : c)
      out += fmt::format("{}{} AIC {:.1f} KS {:.4f}", out.empty() ? "" : "; ",
                         fit::family_name(f.family), f.aic, f.ks);
    return out;
  }

  static std::string fit_line(const std::string& what, const fit::FitReport& r,
                              const Reservoir& data) {
    if (r.n == 0) return fmt::format("{}: no data\n", what);
    std::string out = fmt::format("{}: n={}{}, sample mean {:.4g}s -> {}", what, data.seen,
                                  sample_note(data), data.mean(), r.chosen.describe());
    if (r.chosen.family != fit::Family::constant) out += fmt::format(", KS {:.4f}", r.chosen.ks);
    if (!r.candidates.empty()) out += " [" + candidates(r.candidates) + "]";
    if (!r.note.empty()) out += " (" + r.note + ")";
    return out + "\n";
  }

  std::string summary() const {
    std::string out = fmt::format(
        "# Fit summary of `trsim import` (docs/import.md#the-fit-summary)\n"
        "events read: {} from {} to {} ({} of other types ignored{})\n"
        "mirror: start {}, horizon {}s\n",
        events, detail::format_iso8601_utc((first < 0 ? 0 : first) / 1000),
        detail::format_iso8601_utc((last < 0 ? 0 : last) / 1000), ignored,
        other_replications > 0
            ? fmt::format(", {} of replications other than 0 skipped", other_replications)
            : std::string(),
        detail::format_iso8601_utc(start / 1000), seconds(static_cast<double>(horizon)));
    out += "\n## Arrivals, handle time, patience (per workflow and channel)\n";
    for (std::size_t i = 0; i < streams.size(); ++i) {
      const Stream& s = streams[i];
      std::uint64_t created = 0;
      for (const auto& [k, n] : s.arrivals) created += n;
      out += fmt::format("stream {}: {} tasks -> {}\n", json_quoted(s.name), created,
                         options.rates_interval > 0 ? "a rates forecast" : trace_name(i));
      out += fit_line("  handle_time (reservation accepted -> wrapup)", *s.handle_fit, s.handle);
      const fit::CensoredReport& p = *s.patience_fit;
      const double censored = s.patience.seen == 0
                                  ? 0
                                  : 1 - static_cast<double>(s.patience.event_count) /
                                            static_cast<double>(s.patience.seen);
      out += fmt::format(
          "  patience: {} waits, {} abandoned, {} censored ({:.1f}%: answered first, canceled by "
          "TaskRouter, or still waiting at the end){}\n",
          s.patience.seen, s.patience.event_count, s.patience.seen - s.patience.event_count,
          100 * censored, sample_note(s.patience));
      if (p.chosen.ok) {
        out += fmt::format(
            "    censored MLE -> {} (mean {:.4g}s), KS vs Kaplan-Meier {:.4f} [{}]\n"
            "    Kaplan-Meier restricted mean {:.4g}s{}; naive mean of the abandoned waits "
            "{:.4g}s (biased low, not used)\n",
            p.chosen.describe(), p.chosen.mean(), p.chosen.ks, candidates(p.candidates),
            p.km.restricted_mean, p.km.complete ? "" : " (a lower bound: the curve ends above 0)",
            p.naive_mean);
      } else {
        out += fmt::format("    not fitted ({}): no patience in the mirror\n",
                           p.note.empty() ? "no abandonment" : p.note);
      }
    }
    out += "\n## Worker behaviours (per worker group)\n";
    for (const auto& [name, g] : groups) {
      const std::uint64_t decided = g.accepted + g.rejected + g.timed_out;
      const auto raw = [&](std::uint64_t n) {
        return decided ? static_cast<double>(n) / static_cast<double>(decided) : 0.0;
      };
      out += fmt::format(
          "group {}: {} offers: {} accepted, {} rejected, {} no response, {} canceled or rescinded "
          "before an answer (censored)\n  shares (Aalen-Johansen, censoring by the cancels "
          "corrected): accept {:.4f}, reject {:.4f}, no response {:.4f} (uncorrected counts: "
          "{:.4f}, {:.4f}, {:.4f})\n",
          json_quoted(name), decided + g.canceled, g.accepted, g.rejected, g.timed_out, g.canceled,
          g.shares.share.empty() ? 0 : g.shares.share[0],
          g.shares.share.empty() ? 0 : g.shares.share[1],
          g.shares.share.empty() ? 0 : g.shares.share[2], raw(g.accepted), raw(g.rejected),
          raw(g.timed_out));
      out += fit_line("  accept response time", *g.accept_fit, g.accept_response);
      out += fit_line("  reject response time", *g.reject_fit, g.reject_response);
      if (g.canceled > 0)
        out += fmt::format(
            "    (response times censored by the {} offers canceled or rescinded before an answer: "
            "the answered ones weighted by 1/G(t), G the Kaplan-Meier survival of the cancels "
            "(IPCW), and fitted on that sample; weighted means: accept {:.4g}s, reject {:.4g}s, "
            "against the sample means above)\n",
            g.canceled, g.accept_weighted_mean, g.reject_weighted_mean);
      out += fit_line("  wrap-up time", *g.wrapup_fit, g.wrapup);
      out += fit_line("  time in the timeout activity", *g.timeout_return_fit, g.timeout_return);
      if (g.timeout_return_censored > 0)
        out += fmt::format(
            "    ({} stays ended by a move to an unavailable activity: taken as "
            "schedule changes, not returns, and left out)\n",
            g.timeout_return_censored);
      if (!g.reject_activity.empty())
        out += fit_line("  time in the reject activity", *g.reject_return_fit, g.reject_return);
    }
    if (unknown_workers > 0)
      out += fmt::format("{} events named workers not in the export\n", unknown_workers);
    out += "\n## Schedules (activity changes not caused by a reservation)\n";
    for (const auto& [sid, w] : workers)
      if (!w.schedule.empty())
        out += fmt::format("worker {}: starts in {}; {}{}\n", sid, json_quoted(w.first_activity),
                           schedule_yaml(w), daily(w) ? " (every day: schedule_period 24h)" : "");
    out += "\n## Observed KPIs per queue and interval\n";
    out += "queue,interval_start_s,stopped_waiting,accepted,abandoned,avg_task_acceptance_time";
    for (double s : options.service_level_thresholds) out += fmt::format(",service_level.{}", s);
    out += "\n";
    for (const auto& [key, k] : interval_kpi) {
      if (k.stopped() == 0) continue;
      out += fmt::format("{},{},{},{},{},", key.first.empty() ? "workspace" : key.first,
                         key.second * (options.interval / kMicrosPerSecond), k.stopped(),
                         k.accepted, k.abandoned);
      if (k.accepted > 0)
        out += fmt::format("{:.3f}", k.wait_sum_s / static_cast<double>(k.accepted));
      for (std::uint64_t b : k.below)
        out += fmt::format(",{:.4f}", static_cast<double>(b) / static_cast<double>(k.stopped()));
      out += "\n";
    }
    return out;
  }
};

Calibration::Calibration(CalibrationOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}
Calibration::~Calibration() = default;

bool Calibration::read(std::istream& in, const std::string& file, bool lines,
                       std::vector<Diagnostic>& diagnostics) {
  const std::size_t before = diagnostics.size();
  impl_->file = file;
  impl_->diags = &diagnostics;
  impl_->event_number = 0;
  const bool ok = lines ? impl_->read_lines(in) : impl_->read_page(in);
  return ok && diagnostics.size() == before;
}

void Calibration::finish() { impl_->finish(); }
std::uint64_t Calibration::events() const { return impl_->events; }

std::string Calibration::worker_key(const std::string& sid) const {
  const auto it = impl_->workers.find(sid);
  if (it == impl_->workers.end()) return "";
  return impl_->schedule_fields(it->second);
}

std::string Calibration::initial_activity(const std::string& sid) const {
  const auto it = impl_->workers.find(sid);
  return it == impl_->workers.end() ? "" : it->second.first_activity;
}

std::string Calibration::group_fields(const std::vector<std::string>& sids) const {
  if (sids.empty()) return "";
  std::string out;
  const auto g = impl_->options.worker_group.find(sids.front());
  if (g != impl_->options.worker_group.end()) {
    const auto b = impl_->groups.find(g->second);
    if (b != impl_->groups.end() &&
        b->second.accepted + b->second.rejected + b->second.timed_out + b->second.canceled > 0)
      out += ", behavior: " + json_quoted(g->second);
  }
  if (const auto w = impl_->workers.find(sids.front()); w != impl_->workers.end())
    out += impl_->schedule_fields(w->second);
  return out;
}

std::string Calibration::sections() const { return impl_->sections(); }

std::vector<std::string> Calibration::trace_files() const {
  std::vector<std::string> out;
  if (impl_->options.rates_interval > 0) return out;
  for (std::size_t i = 0; i < impl_->streams.size(); ++i) out.push_back(impl_->trace_name(i));
  return out;
}

bool Calibration::write_trace(std::size_t index, std::ostream& out) const {
  const Stream& s = impl_->streams[index];
  if (s.trace_lost) return false;
  std::FILE* f = s.trace;
  if (f == nullptr) {
    out << "time,channel,priority,handle_time,attributes\n";
    return true;
  }
  std::rewind(f);
  char buffer[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0)
    out.write(buffer, static_cast<std::streamsize>(n));
  return std::ferror(f) == 0;
}

std::string Calibration::summary() const { return impl_->summary(); }

std::string Calibration::headline() const {
  std::uint64_t tasks = 0;
  for (const Stream& s : impl_->streams)
    for (const auto& [k, n] : s.arrivals) tasks += n;
  return fmt::format("{} events: {} tasks in {} arrival streams, behaviours of {} worker groups",
                     impl_->events, tasks, impl_->streams.size(), impl_->groups.size());
}

bool looks_like_event_file(const std::string& path) {
  if (path.size() >= 6 && path.compare(path.size() - 6, 6, ".jsonl") == 0) return true;
  std::ifstream in(path, std::ios::binary);
  char buffer[4096];
  in.read(buffer, sizeof buffer);
  const std::string head(buffer, static_cast<std::size_t>(in.gcount()));
  std::size_t i = head.find_first_not_of(" \t\r\n");
  if (i == std::string::npos || head[i] != '{') return false;
  i = head.find_first_not_of(" \t\r\n", i + 1);
  if (i != std::string::npos && head.compare(i, 8, "\"events\"") == 0) return true;
  return head.find("\"event_type\"") != std::string::npos;
}

}  // namespace trsim
