/*
 * tests/test_mpi.c: batches spread over MPI ranks give the same numbers as on one thread.
 *
 * The program is its own MPI job: run by ctest it launches itself under
 * `mpirun --allow-run-as-root --oversubscribe -np N` with the argument "child", and the
 * child ranks run a batch of a tiny test-only model through sim_batch_run with MPI on; rank 0
 * writes the records' raw bytes to a file, which the parent compares with a run on one
 * thread. Then the real program: `mpirun -np 2 capsim run` against `capsim run -j 1`,
 * compared with h5diff. Skipped cleanly when capsim was built without MPI.
 */
#include "testutil.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch/batch.h"
#include "core/error.h"
#include "core/monitor.h"
#include "results/results.h"
#include "core/rng.h"

/* Open MPI's own start-up allocations are never freed; in a sanitizer build LeakSanitizer
 * would fail every rank at exit for them, so the ranks run without leak detection (the same
 * code is leak-checked without MPI by test_batch and test_batch_cli). */
#define MPI_ENV "ASAN_OPTIONS=detect_leaks=0 "

#define TIMES 12
#define SEED 99

static sim_monitor *tm_monitor(void)
{
    sim_monitor *m = sim_monitor_alloc();
    double times[TIMES];
    char buf[TIMES][16];
    const char *labels[TIMES];
    for (int i = 0; i < TIMES; i++) {
        times[i] = 30.0 * (i + 1);
        snprintf(buf[i], sizeof buf[i], "day-%d", 30 * (i + 1));
        labels[i] = buf[i];
    }
    const char *trusts[] = {"A", "B", "C"};
    sim_monitor_set_times(m, times, labels, TIMES);
    sim_monitor_set_groups(m, "trust", trusts, 3);
    sim_monitor_declare(m, "level", "patients", "Level.", SIM_METRIC_SERIES, true);
    sim_monitor_declare(m, "mean_wait", "days", "Mean wait.", SIM_METRIC_REP, false);
    return m;
}

/* Jobs of uneven length (some sleep), so dynamic balancing has something to balance. */
static int tm_run(void *ctx, size_t scenario, uint64_t rep, sim_record *out)
{
    (void)ctx;
    gsl_rng *g = sim_rng_alloc(SEED, rep, "test/mpi");
    if (!g)
        return SIM_ENOMEM;
    if ((rep + scenario) % 5 == 0)
        usleep(20000);
    for (size_t t = 0; t < TIMES; t++)
        for (size_t k = 0; k < 3; k++)
            sim_record_set(out, 0, t, k,
                           50.0 * (double)(scenario + 1) + gsl_ran_gaussian(g, 4.0) + (double)k);
    sim_record_set(out, 1, 0, 0, 8.0 + (double)scenario + gsl_ran_gaussian(g, 2.0));
    gsl_rng_free(g);
    return 0;
}

static sim_results *tm_results(size_t n, size_t reps)
{
    sim_results *r = sim_results_alloc();
    r->base_seed = SEED;
    r->replications = reps;
    for (size_t s = 0; s < n; s++) {
        char name[16];
        snprintf(name, sizeof name, "m%zu", s);
        sim_results_add_scenario(r, name, "x: 1\n", "2024-04-01", 360, 0, tm_monitor(), reps);
    }
    return r;
}

/* The records as raw bytes, then the replication count. */
static void dump(const sim_results *r, FILE *f)
{
    for (size_t s = 0; s < r->n_scenarios; s++) {
        const sim_scenario_result *sc = &r->scenarios[s];
        size_t len = sim_monitor_record_length(sc->monitor);
        for (size_t k = 0; k < sc->replications; k++)
            fwrite(sc->reps[k]->values, sizeof(double), len, f);
    }
    fprintf(f, "n=%zu\n", r->replications);
}

static const char *const metrics[] = {"mean_wait"};

static void set_opts(sim_batch_options *o, bool precision)
{
    sim_batch_options_init(o);
    o->threads = 1;
    o->progress = 0;
    if (precision) {
        o->precision = 0.04;
        o->metrics = metrics;
        o->n_metrics = 1;
        o->min_replications = 5;
    }
}

/* Child: run the batch on the ranks; rank 0 writes the dump. */
static int child(int argc, char **argv)
{
    int rank, size;
    if (sim_batch_mpi_begin(&argc, &argv, &rank, &size) != SIM_OK)
        return 3;
    bool precision = argc > 3 && strcmp(argv[3], "precision") == 0;
    sim_results *r = tm_results(3, precision ? 300 : 10);
    sim_batch_options o;
    set_opts(&o, precision);
    o.mpi = true;
    sim_batch_report rep;
    struct sim_error err;
    int rc = sim_batch_run(r, tm_run, NULL, &o, &rep, &err);
    if (rc)
        fprintf(stderr, "rank %d: %s\n", rank, err.message);
    if (!rc && rank == 0) {
        FILE *f = fopen(argv[2], "wb");
        dump(r, f);
        fprintf(f, "ranks=%d\n", rep.ranks);
        fclose(f);
    }
    sim_results_free(r);
    sim_batch_mpi_end();
    return rc ? 1 : 0;
}

