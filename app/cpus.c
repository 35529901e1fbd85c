/* app/cpus.c: the CPUs this process may use (see cpus.h). */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "cpus.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

unsigned capsim_affinity_cpus(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0)
            return (unsigned)n;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

unsigned capsim_cgroup_cpu_limit(const char *cpu_max)
{
    char quota[32];
    unsigned long long period = 0;
    if (!cpu_max || sscanf(cpu_max, "%31s %llu", quota, &period) != 2 || period == 0)
        return 0;
    if (strcmp(quota, "max") == 0)
        return 0;
    char *end = NULL;
    errno = 0;
    unsigned long long q = strtoull(quota, &end, 10);
    if (errno || !end || *end || q == 0)
        return 0;
    unsigned long long cpus = (q + period - 1) / period;
    return cpus > 65536 ? 65536 : (unsigned)cpus;
}

/* cpu.max of this process's cgroup (v2: the "0::/path" line of /proc/self/cgroup), or 0. */
static unsigned own_cgroup_limit(void)
{
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (!f)
        return 0;
    char line[4096], path[4200] = "";
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "0::", 3) == 0) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(path, sizeof path, "/sys/fs/cgroup%s/cpu.max", line + 3);
            break;
        }
    }
    fclose(f);
    if (!path[0])
        return 0;
    f = fopen(path, "r");
    if (!f)
        return 0;
    char text[128] = "";
    unsigned limit = fgets(text, sizeof text, f) ? capsim_cgroup_cpu_limit(text) : 0;
    fclose(f);
    return limit;
}

unsigned capsim_usable_cpus(void)
{
    unsigned n = capsim_affinity_cpus();
    const char *slurm = getenv("SLURM_CPUS_PER_TASK");
    if (slurm && *slurm) {
        char *end = NULL;
        unsigned long v = strtoul(slurm, &end, 10);
        if (end && *end == '\0' && v > 0 && v < n)
            n = (unsigned)v;
    }
    unsigned cg = own_cgroup_limit();
    if (cg > 0 && cg < n)
        n = cg;
    return n > 0 ? n : 1;
}
