#include "cli_common.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <thread>
#include <utility>

#include "cli_text.hpp"

namespace po = boost::program_options;

namespace trsim::cli {
namespace {

po::options_description common_description(CommonOptions& o) {
  po::options_description d("common options");
  d.add_options()                   //
      ("help,h", "show this help")  //
      ("set", po::value(&o.overrides)->composing()->value_name("PATH=VALUE"),
       "override a scalar of the scenario by its dotted path (repeatable), e.g. "
       "workflows.main.task_reservation_timeout=45s")                                             //
      ("seed", po::value<std::string>()->value_name("N"), "run seed (overrides the scenario's)")  //
      ("replications", po::value<std::string>()->value_name("N"), "number of replications")       //
      ("threads", po::value<std::string>()->value_name("N"),
       "replications run in parallel on N threads, at most one per core (default and 0: every "
       "core; results identical for any N)")  //
      ("check-invariants", po::bool_switch(&o.check_invariants),
       "verify the engine's invariants after every event (slow)")  //
      ("max-workers", po::value<std::string>()->value_name("N"),
       "reject scenarios with more than N workers (default 1000000)")  //
      ("max-events", po::value<std::string>()->value_name("N"),
       "event budget of one replication: reject scenarios expected to create more than N tasks, "
       "stop a replication that processes more than N events (default 1000000000)")  //
      ("max-horizon", po::value<std::string>()->value_name("DURATION"),
       "reject horizons longer than DURATION (default 366d, at most 100 years)")  //
      ("max-memory", po::value<std::string>()->value_name("SIZE"),
       "reject scenarios whose tables would need more than SIZE of memory, estimated at load "
       "(bytes, or with K, M, G or T: binary units; default 4G)")  //
      ("confine", po::bool_switch(&o.limits.confine),
       "for scenarios you do not trust (CI on pull requests): read only files inside the "
       "scenario's folder (links resolved), and quote little of them in errors")  //
      ("quiet,q", po::bool_switch(&o.quiet), "print nothing but errors");
  return d;
}

// --max-workers, --max-events and --max-horizon into `limits`; an exit code when one is wrong.
std::optional<int> parse_limits(const std::string& verb, const po::variables_map& vm,
                                LoadLimits& limits) {
  constexpr std::uint64_t kWorkerCeiling = 1'000'000'000;  // worker ids are 32-bit
  if (vm.count("max-workers")) {
    const std::string& text = vm["max-workers"].as<std::string>();
    const auto n = parse_unsigned<std::uint64_t>(text);
    if (!n || *n == 0 || *n > kWorkerCeiling) {
      std::cerr << "trsim " << verb << ": --max-workers must be a whole number from 1 to "
                << kWorkerCeiling << " (got '" << text << "')\n";
      return kExitUsage;
    }
    limits.max_workers = *n;
  }
  if (vm.count("max-events")) {
    const std::string& text = vm["max-events"].as<std::string>();
    const auto n = parse_unsigned<std::uint64_t>(text);
    if (!n || *n == 0) {
      std::cerr << "trsim " << verb << ": --max-events must be a whole number of at least 1 (got '"
                << text << "')\n";
      return kExitUsage;
    }
    limits.max_events = *n;
  }
  if (vm.count("max-horizon")) {
    const std::string& text = vm["max-horizon"].as<std::string>();
    std::string why;
    const auto d = parse_duration_text(text, &why);
    if (!d || *d < kMicrosPerSecond) {
      std::cerr << "trsim " << verb << ": --max-horizon must be a duration from 1s to 100 years ("
                << (d ? "got '" + text + "'" : why) << ")\n";
      return kExitUsage;
    }
    limits.max_horizon = *d;
  }
  if (vm.count("max-memory")) {
    const std::string& text = vm["max-memory"].as<std::string>();
    const auto bytes = parse_size(text);
    if (!bytes || *bytes < kMinMemory) {
      std::cerr << "trsim " << verb
                << ": --max-memory must be a size of at least 1M, in bytes or with K, M, G or T "
                   "(got '"
                << text << "')\n";
      return kExitUsage;
    }
    limits.max_memory = *bytes;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> parse_size(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() &&
         ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.'))
    ++digits;
  if (digits == 0) return std::nullopt;
  double number = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + digits, number);
  if (ec != std::errc() || ptr != text.data() + digits) return std::nullopt;
  std::string unit = text.substr(digits);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  int shift = 0;
  if (unit == "" || unit == "B") {
    shift = 0;
  } else if (unit == "K" || unit == "KB" || unit == "KIB") {
    shift = 10;
  } else if (unit == "M" || unit == "MB" || unit == "MIB") {
    shift = 20;
  } else if (unit == "G" || unit == "GB" || unit == "GIB") {
    shift = 30;
  } else if (unit == "T" || unit == "TB" || unit == "TIB") {
    shift = 40;
  } else {
    return std::nullopt;
  }
  const double bytes = std::floor(number * std::ldexp(1.0, shift));
  if (!(bytes >= 0) || bytes >= 0x1p63) return std::nullopt;
  return static_cast<std::uint64_t>(bytes);
}

std::uint32_t useful_threads(std::uint32_t requested) {
  // More threads than cores only adds switching: the work is CPU-bound. (The runner also caps
  // them at the replications, and carries on with fewer when a thread cannot start.)
  const std::uint32_t cores = std::max(1U, std::thread::hardware_concurrency());
  return requested == 0 ? cores : std::min(requested, cores);
}

std::optional<std::string> read_input_file(const std::string& path, std::uint64_t max_bytes,
                                           std::string* why) {
  const std::string name = path == "-" ? "<stdin>" : path;
  const int fd =
      path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    *why = name + ": cannot read it (" + std::strerror(errno) + ")";
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode) || (path != "-" && !S_ISREG(st.st_mode))) {
    *why = name + (S_ISDIR(st.st_mode) ? ": it is a folder, not a file"
                                       : ": it is not a regular file (a FIFO, device or socket "
                                         "is not read; use - for standard input)");
    if (fd != STDIN_FILENO) ::close(fd);
    return std::nullopt;
  }
  if (fd != STDIN_FILENO) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  const auto too_large = [&] {
    *why = fmt::format(
        "{}: the input is larger than {} bytes (raise the limit with "
        "--max-input-size)",
        name, max_bytes);
  };
  std::string text;
  if (S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    too_large();
    if (fd != STDIN_FILENO) ::close(fd);
    return std::nullopt;
  }
  // A regular file's size is known: one allocation, not the doubling that holds twice the text.
  if (S_ISREG(st.st_mode)) text.reserve(static_cast<std::size_t>(st.st_size));
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *why = name + ": cannot read it (" + std::strerror(errno) + ")";
      if (fd != STDIN_FILENO) ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    if (text.size() + static_cast<std::size_t>(n) > max_bytes) {
      too_large();
      if (fd != STDIN_FILENO) ::close(fd);
      return std::nullopt;
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
  if (fd != STDIN_FILENO) ::close(fd);
  if (const auto problem = find_text_problem(text)) {
    *why = fmt::format("{}:{}:{}: {}", name, problem->line, problem->column, problem->message);
    return std::nullopt;
  }
  return text;
}

std::optional<int> parse_max_input_size(const std::string& verb, const std::string& text,
                                        std::uint64_t& bytes) {
  const auto n = parse_unsigned<std::uint64_t>(text);
  if (!n || *n == 0) {
    std::cerr << "trsim " << verb << ": --max-input-size must be a whole number of bytes, at least "
              << "1 (got '" << text << "')\n";
    return kExitUsage;
  }
  bytes = *n;
  return std::nullopt;
}

std::string wall_duration(double seconds) {
  const auto s = static_cast<long long>(std::max(0.0, std::round(seconds)));
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
}

bool parse_with_operands(int argc, char** argv, const std::string& verb,
                         const po::options_description& options,
                         const po::options_description& operands, const char* operand,
                         int max_operands, po::variables_map& vm) {
  po::options_description parsing;
  parsing.add(options).add(operands);
  po::positional_options_description positional;
  positional.add(operand, max_operands);
  try {
    po::store(po::command_line_parser(argc, argv).options(parsing).positional(positional).run(),
              vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "trsim " << verb << ": " << e.what() << "\n";
    return false;
  }
  return true;
}

std::optional<int> parse_command_line(int argc, char** argv, const VerbHelp& help,
                                      CommonOptions& common, po::options_description& specific,
                                      po::variables_map& vm) {
  const std::string& verb = help.name;
  po::options_description all;
  po::options_description common_options = common_description(common);
  all.add(specific).add(common_options);
  po::options_description hidden;
  hidden.add_options()("scenario", po::value(&common.scenario));
  if (help.many_scenarios)
    hidden.add_options()("more-scenarios", po::value(&common.more_scenarios)->composing());
  po::options_description parsing;
  parsing.add(all).add(hidden);
  po::positional_options_description positional;
  positional.add("scenario", 1);
  if (help.many_scenarios) positional.add("more-scenarios", -1);
  try {
    po::store(po::command_line_parser(argc, argv).options(parsing).positional(positional).run(),
              vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "trsim " << verb << ": " << e.what() << "\n";
    return kExitUsage;
  }
  if (vm.count("help")) {
    std::cout << format_help("usage: trsim " + verb + " " + help.synopsis, "",
                             {{verb + " options", &specific}, {"common options", &common_options}},
                             help.examples, help_width());
    return kExitOk;
  }
  if (common.scenario.empty() && !help.scenario_optional) {
    std::cerr << "trsim " << verb << ": missing the scenario file\n";
    return kExitUsage;
  }
  if (vm.count("seed")) {
    common.seed = parse_unsigned<std::uint64_t>(vm["seed"].as<std::string>());
    if (!common.seed) {
      std::cerr << "trsim " << verb
                << ": --seed must be a whole number from 0 to 18446744073709551615 (got '"
                << vm["seed"].as<std::string>() << "')\n";
      return kExitUsage;
    }
  }
  if (vm.count("replications")) {
    common.replications = parse_unsigned<std::uint32_t>(vm["replications"].as<std::string>());
    if (!common.replications || *common.replications == 0) {
      std::cerr << "trsim " << verb
                << ": --replications must be a whole number of at least 1 (got '"
                << vm["replications"].as<std::string>() << "')\n";
      return kExitUsage;
    }
  }
  if (vm.count("threads")) {
    const auto threads = parse_unsigned<std::uint32_t>(vm["threads"].as<std::string>());
    if (!threads) {
      std::cerr << "trsim " << verb << ": --threads must be a whole number (0 = every core; got '"
                << vm["threads"].as<std::string>() << "')\n";
      return kExitUsage;
    }
    common.threads = useful_threads(*threads);
  } else {
    common.threads = useful_threads(0);
  }
  if (auto code = parse_limits(verb, vm, common.limits)) return *code;
  common.limits.parallel_replications = common.threads;
  return std::nullopt;
}

std::vector<std::string> load_overrides(const CommonOptions& o) {
  std::vector<std::string> overrides = o.overrides;
  if (o.seed) overrides.push_back("seed=" + std::to_string(*o.seed));
  if (o.replications) overrides.push_back("replications=" + std::to_string(*o.replications));
  return overrides;
}

std::optional<Scenario> load(const CommonOptions& o, bool print_warnings,
                             const std::vector<std::string>& extra_overrides,
                             std::vector<std::string>* files, std::uint64_t* memory_bytes) {
  LoadOptions options;
  options.overrides = load_overrides(o);
  options.limits = o.limits;
  options.overrides.insert(options.overrides.end(), extra_overrides.begin(), extra_overrides.end());
  LoadResult result = load_scenario_file(o.scenario, options);
  if (files) *files = result.files;
  if (memory_bytes) *memory_bytes = result.memory_bytes;
  for (const Diagnostic& d : result.diagnostics) {
    if (d.severity == Diagnostic::Severity::error || print_warnings)
      std::cerr << d.format() << "\n";
  }
  if (!result.ok()) return std::nullopt;
  return std::move(result.scenario);
}

RunSummary simulate(const Scenario& scenario, const CommonOptions& o, std::ostream* events,
                    EventLogFormat events_format, bool events_separator) {
  RunSettings settings;
  settings.threads = o.threads;
  settings.events = events;
  settings.events_format = events_format;
  settings.events_separator = events_separator;
  settings.check_invariants = o.check_invariants;
  // Progress only on a terminal: redirected output (files, pipes, CI logs) never gets it.
  const bool progress = !o.quiet && isatty(STDERR_FILENO) && scenario.replications > 1;
  if (progress) {
    const auto started = std::chrono::steady_clock::now();
    const auto show = [started](std::uint32_t done, std::uint32_t total) {
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::string line = fmt::format("\r\033[Kreplications {}/{}, {} elapsed", done, total,
                                     wall_duration(elapsed));
      if (done > 0 && done < total)
        line += ", about " + wall_duration(elapsed / done * (total - done)) + " left";
      std::fputs(line.c_str(), stderr);
      if (done == total) std::fputs("\r\033[K", stderr);
      std::fflush(stderr);
    };
    show(0, scenario.replications);
    settings.on_progress = show;
  }
  return run_scenario(scenario, settings);
}

SearchProgress::SearchProgress(const CommonOptions& common, std::string verb)
    : run_options_(common), verb_(std::move(verb)), shown_(!common.quiet && isatty(STDERR_FILENO)) {
  run_options_.quiet = true;
}

SearchProgress::~SearchProgress() { clear(); }

void SearchProgress::show(const std::string& what) const {
  if (shown_) std::fprintf(stderr, "\r\033[K%s: %s", verb_.c_str(), what.c_str());
}

void SearchProgress::clear() {
  if (shown_) std::fputs("\r\033[K", stderr);
  shown_ = false;
}

}  // namespace trsim::cli
