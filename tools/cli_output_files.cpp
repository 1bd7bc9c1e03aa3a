// The one way trsim writes output files and standard output (cli_output.hpp): unique temporaries
// created exclusively beside the destination, identity checks against every input and output
// before anything is written, in-place writes to devices, checked writes to standard output, and
// temporaries removed on the signals that end a run early.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>

#include "cli_common.hpp"
#include "cli_output.hpp"

namespace trsim::cli {

namespace fs = std::filesystem;

namespace {

std::string reason(int error) { return std::strerror(error); }

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw OutputError("cannot write '" + path + "': " + why);
}

// Temporary files the signal handler removes. Slots hold the c_str() of AtomicFile::temp_path_,
// which does not change while the slot is taken.
constexpr int kTemporarySlots = 64;
std::atomic<const char*> g_temporaries[kTemporarySlots];

int register_temporary(const char* path) {
  for (int i = 0; i < kTemporarySlots; ++i) {
    const char* expected = nullptr;
    if (g_temporaries[i].compare_exchange_strong(expected, path)) return i;
  }
  return -1;  // more than 64 outputs at once: not removed by a signal (no command has as many)
}

void unregister_temporary(int slot) {
  if (slot >= 0) g_temporaries[slot].store(nullptr);
}

constexpr int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};

// Async-signal-safe: unlink, signal and raise only. The process then dies of the same signal, so
// that the shell sees what happened.
void remove_temporaries_and_die(int sig) {
  for (auto& t : g_temporaries)
    if (const char* p = t.load()) ::unlink(p);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// Blocks the cleanup signals while a set of outputs is renamed, so that a signal cannot leave the
// set half replaced; a pending signal is delivered when the renames are done.
class SignalsDeferred {
 public:
  SignalsDeferred() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : kCleanupSignals) sigaddset(&set, s);
    pthread_sigmask(SIG_BLOCK, &set, &previous_);
  }
  ~SignalsDeferred() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  SignalsDeferred(const SignalsDeferred&) = delete;
  SignalsDeferred& operator=(const SignalsDeferred&) = delete;

 private:
  sigset_t previous_;
};

std::string random_suffix() {
  static std::mt19937_64 rng{std::random_device{}()};  // outputs are opened on the main thread
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s(8, 'x');
  for (char& c : s) c = kChars[rng() % (sizeof kChars - 1)];
  return s;
}

// Never destroyed: std::cout may be flushed by the runtime after static objects are gone.
FdBuffer& g_stdout_buffer = *new FdBuffer(STDOUT_FILENO);
bool g_stdout_was_closed = false;
bool g_stdout_failure_reported = false;  ///< by a commit: finish_stdout() does not say it again

}  // namespace

// ---------------------------------------------------------------------------------------------

