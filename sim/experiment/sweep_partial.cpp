// Shards of a sweep (§7): the partial result one shard writes, reading it back, and merging the
// parts into the results of the whole sweep, which then go through the same summary and writers
// as an unsharded run (so the bytes are the same).
#include <fmt/format.h>

#include <charconv>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "trsim/json.hpp"
#include "trsim/random.hpp"
#include "trsim/sweep.hpp"
#include "trsim/value.hpp"

namespace trsim {

namespace {

constexpr std::string_view kPartialKind = "trsim-sweep-partial";

// Plain statistics as compact JSON (numbers in shortest round-trip form, null for NaN).
void metric_json(std::string& out, const MetricNode& node) {
  if (!node.is_group) {
    append_json_number(out, node.value);
    return;
  }
  out += '{';
  for (std::size_t i = 0; i < node.children.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, node.children[i].key);
    out += ':';
    metric_json(out, node.children[i]);
  }
  out += '}';
}

// The reverse: objects are groups, numbers and nulls leaves. Consumes `v` (keys are moved).
std::optional<MetricNode> metric_tree(Value&& v, std::string key) {
  if (v.is_number()) return MetricNode::leaf(std::move(key), v.as_number());
  if (v.is_null()) return MetricNode::leaf(std::move(key), kNull);
  if (!v.is_object()) return std::nullopt;
  MetricNode node = MetricNode::group(std::move(key));
  node.children.reserve(v.as_object().size());
  for (auto& [k, child] : v.as_object()) {
    auto c = metric_tree(std::move(child), std::move(k));
    if (!c) return std::nullopt;
    node.children.push_back(std::move(*c));
  }
  return node;
}

// A unit as read, checked once the design it must fit is read (the units may come first):
// whether its statistics were an object of numbers (then they are the next row of the part's
// statistics) and its "point" and "replication" members as written.
struct ReadUnit {
  bool statistics = false;
  Value point_and_replication = Value::object();
};

// Reading a partial: each accessor reports what is wrong with the member it reads.
class PartialReader {
 public:
  PartialReader(const std::string& name, std::string* error) : name_(name), error_(error) {}

  bool fail(const std::string& message) {
    if (error_ != nullptr && ok_) *error_ = name_ + ": " + message;
    ok_ = false;
    return false;
  }
  bool ok() const { return ok_; }

  const Value* member(const Value& object, std::string_view key, const char* kind,
                      bool (Value::*is)() const) {
    const Value* v = object.find(key);
    if (v == nullptr || !((*v).*is)()) {
      fail(fmt::format("'{}' is missing or not {}", key, kind));
      return nullptr;
    }
    return v;
  }
  std::optional<std::string> string(const Value& object, std::string_view key) {
    const Value* v = member(object, key, "a string", &Value::is_string);
    if (v == nullptr) return std::nullopt;
    return v->as_string();
  }
  // A whole number below 2^53 (so a double holds it exactly).
  std::optional<std::uint64_t> count(const Value& object, std::string_view key) {
    const Value* v = member(object, key, "a whole number", &Value::is_number);
    if (v == nullptr) return std::nullopt;
    const double d = v->as_number();
    if (!(d >= 0 && d <= 9007199254740992.0 &&
          d == static_cast<double>(static_cast<std::uint64_t>(d)))) {
      fail(fmt::format("'{}' is not a whole number", key));
      return std::nullopt;
    }
    return static_cast<std::uint64_t>(d);
  }
  std::optional<std::vector<std::string>> strings(const Value& object, std::string_view key) {
    const Value* v = member(object, key, "a list", &Value::is_array);
    if (v == nullptr) return std::nullopt;
    std::vector<std::string> out;
    for (const Value& item : v->as_array()) {
      if (!item.is_string()) {
        fail(fmt::format("'{}' holds something other than strings", key));
        return std::nullopt;
      }
      out.push_back(item.as_string());
    }
    return out;
  }

