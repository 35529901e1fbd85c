/*
 * The beds model against queueing theory and its own accounting:
 *   - beds as the only limit, Poisson admissions, refuse when full: an M/G/c/c loss system,
 *     so the refused share is Erlang B and occupancy A (1 - B) / c, for exponential and
 *     lognormal stays (insensitivity); the free_beds signal read by a balking queue gives
 *     1 - B by PASTA;
 *   - Little's law: census = admissions x mean stay (clinical stay plus discharge delay),
 *     NCTR census = admissions x delay share x mean delay; bed days = sum of stays;
 *   - avoided admissions: admissions fall by exactly the credits consumed;
 *   - step-down: refused keeps the patient in bed (bed days unchanged), accepted frees the
 *     bed (bed days fall by exactly the remaining stays);
 *   - the admit port (a queue standing in for the virtual ward's escalations);
 *   - elective_admit: ring-fenced beds first, not counted in free_beds; refused when full.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "beds/beds_model.h"
#include "core/engine.h"
#include "core/error.h"
#include "core/stats.h"
#include "scenario.h"

static double erlang_b(int c, double a)
{
    double b = 1.0;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return b;
}

static const char *system_one_site =
    "system:\n  trusts:\n    - {name: T, sites: [{code: H, name: Hospital}]}\n";

/* Write `text` as NAME.yaml in a fresh directory and open it with overrides. */
static capsim_loaded *open_text(const char *name, const char *text, const char *const *set,
                                size_t n_set)
{
    const char *d = tu_tmpdir(name);
    char path[1200];
    snprintf(path, sizeof path, "%s/%s.yaml", d, name);
    tu_write_file(path, text);
    capsim_loaded *l = NULL;
    struct sim_error err;
    if (capsim_scenario_open(path, set, n_set, &l, &err)) {
        char buf[2048];
        sim_error_format(&err, buf, sizeof buf);
        fail_msg("cannot open %s: %s", name, buf);
    }
    return l;
}

/* Values of "model/metric" cell `cell` (time 0) for replications 0..reps-1 into x. */
static void values(const capsim_loaded *l, size_t reps, const char *path, size_t cell,
                   double *x)
{
    int id = sim_monitor_find_path(l->monitor, path);
    if (id < 0)
        fail_msg("no metric %s", path);
    const sim_metric *mt = sim_monitor_metric(l->monitor, (size_t)id);
    for (size_t r = 0; r < reps; r++) {
        sim_record *rec = sim_record_alloc(l->monitor);
        struct sim_error err;
        assert_int_equal(capsim_scenario_run(l, l->sc.seed, r, rec, &err), 0);
        x[r] = rec->values[sim_record_index(mt, 0, cell)];
        sim_record_free(rec);
    }
}

static void replicate(const capsim_loaded *l, size_t reps, const char *path, sim_summary *s)
{
    double *x = calloc(reps, sizeof *x);
    values(l, reps, path, 0, x);
    sim_summarise(x, reps, s);
    free(x);
}

static void loss_text(char *buf, size_t size, const char *stay)
{
    snprintf(buf, size,
             "name: beds-erlang\nstart_date: 2024-04-01\nhorizon_days: 400\nwarmup_days: 20\n"
             "seed: 5\n%s"
             "beds:\n  when_full: refuse\n  sites:\n    - site: H\n      beds: 10\n"
             "      admissions: {per_day: 8}\n      stay_days: %s\n",
             system_one_site, stay);
}

static void check_erlang(const char *stay)
{
    char text[2000];
    loss_text(text, sizeof text, stay);
    capsim_loaded *l = open_text("beds_erlang", text, NULL, 0);
    double b = erlang_b(10, 8.0);
    assert_true(fabs(b - 0.121661) < 1e-6);
    sim_summary refused, occ;
    replicate(l, 20, "beds/refused_share", &refused);
    assert_true(tu_within("refused share vs Erlang B(10, 8)", refused.mean, b,
                          refused.half_width, 1.5));
    replicate(l, 20, "beds/occupancy_total", &occ);
    assert_true(tu_within("occupancy vs A (1 - B) / c", occ.mean, 8 * (1 - b) / 10,
                          occ.half_width, 1.5));
    capsim_scenario_close(l);
}

static void test_erlang_b_exponential(void **state)
{
    (void)state;
    check_erlang("{exponential: {mean: 1}}");
}

