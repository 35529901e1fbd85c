#!/usr/bin/env bash
# tests/slurm/test_slurm.sh SOURCE_DIR CAPSIM TMPDIR: the Slurm job scripts on a real,
# one-node Slurm (Debian's slurm-wlm and munge, started here by cluster.sh):
#
#   1. scripts/slurm_array.sh with no extra options (it used to pass an empty argument)
#      from a fresh directory: the array tasks and the merge job run, and the merged file
#      equals a single run's (/scenarios and /comparisons, h5diff);
#   2. scripts/slurm_mpi.sh from a fresh directory (no results/logs yet): the same file;
#   3. a time limit (and extra capsim options passed through: --seed): array tasks with --time=1 get SIGTERM from --signal=B:TERM@60 while
#      capsim runs, keep their replications in checkpoints and stop; with MAX_REQUEUES=0 the
#      merge job is cancelled rather than left pending; running slurm_array.sh again resumes
#      the tasks from their checkpoints and the merge writes the single run's file;
#   4. the same time limit with the default MAX_REQUEUES (3): the stopped tasks requeue
#      themselves and resume (each run may be stopped again at the next look, but keeps what
#      it finished), and the merge job, still waiting, writes the single run's file.
#
# Exit 77 (ctest SKIP) only when Slurm cannot be had: not installed and not installable
# (scripts/setup installs slurm-wlm and munge), or not root (slurmd must start jobs).
set -euo pipefail
src=$1; capsim=$2; tmp=$3
skip() { echo "test_slurm: SKIP: $*"; exit 77; }

have_slurm() { command -v slurmctld && command -v slurmd && command -v munged && command -v sbatch; } >/dev/null
if [ "$(id -u)" -ne 0 ]; then
  skip "needs root to start slurmd (CI runs as root)"
fi
if ! have_slurm; then
  "$src/scripts/setup" >&2 || true
fi
have_slurm || skip "slurm-wlm and munge are not installed and could not be installed"
command -v h5diff >/dev/null || skip "h5diff (hdf5-tools) is not installed"

. "$src/tests/slurm/cluster.sh"
trap slurm_stop EXIT
slurm_start "$tmp/cluster"
# Open MPI refuses root unless told; the jobs inherit this (sbatch exports the environment).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export CAPSIM=$capsim

# A batch of two scenarios (so there are /comparisons), like a user's, in a fresh folder.
# `servers` and `per_day` set the cost of one replication: small for 1 and 2, about a
# second for 3.
write_batch() { # DIR PER_DAY SERVERS
  mkdir -p "$1"
  cat >"$1/clinic.yaml" <<YAML
name: clinic
start_date: 2024-04-01
horizon_days: 365
seed: 11
queue:
  arrivals: {per_day: $2}
  servers: $3
  service_days: {exponential: {mean: 1}}
YAML
  cat >"$1/batch.yaml" <<YAML
name: staffing
scenarios:
  - clinic.yaml
  - file: clinic.yaml
    name: clinic-more
    set:
      queue.servers: $(($3 + $3 / 10 + 1))
YAML
}

same_as_single_run() { # MERGED REFERENCE
  h5diff "$1" "$2" /scenarios /scenarios
  h5diff "$1" "$2" /comparisons /comparisons
}

fails=0
check() { # WHAT COMMAND...
  local what=$1; shift
  if "$@"; then echo "test_slurm: ok: $what"; else echo "test_slurm: FAILED: $what" >&2; fails=1; fi
}

# ---- 1. job array and merge ----
a=$tmp/array; rm -rf "$a"; write_batch "$a" 9 10
(cd "$a" && "$capsim" run batch.yaml -r 6 -o reference.h5 -q)
(cd "$a" && "$src/scripts/slurm_array.sh" batch.yaml 6 3) >"$tmp/array.out"
cat "$tmp/array.out"
array_id=$(sed -n 's/submitted array job \([0-9]*\) .*/\1/p' "$tmp/array.out")
merge_id=$(sed -n 's/.* merge job \([0-9]*\) .*/\1/p' "$tmp/array.out")
check "array tasks completed" wait_job "$array_id" COMPLETED 60
check "merge job completed" wait_job "$merge_id" COMPLETED 60
check "merged file equals a single run" same_as_single_run "$a/results/batch.h5" "$a/reference.h5"
check "task logs in results/logs" test -s "$a/results/logs/batch-${array_id}_1.out"

# ---- 2. MPI job ----
m=$tmp/mpi; rm -rf "$m"; write_batch "$m" 9 10
(cd "$m" && SBATCH_ARGS="--nodes=1 --ntasks-per-node=2 --mem-per-cpu=200M --time=5" \
  "$src/scripts/slurm_mpi.sh" batch.yaml 6) >"$tmp/mpi.out"
