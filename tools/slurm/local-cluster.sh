#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, every file of it under one directory: for trying
# the job-array templates next to this script, and for the test suite (tests/cluster/).
#
# Usage (as root; Debian's slurmctld slurmd slurm-client munge, which tools/setup.sh installs):
#   eval "$(tools/slurm/local-cluster.sh start DIR)"   # prints `export SLURM_CONF=DIR/slurm.conf`
#   sbatch ... ; squeue ; sinfo
#   tools/slurm/local-cluster.sh stop DIR              # cancels its jobs, stops its daemons
#
# `start` creates DIR (and fails when it holds a running cluster); writes a fresh munge key, starts
# `munged` on its own socket, writes a slurm.conf that names this host (`hostname -s`, at 127.0.0.1)
# as controller and as the only node with `nproc` CPUs, starts `slurmctld` and `slurmd`, and waits
# until the node is idle; when something does not come up it says what and prints the daemon logs,
# exit 1. `stop` ends only the daemons whose pid files are in DIR. Nothing is written outside DIR,
# and the system's /etc/slurm and /etc/munge are never read.
#
# Configuration choices for containers (no systemd, cgroups that may be read-only or absent):
# processes are tracked by their parent pids (proctrack/linuxproc), tasks are not confined
# (task/none), no accounting gatherer and no accounting storage. The ports are random free ones,
# so that several such clusters (e.g. concurrent test runs) can share the machine.
set -euo pipefail

readonly start_timeout_s=60
readonly stop_timeout_s=15

die() {
  echo "local-cluster: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}

# The pid in FILE when it names a live process whose command is NAME, else nothing: a stale pid
# file whose number now belongs to another process must never get that process killed.
live_pid() {
  local file=$1 name=$2 pid
  [ -r "$file" ] || return 0
  pid=$(tr -dc '0-9' <"$file")
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] && echo "$pid"
  return 0
}

port_is_free() {
  # A connection that fails means nobody listens there.
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
  local port
  for _ in $(seq 100); do
    port=$((20000 + RANDOM % 40000))
    if port_is_free "$port" && port_is_free "$((port + 1))"; then
      echo "$port"
      return
    fi
  done
  die "no free TCP port found"
}