static void test_erlang_b_lognormal(void **state)
{
    (void)state;
    check_erlang("{lognormal: {mean: 1, sd: 1.5}}");
}

/* The free_beds signal: a queue whose arrivals balk while a bed is free balks 1 - B. */
static void test_free_beds_signal_pasta(void **state)
{
    (void)state;
    char text[3000];
    loss_text(text, sizeof text, "{exponential: {mean: 1}}");
    strcat(text, "queue:\n  arrivals: {per_day: 3}\n  servers: 1\n"
                 "  service_days: {exponential: {mean: 0.1}}\n  balk_at: 1\n"
                 "flows:\n  - {from: beds.free_beds, to: queue.block_level}\n");
    capsim_loaded *l = open_text("beds_signal", text, NULL, 0);
    sim_summary balked;
    replicate(l, 20, "queue/balked_share", &balked);
    assert_true(tu_within("balked share vs 1 - B(10, 8)", balked.mean, 1 - erlang_b(10, 8.0),
                          balked.half_width, 1.5));
    capsim_scenario_close(l);
}

static const char *little_text =
    "name: beds-little\nstart_date: 2024-04-01\nhorizon_days: 400\nwarmup_days: 40\nseed: 9\n"
    "system:\n  trusts:\n    - {name: T, sites: [{code: H, name: Hospital}]}\n"
    "beds:\n  sites:\n    - site: H\n      beds: 25\n"
    "      admissions: {per_day: 5, weekday: {mon: 1.3, sat: 0.7}}\n"
    "      stay_days: {lognormal: {mean: 3, sd: 2}}\n"
    "      discharge_delay: {share: 40%, days: {exponential: {mean: 2}}}\n";

static void test_little_law(void **state)
{
    (void)state;
    capsim_loaded *l = open_text("beds_little", little_text, NULL, 0);
    sim_summary occ, nctr;
    /* Board mode: nobody is refused, so the census is M/G/infinity with mean 5 x 3.8. */
    replicate(l, 20, "beds/mean_occupied_total", &occ);
    assert_true(tu_within("census vs 5 x (3 + 0.4 x 2)", occ.mean, 19.0, occ.half_width, 1.5));
    replicate(l, 20, "beds/nctr_census_total", &nctr);
    assert_true(tu_within("NCTR census vs 5 x 0.4 x 2", nctr.mean, 4.0, nctr.half_width, 1.5));
    /* Bed days (the census integrated) equal the sum of the stays, patient by patient. */
    double bd[4], stays[4], boarded[4];
    values(l, 4, "beds/bed_days_non_elective_total", 0, bd);
    values(l, 4, "beds/stay_days_sum", 0, stays);
    values(l, 4, "beds/boarded_total", 0, boarded);
    for (int r = 0; r < 4; r++) {
        assert_true(fabs(bd[r] - stays[r]) < 1e-6 * bd[r]);
        assert_true(fabs(bd[r] - 19.0 * 360) < 0.1 * 19.0 * 360);
        assert_true(boarded[r] > 0); /* 25 beds for a mean census of 19: some outliers */
    }
    capsim_scenario_close(l);
}

/* A queue's departures (standing in for the hub or the virtual ward) are avoided admissions. */
static const char *avoided_text =
    "name: beds-avoided\nstart_date: 2024-04-01\nhorizon_days: 200\nseed: 3\n"
    "system:\n  trusts:\n    - {name: T, sites: [{code: H, name: Hospital}]}\n"
    "beds:\n  sites:\n    - site: H\n      beds: 80\n      admissions: {per_day: 10}\n"
    "      stay_days: {exponential: {mean: 5}}\n"
    "queue:\n  arrivals: {per_day: 2}\n  servers: 1\n"
    "  service_days: {exponential: {mean: 0.05}}\n"
    "flows:\n  - {from: queue.departures, to: beds.avoided}\n";