 private:
  const std::string& name_;
  std::string* error_;
  bool ok_ = true;
};

std::string describe_unit(const SweepUnit& u) {
  return fmt::format("unit (point {}, replication {})", u.point, u.replication);
}

// What makes two designs the same sweep, or the first difference.
std::string design_difference(const SweepDesign& a, const SweepDesign& b) {
  if (a.scenario != b.scenario)
    return fmt::format("scenario '{}' versus '{}'", b.scenario, a.scenario);
  if (a.seed != b.seed) return fmt::format("seed {} versus {}", b.seed, a.seed);
  if (a.replications != b.replications)
    return fmt::format("{} replications versus {}", b.replications, a.replications);
  const auto grid_text = [](const SweepGrid& g) {
    std::string s;
    for (const SweepParameter& p : g.parameters) {
      s += p.path + "=";
      for (std::size_t i = 0; i < p.values.size(); ++i) s += (i > 0 ? "," : "") + p.values[i];
      s += ' ';
    }
    return s;
  };
  if (grid_text(a.grid) != grid_text(b.grid))
    return fmt::format("the grid '{}' versus '{}'", grid_text(b.grid), grid_text(a.grid));
  if (a.metrics != b.metrics) return "the metrics (--metric)";
  if (a.baseline != b.baseline)
    return fmt::format("baseline point {} versus {}", b.baseline, a.baseline);
  return "";
}

}  // namespace

std::string sweep_identity_hash(std::string_view scenario_text,
                                const std::vector<std::string>& overrides, const SweepGrid& grid) {
  // Each piece is hashed with the previous hash as its seed, and the piece counts are mixed in,
  // so that no two different inputs line up into the same sequence of bytes.
  std::uint64_t h = stable_hash(scenario_text);
  h = mix64(h ^ overrides.size());
  for (const std::string& o : overrides) h = stable_hash(o, h);
  h = mix64(h ^ grid.parameters.size());
  for (const SweepParameter& p : grid.parameters) {
    h = stable_hash(p.path, h);
    h = mix64(h ^ p.values.size());
    for (const std::string& v : p.values) h = stable_hash(v, h);
  }
  return fmt::format("{:016x}", h);
}

