/*
 * app/cmd_run.c: `capsim run`: a batch of scenarios x replications on the batch engine
 * (sim/batch/batch.h): threads, MPI ranks or a shard; checkpoint and resume; precision rule.
 *
 * Under mpirun every rank parses the same command line and loads the same scenarios; rank 0
 * checks the output, hands out jobs, writes the checkpoint and the file, and is the only one
 * that prints. The ranks agree on every failure before the batch starts, so none is left
 * waiting for another.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch/batch.h"
#include "batchfile.h"
#include "capsim_version.h"
#include "cli.h"
#include "output_check.h"
#include "core/error.h"
#include "cpus.h"
#include "estimate.h"
#include "results/results.h"
#include "scenario.h"
#include "scenario/yaml.h"

static const char run_usage[] =
    "usage: capsim run [options] SCENARIO|BATCH.yaml...\n"
    "\n"
    "Runs every (scenario, replication) of the batch and writes one HDF5 results file.\n"
    "Replication r of every scenario uses the same random-number streams, so differences\n"
    "between scenarios (in /comparisons, against the first scenario) are paired.\n"
    "\n"
    "  -o, --output FILE       results file (default results/<name>.h5, where name is the\n"
    "                          scenario's or the batch file's; a shard adds .shard-I-of-N);\n"
    "                          not - (HDF5 cannot be written to standard output)\n"
    "  -r, --replications N    replications (default: the batch file's or first scenario's\n"
    "                          `replications`, else 20)\n"
    "      --seed N            base seed (default: the batch file's or first scenario's `seed`)\n"
    "      --warmup-days D     discard statistics before day D (overrides `warmup_days`)\n"
    "  -s, --set PATH=VALUE    override a scenario value in every scenario (repeatable)\n"
    "  -j, --jobs N            worker threads (default: the CPUs this process may use: its\n"
    "                          affinity mask, SLURM_CPUS_PER_TASK, the cgroup quota); under\n"
    "                          mpirun, threads of rank 0 (default 1), the other ranks run one\n"
    "                          job at a time\n"
    "      --shard I/N         run only block I (1..N) of the replications into a shard file;\n"
    "                          join the shards with `capsim merge`\n"
    "      --resume            continue an interrupted run from its checkpoint (FILE.ckpt)\n"
    "  -f, --force             overwrite an existing results file (and discard a checkpoint)\n"
    "      --no-checkpoint     keep no checkpoint (an interrupted run then starts again)\n"
    "      --precision REL     run replications until the 95% confidence half-width of every\n"
    "      --metric NAME       --metric (repeatable) is within REL of its mean (e.g. 0.05),\n"
    "                          in every scenario; -r is then the minimum (default 10)\n"
    "      --max-replications N  cap for --precision (default 1000)\n"
    "      --max-memory SIZE   refuse a run estimated to need more (e.g. 4G, 500M; default:\n"
    "                          80% of the available memory, or the cgroup's limit if lower)\n"
    "      --progress          show progress on stderr: a bar on a terminal, else a plain\n"
    "                          line now and then (default: a bar if stderr is a terminal)\n"
    "  -q, --quiet             no progress and no summary line\n"
    "  -h, --help              this text\n"
    "\n"
    "Exit codes: 0 success, 1 run failure or interrupted (finished replications are kept\n"
    "for --resume), 2 bad usage or bad scenario (nothing is written).\n";

/* Set by SIGINT/SIGTERM; a second signal exits at once (the checkpoint is consistent). */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    if (interrupted)
        _exit(128 + sig);
    interrupted = 1;
}

typedef struct run_ctx {
    capsim_loaded **loaded;
    size_t n;
    uint64_t seed;
} run_ctx;

static int run_one(void *ctx, size_t scenario, uint64_t replication, sim_record *out)
{
    const run_ctx *c = ctx;
    const capsim_loaded *l = c->loaded[scenario];
    return capsim_scenario_run(l, c->seed, replication, out, NULL);
}