static void test_avoided_lowers_admissions_exactly(void **state)
{
    (void)state;
    const char *noflow[] = {"flows=[]"};
    capsim_loaded *with = open_text("beds_avoided", avoided_text, NULL, 0);
    capsim_loaded *without = open_text("beds_avoided", avoided_text, noflow, 1);
    enum { R = 4 };
    double a1[R], a0[R], used[R], offered[R], left[R], none[R];
    values(with, R, "beds/admissions_non_elective_total", 0, a1);
    values(without, R, "beds/admissions_non_elective_total", 0, a0);
    values(with, R, "beds/avoided_total", 0, used);
    values(with, R, "beds/avoided_offered_total", 0, offered);
    values(with, R, "beds/avoided_unused", 0, left);
    values(without, R, "beds/avoided_total", 0, none);
    for (int r = 0; r < R; r++) {
        assert_true(used[r] > 300);                       /* about 2 a day for 200 days */
        assert_true(a0[r] - a1[r] == used[r]);            /* exactly the credits consumed */
        assert_true(offered[r] == used[r] + left[r]);     /* none lost */
        assert_true(none[r] == 0);
    }
    capsim_scenario_close(with);
    capsim_scenario_close(without);
}

/* The admit port: every patient a queue sends takes a bed (board mode accepts everyone). */
static void test_admit_port(void **state)
{
    (void)state;
    char text[2000];
    snprintf(text, sizeof text, "%s", avoided_text);
    char *p = strstr(text, "beds.avoided");
    memcpy(p, "beds.admit}\n", 13);
    const char *noflow[] = {"flows=[]"};
    capsim_loaded *with = open_text("beds_admit", text, NULL, 0);
    capsim_loaded *without = open_text("beds_admit", text, noflow, 1);
    enum { R = 3 };
    double a1[R], a0[R], sent[R], refused[R];
    values(with, R, "beds/admissions_non_elective_total", 0, a1);
    values(without, R, "beds/admissions_non_elective_total", 0, a0);
    values(with, R, "queue/customers", 0, sent);
    values(with, R, "queue/downstream_refused", 0, refused);
    for (int r = 0; r < R; r++) {
        /* Every departure admitted; a customer still in service at the horizon never leaves. */
        assert_true(refused[r] == 0);
        assert_true(a1[r] - a0[r] <= sent[r] && a1[r] - a0[r] >= sent[r] - 1);
        assert_true(sent[r] > 300);
    }
    capsim_scenario_close(with);
    capsim_scenario_close(without);
}

static const char *step_text =
    "name: beds-step\nstart_date: 2024-04-01\nhorizon_days: 200\nseed: 4\n"
    "system:\n  trusts:\n    - {name: T, sites: [{code: H, name: Hospital}]}\n"
    "beds:\n  sites:\n    - site: H\n      beds: 80\n      admissions: {per_day: 10}\n"
    "      stay_days: {lognormal: {mean: 4, sd: 3}}\n"
    "      discharge_delay: {share: 30%, days: {exponential: {mean: 3}}}\n"
    "      step_down: {share: 30%, at_fraction: 0.5}\n"
    "loss:\n  places: 100000\n  stay_days: {exponential: {mean: 3}}\n"
    "flows:\n  - {from: beds.step_down, to: loss.arrivals}\n";

enum { SR = 3 };

typedef struct step_run {
    double bed_days[SR], offered[SR], accepted[SR], saved[SR], admitted[SR];
} step_run;

static void step_values(const char *const *set, size_t n, step_run *o)
{
    capsim_loaded *l = open_text("beds_step", step_text, set, n);
    values(l, SR, "beds/bed_days_non_elective_total", 0, o->bed_days);
    values(l, SR, "beds/step_down_offered_total", 0, o->offered);
    values(l, SR, "beds/step_down_accepted_total", 0, o->accepted);
    values(l, SR, "beds/step_down_bed_days_saved", 0, o->saved);
    values(l, SR, "beds/admissions_non_elective_total", 0, o->admitted);
    capsim_scenario_close(l);
}

