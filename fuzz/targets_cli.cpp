// The command line's fuzz targets (targets.hpp): output paths through OutputSet, and the JSON
// inputs of `trsim report` and `trsim merge`.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli_output.hpp"
#include "report/report_html.hpp"
#include "targets.hpp"
#include "trsim/json.hpp"
#include "trsim/loader.hpp"
#include "trsim/sweep.hpp"

namespace trsim::fuzz {
namespace {

void fuzz_check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz property broken: %s\n", what);
  std::abort();
}

// The bytes of the input, one at a time (0 when they run out).
class Bytes {
 public:
  explicit Bytes(std::string_view text) : text_(text) {}
  unsigned next() { return i_ < text_.size() ? static_cast<unsigned char>(text_[i_++]) : 0U; }
  bool done() const { return i_ >= text_.size(); }

 private:
  std::string_view text_;
  std::size_t i_ = 0;
};

// What a sandbox holds, entry by entry (relative path -> what it is), read back without following
// links: the state the properties compare before and after.
struct Entry {
  char kind = '?';      // f(ile), l(ink), d(irectory), o(ther)
  std::string content;  // a file's bytes, a link's target
  ino_t inode = 0;
  bool operator==(const Entry&) const = default;
};
using Tree = std::map<std::string, Entry>;

void read_tree(const std::string& root, const std::string& rel, Tree& out) {
  DIR* dir = ::opendir((root + "/" + rel).c_str());
  if (dir == nullptr) return;
  while (const dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string r = rel.empty() ? name : rel + "/" + name;
    const std::string full = root + "/" + r;
    struct stat st {};
    if (::lstat(full.c_str(), &st) != 0) continue;
    Entry entry;
    entry.inode = st.st_ino;
    if (S_ISLNK(st.st_mode)) {
      entry.kind = 'l';
      char target[4096];
      const ssize_t n = ::readlink(full.c_str(), target, sizeof target);
      if (n > 0) entry.content.assign(target, static_cast<std::size_t>(n));
    } else if (S_ISDIR(st.st_mode)) {
      entry.kind = 'd';
      entry.inode = 0;
      read_tree(root, r, out);
    } else if (S_ISREG(st.st_mode)) {
      entry.kind = 'f';
      std::FILE* f = std::fopen(full.c_str(), "rb");
      if (f != nullptr) {
        char buffer[256];
        std::size_t n = 0;
        while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) entry.content.append(buffer, n);
        std::fclose(f);
      }
    } else {
      entry.kind = 'o';
    }
    out[r] = std::move(entry);
  }
  ::closedir(dir);
}

void remove_tree(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    if (DIR* dir = ::opendir(path.c_str())) {
      std::vector<std::string> names;
      while (const dirent* e = ::readdir(dir)) {
        const std::string name = e->d_name;
        if (name != "." && name != "..") names.push_back(name);
      }
      ::closedir(dir);
      for (const std::string& n : names) remove_tree(path + "/" + n);
    }
    ::rmdir(path.c_str());
  } else {
    ::unlink(path.c_str());
  }
}

// The sandbox: a folder of its own, emptied before each input, in memory (/dev/shm) when the
// system has it: on a disk, creating and renaming files made an input take 20 ms, in memory 0.3.
const std::string& sandbox() {
  static const std::string path = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string folder = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
    if (::access("/dev/shm", W_OK) == 0) folder = "/dev/shm";
    std::string base = folder + "/trsim-fuzz-outputs-XXXXXX";
    if (::mkdtemp(base.data()) == nullptr) std::abort();
    return base;
  }();
  static const bool removed_at_exit = std::atexit([] { remove_tree(sandbox()); }) == 0;
  (void)removed_at_exit;
  return path;
}

constexpr const char* kNames[] = {"a", "b", "c", "d/a", "d/b", "d/e/a"};
constexpr std::size_t kNameCount = std::size(kNames);

