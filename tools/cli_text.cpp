#include "cli_text.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace po = boost::program_options;

namespace trsim::cli {

std::size_t help_width() {
  std::size_t width = 80;
  winsize ws{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    width = ws.ws_col;
  } else if (const char* columns = std::getenv("COLUMNS")) {
    char* end = nullptr;
    const long n = std::strtol(columns, &end, 10);
    if (end != columns && *end == '\0' && n > 0) width = static_cast<std::size_t>(n);
  }
  return std::clamp<std::size_t>(width, 40, 240);
}

namespace {

// Display columns of UTF-8 text (every code point one column: the help is Latin text).
std::size_t columns(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

std::string wrap_text(std::string_view text, std::size_t width, std::size_t first,
                      std::size_t rest) {
  std::string out;
  std::size_t column = first;
  bool line_start = true;
  const auto new_line = [&] {
    out += '\n';
    out.append(rest, ' ');
    column = rest;
    line_start = true;
  };
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '\n') {
      new_line();
      ++i;
      continue;
    }
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    const std::size_t end = std::min(text.find_first_of(" \n", i), text.size());
    const std::string_view word = text.substr(i, end - i);
    const std::size_t w = columns(word);
    if (!line_start && column + 1 + w > width) new_line();
    if (!line_start) {
      out += ' ';
      ++column;
    }
    out += word;
    column += w;
    line_start = false;
    i = end;
  }
  return out;
}

std::string format_help(const std::string& usage, const std::string& intro,
                        const std::vector<HelpSection>& sections, const std::string& examples,
                        std::size_t width) {
  std::string out = wrap_text(usage, width, 0, 6) + "\n";
  // Appended in steps: `"\n" + s` trips GCC 12's false -Wrestrict.
  if (!intro.empty()) {
    out += '\n';
    out += wrap_text(intro, width, 0, 0);
    out += '\n';
  }
  // The names' column: as wide as the longest name, at most a third of the line; narrower
  // screens put each description under its name.
  std::size_t name_width = 0;
  for (const auto& [caption, options] : sections)
    for (const auto& o : options->options())
      name_width =
          std::max(name_width, columns(o->format_name() + " " + o->format_parameter()) + 2);
  const bool stacked = width < 70;
  const std::size_t column = stacked ? 8 : std::min<std::size_t>(name_width + 2, width / 3);
  for (const auto& [caption, options] : sections) {
    if (options->options().empty()) continue;
    out += '\n';
    out += caption;
    out += ":\n";
    for (const auto& o : options->options()) {
      std::string name = "  " + o->format_name();
      const std::string parameter = o->format_parameter();
      if (!parameter.empty()) name += " " + parameter;
      out += name;
      std::size_t at = columns(name);
      if (stacked || at + 2 > column) {
        out += '\n';
        out.append(column, ' ');
      } else {
        out.append(column - at, ' ');
      }
      out += wrap_text(o->description(), width, column, column) + "\n";
    }
  }
  if (!examples.empty()) {
    out += "\nexamples:\n";
    std::istringstream lines(examples);
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) continue;
      // A command: continued with " \" at a space when too long, the rest indented by 6.
      const std::size_t indent = line.find_first_not_of(' ');
      std::string_view rest(line);
      rest.remove_prefix(std::min(indent, rest.size()));
      std::size_t col = indent;
      std::string current(indent, ' ');
      std::size_t i = 0;
      bool first_word = true;
      while (i < rest.size()) {
        std::size_t end = rest.find(' ', i);
        if (end == std::string_view::npos) end = rest.size();
        const std::string_view word = rest.substr(i, end - i);
        const std::size_t w = columns(word);
        if (!first_word && col + 1 + w + 2 > width) {
          out += current + " \\\n";
          current = std::string(indent + 4, ' ');
          col = indent + 4;
          first_word = true;
        }
        if (!first_word) {
          current += ' ';
          ++col;
        }
        current += word;
        col += w;
        first_word = false;
        i = end + 1;
      }
      out += current + "\n";
    }
  }
  return out;
}

bool colour_on(int fd) {
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour != nullptr && *no_colour != '\0') return false;
  return isatty(fd) != 0;
}

std::string green(std::string_view text, bool on) {
  return on ? "\x1b[32m" + std::string(text) + "\x1b[0m" : std::string(text);
}
std::string red(std::string_view text, bool on) {
  return on ? "\x1b[1;31m" + std::string(text) + "\x1b[0m" : std::string(text);
}
std::string yellow(std::string_view text, bool on) {
  return on ? "\x1b[1;33m" + std::string(text) + "\x1b[0m" : std::string(text);
}

std::string colour_verdicts(const std::string& table, bool on) {
  if (!on) return table;
  std::string out;
  std::istringstream lines(table);
  for (std::string line; std::getline(lines, line);) {
    if (const std::size_t at = line.find(" FAILED"); at != std::string::npos) {
      line.replace(at + 1, 6, red("FAILED", true));
    } else if (line.size() >= 3 && line.compare(line.size() - 3, 3, " ok") == 0) {
      line.replace(line.size() - 2, 2, green("ok", true));
    }
    out += line + "\n";
  }
  if (!table.empty() && table.back() != '\n') out.pop_back();
  return out;
}

std::string count_of(std::size_t n, std::string_view singular, std::string_view plural) {
  std::string out = std::to_string(n) + " ";
  if (n == 1) return out + std::string(singular);
  return out + (plural.empty() ? std::string(singular) + "s" : std::string(plural));
}

}  // namespace trsim::cli