static void test_step_down(void **state)
{
    (void)state;
    step_run none, refused, all, some;
    const char *off[] = {"beds.sites[0].step_down.share=0"};
    const char *unconnected[] = {"flows=[]"};
    const char *small[] = {"loss.places=3", "loss.stay_days=5"};
    step_values(off, 1, &none);
    step_values(unconnected, 1, &refused);
    step_values(NULL, 0, &all);
    step_values(small, 2, &some);
    for (int r = 0; r < SR; r++) {
        /* The same patients in every run (their draws are their own). */
        assert_true(none.admitted[r] == all.admitted[r] && some.admitted[r] == all.admitted[r]);
        assert_true(none.offered[r] == 0);
        /* Refused (nothing connected): the patients stay, the bed days do not move. */
        assert_true(refused.offered[r] > 400 && refused.accepted[r] == 0);
        assert_true(refused.bed_days[r] == none.bed_days[r]);
        /* Accepted: the bed days fall by exactly the remaining stays. */
        assert_true(all.accepted[r] == all.offered[r]);
        assert_true(fabs(none.bed_days[r] - all.bed_days[r] - all.saved[r]) < 1e-6);
        assert_true(all.saved[r] > 0.1 * none.bed_days[r]);
        /* A ward of three places: some accepted, the others keep their beds. */
        assert_true(some.accepted[r] > 0 && some.accepted[r] < some.offered[r]);
        assert_true(fabs(none.bed_days[r] - some.bed_days[r] - some.saved[r]) < 1e-6);
    }
}

/* ---- electives: a test component that offers patients with a length of stay ---- */

typedef struct sender {
    const double *times, *los;
    int site, n, accepted, refused;
    double free_after;   /* free_beds at the site after the last offer */
    sim_run *run;
    size_t self;
} sender;

static sender the_sender;
static size_t sender_to = BEDS_PORT_ELECTIVE_ADMIT; /* the beds port the sender offers to */
static int sender_trust = -1;

static void on_send(sim_engine *e, void *ctx, uint64_t i)
{
    (void)e;
    sender *s = ctx;
    sim_patient p = {.id = i + 1, .trust = sender_trust, .site = s->site, .kind = -1,
                     .attr = {s->los[i]}};
    if (sim_offer(s->run, s->self, 0, &p))
        s->accepted++;
    else
        s->refused++;
    s->free_after = sim_signal_get(s->run, s->self, 1, (size_t)s->site);
}

static int sender_start(const void *cfg, sim_run *run, size_t self, void **state)
{
    (void)cfg;
    sender *s = &the_sender;
    s->run = run;
    s->self = self;
    s->accepted = s->refused = 0;
    *state = s;
    for (int i = 0; i < s->n; i++)
        sim_schedule_at(sim_run_engine(run), s->times[i], on_send, s, (uint64_t)i);
    return SIM_OK;
}

static const sim_port sender_ports[] = {{"out", SIM_OFFER_OUT, "electives"},
                                        {"free", SIM_SIGNAL_IN, "free beds"}};

/* Run the beds scenario `text` with the sender wired to elective_admit and free_beds. */
static capsim_loaded *run_electives(const char *text, sim_record **rec)
{
    capsim_loaded *l = open_text("beds_elective", text, NULL, 0);
    sim_component comps[2] = {l->components[0],
                              {.name = "sender", .ports = sender_ports, .n_ports = 2,
                               .start = sender_start, .model = 0}};
    sim_flow flows[2] = {{1, 0, 0, sender_to}, {0, BEDS_PORT_FREE_BEDS, 1, 1}};
    sim_system sys = l->system;
    sys.components = comps;
    sys.n_components = 2;
    sys.flows = flows;
    sys.n_flows = 2;
    struct sim_error err;
    assert_int_equal(sim_system_check(&sys, &err), 0);
    *rec = sim_record_alloc(l->monitor);
    assert_int_equal(sim_system_run(&sys, 1, 0, *rec, &err), 0);
    return l;
}

static double get(const capsim_loaded *l, const sim_record *rec, const char *path, size_t t,
                  size_t cell)
{
    int id = sim_monitor_find_path(l->monitor, path);
    assert_true(id >= 0);
    return rec->values[sim_record_index(sim_monitor_metric(l->monitor, (size_t)id), t, cell)];
}