std::string sweep_partial_json(const SweepPartial& partial) {
  const SweepDesign& d = partial.design;
  std::string out = "{\n  \"kind\": ";
  append_json_string(out, kPartialKind);
  out += ",\n  \"scenario\": ";
  append_json_string(out, d.scenario);
  out += ",\n  \"scenario_hash\": ";
  append_json_string(out, partial.scenario_hash);
  out += ",\n  \"version\": ";
  append_json_string(out, partial.version);
  // The seed as text: it uses all 64 bits, beyond what a JSON reader's double holds.
  fmt::format_to(std::back_inserter(out), ",\n  \"seed\": \"{}\",\n  \"replications\": {},\n",
                 d.seed, d.replications);
  out += "  \"parameters\": [";
  for (std::size_t i = 0; i < d.grid.parameters.size(); ++i) {
    const SweepParameter& p = d.grid.parameters[i];
    out += i > 0 ? ", {\"path\": " : "{\"path\": ";
    append_json_string(out, p.path);
    out += ", \"values\": [";
    for (std::size_t k = 0; k < p.values.size(); ++k) {
      if (k > 0) out += ", ";
      append_json_string(out, p.values[k]);
    }
    out += "]}";
  }
  out += "],\n  \"metrics\": [";
  for (std::size_t i = 0; i < d.metrics.size(); ++i) {
    if (i > 0) out += ", ";
    append_json_string(out, d.metrics[i]);
  }
  fmt::format_to(std::back_inserter(out),
                 "],\n  \"baseline\": {},\n  \"shard\": {},\n  \"shards\": {},\n  \"units\": [",
                 d.baseline, partial.shard, partial.shards);
  // One unit a line: the file stays greppable and diffable.
  for (std::size_t i = 0; i < partial.units.size(); ++i) {
    fmt::format_to(std::back_inserter(out),
                   "{}\n    {{\"point\": {}, \"replication\": {}, \"statistics\": ",
                   i > 0 ? "," : "", partial.units[i].point, partial.units[i].replication);
    metric_json(out, partial.statistics.tree(i));
    out += '}';
  }
  out += partial.units.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

std::optional<SweepPartial> parse_sweep_partial(std::string_view text, const std::string& name,
                                                std::string* error) {
  // The units, most of a part, are turned into rows of numbers as they are read: the document is
  // never held whole as values (a 19.7 MB part peaked at 232 MB), nor as statistics trees (72
  // bytes a number: 124 MB); as rows it peaks at 35 MB.
  std::vector<ReadUnit> read_units;
  MetricRows rows;
  const std::function<void(Value &&)> on_unit = [&](Value&& u) {
    ReadUnit unit;
    if (u.is_object()) {
      Value* stats = u.find("statistics");
      if (stats != nullptr && stats->is_object()) {
        if (const std::optional<MetricNode> tree = metric_tree(std::move(*stats), "")) {
          rows.push_back(*tree);
          unit.statistics = true;
        }
      }
      Value numbers = Value::object();
      for (const char* key : {"point", "replication"})
        if (const Value* v = u.find(key)) numbers.set(key, *v);
      unit.point_and_replication = std::move(numbers);
    }
    read_units.push_back(std::move(unit));
  };
  JsonError json_error;
  const std::optional<Value> root = parse_json_streaming(text, "units", on_unit, &json_error);
  if (!root) {
    if (error != nullptr)
      *error =
          fmt::format("{}:{}:{}: {}", name, json_error.line, json_error.column, json_error.message);
    return std::nullopt;
  }
  PartialReader r(name, error);
  if (!root->is_object()) {
    r.fail("not a partial sweep result (expected a JSON object)");
    return std::nullopt;
  }
  const Value* kind = root->find("kind");
  if (kind == nullptr || !kind->is_string() || kind->as_string() != kPartialKind) {
    r.fail(
        "not a partial sweep result (no \"kind\": \"trsim-sweep-partial\"; write parts with "
        "trsim sweep --shard K/N --json FILE)");
    return std::nullopt;
  }
  SweepPartial p;
  SweepDesign& d = p.design;
  if (auto s = r.string(*root, "scenario")) d.scenario = *s;
  if (auto s = r.string(*root, "scenario_hash")) p.scenario_hash = *s;
  if (auto s = r.string(*root, "version")) p.version = *s;
  if (auto s = r.string(*root, "seed")) {
    std::uint64_t seed = 0;
    const auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), seed);
    if (s->empty() || ec != std::errc() || ptr != s->data() + s->size())
      r.fail("'seed' is not a whole number");
    d.seed = seed;
  }
  if (auto n = r.count(*root, "replications")) d.replications = static_cast<std::uint32_t>(*n);
  if (const Value* params = r.member(*root, "parameters", "a list", &Value::is_array)) {
    for (const Value& item : params->as_array()) {
      if (!item.is_object()) {
        r.fail("'parameters' holds something other than {\"path\", \"values\"} objects");
        break;
      }
      SweepParameter sp;
      if (auto s = r.string(item, "path")) sp.path = *s;
      if (auto v = r.strings(item, "values")) sp.values = *v;
      if (sp.values.empty()) r.fail(fmt::format("parameter '{}' has no values", sp.path));
      d.grid.parameters.push_back(std::move(sp));
    }
  }
  if (auto m = r.strings(*root, "metrics")) d.metrics = *m;
  if (auto b = r.count(*root, "baseline")) d.baseline = *b;
  if (auto k = r.count(*root, "shard")) p.shard = *k;
  if (auto n = r.count(*root, "shards")) p.shards = *n;
  if (!r.ok()) return std::nullopt;
  // Bounds as trsim sweep keeps them (a million points, the loader's 100000 replications), so
  // that a damaged file cannot ask the merge for an absurd amount of memory.
  std::size_t points = 1;
  for (const SweepParameter& sp : d.grid.parameters) {
    points = sp.values.size() > 1'000'000 / points ? 1'000'001 : points * sp.values.size();
    if (points > 1'000'000) break;
  }
  if (points > 1'000'000 || d.replications > 100'000) {
    r.fail("the grid or the replication count is beyond what trsim sweep writes");
    return std::nullopt;
  }
  if (d.replications == 0 || p.shards == 0 || p.shard >= p.shards || d.baseline >= d.grid.size()) {
    r.fail("'replications', 'shard', 'shards' or 'baseline' is out of range");
    return std::nullopt;
  }
  if (r.member(*root, "units", "a list", &Value::is_array) == nullptr) return std::nullopt;
  p.units.reserve(read_units.size());
  for (std::size_t i = 0; i < read_units.size(); ++i) {
    ReadUnit& u = read_units[i];
    if (!u.statistics) {
      r.fail(fmt::format("units[{}] is not {{\"point\", \"replication\", \"statistics\"}}", i));
      return std::nullopt;
    }
    const std::uint64_t point = r.count(u.point_and_replication, "point").value_or(0);
    const std::uint64_t rep = r.count(u.point_and_replication, "replication").value_or(0);
    if (!r.ok()) return std::nullopt;
    if (point >= d.grid.size() || rep >= d.replications) {
      r.fail(
          fmt::format("units[{}] names point {}, replication {}: outside the grid of {} points × "
                      "{} replications",
                      i, point, rep, d.grid.size(), d.replications));
      return std::nullopt;
    }
    p.units.push_back({point, static_cast<std::uint32_t>(rep)});
  }
  // Every unit has its row: the rows are the units' statistics, in order.
  p.statistics = std::move(rows);
  return p;
}