bool FdBuffer::write_all(const char* p, std::size_t n) {
  if (error_ != 0) return false;
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      return false;
    }
    if (w == 0) {
      error_ = EIO;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

bool FdBuffer::drain() {
  const bool ok = write_all(pbase(), static_cast<std::size_t>(pptr() - pbase()));
  setp(buffer_, buffer_ + sizeof buffer_);
  return ok && error_ == 0;
}

FdBuffer::int_type FdBuffer::overflow(int_type c) {
  if (!drain()) return traits_type::eof();
  if (!traits_type::eq_int_type(c, traits_type::eof())) {
    *pptr() = traits_type::to_char_type(c);
    pbump(1);
  }
  return traits_type::not_eof(c);
}

std::streamsize FdBuffer::xsputn(const char* s, std::streamsize n) {
  if (error_ != 0) return 0;
  if (n <= epptr() - pptr()) {
    std::memcpy(pptr(), s, static_cast<std::size_t>(n));
    pbump(static_cast<int>(n));
    return n;
  }
  if (!drain()) return 0;
  if (n >= static_cast<std::streamsize>(sizeof buffer_))
    return write_all(s, static_cast<std::size_t>(n)) ? n : 0;
  std::memcpy(pptr(), s, static_cast<std::size_t>(n));
  pbump(static_cast<int>(n));
  return n;
}

FdBuffer::pos_type FdBuffer::seekoff(off_type off, std::ios_base::seekdir dir,
                                     std::ios_base::openmode) {
  if (!drain()) return pos_type(off_type(-1));
  const int whence = dir == std::ios_base::beg   ? SEEK_SET
                     : dir == std::ios_base::cur ? SEEK_CUR
                                                 : SEEK_END;
  const off_t at = ::lseek(fd_, static_cast<off_t>(off), whence);
  return at < 0 ? pos_type(off_type(-1)) : pos_type(static_cast<off_type>(at));
}

// ---------------------------------------------------------------------------------------------

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)), out_(&buffer_) {
  if (path_.empty()) fail(path_, "no file name given");
  destination_ = path_;
  struct stat st {};
  bool exists = ::lstat(path_.c_str(), &st) == 0;
  if (!exists && errno != ENOENT) fail(path_, reason(errno));  // e.g. a file used as a folder
  if (exists && S_ISLNK(st.st_mode)) {
    // A link is followed: the file it names is replaced, and the link stays a link.
    if (::stat(path_.c_str(), &st) != 0) {
      if (errno == ENOENT) fail(path_, "it is a link to a file that does not exist");
      fail(path_, reason(errno));
    }
    if (S_ISREG(st.st_mode)) {
      std::error_code ec;
      destination_ = fs::canonical(path_, ec).string();
      if (ec) fail(path_, ec.message());
    }
  }
  if (exists && S_ISDIR(st.st_mode)) fail(path_, "it is a folder");
  if (exists && !S_ISREG(st.st_mode)) {
    // A device, FIFO, socket or terminal: written in place, never replaced. O_NONBLOCK keeps a
    // FIFO nobody reads from failing now (ENXIO) instead of blocking forever.
    fd_ = ::open(destination_.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (fd_ < 0) fail(path_, reason(errno));
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
    buffer_.reset(fd_);
    return;
  }
  existed_ = exists;
  // A unique name in the destination's folder (so that the rename stays on one file system),
  // created exclusively: a file or link planted at any name is never opened.
  const fs::path dest{destination_};
  const std::string folder = dest.parent_path().string();
  const std::string name = dest.filename().string().substr(0, 200);
  // No cleanup signal between creating the temporary and registering it for removal: one that
  // came in between would leave the file behind. Deferred, it comes once the file is registered.
  // (Outputs are opened on the main thread, before any worker thread exists.)
  const SignalsDeferred deferred;
  for (int attempt = 0;; ++attempt) {
    temp_path_ = (folder.empty() ? "" : folder + "/") + "." + name + ".trsim-" + random_suffix();
    fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd_ >= 0) break;
    if (errno != EEXIST || attempt == 100) {
      const int error = errno;
      temp_path_.clear();
      fail(path_, reason(error));
    }
  }
  slot_ = register_temporary(temp_path_.c_str());
  if (existed_) (void)::fchmod(fd_, st.st_mode & 07777);  // the replacement keeps the permissions
  buffer_.reset(fd_);
}

AtomicFile::~AtomicFile() {
  if (!committed_) discard();
}

void AtomicFile::discard() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
  unregister_temporary(slot_);
  slot_ = -1;
}

void AtomicFile::finish() {
  if (fd_ < 0) return;
  out_.flush();
  const bool drained = buffer_.drain();
  int error = buffer_.error();
  const int closed = ::close(fd_);
  if (drained && closed != 0 && errno != EINTR) error = errno;
  fd_ = -1;
  if (error != 0) {
    discard();
    fail(path_, reason(error));
  }
}

