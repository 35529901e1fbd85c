#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "core/error.h"
#include "core/monitor.h"
#include "results/results.h"

/*
 * The fixture: scenarios "base" (the baseline) and "more-beds", 4 replications, times
 * 30/61/91, trusts Alpha/Beta, metrics
 *   0 waiting_list  series per trust   1 admissions  series
 *   2 mean_wait     rep per trust      3 total_cost  rep
 * with value(s, k, m, t, g) = 100 (m + 1) + 10 t + g + k^2 / 2, plus (m + 1) + k / 4 in
 * "more-beds". Across k = 0..3 the k^2/2 terms are 0, 0.5, 2, 4.5: mean 1.75, sample
 * variance 12.25 / 3; the paired differences (m + 1) + k / 4 have sd 0.25 sd(0,1,2,3).
 */
enum { REPS = 4 };
static const double T95_3 = 3.182446305284263; /* Student t, 97.5%, 3 df */
static const double T95_1 = 12.706204736174707;
static const double times3[] = {30, 61, 91};
static const char *const labels3[] = {"2024-05-01", "2024-06-01", "2024-07-01"};
static const char *const trusts[] = {"Alpha", "Beta"};
static const char *const yaml_base = "name: base\nbeds: 10\n# caf\xc3\xa9\n";
static const char *const yaml_more = "name: more-beds\nbeds: 12\n";
static const uint64_t SEED = 0x8000000000000005ull;

static double value(int s, int k, int m, int t, int g)
{
    double v = 100.0 * (m + 1) + 10.0 * t + g + 0.5 * k * k;
    if (s == 1)
        v += (m + 1) + 0.25 * k;
    return v;
}

static sim_monitor *make_monitor(void)
{
    sim_monitor *m = sim_monitor_alloc();
    assert_int_equal(sim_monitor_set_times(m, times3, labels3, 3), 0);
    assert_int_equal(sim_monitor_set_groups(m, "trust", trusts, 2), 0);
    assert_int_equal(sim_monitor_declare(m, "waiting_list", "patients",
                                         "Patients waiting at month end.", SIM_METRIC_SERIES,
                                         true), 0);
    assert_int_equal(sim_monitor_declare(m, "admissions", "1", "Admissions in the month.",
                                         SIM_METRIC_SERIES, false), 1);
    assert_int_equal(sim_monitor_declare(m, "mean_wait", "weeks",
                                         "Mean wait of treated patients.", SIM_METRIC_REP,
                                         true), 2);
    assert_int_equal(sim_monitor_declare(m, "total_cost", "GBP", "Total cost.",
                                         SIM_METRIC_REP, false), 3);
    return m;
}

static void fill_record(sim_record *r, int s, int k)
{
    const sim_monitor *m = r->monitor;
    for (int mi = 0; mi < 4; mi++) {
        const sim_metric *mt = sim_monitor_metric(m, (size_t)mi);
        int nt = mt->kind == SIM_METRIC_SERIES ? 3 : 1;
        int ng = mt->per_group ? 2 : 1;
        for (int t = 0; t < nt; t++)
            for (int g = 0; g < ng; g++)
                sim_record_set(r, mi, (size_t)t, (size_t)g, value(s, k, mi, t, g));
    }
}

/* `skip` replications (bit k) of "more-beds" are left unrun. */
static sim_results *make_results(unsigned skip)
{
    sim_results *r = sim_results_alloc();
    assert_non_null(r);
    r->capsim_version = strdup("0.1.0");
    r->git_commit = strdup("abc123def456");
    r->command_line = strdup("capsim run --reps 4 s\xc3\xa9.yaml");
    r->created_utc = strdup("2026-11-23T09:31:41Z");
    r->base_seed = SEED;
    r->replications = REPS;
    assert_int_equal(sim_results_add_scenario(r, "base", yaml_base, "2024-04-01", 91, 0,
                                              make_monitor(), REPS), 0);
    assert_int_equal(sim_results_add_scenario(r, "more-beds", yaml_more, "2024-04-01", 91, 0,
                                              make_monitor(), REPS), 1);
    r->baseline = 0;
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < REPS; k++) {
            if (s == 1 && (skip >> k & 1))
                continue;
            sim_record *rec = sim_record_alloc(r->scenarios[s].monitor);
            fill_record(rec, s, k);
            r->scenarios[s].reps[k] = rec;
        }
    return r;
}

static char *path_in(const char *dir, const char *name)
{
    static char buf[4][4096];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
    return buf[i];
}

/* ---- small HDF5 readers for the checks ---- */

