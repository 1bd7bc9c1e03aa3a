// TRSIM_ASSERT (sim/model/assert.hpp) stays checked where plain assert is compiled out: this test
// suite is built in Release, with NDEBUG, and the assertion must still fire and name what broke.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <string>

#include "model/assert.hpp"

namespace {

struct Outcome {
  int signal = 0;  ///< the signal that ended the child, 0 when it exited
  std::string err;
};

/// Runs `body` in a child process and returns how it ended and what it wrote to stderr.
template <typename Body>
Outcome in_child(Body body) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], STDERR_FILENO);
    body();
    _exit(0);
  }
  close(fds[1]);
  Outcome out;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
    out.err.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  if (WIFSIGNALED(status)) out.signal = WTERMSIG(status);
  return out;
}

int checked_count = 0;

}  // namespace

TEST_CASE("TRSIM_ASSERT aborts with the condition and the formatted message, NDEBUG or not",
          "[assert]") {
  const Outcome failed = in_child([] {
    const int level = -3;
    TRSIM_ASSERT(level >= 0, "gauge {} went negative ({})", "waiting", level);
  });
  CHECK(failed.signal == SIGABRT);
  CHECK(failed.err.find("trsim: assertion failed at ") == 0);
  CHECK(failed.err.find("test_assert.cpp:") != std::string::npos);
  CHECK(failed.err.find(": level >= 0: gauge waiting went negative (-3)\n") != std::string::npos);
}

TEST_CASE("TRSIM_ASSERT evaluates its condition once and its message only on failure", "[assert]") {
  int formatted = 0;
  const auto count = [&formatted] { return ++formatted; };
  TRSIM_ASSERT(++checked_count == 1, "never formatted {}", count());
  CHECK(checked_count == 1);
  CHECK(formatted == 0);
  const Outcome passed = in_child([] { TRSIM_ASSERT(1 + 1 == 2, "arithmetic"); });
  CHECK(passed.signal == 0);
  CHECK(passed.err.empty());
}
