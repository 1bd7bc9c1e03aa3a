#pragma once
// Text for a terminal: `--help` wrapped at word boundaries to the terminal's width, colour only
// on a terminal (and never with NO_COLOR), and counted nouns ("1 workflow", "2 workflows").
#include <boost/program_options.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace trsim::cli {

/// The width to wrap help at: the terminal's when stdout is one, else $COLUMNS when set (so that
/// `COLUMNS=60 trsim run --help | less` and tests can ask for a width), else 80; kept within
/// 40..240.
std::size_t help_width();

/// `text` wrapped at spaces to `width` columns: the first line indented by `first` spaces (its
/// indent may already be on the line: pass `first` = the current column), the others by `rest`.
/// A word longer than a line is kept whole (an identifier is never cut). Keeps existing '\n'.
std::string wrap_text(std::string_view text, std::size_t width, std::size_t first,
                      std::size_t rest);

/// A titled group of options for format_help().
using HelpSection = std::pair<std::string, const boost::program_options::options_description*>;

/// A verb's whole `--help`: "usage: ...", the intro paragraph (may be empty), each section's
/// options (name and parameter, then the description wrapped at word boundaries; under the name
/// when the width is narrow), and the examples (one command a line, long ones continued with
/// " \" so that they stay copyable). One blank line between parts, none doubled, one '\n' at the
/// end.
std::string format_help(const std::string& usage, const std::string& intro,
                        const std::vector<HelpSection>& sections, const std::string& examples,
                        std::size_t width);

/// Whether to colour what goes to stdout (`fd` 1) or stderr (2): only on a terminal, and never
/// when NO_COLOR is set to anything (https://no-color.org).
bool colour_on(int fd);

/// `text` in green / red / bold yellow for a terminal when `on`, else `text` unchanged.
std::string green(std::string_view text, bool on);
std::string red(std::string_view text, bool on);
std::string yellow(std::string_view text, bool on);

/// A result table with its verdicts coloured: a line's trailing " ok" green, its " FAILED" red
/// (`trsim check`, `tune`, `staff`). Unchanged when `on` is false.
std::string colour_verdicts(const std::string& table, bool on);

/// "1 workflow", "3 workflows", "0 workflows" ("1 lint warning").
std::string count_of(std::size_t n, std::string_view singular, std::string_view plural = "");

}  // namespace trsim::cli
