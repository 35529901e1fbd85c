/*
 * Random streams and patient ids of the elective model (el_state.h, "Random numbers"):
 *   - another specialty's theatre sessions at the same site change nothing for a specialty
 *     (start delays come from a stream per (theatre, specialty), keyed by day and rank);
 *   - a list's patients draw the same numbers whether or not other lists exist, even when
 *     an added list shifts the list's index (per-patient streams named by the list label);
 *   - patient ids are distinct at the national benchmark's 1,260 lists, whose labels do
 *     collide under the old 20-bit hash of the label.
 */
#include "testutil.h"

#include "core/rng.h"
#include "test_elective_support.h"

/* Ortho at COL with late starts, spread case lengths and cancellations; `extra_specialty`
 * and `extra_sessions` are put before ortho's (so any shared stream would shift). */
static const char *site_yaml(const char *extra_trusts, const char *extra_specialty,
                             const char *extra_sessions)
{
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "trusts:\n"
             "%s"
             "  - {name: ESNEFT, sites: [{code: COL}]}\n"
             "specialties:\n"
             "%s"
             "  - name: ortho\n"
             "    priority_mix: {P1: 0.05, P2: 0.2, P3: 0.35, P4: 0.4}\n"
             "    removals: {per_month: 2%%}\n"
             "    case_minutes: {lognormal: {mean: 100, sd: 40}}\n"
             "    lists:\n"
             "      ESNEFT:\n"
             "        referrals: {per_week: 18}\n"
             "        backlog: {total: 600, weeks: {0-18: 0.6, 18-52: 0.4}}\n"
             "theatres:\n"
             "  - site: COL\n"
             "    book_days_ahead: 7\n"
             "    turnaround_minutes: 15\n"
             "    p1_share: 0.1\n"
             "    cancel_on_day: {patient: 3%%, hospital: 4%%}\n"
             "    start_delay_minutes: {gamma: {mean: 20, sd: 15}}\n"
             "    sessions:\n"
             "%s"
             "      - {weekday: [mon, wed, fri], specialty: ortho, hours: 4, count: 2,\n"
             "         trust: ESNEFT}\n",
             extra_trusts, extra_specialty, extra_sessions);
    return buf;
}

static const char *const SERIES[] = {"waiting_list_size", "within_18_weeks_share","treatments",
                                     "removals",          "sessions_run",   "cases",
                                     "cancellations",     "overruns",       "capped_utilisation",
                                     "median_wait_weeks", "p92_wait_weeks", NULL};

/* Every series of list `label` is the same, value for value, in the two runs. */
static void assert_same_list(const elt *a, const sim_record *ra, const elt *b,
                             const sim_record *rb, const char *label)
{
    int ga = elt_group(a, label), gb = elt_group(b, label);
    size_t nt = sim_monitor_time_count(a->mon);
    assert_int_equal(nt, sim_monitor_time_count(b->mon));
    for (int m = 0; SERIES[m]; m++) {
        int ia = elt_metric(a, SERIES[m]), ib = elt_metric(b, SERIES[m]);
        for (size_t k = 0; k < nt; k++) {
            double x = sim_record_get(ra, ia, k, (size_t)ga);
            double y = sim_record_get(rb, ib, k, (size_t)gb);
            if (!(x == y || (isnan(x) && isnan(y))))
                fail_msg("%s %s month %zu: %.17g without, %.17g with", label, SERIES[m], k, x, y);
        }
    }
}

