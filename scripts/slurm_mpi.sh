#!/usr/bin/env bash
#SBATCH --job-name=capsim-mpi
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=32
#SBATCH --cpus-per-task=1
#SBATCH --time=04:00:00
#SBATCH --mem-per-cpu=1G
#SBATCH --signal=B:TERM@120
# A capsim batch over MPI ranks: rank 0 hands out (scenario, replication) jobs one at a time
# to whichever rank is free (jobs differ in length), runs jobs itself too, and writes the one
# results file; parallel HDF5 is not needed. capsim must be built with MPI (Open MPI from
# Debian: libopenmpi-dev; CMake finds it).
#
#   scripts/slurm_mpi.sh scenarios/snee-orthopaedics.yaml 1000 [capsim run options...]
#
# Run from the capsim source directory: it makes results/logs (Slurm opens the log before
# the job starts, so it must exist) and submits itself with sbatch; SBATCH_ARGS adds sbatch
# options ("--nodes=4 --account=proj"), overriding the #SBATCH lines above. `sbatch
# scripts/slurm_mpi.sh ...` works too, with the log in slurm-JOBID.out.
#
# At the time limit Slurm sends SIGTERM to this shell (--signal=B:..., 120 s early), which
# passes it to mpirun and so to the ranks: the batch stops handing out jobs, keeps every
# finished replication in results/<name>.h5.ckpt and exits; submitting the same job again
# resumes from there.
#
# Threads: with --cpus-per-task=C above 1, each rank may use C cores: mpirun is told to give
# each rank C cores (--map-by slot:PE=C), since by default Open MPI binds a rank to one core
# and capsim's threads would then share it.
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n '9,29p' "$0" >&2
  exit 2
fi
scenario=$1; reps=$2; shift 2
capsim=${CAPSIM:-$PWD/build/capsim}
name=$(basename "$scenario"); name=${name%.yaml}; name=${name%.yml}
out=results/$name.h5

if [ -z "${SLURM_JOB_ID:-}" ]; then
  # Not in a job yet: check the scenario, make the folders and submit this script.
  "$capsim" check "$scenario" >/dev/null
  mkdir -p results/logs
  read -r -a site <<<"${SBATCH_ARGS:-}"
  exec sbatch --output="results/logs/capsim-mpi-$name-%j.out" --export=ALL,CAPSIM="$capsim" \
    "${site[@]}" "$0" "$scenario" "$reps" "$@"
fi

# Site-specific environment; on clusters with environment modules, for example:
#   module load gcc openmpi gsl hdf5
mkdir -p results
resume=()
if [ -e "$out.ckpt" ]; then resume=(--resume); fi
cpus=${SLURM_CPUS_PER_TASK:-1}
mapping=()
if [ "$cpus" -gt 1 ]; then mapping=(--map-by "slot:PE=$cpus"); fi
# mpirun runs in the background so this shell can pass the scheduler's SIGTERM on.
mpirun "${mapping[@]}" "$capsim" run "$scenario" -r "$reps" -j "$cpus" "${resume[@]}" \
  -o "$out" --progress "$@" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' TERM
rc=0
wait "$pid" || rc=$?
if [ "$rc" -gt 128 ] && kill -0 "$pid" 2>/dev/null; then
  rc=0
  wait "$pid" || rc=$?
fi
exit "$rc"