// A spelling of `name` inside the sandbox: plain, with ./, through d/.., with doubled slashes.
std::string spelling(const std::string& root, const std::string& name, unsigned how) {
  switch (how % 5) {
    case 0:
      return root + "/" + name;
    case 1:
      return root + "/./" + name;
    case 2:
      return root + "/d/../" + name;
    case 3:
      return root + "//" + name;
    default:
      return root + "/d/e/../../" + name;
  }
}

// Everything an output may be named as stays inside the sandbox, so that the fuzzer never writes
// elsewhere: links point at sandbox names (relative) or /dev/null.
void build_sandbox(Bytes& in, const std::string& root) {
  ::mkdir((root + "/d").c_str(), 0755);
  ::mkdir((root + "/d/e").c_str(), 0755);
  const unsigned entries = in.next() % 6;
  for (unsigned k = 0; k < entries; ++k) {
    const std::string name = kNames[in.next() % kNameCount];
    const std::string path = root + "/" + name;
    const unsigned kind = in.next() % 6;
    const std::string other = kNames[in.next() % kNameCount];
    switch (kind) {
      case 0:
      case 1: {  // a regular file
        if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
          std::fputs(("old " + name).c_str(), f);
          std::fclose(f);
        }
        break;
      }
      case 2:  // a link to another sandbox name (perhaps dangling), absolute
        if (::symlink((root + "/" + other).c_str(), path.c_str()) != 0) break;
        break;
      case 3:  // a hard link to another name
        if (::link((root + "/" + other).c_str(), path.c_str()) != 0) break;
        break;
      case 4:  // a folder
        ::mkdir(path.c_str(), 0755);
        break;
      default:  // a link to a device, written in place
        if (::symlink("/dev/null", path.c_str()) != 0) break;
        break;
    }
  }
}

// The file an existing path names (links followed), or nothing.
std::optional<std::pair<dev_t, ino_t>> identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return std::make_pair(st.st_dev, st.st_ino);
}

bool is_regular(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string read_whole(const std::string& path) {
  std::string out;
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    char buffer[256];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) out.append(buffer, n);
    std::fclose(f);
  }
  return out;
}

// Silences std::cerr (refusals print "trsim fuzz: why") for the scope.
class QuietErrors {
 public:
  QuietErrors() : saved_(std::cerr.rdbuf(sink_.rdbuf())) {}
  ~QuietErrors() { std::cerr.rdbuf(saved_); }
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  std::ostringstream sink_;
  std::streambuf* saved_;
};

}  // namespace

