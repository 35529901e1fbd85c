# tests/slurm/cluster.sh: start and stop a one-node Slurm cluster (munged, slurmctld,
# slurmd from Debian's munge and slurm-wlm) in a directory of its own, for the Slurm test.
# Sourced by test_slurm.sh. Everything lives under $cluster: its own munge key and socket,
# a generated slurm.conf on ports of its own, state, spool and logs; nothing in /etc is
# read or changed, and a Slurm already running on the machine is left alone.

# slurm_start DIR: start the cluster; exports SLURM_CONF. Needs root (slurmd starts jobs).
slurm_start() {
  cluster=$1
  rm -rf "$cluster"
  mkdir -p "$cluster"/{munge,state,spool,log}
  chmod 755 "$cluster"
  chmod 700 "$cluster/munge"
  dd if=/dev/urandom of="$cluster/munge/key" bs=1024 count=1 status=none
  chmod 400 "$cluster/munge/key"
  munged --force --socket="$cluster/munge/socket" --key-file="$cluster/munge/key" \
    --log-file="$cluster/log/munged.log" --pid-file="$cluster/munge/munged.pid" \
    --seed-file="$cluster/munge/seed"

  local host port node
  host=$(hostname -s)
  # The node as slurmd sees it (CPUs, sockets, memory), so it is not drained for a mismatch.
  node=$(slurmd -C | sed -n 's/^NodeName=[^ ]* //p' | head -1)
  # Ports of our own, away from Slurm's defaults (6817/6818) and from a parallel run.
  port=$((20000 + ($$ % 10000) * 2))
  cat >"$cluster/slurm.conf" <<CONF
ClusterName=capsimtest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
# cred_expire: a requeued job waits this long before it may start again (default 120 s).
AuthInfo=socket=$cluster/munge/socket,cred_expire=10
CredType=cred/munge
StateSaveLocation=$cluster/state
SlurmdSpoolDir=$cluster/spool
SlurmctldPidFile=$cluster/slurmctld.pid
SlurmdPidFile=$cluster/slurmd.pid
SlurmctldLogFile=$cluster/log/slurmctld.log
SlurmdLogFile=$cluster/log/slurmd.log
# No cgroups (containers and CI runners rarely delegate them): plain process tracking.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SchedulerParameters=sched_interval=1
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
InactiveLimit=0
KillWait=10
MinJobAge=600
OverTimeLimit=0
NodeName=$host NodeAddr=127.0.0.1 $node State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$cluster/slurm.conf
  slurmctld -c -f "$SLURM_CONF"
  slurmd -f "$SLURM_CONF"
  local i
  for ((i = 0; i < 60; i++)); do
    if [ "$(sinfo -h -o %t 2>/dev/null)" = idle ]; then return 0; fi
    sleep 0.5
  done
  echo "test_slurm: the node did not become idle; slurmctld log:" >&2
  tail -20 "$cluster/log/slurmctld.log" "$cluster/log/slurmd.log" >&2
  return 1
}

# slurm_stop: cancel every job, stop the daemons this test started (by their pid files).
slurm_stop() {
  [ -n "${cluster:-}" ] || return 0
  scancel --quiet --full --user=root 2>/dev/null || true
  local f pid i
  # Let the jobs end while slurmd is still there to clean up after them (their slurmstepd
  # would otherwise outlive the cluster).
  for ((i = 0; i < 60; i++)); do
    [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
    sleep 0.25
  done
  for f in slurmd.pid slurmctld.pid munge/munged.pid; do
    pid=$(cat "$cluster/$f" 2>/dev/null) || continue
    kill "$pid" 2>/dev/null || continue
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  done
}

# job_state ID: the state of a job ("COMPLETED", "PENDING", ...; an array: every task's).
job_state() {
  scontrol -o show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | sort -u |
    tr '\n' ' ' | sed 's/ $//'
}

# wait_job ID WANT SECONDS: wait until every task of job ID is in state WANT, or fail when
# it ends in another state or the time is up.
wait_job() {
  local id=$1 want=$2 limit=$3 s i
  for ((i = 0; i < limit * 4; i++)); do
    s=$(job_state "$id")
    if [ "$s" = "$want" ]; then return 0; fi
    case " $s " in
      *" PENDING "* | *" RUNNING "* | *" CONFIGURING "* | *" COMPLETING "* | *" REQUEUED "* | \
        *" SIGNALING "* | *" STAGE_OUT "* | "  ") ;; # on the way somewhere
      *) echo "test_slurm: job $id ended $s, expected $want" >&2; return 1 ;;
    esac
    sleep 0.25
  done
  echo "test_slurm: job $id still $s after $limit s, expected $want" >&2
  scontrol -o show job "$id" >&2
  return 1
}

# wait_ended ID SECONDS: wait until no task of job ID is pending or running; prints the
# states it ended in (e.g. "COMPLETED FAILED").
wait_ended() {
  local id=$1 limit=$2 s i
  for ((i = 0; i < limit * 4; i++)); do
    s=$(job_state "$id")
    case " $s " in
      *" PENDING "* | *" RUNNING "* | *" CONFIGURING "* | *" COMPLETING "* | *" REQUEUED "* | \
        *" SIGNALING "* | *" STAGE_OUT "* | "  ") ;;
      *) echo "$s"; return 0 ;;
    esac
    sleep 0.25
  done
  echo "test_slurm: job $id still $s after $limit s" >&2
  return 1
}
