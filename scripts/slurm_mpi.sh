#!/usr/bin/env bash
#SBATCH --job-name=capsim-mpi
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=32
#SBATCH --cpus-per-task=1
#SBATCH --time=04:00:00
#SBATCH --mem-per-cpu=1G
#SBATCH --signal=B:TERM@120
#SBATCH --output=results/logs/capsim-mpi-%j.out
# A capsim batch over MPI ranks: rank 0 hands out (scenario, replication) jobs one at a time
# to whichever rank is free (jobs differ in length), runs jobs itself too, and writes the one
# results file; parallel HDF5 is not needed. capsim must be built with MPI (Open MPI from
# Debian: libopenmpi-dev; CMake finds it).
#
#   sbatch scripts/slurm_mpi.sh scenarios/snee-orthopaedics.yaml 1000 [capsim run options...]
#
# At the time limit SLURM sends SIGTERM (--signal above, 120 s early): the batch stops
# handing out jobs, keeps every finished replication in results/<name>.h5.ckpt and exits;
# submitting the same job again resumes from there.
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n '10,19p' "$0" >&2
  exit 2
fi
scenario=$1; reps=$2; shift 2
capsim=${CAPSIM:-$PWD/build/capsim}
name=$(basename "$scenario"); name=${name%.yaml}; name=${name%.yml}
out=results/$name.h5
mkdir -p results/logs
resume=()
if [ -e "$out.ckpt" ]; then resume=(--resume); fi
# srun or mpirun both work; mpirun forwards SIGTERM to the ranks. Run in the background and
# wait, so the batch shell can pass the scheduler's SIGTERM on.
mpirun "$capsim" run "$scenario" -r "$reps" -j 1 "${resume[@]}" -o "$out" "$@" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null' TERM
wait $pid || wait $pid