static char *h5_attr_str(hid_t loc, const char *name)
{
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t t = H5Aget_type(a);
    assert_int_equal(H5Tget_class(t), H5T_STRING);
    assert_true(H5Tis_variable_str(t) > 0);
    assert_int_equal(H5Tget_cset(t), H5T_CSET_UTF8);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5T_CSET_UTF8);
    char *s = NULL;
    assert_true(H5Aread(a, mt, &s) >= 0);
    char *copy = strdup(s);
    H5free_memory(s);
    H5Tclose(mt);
    H5Tclose(t);
    H5Aclose(a);
    return copy;
}

static void check_attr_str(hid_t loc, const char *name, const char *want)
{
    char *s = h5_attr_str(loc, name);
    assert_string_equal(s, want);
    free(s);
}

static double h5_attr_f64(hid_t loc, const char *name)
{
    double v;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0);
    H5Aclose(a);
    return v;
}

static int64_t h5_attr_i64(hid_t loc, const char *name)
{
    int64_t v;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Aread(a, H5T_NATIVE_INT64, &v) >= 0);
    H5Aclose(a);
    return v;
}

/* Open a dataset, check its shape, units and description, and read it as doubles. */
static double *h5_read(hid_t f, const char *name, int rank, const hsize_t *dims,
                       const char *units)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (d < 0)
        fail_msg("no dataset %s", name);
    hid_t sp = H5Dget_space(d);
    assert_int_equal(H5Sget_simple_extent_ndims(sp), rank);
    hsize_t got[4];
    H5Sget_simple_extent_dims(sp, got, NULL);
    size_t n = 1;
    for (int i = 0; i < rank; i++) {
        assert_int_equal(got[i], dims[i]);
        n *= dims[i];
    }
    check_attr_str(d, "units", units);
    char *desc = h5_attr_str(d, "description");
    assert_true(strlen(desc) > 5);
    free(desc);
    double *buf = malloc(n * sizeof *buf);
    assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    H5Sclose(sp);
    H5Dclose(d);
    return buf;
}

static void check_attached(hid_t f, const char *name, const char *const *scales, int rank)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    assert_true(d >= 0);
    for (int i = 0; i < rank; i++) {
        if (!scales[i])
            continue;
        hid_t s = H5Dopen2(f, scales[i], H5P_DEFAULT);
        assert_true(s >= 0);
        if (H5DSis_attached(d, s, (unsigned)i) <= 0)
            fail_msg("%s: %s is not attached to dimension %d", name, scales[i], i);
        H5Dclose(s);
    }
    H5Dclose(d);
}

static void check_strings(hid_t f, const char *name, const char *const *want, size_t n)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    assert_true(d >= 0);
    hid_t t = H5Dget_type(d);
    assert_int_equal(H5Tget_cset(t), H5T_CSET_UTF8);
    assert_true(H5Tis_variable_str(t) > 0);
    hid_t sp = H5Dget_space(d);
    assert_int_equal(H5Sget_simple_extent_npoints(sp), (hssize_t)n);
    char **s = calloc(n, sizeof *s);
    assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, s) >= 0);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(s[i], want[i]);
        H5free_memory(s[i]);
    }
    free(s);
    H5Sclose(sp);
    H5Tclose(t);
    H5Dclose(d);
}

static void close_to(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.17g, want %.17g", got, want);
}

/* ---- tests ---- */

