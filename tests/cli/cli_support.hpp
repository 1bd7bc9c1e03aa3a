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
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/scenario_fixture.hpp"

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
  std::string command = shell_quote(TRSIM_BINARY);
  for (const std::string& a : args) {
    command += ' ';  // appended in two steps: `" " + s` trips GCC 12's false -Wrestrict
    command += shell_quote(a);
  }
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
// A strict JSON reader (RFC 8259): no trailing commas, no NaN or Infinity, no control characters
// in strings, no duplicate keys, nothing after the value. Numbers keep their literal text so
// that tests can check how they were written.

struct Json {
  enum class Kind { null, boolean, number, string, array, object };
  Kind kind = Kind::null;
  bool boolean = false;
  double number = 0;
  std::string text;  ///< a string's value, or a number's literal
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

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : s_(text) {}

  Json document() {
    Json v = value(0);
    skip_space();
    if (i_ != s_.size()) fail("unexpected text after the value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("JSON: " + what + " at offset " + std::to_string(i_));
  }
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool at(char c) const { return i_ < s_.size() && s_[i_] == c; }
  void expect(char c) {
    if (!at(c)) fail(std::string("expected '") + c + "'");
    ++i_;
  }
  void literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) fail("unexpected token");
    i_ += word.size();
  }
  bool digit() const { return i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9'; }

  Json value(int depth) {
    if (depth > 200) fail("nesting too deep");
    skip_space();
    if (i_ >= s_.size()) fail("unexpected end");
    Json v;
    switch (s_[i_]) {
      case '{':
        object(v, depth);
        break;
      case '[':
        array(v, depth);
        break;
      case '"':
        v.kind = Json::Kind::string;
        v.text = string();
        break;
      case 't':
        literal("true");
        v.kind = Json::Kind::boolean;
        v.boolean = true;
        break;
      case 'f':
        literal("false");
        v.kind = Json::Kind::boolean;
        break;
      case 'n':
        literal("null");
        break;
      default:
        number(v);
        break;
    }
    return v;
  }

  void object(Json& v, int depth) {
    v.kind = Json::Kind::object;
    expect('{');
    skip_space();
    if (at('}')) {
      ++i_;
      return;
    }
    for (;;) {
      skip_space();
      if (!at('"')) fail("expected a key");
      std::string key = string();
      if (v.get(key)) fail("duplicate key '" + key + "'");
      skip_space();
      expect(':');
      v.members.emplace_back(std::move(key), value(depth + 1));
      skip_space();
      if (at(',')) {
        ++i_;
        continue;
      }
      expect('}');
      return;
    }
  }

  void array(Json& v, int depth) {
    v.kind = Json::Kind::array;
    expect('[');
    skip_space();
    if (at(']')) {
      ++i_;
      return;
    }
    for (;;) {
      v.items.push_back(value(depth + 1));
      skip_space();
      if (at(',')) {
        ++i_;
        continue;
      }
      expect(']');
      return;
    }
  }

  std::string string() {
    expect('"');
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) fail("unterminated string");
      const char c = s_[i_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) fail("unterminated escape");
      const char e = s_[i_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u':
          for (int k = 0; k < 4; ++k, ++i_)
            if (i_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[i_])))
              fail("bad \\u escape");
          out += '?';  // the tests never look inside escaped code points
          break;
        default:
          fail("bad escape");
      }
    }
  }

  void number(Json& v) {
    const std::size_t start = i_;
    if (at('-')) ++i_;
    if (at('0')) {
      ++i_;
    } else if (digit()) {
      while (digit()) ++i_;
    } else {
      fail("unexpected character");
    }
    if (at('.')) {
      ++i_;
      if (!digit()) fail("digits expected after '.'");
      while (digit()) ++i_;
    }
    if (at('e') || at('E')) {
      ++i_;
      if (at('+') || at('-')) ++i_;
      if (!digit()) fail("digits expected in the exponent");
      while (digit()) ++i_;
    }
    v.kind = Json::Kind::number;
    v.text = std::string(s_.substr(start, i_ - start));
    v.number = std::strtod(v.text.c_str(), nullptr);
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

/// Parses a whole JSON document; throws std::runtime_error (with the offset) when it is not JSON.
inline Json parse_json(std::string_view text) { return JsonReader(text).document(); }

}  // namespace trsim::test::cli