static void test_elective_ring_fenced(void **state)
{
    (void)state;
    /* Five general beds and three ring-fenced; four electives staying 100 days. */
    static const double times[] = {0.1, 0.2, 0.3, 0.4}, los[] = {100, 100, 100, 100};
    the_sender = (sender){.times = times, .los = los, .site = 1, .n = 4};
    const char *text =
        "name: beds-elective\nstart_date: 2024-04-01\nhorizon_days: 60\n"
        "system:\n  trusts:\n    - {name: T, sites: [{code: A, name: A}, {code: B, name: B}]}\n"
        "beds:\n  sites:\n    - site: B\n      beds: 5\n      ring_fenced_beds: 3\n"
        "      stay_days: 1\n";
    sim_record *rec;
    capsim_loaded *l = run_electives(text, &rec);
    assert_int_equal(the_sender.accepted, 4);
    assert_true(get(l, rec, "beds/ring_fenced_occupied", 1, 0) == 3);
    assert_true(get(l, rec, "beds/occupied", 1, 0) == 1);       /* the fourth overflows */
    assert_true(the_sender.free_after == 4);                     /* ring-fenced not counted */
    assert_true(get(l, rec, "beds/admissions_elective_total", 0, 0) == 4);
    double bed_days = (60 - 0.1) + (60 - 0.2) + (60 - 0.3) + (60 - 0.4);
    assert_true(fabs(get(l, rec, "beds/bed_days_elective_total", 0, 0) - bed_days) < 1e-9);
    assert_true(get(l, rec, "beds/bed_days_non_elective_total", 0, 0) == 0);
    sim_record_free(rec);
    capsim_scenario_close(l);

    /* Refuse mode, one bed: the second elective is refused and counted; a site without beds
     * here refuses too (offers_unplaced). */
    static const double times2[] = {0.1, 0.2, 0.3}, los2[] = {5, 5, 5};
    the_sender = (sender){.times = times2, .los = los2, .site = 1, .n = 3};
    const char *text2 =
        "name: beds-elective\nstart_date: 2024-04-01\nhorizon_days: 60\n"
        "system:\n  trusts:\n    - {name: T, sites: [{code: A, name: A}, {code: B, name: B}]}\n"
        "beds:\n  when_full: refuse\n  sites:\n    - site: B\n      beds: 1\n"
        "      stay_days: 1\n";
    l = run_electives(text2, &rec);
    assert_int_equal(the_sender.accepted, 1);
    assert_int_equal(the_sender.refused, 2);
    assert_true(get(l, rec, "beds/refused_total", 0, 0) == 2);
    assert_true(the_sender.free_after == 0);
    sim_record_free(rec);
    capsim_scenario_close(l);

    the_sender = (sender){.times = times2, .los = los2, .site = 0, .n = 1};
    l = run_electives(text2, &rec);
    assert_int_equal(the_sender.refused, 1);
    assert_true(get(l, rec, "beds/offers_unplaced", 0, 0) == 1);
    assert_true(isnan(the_sender.free_after));                   /* no beds modelled at A */
    sim_record_free(rec);
    capsim_scenario_close(l);
}

/* The admit port without a site held here goes to the trust's site with most free beds. */
static void test_admit_routing(void **state)
{
    (void)state;
    static const double times[] = {0.1, 0.2, 0.3, 0.4}, los[] = {0, 0, 0, 0};
    const char *text =
        "name: beds-route\nstart_date: 2024-04-01\nhorizon_days: 60\n"
        "system:\n  trusts:\n    - {name: T, sites: [{code: A, name: A}, {code: B, name: B},"
        " {code: C, name: C}]}\n"
        "beds:\n  sites:\n    - {site: A, beds: 2, stay_days: 100}\n"
        "    - {site: B, beds: 5, stay_days: 100}\n";
    sender_to = BEDS_PORT_ADMIT;
    for (int site = -1; site <= 2; site += 3) { /* by trust alone; by a site without beds */
        sender_trust = site < 0 ? 0 : -1;
        the_sender = (sender){.times = times, .los = los, .site = site, .n = 4};
        sim_record *rec;
        capsim_loaded *l = run_electives(text, &rec);
        assert_int_equal(the_sender.accepted, 4);
        /* B (5 free), B (4), B (3), then a tie at 2 free each: the first site, A. */
        assert_true(get(l, rec, "beds/occupied", 1, 0) == 1);
        assert_true(get(l, rec, "beds/occupied", 1, 1) == 3);
        assert_true(get(l, rec, "beds/admissions_non_elective_total", 0, 1) == 3);
        sim_record_free(rec);
        capsim_scenario_close(l);
    }
    sender_to = BEDS_PORT_ELECTIVE_ADMIT;
    sender_trust = -1;
}


/* A receiver of step-downs that sends three patients back at once (escalations) while the
 * beds model is still handling the offer: the patient pool grows inside the offer. */
typedef struct bouncer {
    sim_run *run;
    size_t self;
    int accepted, sent_back;
} bouncer;

