#pragma once
// Test support for the command-line tests: run the real `trsim` binary through the shell with its
// output redirected to files in a temporary folder, and a small strict JSON reader to check what it
// wrote (the tests do not link a JSON library).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/scenario_fixture.hpp"
#include "trsim/json.hpp"
#include "trsim/value.hpp"

namespace trsim::test::cli {

namespace fs = std::filesystem;

inline std::string scenario_path(const std::string& name) {
  return (fs::path(TRSIM_SCENARIO_DIR) / name).string();
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Single-quoted for /bin/sh.
inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'')
      q += "'\\''";
    else
      q += c;
  }
  return q + "'";
}

struct CliResult {
  std::string command;
  int exit_code = -1;  ///< the process's exit status; -1 when it did not exit normally
  std::string out;     ///< what it printed on stdout
  std::string err;     ///< what it printed on stderr
};

/// The shell command line `trsim ARGS...`, every word quoted.
inline std::string trsim_command(const std::vector<std::string>& args) {
  std::string command = shell_quote(TRSIM_BINARY);
  for (const std::string& a : args) {
    command += ' ';  // appended in two steps: `" " + s` trips GCC 12's false -Wrestrict
    command += shell_quote(a);
  }
  return command;
}

/// Runs a shell command line (with whatever redirections a test needs): its exit status, or
/// 128+N when it died of signal N.
inline int shell(const std::string& command) {
  const int status = std::system(command.c_str());
  if (status == -1) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// The path of `name` inside the scratch folder `dir`.
inline std::string path_in(const TempDir& dir, const std::string& name) {
  return (fs::path(dir.path()) / name).string();
}

/// Runs `trsim ARGS...` with stdin from /dev/null and stdout/stderr captured in files under
/// `scratch` (which must outlive the call only until it returns). `cwd`, when given, is the
/// folder the command runs in (so that relative paths are passed as the user would type them).
inline CliResult run_trsim(const std::vector<std::string>& args, const TempDir& scratch,
                           const std::string& cwd = "") {
  static int counter = 0;
  const int n = counter++;
  const std::string out_path =
      (fs::path(scratch.path()) / ("stdout-" + std::to_string(n))).string();
  const std::string err_path =
      (fs::path(scratch.path()) / ("stderr-" + std::to_string(n))).string();
  const std::string command = trsim_command(args);
  CliResult r;
  r.command = cwd.empty() ? command : "cd " + shell_quote(cwd) + " && " + command;
  const std::string full =
      r.command + " </dev/null >" + shell_quote(out_path) + " 2>" + shell_quote(err_path);
  const int status = std::system(full.c_str());
  r.exit_code = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  std::error_code ec;
  fs::remove(out_path, ec);
  fs::remove(err_path, ec);
  return r;
}

/// For INFO(): the command and what it printed.
inline std::string describe(const CliResult& r) {
  return "$ " + r.command + "\nexit " + std::to_string(r.exit_code) + "\n--- stdout:\n" +
         r.out.substr(0, 4000) + "\n--- stderr:\n" + r.err.substr(0, 4000);
}

inline bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// The names of the files in a folder, sorted.
inline std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// ---------------------------------------------------------------------------------------------
// JSON outputs read back with the library's strict reader (trsim::parse_json, RFC 8259: no
// trailing commas, no NaN or Infinity, no duplicate keys, nothing after the value), seen through a
// small tree whose numbers also keep their text, written the way trsim writes numbers
// (append_json_number reads back exactly), so that tests can compare it with a CSV cell.

struct Json {
  enum class Kind { null, boolean, number, string, array, object };
  Kind kind = Kind::null;
  bool boolean = false;
  double number = 0;
  std::string text;  ///< a string's value, or a number as trsim writes it (not its spelling)
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;  ///< in document order

  bool is_number() const { return kind == Kind::number; }
  bool is_object() const { return kind == Kind::object; }

  const Json* get(std::string_view key) const {
    for (const auto& [k, v] : members)
      if (k == key) return &v;
    return nullptr;
  }
  /// Follows a dotted path of object keys ("statistics.workspace.service_level.20").
  const Json* at_path(std::string_view path) const {
    const Json* node = this;
    while (node) {
      const std::size_t dot = path.find('.');
      node = node->get(path.substr(0, dot));
      if (dot == std::string_view::npos) break;
      path.remove_prefix(dot + 1);
    }
    return node;
  }
  std::vector<std::string> keys() const {
    std::vector<std::string> k;
    for (const auto& m : members) k.push_back(m.first);
    return k;
  }
};

inline Json to_test_json(const trsim::Value& v) {
  Json j;
  switch (v.kind()) {
    case trsim::Value::Kind::null:
      break;
    case trsim::Value::Kind::boolean:
      j.kind = Json::Kind::boolean;
      j.boolean = v.as_bool();
      break;
    case trsim::Value::Kind::number:
      j.kind = Json::Kind::number;
      j.number = v.as_number();
      j.text = trsim::to_json(v);
      break;
    case trsim::Value::Kind::string:
      j.kind = Json::Kind::string;
      j.text = v.as_string();
      break;
    case trsim::Value::Kind::array:
      j.kind = Json::Kind::array;
      for (const trsim::Value& item : v.as_array()) j.items.push_back(to_test_json(item));
      break;
    case trsim::Value::Kind::object:
      j.kind = Json::Kind::object;
      for (const auto& [key, member] : v.as_object())
        j.members.emplace_back(key, to_test_json(member));
      break;
  }
  return j;
}

/// Parses a whole JSON document with trsim::parse_json; throws std::runtime_error (with the line
/// and column) when it is not JSON.
inline Json parse_json(std::string_view text) {
  trsim::JsonError error;
  const std::optional<trsim::Value> v = trsim::parse_json(text, &error);
  if (!v) {
    throw std::runtime_error("JSON: " + error.message + " at " + std::to_string(error.line) + ":" +
                             std::to_string(error.column));
  }
  return to_test_json(*v);
}

}  // namespace trsim::test::cli