typedef struct args {
    const char *inputs[256];
    size_t n_inputs;
    const char *overrides[256];
    size_t n_overrides;
    const char *metrics[64];
    size_t n_metrics;
    const char *output;
    unsigned long long reps, seed, jobs, max_reps, shard, shards;
    bool have_reps, have_seed, have_jobs, have_max, force, resume, no_checkpoint;
    double precision, warmup;
    bool have_warmup;
    double max_memory;      /* bytes; 0: the machine's default */
    int progress;
    char warmup_override[64];
} args;

static int usage_error(int rank, const char *fmt, const char *a, const char *b)
{
    if (rank == 0) {
        fputs("capsim run: ", stderr);
        fprintf(stderr, fmt, a, b);
        fputs("\n(see capsim run --help)\n", stderr);
    }
    return CAPSIM_EXIT_USAGE;
}

static int parse_count(int rank, const char *opt, const char *text, unsigned long long min,
                       unsigned long long max, unsigned long long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = 0;
    if (text && *text >= '0' && *text <= '9')
        v = strtoull(text, &end, 10);
    if (!text || !end || *end || errno || v < min || v > max) {
        if (rank == 0)
            fprintf(stderr,
                    "capsim run: %s expects a whole number from %llu to %llu, got \"%s\"\n", opt,
                    min, max, text ? text : "");
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_real(int rank, const char *opt, const char *text, double min, double max,
                      bool min_open, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = text && *text ? strtod(text, &end) : NAN;
    if (!text || !end || *end || errno || !isfinite(v) || v < min || v > max ||
        (min_open && v == min)) {
        if (rank == 0)
            fprintf(stderr, "capsim run: %s expects a number %s %g and <= %g, got \"%s\"\n",
                    opt, min_open ? ">" : ">=", min, max, text ? text : "");
        return -1;
    }
    *out = v;
    return 0;
}

/* Long-only options: values above any character. */
enum {
    OPT_SEED = 256,
    OPT_WARMUP,
    OPT_SHARD,
    OPT_RESUME,
    OPT_NO_CHECKPOINT,
    OPT_PRECISION,
    OPT_METRIC,
    OPT_MAX_REPS,
    OPT_PROGRESS,
    OPT_MAX_MEMORY,
};

static const struct option run_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"replications", required_argument, NULL, 'r'},
    {"seed", required_argument, NULL, OPT_SEED},
    {"warmup-days", required_argument, NULL, OPT_WARMUP},
    {"set", required_argument, NULL, 's'},
    {"jobs", required_argument, NULL, 'j'},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"resume", no_argument, NULL, OPT_RESUME},
    {"force", no_argument, NULL, 'f'},
    {"no-checkpoint", no_argument, NULL, OPT_NO_CHECKPOINT},
    {"precision", required_argument, NULL, OPT_PRECISION},
    {"metric", required_argument, NULL, OPT_METRIC},
    {"max-replications", required_argument, NULL, OPT_MAX_REPS},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int parse_shard(int rank, const char *s, args *a)
{
    char *end = NULL;
    unsigned long long x = 0, n = 0;
    if (*s >= '0' && *s <= '9')
        x = strtoull(s, &end, 10);
    if (end && *end == '/' && end[1] >= '0' && end[1] <= '9')
        n = strtoull(end + 1, &end, 10);
    if (!end || *end || n < 1 || x < 1 || x > n || n > 100000)
        return usage_error(rank, "--shard expects I/N with 1 <= I <= N, got \"%s\"%s", s, "");
    a->shard = x;
    a->shards = n;
    return 0;
}