cat "$tmp/mpi.out"
mpi_id=$(sed -n 's/Submitted batch job \([0-9]*\).*/\1/p' "$tmp/mpi.out")
check "MPI job completed" wait_job "$mpi_id" COMPLETED 60
check "MPI file equals a single run" same_as_single_run "$m/results/batch.h5" "$a/reference.h5"
check "MPI log in results/logs" test -s "$m/results/logs/capsim-mpi-batch-$mpi_id.out"
if [ "$fails" = 1 ]; then
  cat "$m"/results/logs/* "$a"/results/logs/* >&2 || true
fi

# ---- 3. a time limit, then a resubmission that resumes ----
# slurmctld looks at time limits every 30 s, so --signal=B:TERM@60 with --time=1 reaches a
# task at the first look after it starts. A probe job finds when the looks happen, so the
# array can start a few seconds before one and be stopped early in its work.
t=$tmp/timeout; rm -rf "$t"; write_batch "$t" 3000 3400
probe=$(sbatch --parsable --time=1 --signal=B:USR1@60 --output=/dev/null \
  --wrap "trap 'date +%s > $tmp/probe.time; exit 0' USR1; sleep 100 & wait")
rm -f "$tmp/probe.time"
(cd "$t" && "$capsim" run batch.yaml -r 14 -j 2 --seed 12 -o reference.h5 -q)
for ((i = 0; i < 160; i++)); do
  if [ -s "$tmp/probe.time" ]; then break; fi
  sleep 0.25
done
if [ ! -s "$tmp/probe.time" ]; then
  echo "test_slurm: FAILED: the probe job got no signal from --signal=B:USR1@60" >&2
  exit 1
fi
look=$(($(cat "$tmp/probe.time") + 30))
while [ "$(date +%s)" -gt $((look - 4)) ]; do look=$((look + 30)); done
while [ "$(date +%s)" -lt $((look - 3)) ]; do sleep 0.2; done
(cd "$t" && TIME_LIMIT=1 MAX_REQUEUES=0 "$src/scripts/slurm_array.sh" batch.yaml 14 2 --seed 12) >"$tmp/t1.out"
cat "$tmp/t1.out"
t_array=$(sed -n 's/submitted array job \([0-9]*\) .*/\1/p' "$tmp/t1.out")
t_merge=$(sed -n 's/.* merge job \([0-9]*\) .*/\1/p' "$tmp/t1.out")
# Slurm signals at its looks, and not always every task at the same look: a task it missed
# finishes normally, and the checks below ask for at least one stopped task.
ended=$(wait_ended "$t_array" 90 || true)
echo "test_slurm: the tasks ended $ended"
check "a stopped task failed (not requeued: MAX_REQUEUES=0)" \
  test "${ended/FAILED/}" != "$ended"
check "their merge job was cancelled, not stranded" wait_job "$t_merge" CANCELLED 30
check "capsim got the SIGTERM and kept a checkpoint" \
  grep -q "interrupted: .* jobs are saved in" "$t/results/logs/batch-${t_array}"_*.out
check "checkpoints are there" \
  sh -c "ls '$t'/results/shards/batch/shard-*-of-2.h5.ckpt >/dev/null"
(cd "$t" && TIME_LIMIT=5 "$src/scripts/slurm_array.sh" batch.yaml 14 2 --seed 12) >"$tmp/t2.out"
cat "$tmp/t2.out"
t2_array=$(sed -n 's/submitted array job \([0-9]*\) .*/\1/p' "$tmp/t2.out")
t2_merge=$(sed -n 's/.* merge job \([0-9]*\) .*/\1/p' "$tmp/t2.out")
check "resubmitted tasks completed" wait_job "$t2_array" COMPLETED 90
check "resubmitted merge completed" wait_job "$t2_merge" COMPLETED 60
check "the stopped tasks resumed from their checkpoints" \
  grep -q "jobs from the checkpoint" "$t/results/logs/batch-${t2_array}"_*.out
check "merged file equals a single run" same_as_single_run "$t/results/batch.h5" "$t/reference.h5"

# ---- 4. a time limit, and the task requeues itself ----
# The same batch, MAX_REQUEUES not set (3): a stopped task requeues itself and resumes, and
# the merge job, still waiting, runs when the requeued tasks finish. Started just before a
# look, like 3.
q=$tmp/requeue; rm -rf "$q"; write_batch "$q" 3000 3400
look=$((look + 30))
while [ "$(date +%s)" -gt $((look - 4)) ]; do look=$((look + 30)); done
while [ "$(date +%s)" -lt $((look - 3)) ]; do sleep 0.2; done
(cd "$q" && env -u MAX_REQUEUES TIME_LIMIT=1 "$src/scripts/slurm_array.sh" batch.yaml 14 2 --seed 12) >"$tmp/q.out"
cat "$tmp/q.out"
q_array=$(sed -n 's/submitted array job \([0-9]*\) .*/\1/p' "$tmp/q.out")
q_merge=$(sed -n 's/.* merge job \([0-9]*\) .*/\1/p' "$tmp/q.out")
check "requeued tasks completed" wait_job "$q_array" COMPLETED 180
check "merge after the requeued tasks completed" wait_job "$q_merge" COMPLETED 60
# Slurm signals at its looks, and not always every task at the same look: any task will do.
check "a task was stopped and requeued itself" \
  grep -q "stopped at the time limit; requeueing" "$q/results/logs/batch-${q_array}"_*.out
check "the requeued task resumed from its checkpoint" \
  grep -q "jobs from the checkpoint" "$q/results/logs/batch-${q_array}"_*.out
check "merged file equals a single run" same_as_single_run "$q/results/batch.h5" "$t/reference.h5"
if [ "$fails" = 1 ]; then
  tail -n 20 "$t"/results/logs/* "$q"/results/logs/* >&2 || true
  exit 1
fi
echo "test_slurm: all passed"