void output_paths(std::string_view text) {
  const std::string& root = sandbox();
  remove_tree(root);
  ::mkdir(root.c_str(), 0755);
  Bytes in(text);
  build_sandbox(in, root);
  std::vector<std::string> inputs;
  const unsigned input_count = in.next() % 4;
  for (unsigned k = 0; k < input_count; ++k)
    inputs.push_back(spelling(root, kNames[in.next() % kNameCount], in.next()));
  std::vector<std::pair<std::string, std::string>> outputs;
  const unsigned output_count = 1 + in.next() % 4;
  for (unsigned k = 0; k < output_count; ++k)
    outputs.emplace_back("--out" + std::to_string(k),
                         spelling(root, kNames[in.next() % kNameCount], in.next()));

  Tree before;
  read_tree(root, "", before);
  std::map<std::string, std::string> input_contents;
  for (const std::string& i : inputs)
    if (is_regular(i)) input_contents[i] = read_whole(i);

  const QuietErrors quiet;
  cli::OutputSet set("fuzz");
  set.add_inputs(inputs);
  for (const auto& [option, path] : outputs) set.add(option, path);
  if (!set.open()) {
    // A refusal writes nothing: the sandbox is as it was.
    Tree after;
    read_tree(root, "", after);
    fuzz_check(after == before, "a refused output set changed a file");
    return;
  }
  // Accepted: no two outputs replacing files are one file, and none is an input.
  for (std::size_t a = 0; a < outputs.size(); ++a) {
    const auto id = identity(outputs[a].second);
    if (!id) continue;
    struct stat st {};
    ::stat(outputs[a].second.c_str(), &st);
    if (!S_ISREG(st.st_mode)) continue;
    for (std::size_t b = a + 1; b < outputs.size(); ++b)
      fuzz_check(identity(outputs[b].second) != id, "two outputs name one file");
    for (const std::string& i : inputs) fuzz_check(identity(i) != id, "an output names an input");
  }
  for (const auto& [option, path] : outputs)
    if (std::ostream* out = set.stream(option)) *out << "new " << option;
  const bool committed = set.commit();
  Tree after;
  read_tree(root, "", after);
  if (!committed) {
    fuzz_check(after == before, "a failed commit changed a file");
    return;
  }
  // Committed: each regular output holds what was written to it, through its links; the inputs
  // are untouched; links are kept; no temporary file is left; nothing else changed.
  for (const auto& [option, path] : outputs) {
    if (is_regular(path))
      fuzz_check(read_whole(path) == "new " + option, "an output lost its text");
  }
  for (const auto& [path, content] : input_contents)
    fuzz_check(read_whole(path) == content, "an input changed");
  for (const auto& [name, entry] : after) {
    const auto was = before.find(name);
    if (was == before.end()) {
      // New entries: only outputs that did not exist (a temporary would be new too).
      bool named = false;
      for (const auto& o : outputs)
        named = named || identity(o.second) == identity(root + "/" + name);
      fuzz_check(named && entry.kind == 'f', "a file no output names appeared");
      continue;
    }
    if (was->second.kind == 'l') fuzz_check(entry == was->second, "a link was replaced");
    if (was->second.kind == 'd') fuzz_check(entry.kind == 'd', "a folder was replaced");
    if (entry.kind == 'f' && entry.content != was->second.content) {
      bool named = false;
      for (const auto& o : outputs)
        named = named || identity(o.second) == identity(root + "/" + name);
      fuzz_check(named, "a file no output names changed");
    }
  }
  for (const auto& [name, entry] : before) fuzz_check(after.count(name) == 1, "a file disappeared");
}

void report_input(std::string_view text) {
  // `trsim report`: the checks every input goes through, then the page.
  JsonError error;
  bool could_be_part = true;
  if (!find_text_problem(text)) {
    const std::optional<Value> document = parse_json(text, &error);
    if (document) {
      std::string why;
      const std::optional<std::string> html = report::render_report(*document, &why);
      fuzz_check(html.has_value() || !why.empty(), "render_report failed without saying why");
      if (html) fuzz_check(!find_text_problem(*html), "the report is not UTF-8 text");
      // A document without "kind": "trsim-sweep-partial" is refused by parse_sweep_partial at
      // that check, after reading it all again: not worth a second read per input (the nightly
      // run needs 10^6 of them). Text parse_json refused still goes to its streaming reader.
      const Value* kind = document->find("kind");
      could_be_part =
          kind != nullptr && kind->is_string() && kind->as_string() == "trsim-sweep-partial";
    }
  }
  if (!could_be_part) return;
  // `trsim merge`: a part read back must write the same JSON, and merge alone.
  std::string why;
  const std::optional<SweepPartial> part = parse_sweep_partial(text, "part.json", &why);
  if (!part) {
    fuzz_check(!why.empty(), "parse_sweep_partial failed without saying why");
    return;
  }
  const std::string again = sweep_partial_json(*part);
  std::string why_again;
  const std::optional<SweepPartial> reread = parse_sweep_partial(again, "again.json", &why_again);
  fuzz_check(reread.has_value(), "a part written back does not read");
  fuzz_check(sweep_partial_json(*reread) == again, "a part changes on a round trip");
  std::string merge_why;
  (void)merge_sweep_partials({*part}, {"part.json"}, &merge_why);
}

}  // namespace trsim::fuzz