/* One option; returns 0 or an exit code. */
static int parse_option(int rank, int c, const char *name, const char *v, args *a)
{
    switch (c) {
    case 'o':
        a->output = v;
        return capsim_output_name_ok("capsim run", v, rank == 0) ? 0 : CAPSIM_EXIT_USAGE;
    case 'r':
        a->have_reps = true;
        return parse_count(rank, name, v, 1, 1000000, &a->reps) ? CAPSIM_EXIT_USAGE : 0;
    case OPT_SEED:
        a->have_seed = true;
        return parse_count(rank, name, v, 0, 9007199254740991ULL, &a->seed) ? CAPSIM_EXIT_USAGE
                                                                             : 0;
    case OPT_WARMUP:
        a->have_warmup = true;
        return parse_real(rank, name, v, 0, 1e6, false, &a->warmup) ? CAPSIM_EXIT_USAGE : 0;
    case 's':
        if (a->n_overrides == 250)
            return usage_error(rank, "too many %s options%s", name, "");
        if (!strchr(v, '='))
            return usage_error(rank, "--set expects key.path=value, got \"%s\"%s", v, "");
        a->overrides[a->n_overrides++] = v;
        return 0;
    case 'j':
        a->have_jobs = true;
        return parse_count(rank, name, v, 1, 4096, &a->jobs) ? CAPSIM_EXIT_USAGE : 0;
    case OPT_SHARD:
        return parse_shard(rank, v, a);
    case OPT_PRECISION:
        return parse_real(rank, name, v, 0, 1e6, true, &a->precision) ? CAPSIM_EXIT_USAGE : 0;
    case OPT_METRIC:
        if (a->n_metrics == 64)
            return usage_error(rank, "too many %s options%s", name, "");
        a->metrics[a->n_metrics++] = v;
        return 0;
    case OPT_MAX_REPS:
        a->have_max = true;
        return parse_count(rank, name, v, 2, 1000000, &a->max_reps) ? CAPSIM_EXIT_USAGE : 0;
    case OPT_RESUME:
        a->resume = true;
        return 0;
    case 'f':
        a->force = true;
        return 0;
    case OPT_NO_CHECKPOINT:
        a->no_checkpoint = true;
        return 0;
    case OPT_PROGRESS:
        a->progress = 1;
        return 0;
    case OPT_MAX_MEMORY:
        if (capsim_parse_bytes(v, &a->max_memory) != 0)
            return usage_error(rank, "--max-memory expects a size such as 4G or 500M, got "
                                     "\"%s\"%s", v, "");
        return 0;
    case 'q':
        a->progress = 0;
        return 0;
    }
    return CAPSIM_EXIT_USAGE;
}

/* Parse the command line; returns -1 to exit 0 (help), 0 to go on, or an exit code. */
static int parse_args(int argc, char **argv, int rank, args *a)
{
    memset(a, 0, sizeof *a);
    a->progress = -1;
    a->max_reps = 1000;
    opterr = 0;
    optind = 0;
    for (;;) {
        int li = -1;
        int c = getopt_long(argc, argv, ":o:r:s:j:fqh", run_options, &li);
        if (c == -1)
            break;
        if (c == 'h') {
            if (rank == 0)
                fputs(run_usage, stdout);
            return -1;
        }
        if (c == '?' || c == ':') {
            capsim_bad_option("capsim run", c, argv, run_options, rank == 0);
            if (rank == 0)
                fputs("(see capsim run --help)\n", stderr);
            return CAPSIM_EXIT_USAGE;
        }
        int rc = parse_option(rank, c, capsim_option_name(c, li, run_options), optarg, a);
        if (rc)
            return rc;
    }
    for (int i = optind; i < argc; i++) {
        if (a->n_inputs == 256)
            return usage_error(rank, "too many scenarios%s%s", "", "");
        a->inputs[a->n_inputs++] = argv[i];
    }
    if (a->n_inputs == 0)
        return usage_error(rank, "no scenario or batch file given%s%s", "", "");
    if (a->precision > 0 && a->n_metrics == 0)
        return usage_error(rank, "--precision needs at least one --metric NAME%s%s", "", "");
    if (a->precision == 0 && a->n_metrics > 0)
        return usage_error(rank, "--metric is for --precision; give --precision REL too%s%s",
                           "", "");
    if (a->precision == 0 && a->have_max)
        return usage_error(rank, "--max-replications is for --precision%s%s", "", "");
    if (a->precision > 0 && a->shards > 0)
        return usage_error(rank,
                           "--precision needs every replication in one run; it cannot be "
                           "combined with --shard%s%s",
                           "", "");
    if (a->precision > 0 && a->have_reps && a->reps > a->max_reps)
        return usage_error(rank, "-r (the minimum with --precision) exceeds --max-replications%s%s",
                           "", "");
    if (a->resume && a->no_checkpoint)
        return usage_error(rank, "--resume needs the checkpoint that --no-checkpoint turns off%s%s",
                           "", "");
    if (a->resume && a->force)
        return usage_error(rank, "--resume and --force contradict each other%s%s", "", "");
    return 0;
}