static void test_other_specialty_sessions_change_nothing(void **state)
{
    (void)state;
    elt a, b;
    elt_open(&a, site_yaml("", "", ""), 182, 0, false);
    elt_open(&b,
             site_yaml("",
                       "  - name: general-surgery\n"
                       "    case_minutes: {lognormal: {mean: 70, sd: 30}}\n"
                       "    lists:\n"
                       "      ESNEFT:\n"
                       "        referrals: {per_week: 25}\n"
                       "        backlog: {total: 400, weeks: {0-30: 1}}\n",
                       "      - {weekday: [mon, tue, wed], specialty: general-surgery, hours: 4,\n"
                       "         count: 2, trust: ESNEFT}\n"),
             182, 0, false);
    for (uint64_t rep = 0; rep < 3; rep++) {
        sim_record *ra = elt_run(&a, 5, rep, NULL);
        sim_record *rb = elt_run(&b, 5, rep, NULL);
        /* The other specialty really ran at the site. */
        assert_true(elt_series_sum(&b, rb, "sessions_run", elt_group(&b, "ESNEFT/general-surgery")) > 100);
        assert_same_list(&a, ra, &b, rb, "ESNEFT/ortho");
        sim_record_free(ra);
        sim_record_free(rb);
    }
    elt_close(&a);
    elt_close(&b);
}

/* A trust listed first shifts ESNEFT/ortho from list 0 to list 1 (and changes every
 * list-indexed id); its draws must not move. */
static void test_other_lists_change_nothing(void **state)
{
    (void)state;
    elt a, b;
    elt_open(&a, site_yaml("", "", ""), 182, 0, false);
    const char *with_wsft =
        "trusts:\n"
        "  - {name: WSFT, sites: [{code: WSH}]}\n"
        "  - {name: ESNEFT, sites: [{code: COL}]}\n"
        "specialties:\n"
        "  - name: ortho\n"
        "    priority_mix: {P1: 0.05, P2: 0.2, P3: 0.35, P4: 0.4}\n"
        "    removals: {per_month: 2%}\n"
        "    case_minutes: {lognormal: {mean: 100, sd: 40}}\n"
        "    lists:\n"
        "      WSFT:\n"
        "        referrals: {per_week: 30}\n"
        "        backlog: {total: 900, weeks: {0-40: 1}}\n"
        "      ESNEFT:\n"
        "        referrals: {per_week: 18}\n"
        "        backlog: {total: 600, weeks: {0-18: 0.6, 18-52: 0.4}}\n"
        "theatres:\n"
        "  - site: WSH\n"
        "    book_days_ahead: 7\n"
        "    start_delay_minutes: {gamma: {mean: 30, sd: 15}}\n"
        "    cancel_on_day: {patient: 3%, hospital: 4%}\n"
        "    sessions:\n"
        "      - {weekday: [tue, thu], specialty: ortho, hours: 4, count: 2, trust: WSFT}\n"
        "  - site: COL\n"
        "    book_days_ahead: 7\n"
        "    turnaround_minutes: 15\n"
        "    p1_share: 0.1\n"
        "    cancel_on_day: {patient: 3%, hospital: 4%}\n"
        "    start_delay_minutes: {gamma: {mean: 20, sd: 15}}\n"
        "    sessions:\n"
        "      - {weekday: [mon, wed, fri], specialty: ortho, hours: 4, count: 2,\n"
        "         trust: ESNEFT}\n";
    elt_open(&b, with_wsft, 182, 0, false);
    assert_int_equal(b.cfg->n_lists, 2);
    assert_string_equal(b.cfg->lists[1].label, "ESNEFT/ortho");
    for (uint64_t rep = 0; rep < 3; rep++) {
        sim_record *ra = elt_run(&a, 9, rep, NULL);
        sim_record *rb = elt_run(&b, 9, rep, NULL);
        assert_same_list(&a, ra, &b, rb, "ESNEFT/ortho");
        sim_record_free(ra);
        sim_record_free(rb);
    }
    elt_close(&a);
    elt_close(&b);
}

/* ---- ids at 1,260 lists ---------------------------------------------------------------- */

#define N_TRUSTS 126
#define N_SPEC 10
static const char *const SPEC[N_SPEC] = {
    "trauma-orthopaedics", "ophthalmology",   "general-surgery", "urology",        "ent",
    "gynaecology",         "plastic-surgery", "oral-surgery",    "cardiothoracic", "neurosurgery"};

typedef struct uid_obs {
    uint64_t uid[N_TRUSTS * N_SPEC * 2];
    int list[N_TRUSTS * N_SPEC * 2];
    size_t n;
} uid_obs;