void AtomicFile::publish() {
  if (committed_) return;
  if (fd_ >= 0) finish();
  if (temp_path_.empty()) {  // written in place
    committed_ = true;
    return;
  }
  // Only a regular file, or nothing, is ever replaced.
  struct stat st {};
  int renamed;
  if (::lstat(destination_.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) {
      discard();
      fail(path_, "it stopped being a regular file during the run; it was left as it is");
    }
    renamed = ::rename(temp_path_.c_str(), destination_.c_str());
  } else {
    renamed =
        ::renameat2(AT_FDCWD, temp_path_.c_str(), AT_FDCWD, destination_.c_str(), RENAME_NOREPLACE);
    if (renamed != 0 && (errno == EINVAL || errno == ENOSYS))  // a file system without it
      renamed = ::rename(temp_path_.c_str(), destination_.c_str());
  }
  if (renamed != 0) {
    const int error = errno;
    discard();
    fail(path_, reason(error));
  }
  unregister_temporary(slot_);
  slot_ = -1;
  committed_ = true;
}

void AtomicFile::commit() {
  finish();
  publish();
}

// ---------------------------------------------------------------------------------------------

namespace {

// What makes two names one file: device and inode when it exists, else the resolved path.
struct Identity {
  bool exists = false;
  bool regular = false;  ///< a regular file, or nothing yet (the kinds an output replaces)
  dev_t dev{};
  ino_t ino{};
  std::string resolved;
};

Identity identify_stat(const struct stat& st) {
  Identity id;
  id.exists = true;
  id.regular = S_ISREG(st.st_mode);
  id.dev = st.st_dev;
  id.ino = st.st_ino;
  return id;
}

Identity identify(const std::string& path) {
  struct stat st {};
  Identity id;
  if (::stat(path.c_str(), &st) == 0) {
    id = identify_stat(st);
  } else {
    id.regular = true;
  }
  std::error_code ec;
  const fs::path absolute = fs::absolute(path, ec);
  if (!ec) id.resolved = fs::weakly_canonical(absolute, ec).string();
  if (ec) id.resolved.clear();
  return id;
}

std::optional<Identity> identify_fd(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return std::nullopt;
  return identify_stat(st);
}

bool same_file(const Identity& a, const Identity& b) {
  if (a.exists != b.exists) return false;
  if (a.exists) return a.dev == b.dev && a.ino == b.ino;
  return !a.resolved.empty() && a.resolved == b.resolved;
}

}  // namespace

void OutputSet::add_input(const std::string& path) { inputs_.push_back(path); }

void OutputSet::add_inputs(const std::vector<std::string>& paths) {
  inputs_.insert(inputs_.end(), paths.begin(), paths.end());
}

void OutputSet::add(std::string option, std::string path) {
  outputs_.push_back({std::move(option), std::move(path), nullptr});
}

bool check_output_paths(const std::string& verb,
                        const std::vector<std::pair<std::string, std::string>>& outputs,
                        const std::vector<std::string>& inputs) {
  const auto refuse = [&](const std::string& why) {
    std::cerr << "trsim " << verb << ": " << why << "\n";
    return false;
  };
  struct Named {
    const std::string* option;
    const std::string* path;
    Identity id;
  };
  std::vector<Named> files;
  const std::string* to_stdout = nullptr;
  for (const auto& [option, path] : outputs) {
    if (path.empty()) continue;
    if (path == "-") {
      if (to_stdout) return refuse(*to_stdout + " and " + option + " cannot both write to '-'");
      to_stdout = &option;
      continue;
    }
    Identity id = identify(path);
    if (!id.regular) continue;  // written in place: a device can take several outputs
    for (const Named& other : files) {
      if (same_file(id, other.id)) {
        std::string why =
            *other.option + " and " + option + " cannot both write to '" + *other.path + "'";
        if (*other.path != path) why += " ('" + path + "' is the same file)";
        return refuse(why);
      }
    }
    files.push_back({&option, &path, std::move(id)});
  }
  for (const std::string& input : inputs) {
    const std::optional<Identity> in =
        input == "-" ? identify_fd(STDIN_FILENO) : std::optional<Identity>(identify(input));
    if (!in || !in->exists || !in->regular) continue;
    for (const Named& o : files) {
      if (same_file(*in, o.id))
        return refuse(*o.option + " '" + *o.path + "' would overwrite " +
                      (input == "-" ? std::string("standard input") : "'" + input + "'") +
                      ", which this command reads; name another file");
    }
  }
  // A file standard output is redirected to is being written already: replacing it would lose
  // what was printed, and writing it twice would interleave.
  if (const std::optional<Identity> out = identify_fd(STDOUT_FILENO); out && out->regular) {
    for (const Named& o : files) {
      if (same_file(*out, o.id))
        return refuse(*o.option + " '" + *o.path +
                      "' is the file standard output is redirected to; name another file");
    }
  }
  return true;
}