/*
 * Every --metric must name a metric of every scenario: checked once the scenarios are
 * loaded, before anything runs, with a suggestion when a metric's name is close.
 */
static int check_metric_names(const args *a, capsim_loaded *const *loaded, size_t n, int rank)
{
    for (size_t k = 0; k < a->n_metrics; k++) {
        for (size_t i = 0; i < n; i++) {
            const sim_monitor *m = loaded[i]->monitor;
            if (sim_monitor_find(m, a->metrics[k]) >= 0)
                continue;
            const char *names[257];
            size_t count = sim_monitor_metric_count(m), used = 0;
            for (size_t j = 0; j < count && used < 256; j++)
                names[used++] = sim_monitor_metric(m, j)->name;
            names[used] = NULL;
            const char *near = sim_closest_word(a->metrics[k], names);
            if (rank == 0) {
                fprintf(stderr, "capsim run: --metric %s: scenario %s has no such metric",
                        a->metrics[k], loaded[i]->sc.name);
                if (near)
                    fprintf(stderr, " (did you mean \"%s\"?)", near);
                fputc('\n', stderr);
            }
            return CAPSIM_EXIT_USAGE;
        }
    }
    return 0;
}

/*
 * Worker threads: -j, else the CPUs this process may use (cpus.h); under MPI rank 0 runs
 * one local worker unless told otherwise. A -j above the CPUs the process may run on is
 * honoured but noted: it is usually an mpirun that bound the rank to one core.
 */
static unsigned worker_threads(const args *a, int rank, int ranks)
{
    unsigned usable = capsim_usable_cpus();
    if (!a->have_jobs)
        return ranks > 1 ? 1u : usable;
    unsigned affinity = capsim_affinity_cpus();
    if (a->jobs > affinity && rank == 0 && a->progress != 0)
        fprintf(stderr,
                "capsim run: note: -j %llu but this process may run on %u CPU%s; under "
                "mpirun, give --bind-to none or --map-by slot:PE=%llu\n",
                a->jobs, affinity, affinity == 1 ? "" : "s", a->jobs);
    return (unsigned)a->jobs;
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Make the parent directory of `path` if it is the default results/ folder. */
static void make_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return;
    char dir[1024];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    mkdir(dir, 0777);
}

/*
 * True if every series is 0 at the first snapshot in every replication: the model started
 * empty, so its first months are a transient worth a warm-up. A scenario that starts from
 * today's position (a waiting list backlog) is not, and gets no MSER-5 hint.
 */
static bool starts_empty(const sim_scenario_result *sc)
{
    const sim_monitor *m = sc->monitor;
    if (sim_monitor_time_count(m) == 0)
        return false;
    for (size_t k = 0; k < sim_monitor_metric_count(m); k++) {
        const sim_metric *mt = sim_monitor_metric(m, k);
        if (mt->kind != SIM_METRIC_SERIES)
            continue;
        for (size_t g = 0; g < mt->cells; g++)
            for (size_t r = 0; r < sc->replications; r++) {
                double x = sc->reps[r] ? sc->reps[r]->values[sim_record_index(mt, 0, g)] : 0;
                if (x != 0 && !isnan(x))
                    return false;
            }
    }
    return true;
}