static char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    *size = fread(buf, 1, (size_t)n, f);
    buf[*size] = '\0';
    fclose(f);
    return buf;
}

static char self[4096];

static void check_ranks(int np, bool precision)
{
    const char *dir = tu_tmpdir(precision ? "mpi_precision" : "mpi_engine");
    char ref_path[600], out_path[600], cmd[6000];
    snprintf(ref_path, sizeof ref_path, "%s/ref.bin", dir);
    snprintf(out_path, sizeof out_path, "%s/np%d.bin", dir, np);

    sim_results *r = tm_results(3, precision ? 300 : 10);
    sim_batch_options o;
    set_opts(&o, precision);
    sim_batch_report rep;
    struct sim_error err;
    assert_int_equal(sim_batch_run(r, tm_run, NULL, &o, &rep, &err), 0);
    FILE *f = fopen(ref_path, "wb");
    dump(r, f);
    fprintf(f, "ranks=%d\n", np);
    fclose(f);
    if (precision)
        assert_true(rep.replications > 5 && rep.replications < 300);
    sim_results_free(r);

    snprintf(cmd, sizeof cmd, MPI_ENV "%s --allow-run-as-root --oversubscribe -np %d %s child %s %s",
             CAPSIM_MPIEXEC, np, self, out_path, precision ? "precision" : "fixed");
    char *out = NULL, *errs = NULL;
    int code = tu_run(cmd, &out, &errs);
    if (code != 0)
        fprintf(stderr, "%s\n%s%s", cmd, out ? out : "", errs ? errs : "");
    assert_int_equal(code, 0);
    free(out);
    free(errs);
    size_t na, nb;
    char *a = read_all(ref_path, &na), *b = read_all(out_path, &nb);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    free(a);
    free(b);
}

static void test_engine_np2(void **state)
{
    (void)state;
    if (!CAPSIM_HAVE_MPI || !CAPSIM_MPIEXEC[0])
        skip();
    check_ranks(2, false);
}

static void test_engine_np3(void **state)
{
    (void)state;
    if (!CAPSIM_HAVE_MPI || !CAPSIM_MPIEXEC[0])
        skip();
    check_ranks(3, false);
}

static void test_engine_precision_np2(void **state)
{
    (void)state;
    if (!CAPSIM_HAVE_MPI || !CAPSIM_MPIEXEC[0])
        skip();
    check_ranks(2, true);
}

/* The program: mpirun -np 2 capsim run against capsim run -j 1, compared with h5diff. */
static void test_capsim_np2(void **state)
{
    (void)state;
    if (!CAPSIM_HAVE_MPI || !CAPSIM_MPIEXEC[0])
        skip();
    const char *dir = tu_tmpdir("mpi_capsim");
    char cmd[8000], *out = NULL, *errs = NULL;
    /* A batch file sweeping the server count: two scenarios, so /comparisons is there. */
    char batch[700];
    snprintf(batch, sizeof batch, "%s/sweep.yaml", dir);
    tu_write_file(batch, "name: mm-sweep\n"
                         "scenarios:\n"
                         "  - file: " CAPSIM_SOURCE_DIR "/scenarios/queue-mm10.yaml\n"
                         "    set: {horizon_days: 200}\n"
                         "    sweep: {queue.servers: [11, 12]}\n");
    snprintf(cmd, sizeof cmd, "run %s -r 6 -j 1 -o %s/one.h5", batch, dir);
    int code = tu_capsim(cmd, &out, &errs);
    if (code)
        fprintf(stderr, "%s%s", out ? out : "", errs ? errs : "");
    assert_int_equal(code, 0);
    free(out);
    free(errs);
    snprintf(cmd, sizeof cmd,
             MPI_ENV "%s --allow-run-as-root --oversubscribe -np 2 %s run %s -r 6 -o %s/np2.h5",
             CAPSIM_MPIEXEC, CAPSIM_BINARY, batch, dir);
    code = tu_run(cmd, &out, &errs);
    if (code)
        fprintf(stderr, "%s%s", out ? out : "", errs ? errs : "");
    assert_int_equal(code, 0);
    free(out);
    free(errs);
    /* Everything but the root's provenance attributes (command line, time). */
    snprintf(cmd, sizeof cmd, "h5diff -r %s/one.h5 %s/np2.h5 /scenarios", dir, dir);
    code = tu_run(cmd, &out, &errs);
    if (code)
        fprintf(stderr, "%s%s", out ? out : "", errs ? errs : "");
    assert_int_equal(code, 0);
    free(out);
    free(errs);
    snprintf(cmd, sizeof cmd, "h5diff -r %s/one.h5 %s/np2.h5 /comparisons", dir, dir);
    assert_int_equal(tu_run(cmd, NULL, NULL), 0);
}

int main(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[1], "child") == 0)
        return child(argc, argv);
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        snprintf(self, sizeof self, "%s", argv[0]);
    else
        self[n] = '\0';
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_np2),
        cmocka_unit_test(test_engine_np3),
        cmocka_unit_test(test_engine_precision_np2),
        cmocka_unit_test(test_capsim_np2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
