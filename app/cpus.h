/*
 * app/cpus.h: how many CPUs this process may use, for the default worker thread count.
 *
 * sysconf(_SC_NPROCESSORS_ONLN) counts the machine's cores, not the ones the process may run
 * on: under `taskset -c 0`, a Slurm task with --cpus-per-task=2, a container with a CPU quota
 * or an MPI rank bound to a core it would start one thread per core of the node, which then
 * share the few CPUs and run slower than fewer threads would.
 */
#ifndef CAPSIM_CPUS_H
#define CAPSIM_CPUS_H

/*
 * The smallest of: the CPUs in the affinity mask (sched_getaffinity), SLURM_CPUS_PER_TASK
 * when set to a positive number, and the cgroup v2 quota of the process's cgroup (cpu.max
 * "QUOTA PERIOD", rounded up). At least 1.
 */
unsigned capsim_usable_cpus(void);

/* CPUs in the affinity mask alone (at least 1). */
unsigned capsim_affinity_cpus(void);

/*
 * The CPUs a cgroup v2 cpu.max line allows: "150000 100000" is 2 (1.5 rounded up),
 * "max 100000" or text that cannot be read is 0 (no limit).
 */
unsigned capsim_cgroup_cpu_limit(const char *cpu_max);

#endif
