#!/usr/bin/env bash
# One task of a capsim job array, submitted by slurm_array.sh (see there):
#
#   slurm_task.sh SCENARIO REPLICATIONS SHARDS OUTDIR [extra capsim run options...]
#
# Runs shard $SLURM_ARRAY_TASK_ID of SHARDS into OUTDIR/shard-I-of-N.h5, resuming from its
# checkpoint if an earlier attempt was stopped; does nothing if the shard is already there.
# On SIGTERM (the time limit's warning) capsim saves what it finished and stops; the task
# then requeues itself, at most MAX_REQUEUES times, so the merge job keeps waiting for it.
set -uo pipefail
if [ $# -lt 4 ] || [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then
  sed -n '2,9p' "$0" >&2
  exit 2
fi
scenario=$1; reps=$2; shards=$3; outdir=$4; shift 4
capsim=${CAPSIM:-$PWD/build/capsim}
i=$SLURM_ARRAY_TASK_ID
out=$outdir/shard-$i-of-$shards.h5
if [ -e "$out" ]; then
  echo "slurm_task.sh: $out is already complete"
  exit 0
fi
resume=()
if [ -e "$out.ckpt" ]; then resume=(--resume); fi

# capsim runs in the background so that this shell, which Slurm signals (B:), can pass
# SIGTERM on and act once capsim has saved its work.
stopped=0
"$capsim" run "$scenario" -r "$reps" -j "${SLURM_CPUS_PER_TASK:-1}" --shard "$i/$shards" \
  "${resume[@]}" -o "$out" --progress "$@" &
pid=$!
trap 'stopped=1; kill -TERM "$pid" 2>/dev/null' TERM INT
rc=0
wait "$pid" || rc=$?
if [ "$stopped" = 1 ]; then
  rc=0
  wait "$pid" || rc=$?
fi
if [ "$rc" -eq 0 ]; then
  exit 0
fi
if [ "$stopped" = 1 ] && [ -e "$out.ckpt" ]; then
  restarts=${SLURM_RESTART_COUNT:-0}
  if [ "$restarts" -lt "${MAX_REQUEUES:-3}" ]; then
    echo "slurm_task.sh: stopped at the time limit; requeueing (restart $((restarts + 1)) of ${MAX_REQUEUES:-3}) to resume"
    scontrol requeue "${SLURM_ARRAY_JOB_ID}_${i}"
    exit 0
  fi
  echo "slurm_task.sh: stopped at the time limit after $restarts requeues; run slurm_array.sh again with the same arguments to resume" >&2
fi
exit "$rc"