bool OutputSet::open() {
  std::vector<std::pair<std::string, std::string>> named;
  for (const Output& o : outputs_) named.emplace_back(o.option, o.path);
  if (!check_output_paths(verb_, named, inputs_)) return false;
  try {
    for (Output& o : outputs_)
      if (!o.path.empty() && o.path != "-") o.file = std::make_unique<AtomicFile>(o.path);
  } catch (const OutputError& e) {
    std::cerr << "trsim " << verb_ << ": " << e.what() << "\n";
    for (Output& o : outputs_) o.file.reset();
    return false;
  }
  return true;
}

std::ostream* OutputSet::stream(std::string_view option) {
  for (Output& o : outputs_) {
    if (o.option != option || o.path.empty()) continue;
    if (o.path == "-") return &std::cout;
    if (o.file) return &o.file->stream();
  }
  return nullptr;
}

bool OutputSet::uses_stdout() const {
  for (const Output& o : outputs_)
    if (o.path == "-") return true;
  return false;
}

void check_stdout_before_commit() {
  std::cout.flush();
  if (g_stdout_buffer.drain()) return;
  g_stdout_failure_reported = true;
  throw OutputError("cannot write to standard output: " + reason(g_stdout_buffer.error()) +
                    (g_stdout_was_closed ? " (standard output is closed)" : ""));
}

bool OutputSet::commit() {
  try {
    for (Output& o : outputs_)
      if (o.file) o.file->finish();
    check_stdout_before_commit();
    const SignalsDeferred deferred;
    for (Output& o : outputs_)
      if (o.file) o.file->publish();
  } catch (const OutputError& e) {  // e.g. the disk filled up during the run
    std::cerr << "trsim " << verb_ << ": " << e.what()
              << "; no output was replaced (the previous files are as they were)\n";
    for (Output& o : outputs_) o.file.reset();
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------

void prepare_process() {
  // A closed standard stream is reopened on /dev/null the wrong way round, so that no file this
  // process opens takes descriptor 0, 1 or 2 and using the stream fails with EBADF.
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    if (fd == STDOUT_FILENO) g_stdout_was_closed = true;
    const int null_fd = ::open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
    if (null_fd >= 0 && null_fd != fd) {
      ::dup2(null_fd, fd);
      ::close(null_fd);
    }
  }
  std::cout.rdbuf(&g_stdout_buffer);
  for (int s : kCleanupSignals) {
    struct sigaction current {};
    if (::sigaction(s, nullptr, &current) == 0 && current.sa_handler == SIG_IGN)
      continue;  // ignored by whoever started us (nohup): keep it ignored
    struct sigaction action {};
    action.sa_handler = remove_temporaries_and_die;
    sigemptyset(&action.sa_mask);
    ::sigaction(s, &action, nullptr);
  }
  // Beyond `ulimit -f`, write() then fails with EFBIG (reported, the previous outputs kept)
  // instead of the process being killed with a temporary left behind.
  ::signal(SIGXFSZ, SIG_IGN);
}

int finish_stdout(int code) {
  std::cout.flush();
  bool ok = g_stdout_buffer.drain();
  int error = g_stdout_buffer.error();
  if (ok && ::close(STDOUT_FILENO) != 0 && errno != EINTR && errno != EBADF) {
    ok = false;
    error = errno;
  }
  g_stdout_buffer.reset(-1);
  if (ok) return code;
  if (g_stdout_failure_reported) return code < kExitUsage ? kExitUsage : code;
  std::cerr << "trsim: cannot write to standard output: " << reason(error)
            << (g_stdout_was_closed ? " (standard output is closed)" : "") << "\n";
  return code < kExitUsage ? kExitUsage : code;
}

}  // namespace trsim::cli
