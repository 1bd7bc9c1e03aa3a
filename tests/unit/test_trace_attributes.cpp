// A trace row's attributes are built in time linear in its cells (a row of 200,000 columns took
// minutes: each cell scanned the object built so far), with the semantics of Value::set_path and
// Value::merge_from applied column by column; merge_from indexes large objects the same way.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "load/context.hpp"
#include "load/trace.hpp"
#include "trsim/json.hpp"
#include "trsim/value.hpp"

using trsim::Value;

namespace {

// The reference: Value's own operations, one cell at a time, as the trace reader used them.
Value reference_row(const std::vector<std::string>& header, const std::vector<std::string>& cells) {
  Value v = Value::object();
  for (std::size_t c = 1; c < header.size(); ++c) {
    if (cells[c].empty()) continue;
    if (header[c] == "attributes") {
      v.merge_from(*trsim::parse_json(cells[c]));
    } else {
      v.set_path(header[c], Value::number(std::stod(cells[c])));
    }
  }
  return v;
}

std::string csv_cell(const std::string& text) {
  if (text.find_first_of(",\"") == std::string::npos) return text;
  std::string out = "\"";
  for (char ch : text) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

// A reference merge_from written out: scan per key, replace in place, merge nested objects.
void naive_merge(Value& into, const Value& overrides) {
  for (const auto& [key, v] : overrides.as_object()) {
    Value* existing = nullptr;
    for (auto& m : into.as_object())
      if (m.first == key) existing = &m.second;
    if (existing != nullptr && existing->is_object() && v.is_object())
      naive_merge(*existing, v);
    else if (existing != nullptr)
      *existing = v;
    else
      into.as_object().emplace_back(key, v);
  }
}

}  // namespace

TEST_CASE("a trace row's attributes are set column by column as set_path and merge_from set them",
          "[trace][attributes]") {
  // Paths that overlap (a, a.b, a.b.c), JSON objects merged in between, empty cells skipped.
  const std::vector<std::string> pool = {"a",   "b",     "a.b", "a.c",       "a.b.c",
                                         "b.x", "c.d.e", "c",   "attributes"};
  const std::vector<std::string> json_cells = {R"({"a": 7})", R"({"a": {"b": 8, "z": 9}})",
                                               R"({"c": {"d": {"f": 1}}, "b": [1, 2]})",
                                               R"({"n": {"m": {}}})"};
  std::mt19937 rng(18);
  for (int round = 0; round < 400; ++round) {
    std::vector<std::string> header = {"time"};
    std::vector<std::string> shuffled = pool;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    header.insert(header.end(), shuffled.begin(),
                  shuffled.begin() + static_cast<std::ptrdiff_t>(1 + rng() % pool.size()));
    std::string csv;
    for (std::size_t c = 0; c < header.size(); ++c) {
      if (c > 0) csv += ',';
      csv += header[c];
    }
    csv += "\n";
    std::vector<std::vector<std::string>> rows;
    for (int r = 0; r < 3; ++r) {
      std::vector<std::string> cells = {std::to_string(r)};
      for (std::size_t c = 1; c < header.size(); ++c) {
        if (rng() % 4 == 0)
          cells.emplace_back();
        else if (header[c] == "attributes")
          cells.push_back(json_cells[rng() % json_cells.size()]);
        else
          cells.push_back(std::to_string(rng() % 100));
      }
      for (std::size_t c = 0; c < cells.size(); ++c) {
        if (c > 0) csv += ',';
        csv += csv_cell(cells[c]);
      }
      csv += "\n";
      rows.push_back(std::move(cells));
    }
    trsim::detail::Diagnostics diags;
    const trsim::detail::NameIndex channels;
    const auto data =
        trsim::detail::read_trace(trsim::detail::Source{"t.csv", csv}, channels, 0, diags);
    INFO(csv);
    REQUIRE(data.has_value());
    REQUIRE(data->rows.size() == rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r)
      CHECK(trsim::to_json(data->rows[r].attributes) ==
            trsim::to_json(reference_row(header, rows[r])));
  }
}

TEST_CASE("merge_from with thousands of keys keeps the order and the nested merges of a scan",
          "[value]") {
  std::mt19937 rng(1818);
  for (int round = 0; round < 20; ++round) {
    Value base = Value::object();
    Value overrides = Value::object();
    const int n = 50 + static_cast<int>(rng() % 3000);
    for (int i = 0; i < n; ++i) {
      std::string key = "k";  // (appended: `"k" + to_string` trips GCC 12's false -Wrestrict)
      key += std::to_string(rng() % (2 * n));
      Value v = rng() % 3 == 0 ? Value::object({{"x", Value::number(i)}}) : Value::number(i);
      Value& target = rng() % 2 == 0 ? base : overrides;
      if (target.find(key) == nullptr) target.set(key, std::move(v));
    }
    Value expected = base;
    naive_merge(expected, overrides);
    base.merge_from(overrides);
    CHECK(trsim::to_json(base) == trsim::to_json(expected));
  }
}