int capsim_cmd_run(int argc, char **argv)
{
    int rank = 0, ranks = 1;
    if (sim_batch_mpi_begin(&argc, &argv, &rank, &ranks) != SIM_OK) {
        fprintf(stderr, "capsim run: cannot initialise MPI\n");
        return CAPSIM_EXIT_FAILURE;
    }
    args a;
    int code = parse_args(argc, argv, rank, &a);
    if (code != 0) {
        sim_batch_mpi_end();
        return code < 0 ? CAPSIM_EXIT_OK : code;
    }

    struct sim_error err;
    sim_error_clear(&err);
    capsim_batch_list list = {0};
    capsim_loaded **loaded = NULL;
    sim_results *res = NULL;
    char *output = NULL, *ckpt = NULL;
    code = CAPSIM_EXIT_OK;

    /* --warmup-days goes into every scenario as an override, so the model sees it. */
    const char *ov[260];
    size_t n_ov = 0;
    for (size_t i = 0; i < a.n_overrides; i++)
        ov[n_ov++] = a.overrides[i];
    if (a.have_warmup) {
        snprintf(a.warmup_override, sizeof a.warmup_override, "warmup_days=%.17g", a.warmup);
        ov[n_ov++] = a.warmup_override;
    }
    for (size_t i = 0; i < a.n_inputs && code == 0; i++)
        if (capsim_batch_add(&list, a.inputs[i], ov, n_ov, &err) != SIM_OK)
            code = CAPSIM_EXIT_USAGE;
    if (code == 0 && !(loaded = calloc(list.n, sizeof *loaded)))
        code = CAPSIM_EXIT_FAILURE;
    for (size_t i = 0; i < list.n && code == 0; i++) {
        const capsim_batch_entry *e = &list.entries[i];
        int rc = capsim_scenario_open(e->path, (const char *const *)e->overrides,
                                      e->n_overrides, &loaded[i], &err);
        if (rc)
            code = rc == SIM_ENOMEM ? CAPSIM_EXIT_FAILURE : CAPSIM_EXIT_USAGE;
        for (size_t j = 0; j < i && code == 0; j++) {
            if (strcmp(loaded[j]->sc.name, loaded[i]->sc.name) == 0) {
                sim_error_set(&err, SIM_EINPUT, e->path, 0, 0, "name",
                              "scenario name \"%s\" appears twice in the batch; give one a "
                              "different `name:`",
                              loaded[i]->sc.name);
                code = CAPSIM_EXIT_USAGE;
            }
        }
    }
    if (code && rank == 0 && err.message[0])
        capsim_print_error(&err);
    if (code == 0)
        code = check_metric_names(&a, loaded, list.n, rank);

    /* The batch's count, seed and output. */
    uint64_t seed = 0;
    size_t reps = 0, min_reps = 10;
    if (code == 0) {
        const capsim_scenario *first = &loaded[0]->sc;
        seed = a.have_seed ? a.seed : list.have_seed ? list.seed : first->seed;
        size_t fixed = a.have_reps ? (size_t)a.reps
                       : list.have_replications ? (size_t)list.replications
                                                : (size_t)first->replications;
        if (a.precision > 0) {
            reps = (size_t)a.max_reps;
            min_reps = a.have_reps ? (size_t)a.reps : 10;
            if (min_reps > reps)
                min_reps = reps;
        } else {
            reps = fixed;
        }
        if (a.shards > reps) {
            if (rank == 0)
                fprintf(stderr, "capsim run: --shard %llu/%llu: more shards than the %zu "
                                "replications\n", a.shard, a.shards, reps);
            code = CAPSIM_EXIT_USAGE;
        }
        if (!a.have_seed && !list.have_seed && rank == 0)
            for (size_t i = 1; i < list.n; i++)
                if (loaded[i]->sc.seed != seed)
                    fprintf(stderr,
                            "capsim run: note: scenario %s has seed %llu; the batch uses %llu "
                            "from %s for all (common random numbers)\n",
                            loaded[i]->sc.name, (unsigned long long)loaded[i]->sc.seed,
                            (unsigned long long)seed, first->name);
    }
    /* Refuse what the machine cannot hold before any work (app/estimate.h). */
    unsigned threads = 1;
    if (code == 0) {
        threads = worker_threads(&a, rank, ranks);
        code = capsim_estimate_check("capsim run", loaded, list.n, reps, threads,
                                     a.max_memory > 0 ? a.max_memory
                                                      : capsim_default_max_memory(),
                                     rank == 0);
    }
    if (code == 0) {
        const char *name = list.name && list.n > 0 && capsim_is_batch_file(a.inputs[0])
                               ? list.name
                               : loaded[0]->sc.name;
        size_t len = (a.output ? strlen(a.output) : strlen(name) + 64) + 16;
        output = malloc(len);
        ckpt = malloc(len + 8);
        if (!output || !ckpt) {
            code = CAPSIM_EXIT_FAILURE;
        } else {
            if (a.output)
                snprintf(output, len, "%s", a.output);
            else if (a.shards > 0)
                snprintf(output, len, "results/%s.shard-%llu-of-%llu.h5", name, a.shard,
                         a.shards);
            else
                snprintf(output, len, "results/%s.h5", name);
            snprintf(ckpt, len + 8, "%s.ckpt", output);
        }
    }
    if (code == 0 && rank == 0)
        code = capsim_output_check(&(capsim_output_plan){
            "capsim run", output, a.no_checkpoint ? NULL : ckpt, !a.output, a.inputs,
            a.n_inputs, loaded, list.n});
    if (code == 0 && rank == 0) {
        if (!a.force && file_exists(output)) {
            fprintf(stderr, "capsim run: %s exists (use --force to overwrite it)\n", output);
            code = CAPSIM_EXIT_USAGE;
        } else if (!a.force && !a.resume && !a.no_checkpoint && file_exists(ckpt)) {
            fprintf(stderr,
                    "capsim run: %s: the checkpoint of an interrupted run exists (use --resume "
                    "to continue it, or --force to start again)\n",
                    ckpt);
            code = CAPSIM_EXIT_USAGE;
        }
    }
    code = -sim_batch_mpi_agree(-code); /* the largest exit code of any rank */

    /* The results to fill: scenarios take their monitors from the loaded scenarios. */
    if (code == 0) {
        res = sim_results_alloc();
        if (!res) {
            code = CAPSIM_EXIT_FAILURE;
        } else {
            res->capsim_version = strdup(CAPSIM_VERSION);
            res->git_commit = strdup(CAPSIM_GIT_COMMIT);
            res->command_line = strdup(capsim_command_line());
            res->base_seed = seed;
            res->replications = reps;
            res->baseline = 0;
            for (size_t i = 0; i < list.n && code == 0; i++) {
                char start[11];
                sim_date_format(loaded[i]->sc.start_date, start);
                long idx = sim_results_add_scenario(res, loaded[i]->sc.name, loaded[i]->yaml,
                                                    start, loaded[i]->sc.horizon_days,
                                                    loaded[i]->sc.warmup_days,
                                                    loaded[i]->monitor, reps);
                if (idx >= 0 && sim_results_set_text(res, (size_t)idx, loaded[i]->label,
                                                      loaded[i]->sc.description,
                                                      loaded[i]->assumptions,
                                                      loaded[i]->n_assumptions) != SIM_OK)
                    idx = SIM_ENOMEM;
                if (idx < 0) {
                    code = CAPSIM_EXIT_FAILURE;
                } else {
                    loaded[i]->monitor = NULL;
                    if (loaded[i]->uncertain.n)
                        res->scenarios[idx].runs_per_sample = (size_t)loaded[i]->runs_per_sample;
                }
            }
            if (code == 0 && list.n > 1)
                res->baseline = 0;
            else if (code == 0)
                res->baseline = -1;
        }
        if (code && rank == 0)
            fprintf(stderr, "capsim run: out of memory\n");
    }

    if (code == 0 && rank == 0 && !a.output)
        make_parent(output);

    sim_batch_options opt;
    sim_batch_options_init(&opt);
    sim_batch_report report;
    memset(&report, 0, sizeof report);
    if (code == 0) {
        run_ctx ctx = {loaded, list.n, seed};
        opt.threads = threads;
        if (a.shards > 0) {
            opt.shard = (size_t)(a.shard - 1);
            opt.shards = (size_t)a.shards;
        }
        opt.checkpoint = rank == 0 && !a.no_checkpoint ? ckpt : NULL;
        opt.resume = a.resume;
        opt.progress = rank == 0 ? a.progress : 0;
        opt.precision = a.precision;
        opt.metrics = a.metrics;
        opt.n_metrics = a.n_metrics;
        opt.min_replications = min_reps;
        opt.interrupt = &interrupted;
        opt.mpi = ranks > 1;
        if (rank == 0 && a.resume && !file_exists(ckpt))
            fprintf(stderr, "capsim run: %s: no checkpoint; starting from the beginning\n",
                    ckpt);

        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        struct sigaction old_int, old_term;
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
        int rc = sim_batch_run(res, run_one, &ctx, &opt, &report, &err);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);

        if (rc == SIM_EINTR) {
            if (rank == 0)
                fprintf(stderr,
                        "capsim run: interrupted: %zu of %zu jobs are saved in %s; run the "
                        "same command with --resume to finish\n",
                        report.jobs_resumed + report.jobs_run, report.jobs_total, ckpt);
            code = CAPSIM_EXIT_FAILURE;
        } else if (rc == SIM_EMISMATCH || rc == SIM_EINPUT) {
            if (rank == 0)
                capsim_print_error(&err);
            code = CAPSIM_EXIT_USAGE;
        } else if (rc) {
            if (rank == 0)
                capsim_print_error(&err);
            code = CAPSIM_EXIT_FAILURE;
        }
    }

    if (code == 0 && rank == 0) {
        int rc = sim_batch_write(res, &opt, &report, output, a.force, &err);
        if (rc) {
            capsim_print_error(&err);
            code = CAPSIM_EXIT_FAILURE;
        } else {
            if (!a.no_checkpoint)
                unlink(ckpt);
            if (a.progress != 0) {
                if (a.shards > 0) {
                    size_t first, end;
                    sim_batch_shard_range(report.replications, opt.shard, opt.shards, &first,
                                          &end);
                    fprintf(stderr,
                            "capsim run: shard %llu/%llu: replications %zu-%zu of %zu, %zu "
                            "scenario%s, written to %s (%.1f s",
                            a.shard, a.shards, first, end - 1, report.replications,
                            res->n_scenarios, res->n_scenarios == 1 ? "" : "s", output,
                            report.seconds);
                } else {
                    fprintf(stderr,
                            "capsim run: %zu scenario%s x %zu replications written to %s "
                            "(%.1f s",
                            res->n_scenarios, res->n_scenarios == 1 ? "" : "s",
                            report.replications, output, report.seconds);
                }
                fprintf(stderr, ", %u thread%s", opt.threads, opt.threads == 1 ? "" : "s");
                if (report.jobs_resumed)
                    fprintf(stderr, "; %zu jobs from the checkpoint", report.jobs_resumed);
                fputs(")\n", stderr);
                if (a.precision > 0)
                    fprintf(stderr,
                            "capsim run: precision %g %s after %zu replications (worst: %s at "
                            "%.4g)\n",
                            a.precision, report.precision_met ? "reached" : "NOT reached",
                            report.replications, report.worst_metric, report.worst_precision);
                for (size_t s = 0; a.shards == 0 && s < res->n_scenarios; s++) {
                    const sim_scenario_result *sc = &res->scenarios[s];
                    if (!starts_empty(sc))
                        continue;
                    double best = 0;
                    for (size_t k = 0; k < sim_monitor_metric_count(sc->monitor); k++) {
                        double d = sim_batch_mser5_days(sc, k);
                        if (isfinite(d) && d > best)
                            best = d;
                    }
                    if (best > sc->warmup_days)
                        fprintf(stderr,
                                "capsim run: %s: MSER-5 suggests a warm-up of %g days "
                                "(warmup_days is %g; see mser5_warmup_days in the file)\n",
                                sc->name, best, sc->warmup_days);
                }
            }
        }
    }

    sim_results_free(res);
    for (size_t i = 0; loaded && i < list.n; i++)
        capsim_scenario_close(loaded[i]);
    free(loaded);
    capsim_batch_list_free(&list);
    free(output);
    free(ckpt);
    sim_batch_mpi_end();
    return code;
}
