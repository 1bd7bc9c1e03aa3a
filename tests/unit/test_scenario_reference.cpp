// The scenario reference (docs/scenario.md) against the loader: every key the loader accepts is
// documented, and every key documented is accepted. The loader's key lists are the single source
// (sim/load/keys.cpp, exposed as trsim::scenario_keys()), so adding a key to the loader without
// a line in the reference fails here.
//
// How the page is read: each `##`/`###` heading whose text (backticks removed) is one word is the
// path of the maps its section describes (`workers.<group>`, `expect[]`); "Top level" is the root.
// In that section, every `code span` in the first cell of a table row is a key, relative to the
// heading's path. Other headings end a key section.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "trsim/loader.hpp"

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The code spans of a line (`a`, `b.c` -> {"a", "b.c"}).
std::vector<std::string> code_spans(const std::string& text) {
  std::vector<std::string> spans;
  std::size_t open = text.find('`');
  while (open != std::string::npos) {
    const std::size_t close = text.find('`', open + 1);
    if (close == std::string::npos) break;
    spans.push_back(text.substr(open + 1, close - open - 1));
    open = text.find('`', close + 1);
  }
  return spans;
}

/// The keys a reference page documents, as full dotted paths in scenario_keys()'s notation.
std::set<std::string> documented_keys(const std::string& markdown) {
  std::set<std::string> keys;
  std::istringstream in(markdown);
  bool in_key_section = false;
  std::string prefix;
  bool in_code_block = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("```", 0) == 0) in_code_block = !in_code_block;
    if (in_code_block) continue;
    if (line.rfind("##", 0) == 0) {
      std::string title = line.substr(line.find_first_not_of('#'));
      title.erase(std::remove(title.begin(), title.end(), '`'), title.end());
      title.erase(0, title.find_first_not_of(' '));
      in_key_section = title == "Top level" || title.find(' ') == std::string::npos;
      prefix = title == "Top level" ? "" : title;
      continue;
    }
    if (!in_key_section || line.rfind('|', 0) != 0) continue;
    const std::size_t cell_end = line.find('|', 1);
    if (cell_end == std::string::npos) continue;
    for (const std::string& key : code_spans(line.substr(1, cell_end - 1)))
      keys.insert(prefix.empty() ? key : prefix + "." + key);
  }
  return keys;
}

std::string reference_page() {
  const std::string text =
      read_text(std::filesystem::path(TRSIM_SOURCE_DIR) / "docs" / "scenario.md");
  REQUIRE_FALSE(text.empty());
  return text;
}

}  // namespace

TEST_CASE("scenario_keys lists the loader's keys as dotted paths with placeholders", "[docs]") {
  const std::vector<std::string> keys = trsim::scenario_keys();
  const std::set<std::string> unique(keys.begin(), keys.end());
  CHECK(unique.size() == keys.size());
  for (const char* expected :
       {"horizon", "statistics.interval", "workspace.timeout_activity",
        "activities.<name>.available", "task_queues.<name>.max_reserved_workers",
        "workflows.<name>.task_reservation_timeout",
        "workflows.<name>.configuration.task_routing.filters[].targets[].skip_if",
        "workflows.<name>.configuration.task_routing.default_filter.queue",
        "behaviors.<name>.after_timeout.return_after", "workers.<group>.schedule[].at",
        "arrivals.<stream>.rates.per_hour", "expect[].ci", "<distribution>.weibull.shape"}) {
    INFO(expected);
    CHECK(unique.count(expected) == 1);
  }
}

TEST_CASE("the reference reader finds keys in tables under path headings only", "[docs]") {
  const std::string page =
      "# Title\n\n## Top level\n\n| key | default |\n| --- | --- |\n| `name` | file |\n"
      "| `a`, `b.c` | `not-a-key` |\n\n## workers.`<group>`\n\n| `count` | 1 |\n"
      "```\n| `in_code` |\n```\n\n## Some prose\n\n| `ignored` | |\n";
  CHECK(documented_keys(page) ==
        std::set<std::string>{"name", "a", "b.c", "workers.<group>.count"});
}

TEST_CASE("docs/scenario.md documents every key the loader accepts", "[docs]") {
  const std::set<std::string> documented = documented_keys(reference_page());
  for (const std::string& key : trsim::scenario_keys()) {
    INFO("the loader accepts '" << key << "' but docs/scenario.md has no table row for it");
    CHECK(documented.count(key) == 1);
  }
}

TEST_CASE("docs/scenario.md documents no key the loader rejects", "[docs]") {
  const std::vector<std::string> accepted = trsim::scenario_keys();
  for (const std::string& key : documented_keys(reference_page())) {
    INFO("docs/scenario.md documents '" << key << "', which the loader does not accept");
    CHECK(std::find(accepted.begin(), accepted.end(), key) != accepted.end());
  }
}