static bouncer the_bouncer;

static int bouncer_start(const void *cfg, sim_run *run, size_t self, void **state)
{
    (void)cfg;
    the_bouncer = (bouncer){.run = run, .self = self};
    *state = &the_bouncer;
    return SIM_OK;
}

static int bouncer_accept(void *state, size_t port, const sim_patient *p)
{
    (void)port;
    bouncer *b = state;
    b->accepted++;
    for (int i = 0; i < 3; i++) {
        sim_patient back = *p;
        back.id = ((uint64_t)1 << 40) + 3 * (uint64_t)b->accepted + (uint64_t)i;
        b->sent_back += sim_offer(b->run, b->self, 1, &back);
    }
    return 1;
}

static const sim_port bouncer_ports[] = {{"in", SIM_OFFER_IN, "step-downs"},
                                         {"back", SIM_OFFER_OUT, "escalations"}};

static void test_reentrant_offers(void **state)
{
    (void)state;
    const char *text =
        "name: beds-bounce\nstart_date: 2024-04-01\nhorizon_days: 150\n"
        "system:\n  trusts:\n    - {name: T, sites: [{code: H, name: Hospital}]}\n"
        "beds:\n  sites:\n    - site: H\n      beds: 100\n      admissions: {per_day: 40}\n"
        "      stay_days: {exponential: {mean: 60}}\n      step_down: {share: 50%}\n";
    capsim_loaded *l = open_text("beds_bounce", text, NULL, 0);
    sim_component comps[2] = {l->components[0],
                              {.name = "bouncer", .ports = bouncer_ports, .n_ports = 2,
                               .start = bouncer_start, .accept = bouncer_accept, .model = 0}};
    sim_flow flows[2] = {{0, BEDS_PORT_STEP_DOWN, 1, 0}, {1, 1, 0, BEDS_PORT_ADMIT}};
    sim_system sys = l->system;
    sys.components = comps;
    sys.n_components = 2;
    sys.flows = flows;
    sys.n_flows = 2;
    struct sim_error err;
    assert_int_equal(sim_system_check(&sys, &err), 0);
    sim_record *rec = sim_record_alloc(l->monitor);
    assert_int_equal(sim_system_run(&sys, 1, 0, rec, &err), 0);
    /* Every step-down accepted, every escalation admitted (board mode), and each counted. */
    assert_true(the_bouncer.accepted > 2000);
    assert_int_equal(the_bouncer.sent_back, 3 * the_bouncer.accepted);
    double accepted = get(l, rec, "beds/step_down_accepted_total", 0, 0);
    double admitted = get(l, rec, "beds/admissions_non_elective_total", 0, 0);
    double offered = get(l, rec, "beds/step_down_offered_total", 0, 0);
    assert_true(accepted == the_bouncer.accepted && offered >= accepted);
    assert_true(admitted > 3 * accepted);
    sim_record_free(rec);
    capsim_scenario_close(l);
}

/* Beds available change on the first of the month; the month's occupancy uses them. */
static void test_monthly_beds_and_census(void **state)
{
    (void)state;
    const char *text =
        "name: beds-months\nstart_date: 2024-04-01\nhorizon_days: 91\nseed: 2\n"
        "system:\n  trusts:\n    - {name: T, sites: [{code: H, name: Hospital}]}\n"
        "beds:\n  prefill_days: 60\n  sites:\n    - site: H\n"
        "      beds: {jan: 1, feb: 1, mar: 1, apr: 40, may: 50, jun: 60, jul: 1, aug: 1,\n"
        "             sep: 1, oct: 1, nov: 1, dec: 1}\n"
        "      admissions: {per_day: 6}\n      stay_days: {exponential: {mean: 5}}\n";
    capsim_loaded *l = open_text("beds_months", text, NULL, 0);
    sim_record *rec = sim_record_alloc(l->monitor);
    struct sim_error err;
    assert_int_equal(capsim_scenario_run(l, 1, 0, rec, &err), 0);
    assert_true(get(l, rec, "beds/beds", 1, 0) == 40);
    assert_true(get(l, rec, "beds/beds", 2, 0) == 50);
    assert_true(get(l, rec, "beds/beds", 3, 0) == 60);
    /* Prefilled: April's census is already near 30, not climbing from 0. */
    double april = get(l, rec, "beds/mean_occupied", 1, 0);
    assert_true(april > 24 && april < 36);
    double occ = get(l, rec, "beds/occupancy", 2, 0);
    assert_true(fabs(occ - get(l, rec, "beds/mean_occupied", 2, 0) / 50) < 1e-12);
    double lo = get(l, rec, "beds/daily_occupancy_min", 2, 0);
    double mid = get(l, rec, "beds/daily_occupancy_median", 2, 0);
    double hi = get(l, rec, "beds/daily_occupancy_max", 2, 0);
    assert_true(lo <= mid && mid <= hi && lo < hi && lo > 0.2 && hi < 1.2);
    sim_record_free(rec);
    capsim_scenario_close(l);
}

