/*
 * scenarios/beds-snee.yaml against the 2022-23 sitreps it is calibrated to (data/README.md):
 * every month, the modelled occupancy and NCTR census of WSFT and ESNEFT (Ipswich plus
 * Colchester) fall in the sitrep's ranges (within 1.5 x the 95% half-width over 40
 * replications), beds available are the sitrep's exactly, and the year's mean census is the
 * sitrep's within 2%.
 *   WSFT (RGR):   436-468 beds, occupancy 86%-93%, NCTR 114-129 a day
 *   ESNEFT (RDE): 1,142-1,262 beds, occupancy 93%-97%, NCTR 219-261 a day
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
#include "core/stats.h"
#include "scenario.h"

enum { REPS = 40, MONTHS = 12 };

/* ga_beds_available, April 2022 first (data/ga_beds_sitrep_monthly_...). */
static const double wsft_beds[MONTHS] = {468, 436, 437, 437, 437, 439,
                                         443, 441, 446, 456, 458, 457};
static const double esneft_beds[MONTHS] = {1158, 1142, 1146, 1163, 1163, 1179,
                                           1178, 1188, 1183, 1262, 1255, 1251};

static double value(const capsim_loaded *l, const sim_record *rec, const char *path, size_t t,
                    size_t cell)
{
    int id = sim_monitor_find_path(l->monitor, path);
    assert_true(id >= 0);
    return rec->values[sim_record_index(sim_monitor_metric(l->monitor, (size_t)id), t, cell)];
}

static void in_range(const char *what, int month, const double *x, double lo, double hi)
{
    sim_summary s;
    sim_summarise(x, REPS, &s);
    double slack = 1.5 * s.half_width;
    if (s.mean < lo - slack || s.mean > hi + slack)
        fail_msg("%s, month %d: %.4f (95%% half-width %.4f) outside [%g, %g]", what, month,
                 s.mean, s.half_width, lo, hi);
}

static void test_snee_calibration(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/scenarios/beds-snee.yaml", CAPSIM_SOURCE_DIR);
    capsim_loaded *l = NULL;
    struct sim_error err;
    assert_int_equal(capsim_scenario_open(path, NULL, 0, &l, &err), 0);
    assert_int_equal(sim_monitor_time_count(l->monitor), MONTHS + 1);
    static double occ_w[MONTHS][REPS], occ_e[MONTHS][REPS], nctr_w[MONTHS][REPS],
        nctr_e[MONTHS][REPS], year_w[REPS], year_e[REPS];
    for (size_t r = 0; r < REPS; r++) {
        sim_record *rec = sim_record_alloc(l->monitor);
        assert_int_equal(capsim_scenario_run(l, l->sc.seed, r, rec, &err), 0);
        for (size_t m = 0; m < MONTHS; m++) {
            size_t k = m + 1; /* snapshot 0 is the start */
            double bw = value(l, rec, "beds/beds", k, 0);
            double be = value(l, rec, "beds/beds", k, 1) + value(l, rec, "beds/beds", k, 2);
            assert_true(bw == wsft_beds[m] && be == esneft_beds[m]);
            occ_w[m][r] = value(l, rec, "beds/mean_occupied", k, 0) / bw;
            occ_e[m][r] = (value(l, rec, "beds/mean_occupied", k, 1) +
                           value(l, rec, "beds/mean_occupied", k, 2)) / be;
            nctr_w[m][r] = value(l, rec, "beds/nctr_census", k, 0);
            nctr_e[m][r] = value(l, rec, "beds/nctr_census", k, 1) +
                           value(l, rec, "beds/nctr_census", k, 2);
        }
        year_w[r] = value(l, rec, "beds/mean_occupied_total", 0, 0);
        year_e[r] = value(l, rec, "beds/mean_occupied_total", 0, 1) +
                    value(l, rec, "beds/mean_occupied_total", 0, 2);
        sim_record_free(rec);
    }
    for (int m = 0; m < MONTHS; m++) {
        in_range("WSFT occupancy", m + 1, occ_w[m], 0.86, 0.93);
        in_range("ESNEFT occupancy", m + 1, occ_e[m], 0.93, 0.97);
        in_range("WSFT NCTR", m + 1, nctr_w[m], 114, 129);
        in_range("ESNEFT NCTR", m + 1, nctr_e[m], 219, 261);
    }
    /* The sitrep's 12-month mean census: RGR 402.75, RDE 1,130.3 occupied beds. */
    sim_summary yw, ye;
    sim_summarise(year_w, REPS, &yw);
    sim_summarise(year_e, REPS, &ye);
    assert_true(fabs(yw.mean / 402.75 - 1) < 0.02);
    assert_true(fabs(ye.mean / 1130.33 - 1) < 0.02);
    capsim_scenario_close(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snee_calibration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
