#!/usr/bin/env bash
# Starts a single-node Slurm cluster (munged, slurmctld, slurmd) from a configuration written into DIR, for the
# Slurm integration test (SlurmClusterIT). No systemd is assumed: the daemons are started directly and their
# PIDs recorded in DIR/pids, which .ci/slurm-down.sh stops. Prints the variables the clients need
# (SLURM_CONF=...) into DIR/env. Exits 0 when the cluster answers `sinfo` with an idle node, 1 otherwise
# (the caller then skips the Slurm test); it never leaves a daemon behind when it fails.
#
# Usage: .ci/slurm-up.sh DIR        (root; Debian's slurmctld slurmd slurm-client munge installed)
set -uo pipefail
dir="${1:?usage: slurm-up.sh DIR}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fail() { echo "slurm-up: $*" >&2; "$here/slurm-down.sh" "$dir" >/dev/null 2>&1; exit 1; }
for b in munged mungekey slurmctld slurmd sinfo sbatch; do
  command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || fail "$b is not installed"
done
[ "$(id -u)" = 0 ] || fail "needs root (slurmd runs jobs as their user)"
PATH="/usr/sbin:$PATH"

# munged refuses a socket folder without execute permission for all, and a key readable by others.
mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
chmod 755 "$dir" "$dir/munge"
chown munge:munge "$dir/munge" 2>/dev/null || true
[ -f "$dir/munge/munge.key" ] || mungekey --create --keyfile="$dir/munge/munge.key" >/dev/null 2>&1 \
  || dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 2>/dev/null
chown munge:munge "$dir/munge/munge.key" 2>/dev/null || true
chmod 600 "$dir/munge/munge.key"
socket="$dir/munge/munge.socket"
munge_user=munge; id munge >/dev/null 2>&1 || munge_user=root
if [ "$munge_user" = munge ]; then
  su -s /bin/sh munge -c "munged --key-file='$dir/munge/munge.key' --socket='$socket' \
    --pid-file='$dir/munge/munged.pid' --log-file='$dir/munge/munged.log' --seed-file='$dir/munge/seed' --force" \
    || fail "munged did not start (see $dir/munge/munged.log)"
else
  munged --key-file="$dir/munge/munge.key" --socket="$socket" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/log/munged.log" --seed-file="$dir/munge/seed" --force || fail "munged did not start"
fi
for _ in $(seq 50); do [ -S "$socket" ] && break; sleep 0.1; done
[ -S "$socket" ] || fail "munged made no socket"
echo "munged $(cat "$dir/munge/munged.pid")" > "$dir/pids"

host="$(hostname -s)"
cpus="$(nproc)"
mem="$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)"
cat > "$dir/slurm.conf" <<CONF
ClusterName=nst4j-ci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket,cred_expire=10
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/cgroup
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MailProg=/bin/true
KillWait=30
MinJobAge=300
MaxArraySize=1001
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
cat > "$dir/cgroup.conf" <<CONF
CgroupPlugin=autodetect
ConstrainCores=no
ConstrainRAMSpace=no
CONF
export SLURM_CONF="$dir/slurm.conf"
echo "SLURM_CONF=$SLURM_CONF" > "$dir/env"

slurmctld -f "$SLURM_CONF" -i >>"$dir/log/slurmctld.out" 2>&1 || fail "slurmctld did not start (see $dir/log)"
for _ in $(seq 50); do [ -s "$dir/slurmctld.pid" ] && break; sleep 0.1; done
[ -s "$dir/slurmctld.pid" ] || fail "slurmctld wrote no PID file (see $dir/log/slurmctld.log)"
echo "slurmctld $(cat "$dir/slurmctld.pid")" >> "$dir/pids"
slurmd -f "$SLURM_CONF" >>"$dir/log/slurmd.out" 2>&1 || fail "slurmd did not start (see $dir/log/slurmd.log)"
for _ in $(seq 50); do [ -s "$dir/slurmd.pid" ] && break; sleep 0.1; done
[ -s "$dir/slurmd.pid" ] || fail "slurmd wrote no PID file (see $dir/log/slurmd.log)"
echo "slurmd $(cat "$dir/slurmd.pid")" >> "$dir/pids"

for _ in $(seq 150); do
  state="$(sinfo -h -o %T 2>/dev/null | head -1)"
  case "$state" in idle*|mixed*|allocated*) echo "slurm-up: cluster up in $dir (node $host, $cpus CPUs, $state)"; exit 0 ;; esac
  sleep 0.2
done
fail "the node did not become idle (state '${state:-none}'; see $dir/log)"