/* Bad input: exact messages, exit 2, from `capsim check`. */
static void expect_error(const char *beds, const char *message)
{
    const char *d = tu_tmpdir("beds_errors");
    char path[1200], text[3000], cmd[4000];
    snprintf(path, sizeof path, "%s/b.yaml", d);
    snprintf(text, sizeof text,
             "name: b\nstart_date: 2024-04-01\nhorizon_days: 30\n"
             "system:\n  trusts:\n    - {name: T, sites: [{code: H, name: Hospital}]}\n"
             "beds:\n%s", beds);
    tu_write_file(path, text);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' check b.yaml", d, CAPSIM_BINARY);
    char *err = NULL;
    assert_int_equal(tu_run(cmd, NULL, &err), 2);
    char want[2000];
    snprintf(want, sizeof want, "capsim: %s\n", message);
    if (strcmp(err, want) != 0)
        fail_msg("got      %s  expected %s", err, want);
    free(err);
}

static void test_config_errors(void **state)
{
    (void)state;
    expect_error("  sites:\n    - {site: X, beds: 3, stay_days: 1}\n",
                 "b.yaml:9:14: beds.sites[0].site: unknown site \"X\" (the system's sites are "
                 "H)");
    expect_error("  sites:\n    - {site: H, beds: 3, stay_days: 1}\n"
                 "    - {site: H, beds: 3, stay_days: 1}\n",
                 "b.yaml:10:14: beds.sites[1].site: site \"H\" already has beds (sites[0])");
    expect_error("  sites:\n    - {site: H, beds: {jan: 3}, stay_days: 1}\n",
                 "b.yaml:9:17: beds.sites[0].beds.feb: missing required key \"feb\"");
    expect_error("  sites:\n    - {site: H, beds: -3, stay_days: 1}\n",
                 "b.yaml:9:23: beds.sites[0].beds: expected a whole number between 0 and "
                 "1000000, got \"-3\"");
    expect_error("  sites:\n    - {site: H, beds: 3}\n",
                 "b.yaml:9:7: beds.sites[0].stay_days: missing required key \"stay_days\"");
    expect_error("  when_full: wait\n  sites:\n    - {site: H, beds: 3, stay_days: 1}\n",
                 "b.yaml:8:14: beds.when_full: expected one of \"board\", \"refuse\", got \"wait\"");
    expect_error("  sites:\n    - {site: H, beds: 3, stay_days: 1,"
                 " discharge_delay: {share: 120%, days: 2}}\n",
                 "b.yaml:9:65: beds.sites[0].discharge_delay.share: expected a fraction "
                 "between 0 and 1, got \"120%\"");
    expect_error("  sites:\n    - {site: H, beds: 3, stay_days: 1, step_down: {shar: 5%}}\n",
                 "b.yaml:9:52: beds.sites[0].step_down.shar: unknown key \"shar\" (did you "
                 "mean \"share\"?)");
    expect_error("  sites: []\n", "b.yaml:8:10: beds.sites: expected at least one site");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_erlang_b_exponential),
        cmocka_unit_test(test_erlang_b_lognormal),
        cmocka_unit_test(test_free_beds_signal_pasta),
        cmocka_unit_test(test_little_law),
        cmocka_unit_test(test_avoided_lowers_admissions_exactly),
        cmocka_unit_test(test_admit_port),
        cmocka_unit_test(test_step_down),
        cmocka_unit_test(test_elective_ring_fenced),
        cmocka_unit_test(test_admit_routing),
        cmocka_unit_test(test_reentrant_offers),
        cmocka_unit_test(test_monthly_beds_and_census),
        cmocka_unit_test(test_config_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