static void test_sha256(void **state)
{
    (void)state;
    char out[65];
    sim_sha256_hex("abc", 3, out);
    assert_string_equal(out,
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sim_sha256_hex("", 0, out);
    assert_string_equal(out,
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sim_sha256_hex(m448, strlen(m448), out);
    assert_string_equal(out,
                        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* 1,000,000 'a' (FIPS 180-2 appendix B.3): many blocks. */
    char *million = malloc(1000000);
    memset(million, 'a', 1000000);
    sim_sha256_hex(million, 1000000, out);
    free(million);
    assert_string_equal(out,
                        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_add_scenario(void **state)
{
    (void)state;
    sim_results *r = sim_results_alloc();
    assert_int_equal(r->baseline, -1);
    sim_monitor *m = make_monitor();
    assert_int_equal(sim_results_add_scenario(r, "bad/name", "", "2024-04-01", 1, 0, m, 1),
                     SIM_EINVAL);
    assert_int_equal(sim_results_add_scenario(r, "ok", "", "2024-4-1", 1, 0, m, 1),
                     SIM_EINVAL);
    assert_int_equal(sim_results_add_scenario(r, "ok", "", "2024-04-01", 1, 0, m, 1), 0);
    sim_monitor *m2 = make_monitor();
    assert_int_equal(sim_results_add_scenario(r, "ok", "", "2024-04-01", 1, 0, m2, 1),
                     SIM_EINVAL);
    sim_monitor_free(m2);
    assert_string_equal(r->scenarios[0].sha256,
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_null(r->scenarios[0].reps[0]);
    sim_results_free(r);
    sim_results_free(NULL);
}

static void test_layout(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("results_layout");
    const char *path = path_in(dir, "out.h5");
    sim_results *r = make_results(0);
    /* One unobserved value: summaries skip it. */
    sim_record_set(r->scenarios[0].reps[2], 1, 0, 0, NAN);
    struct sim_error err;
    sim_error_clear(&err);
    int rc = sim_results_write(r, path, false, &err);
    if (rc)
        fail_msg("write: %s", err.message);
    assert_int_equal(tu_count_entries(dir), 1);

    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    check_attr_str(f, "format", "capsim-results");
    assert_int_equal(h5_attr_i64(f, "format_version"), 2);
    check_attr_str(f, "capsim_version", "0.1.0");
    check_attr_str(f, "git_commit", "abc123def456");
    check_attr_str(f, "created_utc", "2026-11-23T09:31:41Z");
    check_attr_str(f, "command_line", "capsim run --reps 4 s\xc3\xa9.yaml");
    assert_int_equal(h5_attr_i64(f, "replications"), REPS);
    assert_int_equal(h5_attr_i64(f, "complete"), 1);
    {
        hid_t a = H5Aopen(f, "base_seed", H5P_DEFAULT);
        hid_t t = H5Aget_type(a);
        assert_true(H5Tequal(t, H5T_STD_U64LE) > 0);
        uint64_t seed;
        H5Aread(a, H5T_NATIVE_UINT64, &seed);
        assert_true(seed == SEED);
        H5Tclose(t);
        H5Aclose(a);
    }

    hid_t g = H5Gopen2(f, "/scenarios/base", H5P_DEFAULT);
    assert_true(g >= 0);
    check_attr_str(g, "start_date", "2024-04-01");
    assert_true(h5_attr_f64(g, "horizon_days") == 91.0);
    assert_true(h5_attr_f64(g, "warmup_days") == 0.0);
    char sha[65];
    sim_sha256_hex(yaml_base, strlen(yaml_base), sha);
    check_attr_str(g, "scenario_sha256", sha);
    H5Gclose(g);
    const char *yaml_arr[] = {yaml_base};
    check_strings(f, "/scenarios/base/scenario_yaml", yaml_arr, 1);
    check_strings(f, "/scenarios/base/time_label", labels3, 3);
    check_strings(f, "/scenarios/base/default/trust", trusts, 2);
    static const char *const stats[] = {"mean", "sd", "ci_low", "ci_high", "half_width",
                                        "q025", "median", "q975", "min", "max", "n"};
    check_strings(f, "/scenarios/base/stat", stats, 11);

    hsize_t d1[] = {3};
    double *t = h5_read(f, "/scenarios/base/time", 1, d1, "days since 2024-03-31 23:59:59");
    for (int i = 0; i < 3; i++)
        assert_true(t[i] == times3[i]);
    free(t);
    {
        hid_t d = H5Dopen2(f, "/scenarios/base/replication", H5P_DEFAULT);
        int64_t reps[REPS];
        H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, reps);
        for (int k = 0; k < REPS; k++)
            assert_int_equal(reps[k], k);
        assert_true(H5DSis_scale(d) > 0);
        H5Dclose(d);
    }

    /* Series: [replication, time, trust], chunked with shuffle and deflate. */
    hsize_t ds[] = {REPS, 3, 2};
    double *v = h5_read(f, "/scenarios/base/default/series/waiting_list", 3, ds, "patients");
    for (int k = 0; k < REPS; k++)
        for (int ti = 0; ti < 3; ti++)
            for (int gi = 0; gi < 2; gi++)
                assert_true(v[(k * 3 + ti) * 2 + gi] == value(0, k, 0, ti, gi));
    free(v);
    /* Each group of datasets has its own copies of the scales (netCDF and xarray see them). */
    const char *sc3[] = {"/scenarios/base/default/series/replication",
                         "/scenarios/base/default/series/time",
                         "/scenarios/base/default/series/trust"};
    check_attached(f, "/scenarios/base/default/series/waiting_list", sc3, 3);
    {
        hid_t d = H5Dopen2(f, "/scenarios/base/default/series/waiting_list", H5P_DEFAULT);
        hid_t p = H5Dget_create_plist(d);
        assert_int_equal(H5Pget_layout(p), H5D_CHUNKED);
        assert_int_equal(H5Pget_nfilters(p), 2);
        unsigned flags, cd[4];
        size_t ncd = 4;
        assert_int_equal(H5Pget_filter2(p, 0, &flags, &ncd, cd, 0, NULL, NULL), H5Z_FILTER_SHUFFLE);
        ncd = 4;
        assert_int_equal(H5Pget_filter2(p, 1, &flags, &ncd, cd, 0, NULL, NULL), H5Z_FILTER_DEFLATE);
        check_attr_str(d, "kind", "series");
        char label[32];
        assert_true(H5DSget_label(d, 1, label, sizeof label) > 0);
        assert_string_equal(label, "time");
        H5Pclose(p);
        H5Dclose(d);
    }
    hsize_t dr[] = {REPS};
    v = h5_read(f, "/scenarios/more-beds/default/reps/total_cost", 1, dr, "GBP");
    for (int k = 0; k < REPS; k++)
        assert_true(v[k] == value(1, k, 3, 0, 0));
    free(v);
    const char *scr[] = {"/scenarios/more-beds/default/reps/replication",
                         "/scenarios/more-beds/default/reps/trust"};
    check_attached(f, "/scenarios/more-beds/default/reps/mean_wait", scr, 2);

    /* Summary of waiting_list, time 1, Beta: c + k^2/2 with c = 100 + 10 + 1. */
    hsize_t dsum[] = {3, 2, 11};
    double *s = h5_read(f, "/scenarios/base/default/summary/waiting_list", 3, dsum, "patients");
    const double *c = s + (1 * 2 + 1) * 11;
    double c0 = 111.0, sd = sqrt(12.25 / 3.0), hw = T95_3 * sd / 2.0;
    close_to(c[0], c0 + 1.75, 1e-12);
    close_to(c[1], sd, 1e-12);
    close_to(c[2], c0 + 1.75 - hw, 1e-9);
    close_to(c[3], c0 + 1.75 + hw, 1e-9);
    close_to(c[4], hw, 1e-9);
    close_to(c[5], c0 + 0.0375, 1e-12);  /* type 7: h = 0.075 between 0 and 0.5 */
    close_to(c[6], c0 + 1.25, 1e-12);
    close_to(c[7], c0 + 2.0 + 0.925 * 2.5, 1e-12);
    close_to(c[8], c0, 0);
    close_to(c[9], c0 + 4.5, 0);
    close_to(c[10], 4, 0);
    free(s);
    const char *scs[] = {"/scenarios/base/default/summary/time",
                         "/scenarios/base/default/summary/trust",
                         "/scenarios/base/default/summary/stat"};
    check_attached(f, "/scenarios/base/default/summary/waiting_list", scs, 3);
    /* admissions at time 0 had one NaN (replication 2): n = 3. */
    hsize_t dsa[] = {3, 11};
    s = h5_read(f, "/scenarios/base/default/summary/admissions", 2, dsa, "1");
    close_to(s[10], 3, 0);
    close_to(s[0], 200 + (0 + 0.5 + 4.5) / 3, 1e-12);
    close_to(s[1 * 11 + 10], 4, 0);
    free(s);
    hsize_t dst[] = {11};
    s = h5_read(f, "/scenarios/base/default/summary/total_cost", 1, dst, "GBP");
    close_to(s[0], 400 + 1.75, 1e-12);
    free(s);

    /* Paired differences more-beds - base: (m + 1) + k/4, k = 0..3. */
    hsize_t dc[] = {2, 11};
    s = h5_read(f, "/comparisons/more-beds__vs__base/default/mean_wait", 2, dc, "weeks");
    double dsd = 0.25 * sqrt(5.0 / 3.0), dhw = T95_3 * dsd / 2.0;
    for (int gi = 0; gi < 2; gi++) {
        close_to(s[gi * 11 + 0], 3.375, 1e-12);
        close_to(s[gi * 11 + 1], dsd, 1e-12);
        close_to(s[gi * 11 + 2], 3.375 - dhw, 1e-9);
        close_to(s[gi * 11 + 3], 3.375 + dhw, 1e-9);
        close_to(s[gi * 11 + 10], 4, 0);
    }
    free(s);
    const char *scc[] = {"/comparisons/more-beds__vs__base/default/trust",
                         "/comparisons/more-beds__vs__base/default/stat"};
    check_attached(f, "/comparisons/more-beds__vs__base/default/mean_wait", scc, 2);
    s = h5_read(f, "/comparisons/more-beds__vs__base/default/waiting_list", 3, dsum, "patients");
    close_to(s[(2 * 2 + 1) * 11], 1.375, 1e-12);
    free(s);
    /* The baseline is not compared with itself. */
    assert_true(H5Lexists(f, "/comparisons/base__vs__base", H5P_DEFAULT) <= 0);
    assert_true(H5Fclose(f) >= 0);
    sim_results_free(r);
}

static bool same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static void compare_results(const sim_results *a, const sim_results *b)
{
    assert_string_equal(a->capsim_version, b->capsim_version);
    assert_string_equal(a->git_commit, b->git_commit);
    assert_string_equal(a->command_line, b->command_line);
    assert_string_equal(a->created_utc, b->created_utc);
    assert_true(a->base_seed == b->base_seed);
    assert_int_equal(a->replications, b->replications);
    assert_int_equal(a->n_scenarios, b->n_scenarios);
    assert_int_equal(a->baseline, b->baseline);
    for (size_t i = 0; i < a->n_scenarios; i++) {
        const sim_scenario_result *x = &a->scenarios[i], *y = &b->scenarios[i];
        assert_string_equal(x->name, y->name);
        assert_string_equal(x->yaml, y->yaml);
        assert_string_equal(x->sha256, y->sha256);
        assert_string_equal(x->start_date, y->start_date);
        assert_true(x->horizon_days == y->horizon_days);
        assert_true(x->warmup_days == y->warmup_days);
        assert_true(sim_monitor_equal(x->monitor, y->monitor));
        assert_int_equal(x->replications, y->replications);
        size_t len = sim_monitor_record_length(x->monitor);
        for (size_t k = 0; k < x->replications; k++) {
            assert_int_equal(x->reps[k] == NULL, y->reps[k] == NULL);
            if (!x->reps[k])
                continue;
            assert_ptr_equal(y->reps[k]->monitor, y->monitor);
            for (size_t j = 0; j < len; j++)
                assert_true(same_double(x->reps[k]->values[j], y->reps[k]->values[j]));
        }
    }
}

static void test_roundtrip(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("results_roundtrip");
    const char *path = path_in(dir, "out.h5");
    sim_results *r = make_results(0);
    sim_record_set(r->scenarios[1].reps[3], 2, 0, 1, NAN);
    struct sim_error err;
    assert_int_equal(sim_results_write(r, path, false, &err), 0);
    sim_results *back = NULL;
    int rc = sim_results_read(path, &back, &err);
    if (rc)
        fail_msg("read: %s", err.message);
    compare_results(r, back);
    assert_string_equal(sim_monitor_metric(back->scenarios[0].monitor, 2)->units, "weeks");
    assert_string_equal(sim_monitor_group_dimension(back->scenarios[0].monitor), "trust");

    /* What was read back writes the same bytes. */
    const char *again = path_in(dir, "again.h5");
    assert_int_equal(sim_results_write(back, again, false, &err), 0);
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "cmp '%s' '%s'", path, again);
    assert_int_equal(tu_run(cmd, NULL, NULL), 0);
    sim_results_free(back);
    sim_results_free(r);
}

static void test_byte_identical(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("results_bytes");
    const char *a = path_in(dir, "a.h5"), *b = path_in(dir, "b.h5");
    sim_results *r = make_results(0);
    struct sim_error err;
    assert_int_equal(sim_results_write(r, a, false, &err), 0);
    sim_results *r2 = make_results(0);
    assert_int_equal(sim_results_write(r2, b, false, &err), 0);
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "cmp '%s' '%s'", a, b);
    assert_int_equal(tu_run(cmd, NULL, NULL), 0);
    /* A different value changes the file: cmp can fail. */
    r2->scenarios[1].reps[0]->values[0] += 1;
    assert_int_equal(sim_results_write(r2, b, true, &err), 0);
    assert_int_not_equal(tu_run(cmd, NULL, NULL), 0);
    /* Without a created_utc, the writer stamps the current time. */
    free(r2->created_utc);
    r2->created_utc = NULL;
    assert_int_equal(sim_results_write(r2, b, true, &err), 0);
    sim_results *back;
    assert_int_equal(sim_results_read(b, &back, &err), 0);
    assert_int_equal(strlen(back->created_utc), 20);
    assert_true(back->created_utc[10] == 'T' && back->created_utc[19] == 'Z');
    sim_results_free(back);
    assert_int_equal(tu_count_entries(dir), 2);
    sim_results_free(r);
    sim_results_free(r2);
}

static void test_write_failures(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("results_fail");
    sim_results *r = make_results(0);
    struct sim_error err;
    sim_error_clear(&err);
    const char *missing = path_in(dir, "no/such/dir/out.h5");
    assert_int_equal(sim_results_write(r, missing, false, &err), SIM_EIO);
    assert_string_equal(err.file, missing);
    assert_string_equal(err.message, "cannot create results file: No such file or directory");
    assert_int_equal(tu_count_entries(dir), 0);

    const char *path = path_in(dir, "out.h5");
    tu_write_file(path, "precious");
    sim_error_clear(&err);
    assert_int_equal(sim_results_write(r, path, false, &err), SIM_EINPUT);
    assert_string_equal(err.file, path);
    assert_string_equal(err.message, "results file exists (use --force to overwrite)");
    char *text = tu_read_file(path);
    assert_string_equal(text, "precious");
    free(text);
    assert_int_equal(tu_count_entries(dir), 1);

    /* With overwrite, the file is replaced and no temporary is left. */
    assert_int_equal(sim_results_write(r, path, true, &err), 0);
    assert_int_equal(tu_count_entries(dir), 1);
    sim_results *back;
    assert_int_equal(sim_results_read(path, &back, &err), 0);
    sim_results_free(back);

    /* Bad results are refused before anything is created. */
    r->baseline = 7;
    const char *other = path_in(dir, "other.h5");
    assert_int_equal(sim_results_write(r, other, false, &err), SIM_EINVAL);
    assert_int_equal(tu_count_entries(dir), 1);
    r->baseline = 0;

    /* A failure half-way through the file (a record of another shape, found while the
     * second scenario is written) removes the temporary file. */
    sim_monitor *small = sim_monitor_alloc();
    assert_int_equal(sim_monitor_declare(small, "x", "1", "d", SIM_METRIC_REP, false), 0);
    sim_record *stray = sim_record_alloc(small);
    sim_record *kept = r->scenarios[1].reps[2];
    r->scenarios[1].reps[2] = stray;
    sim_error_clear(&err);
    assert_int_equal(sim_results_write(r, other, false, &err), SIM_EINVAL);
    assert_string_equal(err.message, "cannot write results file: scenario more-beds "
                                     "replication 2 was recorded with another monitor");
    assert_int_equal(tu_count_entries(dir), 1);
    r->scenarios[1].reps[2] = kept;
    sim_record_free(stray);
    sim_monitor_free(small);
    sim_results_free(r);
}

static void test_partial(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("results_partial");
    const char *path = path_in(dir, "shard.h5");
    sim_results *r = make_results(0xa); /* more-beds has replications 0 and 2 */
    struct sim_error err;
    assert_int_equal(sim_results_write(r, path, false, &err), 0);

    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_int_equal(h5_attr_i64(f, "complete"), 0);
    hid_t d = H5Dopen2(f, "/scenarios/more-beds/replication", H5P_DEFAULT);
    hid_t sp = H5Dget_space(d);
    assert_int_equal(H5Sget_simple_extent_npoints(sp), 2);
    int64_t reps[2];
    H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, reps);
    assert_int_equal(reps[0], 0);
    assert_int_equal(reps[1], 2);
    H5Sclose(sp);
    H5Dclose(d);
    hsize_t ds[] = {2, 3};
    double *v = h5_read(f, "/scenarios/more-beds/default/series/admissions", 2, ds, "1");
    assert_true(v[1 * 3 + 2] == value(1, 2, 1, 2, 0));
    free(v);
    hsize_t dst[] = {11};
    v = h5_read(f, "/scenarios/more-beds/default/summary/total_cost", 1, dst, "GBP");
    close_to(v[10], 2, 0);
    close_to(v[0], 404 + (0 + 2.0 + 0 + 0.5) / 2, 1e-12);
    free(v);
    /* Paired over replications 0 and 2: differences 4 and 4.5. */
    v = h5_read(f, "/comparisons/more-beds__vs__base/default/total_cost", 1, dst, "GBP");
    close_to(v[10], 2, 0);
    close_to(v[0], 4.25, 1e-12);
    close_to(v[4], T95_1 * sqrt(0.125) / sqrt(2.0), 1e-9);
    free(v);
    hid_t cg = H5Gopen2(f, "/comparisons/more-beds__vs__base", H5P_DEFAULT);
    assert_int_equal(h5_attr_i64(cg, "pairs"), 2);
    H5Gclose(cg);
    H5Fclose(f);

    sim_results *back;
    assert_int_equal(sim_results_read(path, &back, &err), 0);
    compare_results(r, back);
    assert_null(back->scenarios[1].reps[1]);
    assert_non_null(back->scenarios[1].reps[2]);
    sim_results_free(back);

    /* No replication at all: empty datasets, summaries with n = 0. */
    for (int k = 0; k < REPS; k++) {
        sim_record_free(r->scenarios[1].reps[k]);
        r->scenarios[1].reps[k] = NULL;
    }
    assert_int_equal(sim_results_write(r, path, true, &err), 0);
    assert_int_equal(sim_results_read(path, &back, &err), 0);
    compare_results(r, back);
    sim_results_free(back);
    sim_results_free(r);
}

/* A batch with only replication outcomes: no times, no groups. */
static void test_no_dimensions(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("results_nodims");
    const char *path = path_in(dir, "out.h5");
    sim_results *r = sim_results_alloc();
    sim_monitor *m = sim_monitor_alloc();
    assert_int_equal(sim_monitor_declare(m, "utilisation", "fraction", "Theatre utilisation.",
                                         SIM_METRIC_REP, false), 0);
    assert_int_equal(sim_results_add_scenario(r, "only", "x: 1\n", "2025-01-01", 365, 30, m, 3),
                     0);
    for (int k = 0; k < 3; k++) {
        r->scenarios[0].reps[k] = sim_record_alloc(m);
        sim_record_set(r->scenarios[0].reps[k], 0, 0, 0, 0.5 + 0.1 * k);
    }
    r->replications = 3;
    r->capsim_version = strdup("0.1.0");
    r->git_commit = strdup("");
    r->command_line = strdup("capsim run only.yaml");
    r->created_utc = strdup("2026-11-23T09:31:41Z");
    struct sim_error err;
    int rc = sim_results_write(r, path, false, &err);
    if (rc)
        fail_msg("write: %s", err.message);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hsize_t dst[] = {11};
    double *v = h5_read(f, "/scenarios/only/default/summary/utilisation", 1, dst, "fraction");
    close_to(v[0], 0.6, 1e-12);
    close_to(v[1], 0.1, 1e-12);
    free(v);
    hsize_t d0[] = {0};
    free(h5_read(f, "/scenarios/only/time", 1, d0, "days since 2024-12-31 23:59:59"));
    assert_true(H5Lexists(f, "/comparisons", H5P_DEFAULT) <= 0);
    H5Fclose(f);
    sim_results *back;
    assert_int_equal(sim_results_read(path, &back, &err), 0);
    compare_results(r, back);
    assert_int_equal(back->baseline, -1);
    assert_null(sim_monitor_group_dimension(back->scenarios[0].monitor));
    sim_results_free(back);
    sim_results_free(r);
}

static void test_read_errors(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("results_corrupt");
    const char *path = path_in(dir, "out.h5");
    sim_results *r = make_results(0);
    struct sim_error err;
    assert_int_equal(sim_results_write(r, path, false, &err), 0);
    sim_results_free(r);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);

    const off_t sizes[] = {st.st_size / 2, 100, 0};
    for (size_t i = 0; i < 3; i++) {
        const char *cut = path_in(dir, "cut.h5");
        char cmd[9000];
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path, cut);
        assert_int_equal(tu_run(cmd, NULL, NULL), 0);
        assert_int_equal(truncate(cut, sizes[i]), 0);
        sim_results *back = (sim_results *)1;
        sim_error_clear(&err);
        int rc = sim_results_read(cut, &back, &err);
        assert_null(back);
        assert_string_equal(err.file, cut);
        if (sizes[i] == 0) {
            assert_int_equal(rc, SIM_EINPUT);
            assert_string_equal(err.message, "not a capsim results file");
        } else {
            assert_int_equal(rc, SIM_EIO);
            if (strncmp(err.message, "truncated or corrupt HDF5 file", 30) != 0)
                fail_msg("size %ld: %s", (long)sizes[i], err.message);
        }
    }

    const char *text = path_in(dir, "text.h5");
    tu_write_file(text, "name: not hdf5\n");
    sim_results *back;
    assert_int_equal(sim_results_read(text, &back, &err), SIM_EINPUT);
    assert_string_equal(err.message, "not a capsim results file");

    /* An HDF5 file of someone else's. */
    const char *other = path_in(dir, "other.h5");
    hid_t f = H5Fcreate(other, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);
    assert_int_equal(sim_results_read(other, &back, &err), SIM_EINPUT);
    assert_string_equal(err.file, other);
    assert_string_equal(err.message, "not a capsim results file");

    assert_int_equal(sim_results_read(path_in(dir, "missing.h5"), &back, &err), SIM_EIO);
    assert_string_equal(err.message, "cannot open results file: No such file or directory");
}