static void record_uid(void *ctx, int list, uint64_t uid, double wait, double t)
{
    (void)wait;
    (void)t;
    uid_obs *o = ctx;
    assert_true(o->n < N_TRUSTS * N_SPEC * 2);
    o->list[o->n] = list;
    o->uid[o->n++] = uid;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Trust names like NHS trust codes: R000 ... R125. (With the national benchmark's names the
 * old hash happens not to collide; about half of 1,260-list label sets do, as these.) */
static void trust_name(int t, char out[8])
{
    snprintf(out, 8, "R%03d", t);
}

static void test_ids_distinct_at_1260_lists(void **state)
{
    (void)state;
    /* The old id put a 20-bit hash of the label above the serial: R081/oral-surgery and
     * R012/neurosurgery (and R093/gynaecology and R012/ent) shared the bits, so their
     * patients shared ids and draws. */
    static uint64_t old_base[N_TRUSTS * N_SPEC];
    char label[64], tn[8];
    for (int k = 0; k < N_SPEC; k++)
        for (int t = 0; t < N_TRUSTS; t++) {
            trust_name(t, tn);
            snprintf(label, sizeof label, "%s/%s", tn, SPEC[k]);
            old_base[k * N_TRUSTS + t] = sim_stream_id(label) & 0xFFFFFull;
        }
    qsort(old_base, N_TRUSTS * N_SPEC, sizeof *old_base, cmp_u64);
    int old_collisions = 0;
    for (int i = 1; i < N_TRUSTS * N_SPEC; i++)
        old_collisions += old_base[i] == old_base[i - 1];
    assert_int_equal(old_collisions, 2);

    /* 1,260 lists of two backlog patients each (one the same serial as a referral would
     * have), all treated in the first days by simple capacity. */
    size_t cap = 400000, len = 0;
    char *y = malloc(cap);
    assert_non_null(y);
    len += (size_t)snprintf(y + len, cap - len, "trusts:\n");
    for (int t = 0; t < N_TRUSTS; t++) {
        trust_name(t, tn);
        len += (size_t)snprintf(y + len, cap - len, "  - {name: %s, sites: [{code: S%s}]}\n", tn, tn);
    }
    len += (size_t)snprintf(y + len, cap - len, "specialties:\n");
    for (int k = 0; k < N_SPEC; k++) {
        len += (size_t)snprintf(y + len, cap - len, "  - name: %s\n    lists:\n", SPEC[k]);
        for (int t = 0; t < N_TRUSTS; t++) {
            trust_name(t, tn);
            len += (size_t)snprintf(y + len, cap - len,
                                    "      %s: {backlog: {total: 2, weeks: {0-10: 1}}, "
                                    "treatments_per_week: 70, service: deterministic}\n",
                                    tn);
        }
    }
    assert_true(len < cap - 1);
    elt f;
    elt_open(&f, y, 3, 0, false);
    free(y);
    assert_int_equal(f.cfg->n_lists, N_TRUSTS * N_SPEC);
    static uid_obs o;
    o.n = 0;
    el_run_hooks hooks = {.on_treated = record_uid, .ctx = &o};
    sim_record *rec = elt_run(&f, 1, 0, &hooks);
    assert_int_equal(o.n, N_TRUSTS * N_SPEC * 2);
    for (size_t i = 0; i < o.n; i++) {
        assert_int_equal(o.uid[i] >> EL_UID_LIST_SHIFT, o.list[i]);
        assert_true(o.uid[i] & EL_UID_BACKLOG);
    }
    qsort(o.uid, o.n, sizeof *o.uid, cmp_u64);
    for (size_t i = 1; i < o.n; i++)
        assert_true(o.uid[i] != o.uid[i - 1]);
    sim_record_free(rec);
    elt_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_other_specialty_sessions_change_nothing),
        cmocka_unit_test(test_other_lists_change_nothing),
        cmocka_unit_test(test_ids_distinct_at_1260_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
