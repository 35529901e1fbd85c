#!/usr/bin/env bash
# A capsim batch as a Slurm job array: each array task runs one block of the replications
# into a shard file (scripts/slurm_task.sh); a merge job, started when every task has
# succeeded, joins the shards into the file a single run would have written
# (scripts/slurm_merge.sh).
#
# Run it from the capsim source directory (it calls sbatch itself; do not sbatch it):
#
#   scripts/slurm_array.sh scenarios/snee-orthopaedics.yaml 1000 20
#   scripts/slurm_array.sh BATCH.yaml REPLICATIONS SHARDS [extra capsim run options...]
#
# Shards go to results/shards/<name>/, logs to results/logs/ (both made before submitting,
# since Slurm opens the log before the job starts), the merged file to results/<name>.h5.
#
# Time limits: Slurm sends SIGTERM to the task 60 s before its limit (--signal=B:TERM@60;
# B: because the signal must reach the batch shell that runs capsim, not job steps). capsim
# keeps its finished replications in a checkpoint and the task requeues itself (at most
# MAX_REQUEUES times, default 3) to resume them. Past that, or if a task fails, the merge
# job is cancelled, not left pending (--kill-on-invalid-dep); running this script again
# with the same arguments resumes the unfinished tasks (finished shards are kept) and
# submits a new merge.
#
# Settings (environment): PARTITION, TIME_LIMIT (02:00:00), MEM_PER_TASK (2G),
# THREADS_PER_TASK (1), MEM_MERGE (4G), MAX_REQUEUES (3), SBATCH_ARGS (more sbatch
# options for both jobs, e.g. "--account=proj --qos=normal"), CAPSIM (build/capsim).
set -euo pipefail

if [ $# -lt 3 ]; then
  sed -n '2,28p' "$0" >&2
  exit 2
fi
scenario=$1; reps=$2; shards=$3; shift 3
here=$(cd "$(dirname "$0")" && pwd)
capsim=${CAPSIM:-$PWD/build/capsim}
if [ ! -x "$capsim" ]; then
  echo "slurm_array.sh: $capsim is not an executable (build first, or set CAPSIM)" >&2
  exit 2
fi
# Check the scenario here, so a typo fails now rather than in every task.
"$capsim" check "$scenario" >/dev/null

name=$(basename "$scenario"); name=${name%.yaml}; name=${name%.yml}
outdir=results/shards/$name
mkdir -p "$outdir" results/logs

# Site-specific settings; on clusters with environment modules, for example:
#   module load gcc openmpi gsl hdf5
partition=${PARTITION:-}
time_limit=${TIME_LIMIT:-02:00:00}
mem=${MEM_PER_TASK:-2G}
threads=${THREADS_PER_TASK:-1}
read -r -a site <<<"${SBATCH_ARGS:-}"

array_id=$(sbatch --parsable \
  --job-name="capsim-$name" \
  --array="1-$shards" \
  ${partition:+--partition="$partition"} \
  --time="$time_limit" --mem="$mem" --cpus-per-task="$threads" \
  --signal=B:TERM@60 --requeue --open-mode=append \
  --export=ALL,CAPSIM="$capsim",MAX_REQUEUES="${MAX_REQUEUES:-3}" \
  --output="results/logs/$name-%A_%a.out" \
  "${site[@]}" \
  "$here/slurm_task.sh" "$scenario" "$reps" "$shards" "$outdir" "$@")
array_id=${array_id%%;*}

merge_id=$(sbatch --parsable \
  --job-name="capsim-$name-merge" \
  --dependency="afterok:$array_id" --kill-on-invalid-dep=yes \
  ${partition:+--partition="$partition"} \
  --time=00:30:00 --mem="${MEM_MERGE:-4G}" \
  --export=ALL,CAPSIM="$capsim" \
  --output="results/logs/$name-merge-%j.out" \
  "${site[@]}" \
  "$here/slurm_merge.sh" "$outdir" "$shards" "results/$name.h5")
merge_id=${merge_id%%;*}

echo "submitted array job $array_id ($shards tasks) and merge job $merge_id (afterok)"
