#!/usr/bin/env bash
# A capsim batch as a SLURM job array: each array task runs one block of the replications
# into a shard file; a merge job, started when every task has succeeded, joins the shards
# into the file a single run would have written (see slurm_merge.sh).
#
# Submit from the capsim source directory (not with sbatch: this script submits both jobs):
#
#   scripts/slurm_array.sh scenarios/snee-orthopaedics.yaml 1000 20
#   scripts/slurm_array.sh BATCH.yaml REPLICATIONS SHARDS [extra capsim run options...]
#
# Shards are written to results/shards/<name>/; the merged file to results/<name>.h5.
# A task that hits its time limit is stopped with SIGTERM and keeps its finished
# replications in a checkpoint; `sbatch --requeue` or resubmitting the same array index runs
# with --resume and finishes only what is missing. Edit the #SBATCH-style settings below
# (partition, time, memory) for your cluster.
set -euo pipefail

if [ $# -lt 3 ]; then
  sed -n '2,16p' "$0" >&2
  exit 2
fi
scenario=$1; reps=$2; shards=$3; shift 3
capsim=${CAPSIM:-$PWD/build/capsim}
name=$(basename "$scenario"); name=${name%.yaml}; name=${name%.yml}
outdir=results/shards/$name
mkdir -p "$outdir" results/logs

partition=${PARTITION:-}       # e.g. PARTITION=compute
time_limit=${TIME_LIMIT:-02:00:00}
mem=${MEM_PER_TASK:-2G}
threads=${THREADS_PER_TASK:-1}
extra=$(printf ' %q' "$@")

array_id=$(sbatch --parsable \
  --job-name="capsim-$name" \
  --array="1-$shards" \
  ${partition:+--partition="$partition"} \
  --time="$time_limit" --mem="$mem" --cpus-per-task="$threads" \
  --signal=TERM@60 --requeue \
  --output="results/logs/$name-%A_%a.out" \
  --wrap="set -e
out=$outdir/shard-\$SLURM_ARRAY_TASK_ID-of-$shards.h5
resume=
if [ -e \"\$out.ckpt\" ]; then resume=--resume; fi
if [ -e \"\$out\" ]; then exit 0; fi
exec $(printf '%q' "$capsim") run $(printf '%q' "$scenario") -r $reps -j $threads --shard \$SLURM_ARRAY_TASK_ID/$shards \$resume -o \"\$out\"$extra")

merge_id=$(sbatch --parsable \
  --job-name="capsim-$name-merge" \
  --dependency="afterok:$array_id" \
  ${partition:+--partition="$partition"} \
  --time=00:30:00 --mem="${MEM_MERGE:-4G}" \
  --output="results/logs/$name-merge-%j.out" \
  "$(dirname "$0")/slurm_merge.sh" "$outdir" "$shards" "results/$name.h5")

echo "submitted array job $array_id ($shards tasks) and merge job $merge_id (afterok)"
