#!/usr/bin/env bash
# Stops the daemons .ci/slurm-up.sh started, by the PIDs it recorded in DIR/pids (slurmd, slurmctld, munged),
# waiting up to 10 s for each before SIGKILL. Jobs still running are killed with slurmd's step daemons.
# Usage: .ci/slurm-down.sh DIR
set -uo pipefail
dir="${1:?usage: slurm-down.sh DIR}"
[ -f "$dir/pids" ] || exit 0
if [ -f "$dir/env" ]; then
  # shellcheck disable=SC1091
  set -a; . "$dir/env"; set +a
  scancel --user="$(id -un)" >/dev/null 2>&1 || true
fi
tac "$dir/pids" | while read -r name pid; do
  [ -n "$pid" ] || continue
  kill -TERM "$pid" 2>/dev/null || continue
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null; echo "slurm-down: killed $name ($pid)" >&2; fi
done
# Step daemons of jobs that were still running (their parent slurmd is gone).
for f in "$dir"/spool/*.pid; do [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; done
rm -f "$dir/pids"
echo "slurm-down: stopped"