std::optional<SweepResults> merge_sweep_partials(std::vector<SweepPartial> parts,
                                                 const std::vector<std::string>& names,
                                                 std::string* error) {
  const auto fail = [&](std::string message) -> std::optional<SweepResults> {
    if (error != nullptr) *error = std::move(message);
    return std::nullopt;
  };
  if (parts.empty()) return fail("no parts to merge");
  const SweepPartial& first = parts.front();
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const SweepPartial& p = parts[i];
    if (p.version != first.version)
      return fail(fmt::format("{}: written by trsim {}, but {} by trsim {}", names[i], p.version,
                              names[0], first.version));
    if (p.scenario_hash != first.scenario_hash)
      return fail(
          fmt::format("{}: comes from another scenario or other overrides than {} "
                      "(scenario hash {} versus {})",
                      names[i], names[0], p.scenario_hash, first.scenario_hash));
    if (const std::string diff = design_difference(first.design, p.design); !diff.empty())
      return fail(
          fmt::format("{}: belongs to another sweep than {}: {}", names[i], names[0], diff));
  }
  const std::size_t points = first.design.grid.size();
  const std::uint32_t reps = first.design.replications;
  // Which part holds each unit (point-major) and where in it, to find repeats and gaps.
  std::vector<std::size_t> owner(points * reps, parts.size());
  std::vector<std::size_t> owner_row(points * reps, 0);
  SweepResults results;
  results.design = first.design;
  results.runs.assign(points, MetricRows{});
  for (std::size_t i = 0; i < parts.size(); ++i) {
    for (std::size_t k = 0; k < parts[i].units.size(); ++k) {
      const SweepUnit& u = parts[i].units[k];
      const std::size_t index = u.point * reps + u.replication;
      if (owner[index] != parts.size())
        return fail(
            fmt::format("{}: {} is also in {} (a part given twice, or shards of "
                        "different runs?)",
                        names[i], describe_unit(u), names[owner[index]]));
      owner[index] = i;
      owner_row[index] = k;
    }
  }
  for (std::size_t index = 0; index < owner.size(); ++index) {
    if (owner[index] != parts.size()) continue;
    const SweepUnit u{index / reps, static_cast<std::uint32_t>(index % reps)};
    std::size_t shard = 0;
    while (shard_range(owner.size(), shard, first.shards).end <= index) ++shard;
    return fail(fmt::format("no part holds {}: the part of shard {}/{} is missing",
                            describe_unit(u), shard, first.shards));
  }
  for (std::size_t index = 0; index < owner.size(); ++index)
    results.runs[index / reps].push_back(parts[owner[index]].statistics, owner_row[index]);
  return results;
}

}  // namespace trsim
