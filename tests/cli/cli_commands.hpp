#pragma once
// Reading the commands the documentation and `--help` show: split a command line as the shell
// would (quotes, a trailing `# comment`), list the verbs of `trsim --help` and the options of
// `trsim VERB --help`, and find the repository's files a command names.
#include <filesystem>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli_support.hpp"

namespace trsim::test::cli {

inline const fs::path& source_dir() {
  static const fs::path dir(TRSIM_SOURCE_DIR);
  return dir;
}

struct CommandLine {
  std::vector<std::string> words;  ///< "trsim", the verb, then its arguments, unquoted
  std::string comment;             ///< what follows an unquoted '#', trimmed
};

/// Splits like /bin/sh for the simple commands documentation shows: whitespace separates words,
/// '...' and "..." quote (no escapes inside), an unquoted '#' starting a word begins a comment.
inline CommandLine split_command_line(const std::string& line) {
  CommandLine cl;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote != 0) {
      if (c == quote)
        quote = 0;
      else
        word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) cl.words.push_back(word);
      word.clear();
      in_word = false;
    } else if (c == '#' && !in_word) {
      cl.comment = line.substr(i + 1);
      cl.comment.erase(0, cl.comment.find_first_not_of(' '));
      cl.comment.erase(cl.comment.find_last_not_of(" \r") + 1);
      return cl;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) cl.words.push_back(word);
  return cl;
}

/// The verbs `trsim --help` lists: the first word of each indented line under "verbs:".
inline std::vector<std::string> listed_verbs(const std::string& help) {
  std::vector<std::string> verbs;
  bool in_verbs = false;
  for (const std::string& line : lines_of(help)) {
    if (line == "verbs:") {
      in_verbs = true;
    } else if (in_verbs) {
      if (line.rfind("  ", 0) != 0) break;
      std::istringstream words(line);
      std::string verb;
      words >> verb;
      verbs.push_back(verb);
    }
  }
  return verbs;
}

/// The long options (`--json`) a help text mentions before its "examples:" section.
inline std::set<std::string> listed_options(const std::string& help) {
  std::set<std::string> options;
  const std::string text = help.substr(0, help.find("\nexamples:"));
  for (std::size_t at = text.find("--"); at != std::string::npos; at = text.find("--", at + 2)) {
    std::size_t end = at + 2;
    while (end < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '-'))
      ++end;
    if (end > at + 2) options.insert(text.substr(at, end - at));
  }
  return options;
}

/// The example commands under "examples:" in a verb's help, one per line, without indentation.
inline std::vector<std::string> help_examples(const std::string& help) {
  std::vector<std::string> examples;
  bool in_examples = false;
  for (const std::string& line : lines_of(help)) {
    if (line == "examples:") {
      in_examples = true;
    } else if (in_examples) {
      const std::size_t start = line.find_first_not_of(' ');
      if (start == std::string::npos) break;
      // A long command wrapped to the terminal goes on after " \" (the shell's continuation).
      const bool continued = !examples.empty() && examples.back().size() >= 2 &&
                             examples.back().compare(examples.back().size() - 2, 2, " \\") == 0;
      if (continued)
        examples.back().replace(examples.back().size() - 1, 1, line.substr(start));
      else
        examples.push_back(line.substr(start));
    }
  }
  return examples;
}

/// The options (`--name`, or the name of `--name=value`) a command uses.
inline std::vector<std::string> options_of(const CommandLine& cl) {
  std::vector<std::string> options;
  for (const std::string& w : cl.words)
    if (w.rfind("--", 0) == 0) options.push_back(w.substr(0, w.find('=')));
  return options;
}

/// True for a word that names a scenario file (`*.yaml`, `*.yml`): the input of every verb.
inline bool names_scenario(const std::string& word) {
  const fs::path p(word);
  return p.extension() == ".yaml" || p.extension() == ".yml";
}

}  // namespace trsim::test::cli