print_logs() {
  local dir=$1 log
  for log in "$dir"/log/*.log; do
    [ -f "$log" ] || continue
    echo "----- $log (last 40 lines) -----" >&2
    tail -n 40 "$log" >&2
  done
}

fail_start() {
  local dir=$1
  shift
  echo "local-cluster: $*" >&2
  print_logs "$dir"
  echo "local-cluster: stopping what was started" >&2
  stop_cluster "$dir"
  exit 1
}

require_tools() {
  local missing=() tool
  for tool in munged munge unmunge slurmctld slurmd sinfo sbatch squeue scancel; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) ||
    die "missing ${missing[*]}: install Debian's slurmctld slurmd slurm-client munge (tools/setup.sh does)"
  [ "$(id -u)" -eq 0 ] || die "must run as root (slurmd starts the jobs as their submitting user)"
}

write_slurm_conf() {
  local dir=$1 host=$2 ctld_port=$3 slurmd_port=$4
  cat >"$dir/slurm.conf" <<EOF
# Written by tools/slurm/local-cluster.sh: a throw-away single-node cluster under $dir.
ClusterName=trsim-local
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmdParameters=config_overrides
MaxArraySize=10001
MailProg=/bin/true
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
  local dir=$1
  # munged wants its socket's folder searchable by all (any user may ask for a credential) and
  # its key private.
  mkdir -p "$dir/munge" "$dir/munge-key"
  chmod 0755 "$dir" "$dir/munge"
  chmod 0700 "$dir/munge-key"
  dd if=/dev/urandom of="$dir/munge-key/munge.key" bs=1024 count=1 status=none
  chmod 0400 "$dir/munge-key/munge.key"
  munged --socket="$dir/munge/munge.socket" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/log/munged.log" --key-file="$dir/munge-key/munge.key" \
    --seed-file="$dir/munge-key/munged.seed" ||
    fail_start "$dir" "munged did not start"
  munge --socket="$dir/munge/munge.socket" -n | unmunge --socket="$dir/munge/munge.socket" >/dev/null ||
    fail_start "$dir" "munged started but does not encode and decode credentials"
}

# munged refuses a socket that some user could not reach: every folder above DIR must be searchable
# by all (a `mktemp -d` folder is not: chmod 0755 it, or start the cluster elsewhere).
require_searchable_path() {
  local path=$1
  while [ "$path" != / ]; do
    path=$(dirname "$path")
    [ "$(($(stat -c '0%a' "$path") & 0111))" -eq $((0111)) ] ||
      die "$path is not searchable by all users (munged needs that of its socket's folders): chmod a+x it, or start the cluster elsewhere"
  done
}

# Waits until the node is idle (registered, nothing running); fails after start_timeout_s.
wait_until_idle() {
  local dir=$1 host=$2 state=""
  for _ in $(seq "$start_timeout_s"); do
    [ -n "$(live_pid "$dir/run/slurmctld.pid" slurmctld)" ] || fail_start "$dir" "slurmctld exited"
    [ -n "$(live_pid "$dir/run/slurmd.pid" slurmd)" ] || fail_start "$dir" "slurmd exited"
    state=$(sinfo --noheader --nodes="$host" --Node --format=%t 2>/dev/null | head -n 1 || true)
    [ "$state" = "idle" ] && return
    sleep 1
  done
  fail_start "$dir" "node $host not idle after ${start_timeout_s}s (state: '${state:-no answer}')"
}

start_cluster() {
  local dir=$1 host ctld_port slurmd_port
  require_tools
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ -z "$(live_pid "$dir/run/slurmctld.pid" slurmctld)" ] || die "a cluster is already running in $dir"
  require_searchable_path "$dir"
  mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/run"
  host=$(hostname -s)
  ctld_port=$(free_port)
  slurmd_port=$(free_port)
  [ "$slurmd_port" != "$ctld_port" ] || slurmd_port=$((ctld_port + 1))

  start_munge "$dir"
  write_slurm_conf "$dir" "$host" "$ctld_port" "$slurmd_port"
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -f "$SLURM_CONF" || fail_start "$dir" "slurmctld did not start"
  slurmd -f "$SLURM_CONF" -N "$host" || fail_start "$dir" "slurmd did not start"
  wait_until_idle "$dir" "$host"
  echo "local-cluster: node $host idle, controller on port $ctld_port, state under $dir" >&2
  echo "export SLURM_CONF=$SLURM_CONF"
}

# A process that has exited but whose parent has not reaped it yet (a zombie) counts as gone.
is_running() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# Sends TERM to the daemons named by FILE:NAME pairs at once (each only when its pid file still
# names a live NAME), waits for them, then KILLs any that ignored it.
stop_daemons() {
  local pair pids=() pid
  for pair in "$@"; do
    pid=$(live_pid "${pair%:*}" "${pair##*:}")
    [ -n "$pid" ] || continue
    kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid")
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq $((stop_timeout_s * 10))); do
      is_running "$pid" || break
      sleep 0.1
    done
    if is_running "$pid"; then
      echo "local-cluster: $(cat "/proc/$pid/comm" 2>/dev/null) ($pid) ignored TERM, killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

# Cancels the cluster's jobs so that no job outlives the daemons that track it.
cancel_jobs() {
  local dir=$1 jobs
  [ -r "$dir/slurm.conf" ] && [ -n "$(live_pid "$dir/run/slurmctld.pid" slurmctld)" ] || return 0
  export SLURM_CONF="$dir/slurm.conf"
  jobs=$(squeue --noheader --format=%A 2>/dev/null || true)
  [ -n "$jobs" ] || return 0
  # shellcheck disable=SC2086
  scancel $jobs 2>/dev/null || true
  for _ in $(seq "$stop_timeout_s"); do
    [ -z "$(squeue --noheader --format=%A 2>/dev/null || true)" ] && return 0
    sleep 1
  done
}

stop_cluster() {
  local dir=$1
  [ -d "$dir" ] || return 0
  cancel_jobs "$dir"
  stop_daemons "$dir/run/slurmd.pid:slurmd" "$dir/run/slurmctld.pid:slurmctld"
  # munged last: the Slurm daemons authenticate their shutdown messages with it.
  stop_daemons "$dir/munge/munged.pid:munged"
}

(($# == 2)) || usage
case $1 in
start) start_cluster "$2" ;;
stop) stop_cluster "$2" ;;
*) usage ;;
esac