static void test_h5py(void **state)
{
    (void)state;
    if (tu_run("/usr/bin/python3 -c 'import h5py'", NULL, NULL) != 0) {
        print_message("skipping: /usr/bin/python3 cannot import h5py\n");
        return;
    }
    const char *dir = tu_tmpdir("results_h5py");
    const char *path = path_in(dir, "out.h5");
    sim_results *r = make_results(0);
    struct sim_error err;
    assert_int_equal(sim_results_write(r, path, false, &err), 0);
    sim_results_free(r);
    const char *py = path_in(dir, "check.py");
    tu_write_file(py,
        "import sys, h5py\n"
        "f = h5py.File(sys.argv[1], 'r')\n"
        "assert isinstance(f.attrs['format'], str), type(f.attrs['format'])\n"
        "assert f.attrs['command_line'] == 'capsim run --reps 4 s\\u00e9.yaml'\n"
        "assert int(f.attrs['base_seed']) == 0x8000000000000005\n"
        "g = f['scenarios/base']\n"
        "assert isinstance(g.attrs['start_date'], str)\n"
        "assert g['scenario_yaml'].asstr()[()].endswith('caf\\u00e9\\n')\n"
        "assert list(g.attrs['models']) == ['default']\n"
        "d = g['default/series/waiting_list']\n"
        "assert isinstance(d.attrs['units'], str) and d.attrs['units'] == 'patients'\n"
        "assert [dim.label for dim in d.dims] == ['replication', 'time', 'trust'], "
        "[dim.label for dim in d.dims]\n"
        "assert d.dims[1][0].name == '/scenarios/base/default/series/time'\n"
        "assert list(d.dims[2].keys()) == ['trust']\n"
        "assert list(g['default/trust'].asstr()[:]) == ['Alpha', 'Beta']\n"
        "assert list(d.attrs['dimensions']) == ['trust']\n"
        "assert d.shape == (4, 3, 2)\n"
        "assert d[3, 1, 1] == 100 + 10 + 1 + 4.5\n"
        "s = g['default/summary/waiting_list']\n"
        "assert [dim.label for dim in s.dims] == ['time', 'trust', 'stat']\n"
        "assert list(s.dims[2][0].asstr()[:])[:2] == ['mean', 'sd']\n"
        "print('ok')\n");
    char cmd[9000], *out = NULL, *errs = NULL;
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s'", py, path);
    int rc = tu_run(cmd, &out, &errs);
    if (rc != 0)
        fail_msg("h5py check failed (%d): %s%s", rc, out ? out : "", errs ? errs : "");
    assert_string_equal(out, "ok\n");
    free(out);
    free(errs);

    /* The example reader prints the summary table: total_cost's mean is 400 + 1.75. */
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/scripts/read_results.py' '%s' base",
             CAPSIM_SOURCE_DIR, path);
    out = errs = NULL;
    rc = tu_run(cmd, &out, &errs);
    if (rc != 0)
        fail_msg("read_results.py failed (%d): %s", rc, errs ? errs : "");
    assert_non_null(strstr(out, "waiting_list                     2024-07-01   Alpha"));
    assert_non_null(strstr(out, "total_cost"));
    assert_non_null(strstr(out, "401.8"));
    free(out);
    free(errs);

    if (tu_run("/usr/bin/python3 -c 'import matplotlib'", NULL, NULL) != 0) {
        print_message("skipping the plot: /usr/bin/python3 cannot import matplotlib\n");
        return;
    }
    const char *png = path_in(dir, "wl.png");
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 '%s/scripts/plot_results.py' '%s' waiting_list -o '%s'",
             CAPSIM_SOURCE_DIR, path, png);
    errs = NULL;
    rc = tu_run(cmd, NULL, &errs);
    if (rc != 0)
        fail_msg("plot_results.py failed (%d): %s", rc, errs ? errs : "");
    free(errs);
    char *bytes = tu_read_file(png);
    assert_non_null(bytes);
    assert_memory_equal(bytes, "\x89PNG", 4);
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_add_scenario),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_byte_identical),
        cmocka_unit_test(test_write_failures),
        cmocka_unit_test(test_partial),
        cmocka_unit_test(test_no_dimensions),
        cmocka_unit_test(test_read_errors),
        cmocka_unit_test(test_h5py),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
