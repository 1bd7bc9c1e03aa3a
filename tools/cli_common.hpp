#pragma once
// What every verb of the command line shares: exit codes, the common options and their parsing,
// loading the scenario with the overrides, and running it with progress on a terminal. Each verb
// lives in its own tools/verb_<name>.cpp and is listed once in main.cpp's verb table.
#include <boost/program_options.hpp>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "trsim/loader.hpp"
#include "trsim/runner.hpp"
#include "trsim/scenario.hpp"

namespace trsim::cli {

constexpr int kExitOk = 0;
constexpr int kExitExpectations = 1;
constexpr int kExitUsage = 2;
/// An exception no verb expected (a bug, or a failed --check-invariants): EX_SOFTWARE of
/// sysexits.h.
constexpr int kExitInternal = 70;

struct CommonOptions {
  std::string scenario;
  /// The scenario files after the first, for verbs that take several (VerbHelp::many_scenarios).
  std::vector<std::string> more_scenarios;
  std::vector<std::string> overrides;
  std::optional<std::uint64_t> seed;
  std::optional<std::uint32_t> replications;
  std::uint32_t threads = 1;  ///< --threads, already capped by useful_threads()
  bool quiet = false;
  bool check_invariants = false;
  LoadLimits limits;  ///< --max-workers, --max-events, --max-horizon, --max-memory, --confine
};

/// How a verb presents itself in `trsim VERB --help`.
struct VerbHelp {
  std::string name;                ///< e.g. "run"
  std::string synopsis;            ///< what follows `trsim NAME`, e.g. "SCENARIO.yaml [options]"
  std::string examples;            ///< lines shown under "examples:", each a full command
  bool many_scenarios = false;     ///< takes several scenario files (CommonOptions::more_scenarios)
  bool scenario_optional = false;  ///< may run without a scenario file (e.g. with --base-dir)
};

/// A whole number in decimal digits only. The numeric options are read as text and converted
/// here because Boost's lexical_cast turns "-1" into the largest unsigned value.
template <typename T>
std::optional<T> parse_unsigned(const std::string& text) {
  T value{};
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

/// A size: a number of bytes, or a number (a fraction allowed) with K, M, G or T, optionally
/// followed by B or iB, all binary units ("8G" = 8 GiB, "1.5T", "512MiB"); case does not matter.
std::optional<std::uint64_t> parse_size(const std::string& text);
/// The smallest --max-memory: below it no scenario would load.
constexpr std::uint64_t kMinMemory = std::uint64_t{1} << 20;

/// Parses the command line of a verb (argv[0] is the verb) into `common` and `vm`, the verb's own
/// options described by `specific`. Returns an exit code when the verb should stop now (help was
/// printed, or the command line is wrong).
std::optional<int> parse_command_line(int argc, char** argv, const VerbHelp& help,
                                      CommonOptions& common,
                                      boost::program_options::options_description& specific,
                                      boost::program_options::variables_map& vm);

/// Parses the command line of a verb that takes no common options (import, merge, report): its
/// `options`, and its operands, declared in `operands` under the name `operand` and taken from
/// the positional words (`max_operands` of them; -1 = any number). On a malformed command line
/// prints "trsim VERB: reason" and returns false.
bool parse_with_operands(int argc, char** argv, const std::string& verb,
                         const boost::program_options::options_description& options,
                         const boost::program_options::options_description& operands,
                         const char* operand, int max_operands,
                         boost::program_options::variables_map& vm);

/// The loader overrides the common options stand for: every --set, then --seed and
/// --replications.
std::vector<std::string> load_overrides(const CommonOptions& o);

/// Loads the scenario with the overrides (and `extra_overrides` after them); prints errors, and
/// warnings when asked. Empty on error. `files`, when given, receives every file it read (the
/// inputs no output may name); `memory_bytes` the memory the scenario asks for, estimated.
std::optional<Scenario> load(const CommonOptions& o, bool print_warnings,
                             const std::vector<std::string>& extra_overrides = {},
                             std::vector<std::string>* files = nullptr,
                             std::uint64_t* memory_bytes = nullptr);

/// The threads worth running for --threads N: every core for 0, else at most one per core.
std::uint32_t useful_threads(std::uint32_t requested);

/// The default of --max-input-size (report, merge): what they read is held in memory, merge's
/// shards as statistics trees about six times their size, report's summary as a document.
constexpr std::uint64_t kDefaultMaxInputBytes = std::uint64_t{64} << 20;  // 64 MiB

/// Reads an input of `report` or `merge`: a regular file, or standard input for "-", of at most
/// `max_bytes`, checked to be UTF-8 text. On failure returns nullopt and sets `why` to
/// "FILE: message" or "FILE:LINE:COL: message". FIFOs and devices are refused (a FIFO would
/// block, /dev/zero never end).
std::optional<std::string> read_input_file(const std::string& path, std::uint64_t max_bytes,
                                           std::string* why);

/// Parses --max-input-size (a whole number of bytes, at least 1); an exit code when it is wrong.
std::optional<int> parse_max_input_size(const std::string& verb, const std::string& text,
                                        std::uint64_t& bytes);

/// A wall-clock duration for progress lines: "42s", "3m05s", "1h20m".
std::string wall_duration(double seconds);

/// Runs the replications with the common options; shows progress on stderr when it is a terminal
/// (replications done, elapsed, estimated remaining), nothing when stderr is redirected.
RunSummary simulate(const Scenario& scenario, const CommonOptions& o, std::ostream* events,
                    EventLogFormat events_format = EventLogFormat::jsonl,
                    bool events_separator = false);

/// A search over scenario variants (tune, staff): one progress line on stderr for the whole search
/// ("tune: point 3, x=12"), shown only on a terminal and without --quiet, and cleared at the end;
/// the runs it makes are quiet (no progress of their own).
class SearchProgress {
 public:
  SearchProgress(const CommonOptions& common, std::string verb);
  ~SearchProgress();
  SearchProgress(const SearchProgress&) = delete;
  SearchProgress& operator=(const SearchProgress&) = delete;
  /// The options for each run of the search: the common ones, quiet.
  const CommonOptions& run_options() const { return run_options_; }
  void show(const std::string& what) const;
  /// Clears the line (before the search's own output); the destructor does it too.
  void clear();

 private:
  CommonOptions run_options_;
  std::string verb_;
  bool shown_ = false;
};

}  // namespace trsim::cli
