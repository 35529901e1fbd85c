#!/usr/bin/env bash
#SBATCH --job-name=capsim-merge
#SBATCH --time=00:30:00
#SBATCH --mem=4G
# Join the shard files of a capsim job array into one results file. Submitted by
# slurm_array.sh with --dependency=afterok:<array job>, so it runs only when every shard
# task succeeded; can also be run by hand:
#
#   scripts/slurm_merge.sh results/shards/NAME SHARDS results/NAME.h5
#
# capsim merge checks that the shards agree (scenario hash, seed, version) and that no
# replication is missing or doubled, and names the file or replication at fault if not.
set -euo pipefail
if [ $# -ne 3 ]; then
  sed -n '5,11p' "$0" >&2
  exit 2
fi
dir=$1; shards=$2; out=$3
capsim=${CAPSIM:-$PWD/build/capsim}
files=()
for ((i = 1; i <= shards; i++)); do
  f=$dir/shard-$i-of-$shards.h5
  if [ ! -e "$f" ]; then
    echo "slurm_merge.sh: $f is missing (its task has not finished)" >&2
    exit 1
  fi
  files+=("$f")
done
# A resubmitted array whose shards were all merged before writes the same file again.
exec "$capsim" merge --force -o "$out" "${files[@]}"
