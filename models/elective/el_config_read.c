/*
 * models/elective/el_config_read.c: reading trusts, specialties and their waiting lists
 * (el_config_read.h); the theatres and collaboration sections are el_config_theatre.c's.
 *
 * Every map read is checked for unknown keys (with a suggestion for near misses); every
 * number is read by the strict sim_node readers, so errors name file:line:column and key.
 */
#include "el_config_read.h"
#include "shared/system_config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "scenario/yaml.h"
#include "el_config_selection.h"
#include "el_config_theatre.h"
#include "el_config_util.h"
#include "el_backlog_shape.h"
#include "el_config_casemix.h"

/* ---- trusts ------------------------------------------------------------------------- */

/* The trusts and sites of the shared system section (models/system/system_config.h). */
static int read_trusts(el_config *cfg, const capsim_scenario *sc, struct sim_error *err)
{
    const capsim_system *sys = sc->system;
    if (sys->n_trusts == 0)
        return sim_node_error(sc->root, err,
                              "the elective model needs trusts: add a system: section with "
                              "trusts and their sites");
    cfg->trusts = calloc(sys->n_trusts, sizeof *cfg->trusts);
    cfg->sites = calloc(sys->n_sites ? sys->n_sites : 1, sizeof *cfg->sites);
    if (!cfg->trusts || !cfg->sites)
        return SIM_ENOMEM;
    for (size_t i = 0; i < sys->n_trusts; i++) {
        const capsim_trust *t = &sys->trusts[i];
        if (t->n_sites > EL_MAX_POOL_SITES)
            return sim_node_error(sim_node_get(t->node, "sites"), err,
                                  "expected at most %d sites", EL_MAX_POOL_SITES);
        el_trust *tr = &cfg->trusts[cfg->n_trusts++];
        if (!(tr->name = el__strdup(t->name)))
            return SIM_ENOMEM;
        tr->first_site = t->first_site;
        tr->n_sites = t->n_sites;
    }
    if (sys->n_sites > EL_MAX_SITES)
        return sim_node_error(sim_node_get(sc->root, "system"), err,
                              "the elective model takes at most %d sites, got %zu",
                              EL_MAX_SITES, sys->n_sites);
    for (size_t k = 0; k < sys->n_sites; k++) {
        const capsim_site *ss = &sys->sites[k];
        el_site *st = &cfg->sites[cfg->n_sites++];
        st->code = el__strdup(ss->code);
        st->name = el__strdup(ss->name);
        if (!st->code || !st->name)
            return SIM_ENOMEM;
        st->trust = ss->trust;
        st->has_coords = ss->has_coords;
        st->lat = ss->lat;
        st->lon = ss->lon;
    }
    return SIM_OK;
}

/* ---- specialties -------------------------------------------------------------------- */

static int read_review(el_specialty *sp, const sim_node *m, struct sim_error *err)
{
    static const char *const keys[] = {"from", "to", "after_weeks", NULL};
    static const char *const prios[] = {"P1", "P2", "P3", "P4", NULL};
    for (int p = 0; p < EL_PRIORITIES; p++)
        sp->review_to[p] = -1;
    if (!sim_node_has(m, "priority_review"))
        return SIM_OK;
    sim_node *seq;
    TRY(sim_node_seq(m, "priority_review", &seq, err));
    for (size_t i = 0; i < seq->n; i++) {
        sim_node *r = seq->items[i];
        if (r->kind != SIM_NODE_MAP)
            return sim_node_error(r, err, "expected a map {from, to, after_weeks}");
        sim_node_mark_used(r, false);
        TRY(sim_node_check_keys(r, keys, err));
        int from, to;
        double weeks;
        TRY(sim_node_enum(r, "from", prios, &from, err));
        TRY(sim_node_enum(r, "to", prios, &to, err));
        TRY(sim_node_number(r, "after_weeks", 0, 1e4, &weeks, err));
        if (to >= from)
            return sim_node_error(sim_node_get(r, "to"), err,
                                  "expected a more urgent priority than P%d, got \"P%d\"",
                                  from + 1, to + 1);
        if (sp->review_to[from] >= 0)
            return sim_node_error(sim_node_get(r, "from"), err,
                                  "priority P%d already has a review rule", from + 1);
        sp->review_to[from] = to;
        sp->review_after_days[from] = weeks * 7.0;
    }
    return SIM_OK;
}

/* weeks_factor: [{from, to, factor}] bands into lo/hi (days) and factor. */
static int read_weeks_factor(const sim_node *r, double *lo_days, double *hi_days,
                             double *factor, size_t *n, struct sim_error *err)
{
    static const char *const bkeys[] = {"from", "to", "factor", NULL};
    sim_node *wf;
    TRY(sim_node_seq(r, "weeks_factor", &wf, err));
    if (wf->n > EL_MAX_BANDS)
        return sim_node_error(wf, err, "expected at most %d bands", EL_MAX_BANDS);
    for (size_t i = 0; i < wf->n; i++) {
        sim_node *b = wf->items[i];
        if (b->kind != SIM_NODE_MAP)
            return sim_node_error(b, err, "expected a map {from, to, factor}");
        sim_node_mark_used(b, false);
        TRY(sim_node_check_keys(b, bkeys, err));
        double lo = 0, hi = INFINITY, f;
        TRY(sim_node_opt_number(b, "from", 0, 1e4, &lo, err));
        TRY(sim_node_opt_number(b, "to", lo, 1e4, &hi, err));
        TRY(sim_node_number(b, "factor", 0, 1e6, &f, err));
        lo_days[i] = lo * 7.0;
        hi_days[i] = hi * 7.0;
        factor[i] = f;
    }
    *n = wf->n;
    return SIM_OK;
}

static int read_op_removals(el_specialty *sp, const sim_node *m, struct sim_error *err)
{
    static const char *const keys[] = {"per_month", "weeks_factor", "by_month", NULL};
    sim_dated_months_init(&sp->op_removal_by_month);
    if (!sim_node_has(m, "outpatient_removals"))
        return SIM_OK;
    sim_node *r;
    TRY(sim_node_map(m, "outpatient_removals", &r, err));
    TRY(sim_node_check_keys(r, keys, err));
    TRY(sim_node_fraction(r, "per_month", 0, 1, &sp->op_removal_per_month, err));
    if (sim_node_has(r, "weeks_factor"))
        TRY(read_weeks_factor(r, sp->op_band_lo_days, sp->op_band_hi_days, sp->op_band_factor,
                              &sp->n_op_bands, err));
    TRY(sim_dated_months_from_node(r, "by_month", &sp->op_removal_by_month, err));
    sp->has_op_removals = true;
    return SIM_OK;
}

static int read_removals(el_specialty *sp, const sim_node *m, struct sim_error *err)
{
    static const char *const keys[] = {"per_month", "priority_factor", "weeks_factor",
                                       "by_month", NULL};
    static const char *const pkeys[] = {"P1", "P2", "P3", "P4", NULL};
    for (int p = 0; p < EL_PRIORITIES; p++)
        sp->removal_priority_factor[p] = 1.0;
    sim_dated_months_init(&sp->removal_by_month);
    if (!sim_node_has(m, "removals"))
        return SIM_OK;
    sim_node *r;
    TRY(sim_node_map(m, "removals", &r, err));
    TRY(sim_node_check_keys(r, keys, err));
    TRY(sim_node_fraction(r, "per_month", 0, 1, &sp->removal_per_month, err));
    if (sim_node_has(r, "priority_factor")) {
        sim_node *pf;
        TRY(sim_node_map(r, "priority_factor", &pf, err));
        TRY(sim_node_check_keys(pf, pkeys, err));
        for (int p = 0; p < EL_PRIORITIES; p++)
            TRY(sim_node_opt_number(pf, pkeys[p], 0, 1e6, &sp->removal_priority_factor[p], err));
    }
    if (sim_node_has(r, "weeks_factor"))
        TRY(read_weeks_factor(r, sp->removal_band_lo_days, sp->removal_band_hi_days,
                              sp->removal_band_factor, &sp->n_removal_bands, err));
    TRY(sim_dated_months_from_node(r, "by_month", &sp->removal_by_month, err));
    return SIM_OK;
}

/* urgent_referrals: a share, or {share, priority_mix} (the priorities their decisions to
 * admit take; default P2). Needs the two-stage pathway: read after decision_to_admit. */
static int read_urgent_referrals(el_specialty *sp, const sim_node *m, struct sim_error *err)
{
    static const char *const keys[] = {"share", "priority_mix", NULL};
    for (int p = 0; p < EL_PRIORITIES; p++)
        sp->urgent_priority_cum[p] = p >= 1 ? 1.0 : 0.0;
    const sim_node *u = sim_node_get(m, "urgent_referrals");
    if (!u)
        return SIM_OK;
    if (!sp->two_stage)
        return sim_node_error(u, err,
                              "urgent_referrals needs a two-stage pathway (decision_to_admit): "
                              "urgency is seen at the outpatient stage");
    if (u->kind != SIM_NODE_MAP)
        return sim_node_fraction(m, "urgent_referrals", 0, 1, &sp->urgent_referrals, err);
    sim_node *um;
    TRY(sim_node_map(m, "urgent_referrals", &um, err));
    TRY(sim_node_check_keys(um, keys, err));
    TRY(sim_node_fraction(um, "share", 0, 1, &sp->urgent_referrals, err));
    if (sim_node_has(um, "priority_mix"))
        TRY(el__read_priority_mix(um, "priority_mix", sp->urgent_priority_cum, err));
    return SIM_OK;
}

/* A backlog band key: "0-18", "18-52", "104+" (weeks). */
static int parse_band(const char *text, double max_weeks, double *lo, double *hi)
{
    char *end;
    if (!text || !(*text >= '0' && *text <= '9'))
        return -1;
    *lo = strtod(text, &end);
    if (*end == '+' && end[1] == '\0') {
        *hi = max_weeks;
        return *hi > *lo ? 0 : -1;
    }
    if (*end != '-' || !(end[1] >= '0' && end[1] <= '9'))
        return -1;
    *hi = strtod(end + 1, &end);
    if (*end != '\0' || !(*hi > *lo))
        return -1;
    return 0;
}

static int read_backlog(el_config *cfg, el_list *l, const el_specialty *sp, const sim_node *lm,
                        struct sim_error *err)
{
    static const char *const keys[] = {"total",          "weeks",            "priority_mix",
                                       "admitted_share", "priority_by_wait", "band_shape",
                                       NULL};
    static const char *const shapes[] = {"uniform", "smooth", NULL};
    el_backlog *b = &l->backlog;
    memcpy(b->priority_cum, sp->priority_cum, sizeof b->priority_cum);
    b->admitted_share = 1.0;
    if (!sim_node_has(lm, "backlog"))
        return SIM_OK;
    sim_node *m, *w;
    TRY(sim_node_map(lm, "backlog", &m, err));
    TRY(sim_node_check_keys(m, keys, err));
    TRY(sim_node_int(m, "total", 0, 100000000L, &b->total, err));
    TRY(sim_node_opt_fraction(m, "admitted_share", 0, 1, &b->admitted_share, err));
    TRY(sim_node_opt_bool(m, "priority_by_wait", &b->priority_by_wait, err));
    int shape = 0;
    TRY(sim_node_opt_enum(m, "band_shape", shapes, &shape, err));
    b->smooth = shape == 1;
    if (sim_node_has(m, "priority_mix"))
        TRY(el__read_priority_mix(m, "priority_mix", b->priority_cum, err));
    TRY(sim_node_map(m, "weeks", &w, err));
    if (w->n == 0 || w->n > EL_MAX_BANDS)
        return sim_node_error(w, err, "expected 1 to %d wait bands such as 0-18: 0.5",
                              EL_MAX_BANDS);
    double share[EL_MAX_BANDS], sum = 0;
    for (size_t i = 0; i < w->n; i++) {
        if (parse_band(w->keys[i], sp->max_wait_weeks, &b->lo_weeks[i], &b->hi_weeks[i]))
            return sim_node_error(w->items[i], err,
                                  "expected a wait band such as \"18-52\" or \"104+\" (weeks, "
                                  "below max_wait_weeks %g), got \"%s\"",
                                  sp->max_wait_weeks, w->keys[i]);
        TRY(sim_node_fraction(w, w->keys[i], 0, 1, &share[i], err));
        sum += share[i];
    }
    if (fabs(sum - 1.0) > 0.005)
        return sim_node_error(w, err, "expected band shares that add up to 1, got %g", sum);
    b->n_bands = w->n;
    if (b->smooth)
        el_backlog_shape_fit(w->n, b->lo_weeks, b->hi_weeks, share, b->rate_per_week);
    /* Largest remainder: the bands add up to the total exactly, so the first snapshot
     * reproduces the input. */
    long given = 0;
    double rem[EL_MAX_BANDS];
    for (size_t i = 0; i < w->n; i++) {
        double x = (double)b->total * share[i] / sum;
        b->count[i] = (long)floor(x);
        rem[i] = x - (double)b->count[i];
        given += b->count[i];
    }
    while (given < b->total) {
        size_t best = 0;
        for (size_t i = 1; i < w->n; i++)
            if (rem[i] > rem[best])
                best = i;
        b->count[best]++;
        rem[best] = -1;
        given++;
    }
    cfg->backlog_total += b->total;
    return SIM_OK;
}

/*
 * sim_rate_profile_finish scales month factors to a plain 12-month mean, which makes the
 * annual count differ from per_year when months differ (short February weighs as much as
 * January). Rescale them so the day-weighted mean is 1: sum(days_m x f_m) = 365.25, with
 * February 28.25 days (the mean over a leap cycle), keeping their shape.
 */
static void weight_months_by_length(sim_rate_profile *p)
{
    static const double days[12] = {31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    double s = 0;
    for (int m = 0; m < 12; m++)
        s += days[m] * p->month[m];
    double k = 365.25 / s, max = 0;
    for (int m = 0; m < 12; m++) {
        p->month[m] *= k;
        max = fmax(max, p->month[m]);
    }
    p->max_month_factor = max;
}

/* Monthly factors {jan: f, ...} (> 0; months left out 1), scaled to a day-weighted mean 1. */
static int read_month_factors(const sim_node *lm, const char *key, double f[12],
                              struct sim_error *err)
{
    static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
                                         "aug", "sep", "oct", "nov", "dec", NULL};
    for (int m = 0; m < 12; m++)
        f[m] = 1.0;
    if (!sim_node_has(lm, key))
        return SIM_OK;
    sim_node *mm;
    TRY(sim_node_map(lm, key, &mm, err));
    TRY(sim_node_check_keys(mm, months, err));
    for (int m = 0; m < 12; m++)
        TRY(sim_node_opt_number(mm, months[m], 1e-6, 1e6, &f[m], err));
    sim_rate_profile p;
    sim_rate_profile_init(&p, 1.0);
    memcpy(p.month, f, sizeof p.month);
    weight_months_by_length(&p);
    memcpy(f, p.month, sizeof p.month);
    return SIM_OK;
}

static int read_list(el_config *cfg, el_list *l, const el_specialty *sp, const sim_node *lm,
                     struct sim_error *err)
{
    static const char *const keys[] = {"referrals",      "backlog",     "treatments_per_week",
                                       "service",        "servers",     "capacity_site",
                                       "non_admitted_per_week", "home_sites",
                                       "treatments_month", "non_admitted_month",
                                       "treatments_by_month", "non_admitted_by_month",
                                       "capacity_days", NULL};
    static const char *const capacity_days[] = {"every_day", "weekdays", NULL};
    static const char *const services[] = {"exponential", "deterministic", NULL};
    TRY(sim_node_check_keys(lm, keys, err));
    const el_trust *tr = &cfg->trusts[l->trust];
    if (sim_node_has(lm, "referrals")) {
        static const char *const rkeys[] = {"per_week",     "per_day",     "per_year",
                                            "weekday",      "hour_of_week", "hour_of_day",
                                            "month",        "growth_per_year", "by_month",
                                            NULL};
        sim_node *r;
        TRY(sim_node_map(lm, "referrals", &r, err));
        TRY(sim_node_check_keys(r, rkeys, err));
        TRY(sim_rate_profile_from_node(r, &l->referrals, err));
        if (sim_rate_profile_finish(&l->referrals))
            return sim_node_error(r, err, "expected factors >= 0, not all zero");
        weight_months_by_length(&l->referrals);
        l->has_referrals = true;
    }
    TRY(read_backlog(cfg, l, sp, lm, err));
    TRY(sim_node_opt_number(lm, "treatments_per_week", 0, 1e9, &l->treatments_per_week, err));
    TRY(sim_node_opt_number(lm, "non_admitted_per_week", 0, 1e9, &l->non_admitted_per_week,
                            err));
    TRY(read_month_factors(lm, "treatments_month", l->treatments_month, err));
    TRY(read_month_factors(lm, "non_admitted_month", l->non_admitted_month, err));
    int cdays = 0;
    TRY(sim_node_opt_enum(lm, "capacity_days", capacity_days, &cdays, err));
    l->weekdays_only = cdays == 1;
    TRY(sim_dated_months_from_node(lm, "treatments_by_month", &l->treatments_by_month, err));
    TRY(sim_dated_months_from_node(lm, "non_admitted_by_month", &l->non_admitted_by_month, err));
    l->has_capacity_months =
        sim_node_has(lm, "treatments_month") || sim_node_has(lm, "non_admitted_month") ||
        sim_dated_months_any(&l->treatments_by_month) ||
        sim_dated_months_any(&l->non_admitted_by_month);
    int svc = 0;
    TRY(sim_node_opt_enum(lm, "service", services, &svc, err));
    l->service = (el_service_kind)svc;
    long servers = 1;
    TRY(sim_node_opt_int(lm, "servers", 1, 10000, &servers, err));
    l->servers = (int)servers;
    l->capacity_site = tr->first_site;
    if (sim_node_has(lm, "capacity_site")) {
        const char *code;
        TRY(sim_node_string(lm, "capacity_site", &code, err));
        int s = el__find_site(cfg, code, sim_node_get(lm, "capacity_site"), err);
        if (s < 0)
            return SIM_EINPUT;
        l->capacity_site = s;
    }
    if (sp->two_stage && l->has_referrals && l->non_admitted_per_week <= 0)
        return sim_node_error(lm, err,
                              "a two-stage pathway (decision_to_admit) needs "
                              "non_admitted_per_week (outpatient attendances a week) for the list");
    if (l->backlog.admitted_share < 1.0 && l->backlog.total > 0 && l->non_admitted_per_week <= 0)
        return sim_node_error(sim_node_get(lm, "backlog"), err,
                              "a backlog with non-admitted pathways (admitted_share < 1) needs "
                              "non_admitted_per_week for the list");
    /* Patients live nearest one of the trust's sites: equal shares unless given. */
    double share[EL_MAX_POOL_SITES];
    for (int k = 0; k < tr->n_sites; k++)
        share[k] = 1.0 / tr->n_sites;
    if (sim_node_has(lm, "home_sites")) {
        sim_node *h;
        TRY(sim_node_map(lm, "home_sites", &h, err));
        double sum = 0;
        for (int k = 0; k < tr->n_sites; k++)
            share[k] = 0;
        for (size_t i = 0; i < h->n; i++) {
            int s = el__find_site(cfg, h->keys[i], h->items[i], err);
            if (s < 0)
                return SIM_EINPUT;
            if (cfg->sites[s].trust != l->trust)
                return sim_node_error(h->items[i], err, "site %s is not one of %s's sites",
                                      h->keys[i], tr->name);
            TRY(sim_node_fraction(h, h->keys[i], 0, 1, &share[s - tr->first_site], err));
            sum += share[s - tr->first_site];
        }
        if (fabs(sum - 1.0) > 1e-6)
            return sim_node_error(h, err, "expected shares that add up to 1, got %g", sum);
    }
    double c = 0;
    for (int k = 0; k < tr->n_sites; k++) {
        c += share[k];
        l->home_site_cum[k] = c;
    }
    l->home_site_cum[tr->n_sites - 1] = 1.0;
    return SIM_OK;
}

static int read_specialties(el_config *cfg, const sim_node *root, struct sim_error *err)
{
    static const char *const keys[] = {"name",         "admitted_share", "priority_mix",
                                       "priority_review", "removals",     "case_minutes",
                                       "max_wait_weeks",  "lists",        "selection",
                                       "outpatient_selection", "decision_to_admit",
                                       "outpatient_removals", "inpatient",  "case_mix",
                                       "urgent_referrals", NULL};
    sim_node *seq;
    TRY(sim_node_seq(root, "specialties", &seq, err));
    if (seq->n == 0)
        return sim_node_error(seq, err, "expected at least one specialty");
    cfg->specialties = calloc(seq->n, sizeof *cfg->specialties);
    size_t n_lists = 0;
    for (size_t i = 0; i < seq->n; i++) {
        sim_node *m = seq->items[i];
        if (m->kind != SIM_NODE_MAP)
            return sim_node_error(m, err, "expected a map {name, lists, ...}");
        sim_node_mark_used(m, false);
        sim_node *lists = sim_node_get(m, "lists");
        if (lists && lists->kind == SIM_NODE_MAP)
            n_lists += lists->n;
    }
    cfg->lists = calloc(n_lists ? n_lists : 1, sizeof *cfg->lists);
    if (!cfg->specialties || !cfg->lists)
        return SIM_ENOMEM;
    for (size_t i = 0; i < seq->n; i++) {
        sim_node *m = seq->items[i], *lists;
        TRY(sim_node_check_keys(m, keys, err));
        el_specialty *sp = &cfg->specialties[cfg->n_specialties];
        sp->collab = -1;
        const char *name;
        TRY(sim_node_string(m, "name", &name, err));
        if (el__find_specialty(cfg, name, NULL, NULL) >= 0)
            return sim_node_error(sim_node_get(m, "name"), err,
                                  "specialty \"%s\" is named twice", name);
        if (strchr(name, '/'))
            return sim_node_error(sim_node_get(m, "name"), err,
                                  "expected a name without '/', got \"%s\"", name);
        if (!(sp->name = el__strdup(name)))
            return SIM_ENOMEM;
        cfg->n_specialties++;
        sp->admitted_share = 1.0;
        TRY(sim_node_opt_fraction(m, "admitted_share", 0, 1, &sp->admitted_share, err));
        for (int p = 0; p < EL_PRIORITIES; p++)
            sp->priority_cum[p] = p == EL_PRIORITIES - 1 ? 1.0 : 0.0;
        if (sim_node_has(m, "priority_mix"))
            TRY(el__read_priority_mix(m, "priority_mix", sp->priority_cum, err));
        TRY(read_review(sp, m, err));
        TRY(read_removals(sp, m, err));
        TRY(read_op_removals(sp, m, err));
        if (sim_node_has(m, "case_minutes")) {
            TRY(sim_dist_from_node(sim_node_get(m, "case_minutes"), 0, &sp->case_minutes, err));
            sp->has_case_minutes = true;
        }
        if (sim_node_has(m, "inpatient")) {
            static const char *const ip_keys[] = {"share", "stay_days", NULL};
            sim_node *ip;
            TRY(sim_node_map(m, "inpatient", &ip, err));
            TRY(sim_node_check_keys(ip, ip_keys, err));
            TRY(sim_node_fraction(ip, "share", 0, 1, &sp->inpatient_share, err));
            const sim_node *stay = sim_node_get(ip, "stay_days");
            if (!stay)
                return sim_node_map(ip, "stay_days", &(sim_node *){NULL}, err);
            TRY(sim_dist_from_node(stay, 0, &sp->inpatient_stay, err));
            sp->has_inpatient = true;
        }
        TRY(el__read_case_mix(sp, m, err));
        sp->max_wait_weeks = 156;
        TRY(sim_node_opt_number(m, "max_wait_weeks", 1, 2000, &sp->max_wait_weeks, err));
        TRY(el__read_selection(cfg, m, "selection", true, &sp->select_admitted, err));
        TRY(el__read_selection(cfg, m, "outpatient_selection", false, &sp->select_outpatient,
                               err));
        if (sim_node_has(m, "decision_to_admit")) {
            if (sim_node_has(m, "admitted_share"))
                return sim_node_error(sim_node_get(m, "admitted_share"), err,
                                      "expected either admitted_share (one stage) or "
                                      "decision_to_admit (two stages), not both");
            TRY(sim_node_fraction(m, "decision_to_admit", 0, 1, &sp->decision_to_admit, err));
            sp->two_stage = true;
        }
        TRY(read_urgent_referrals(sp, m, err));
        TRY(sim_node_map(m, "lists", &lists, err));
        if (lists->n == 0)
            return sim_node_error(lists, err, "expected at least one trust's list");
        /* Check the keys name trusts before reading any. */
        for (size_t k = 0; k < lists->n; k++)
            if (el__find_trust(cfg, lists->keys[k], lists->items[k], err) < 0)
                return SIM_EINPUT;
        sp->first_list = (int)cfg->n_lists;
        /* Lists in trust order, so groups are labelled the same whatever the key order. */
        for (size_t t = 0; t < cfg->n_trusts; t++) {
            const char *tname = cfg->trusts[t].name;
            if (!sim_node_has(lists, tname))
                continue;
            sim_node *lm;
            TRY(sim_node_map(lists, tname, &lm, err));
            el_list *l = &cfg->lists[cfg->n_lists];
            l->trust = (int)t;
            l->specialty = (int)(sp - cfg->specialties);
            size_t len = strlen(tname) + strlen(name) + 2;
            if (!(l->label = malloc(len)))
                return SIM_ENOMEM;
            snprintf(l->label, len, "%s/%s", tname, name);
            cfg->n_lists++;
            TRY(read_list(cfg, l, sp, lm, err));
        }
        sp->n_lists = (int)cfg->n_lists - sp->first_list;
    }
    return SIM_OK;
}

/* ---- calendar and snapshot times ---------------------------------------------------- */

static int setup_calendar(el_config *cfg, const capsim_scenario *sc)
{
    TRY(capsim_scenario_calendar(sc, &cfg->cal));
    cfg->cal_ready = true;
    size_t n = sim_calendar_month_ends(&cfg->cal, sc->horizon_days, NULL, 0);
    cfg->times = calloc(n ? n : 1, sizeof *cfg->times);
    cfg->time_labels = calloc(n ? n : 1, sizeof *cfg->time_labels);
    if (!cfg->times || !cfg->time_labels)
        return SIM_ENOMEM;
    cfg->n_times = sim_calendar_month_ends(&cfg->cal, sc->horizon_days, cfg->times, n);
    for (size_t k = 0; k < cfg->n_times; k++) {
        char buf[11];
        sim_date d = sim_calendar_date(&cfg->cal, k == 0 ? cfg->times[k] : cfg->times[k] - 1);
        sim_date_format(d, buf);
        if (!(cfg->time_labels[k] = el__strdup(buf)))
            return SIM_ENOMEM;
    }
    return SIM_OK;
}

void el_config_free(el_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n_trusts; i++)
        free(cfg->trusts[i].name);
    for (size_t i = 0; i < cfg->n_sites; i++) {
        free(cfg->sites[i].code);
        free(cfg->sites[i].name);
    }
    for (size_t i = 0; i < cfg->n_specialties; i++) {
        free(cfg->specialties[i].name);
        if (cfg->specialties[i].has_case_minutes)
            sim_dist_fini(&cfg->specialties[i].case_minutes);
        if (cfg->specialties[i].has_inpatient)
            sim_dist_fini(&cfg->specialties[i].inpatient_stay);
        el__case_mix_fini(&cfg->specialties[i]);
    }
    for (size_t i = 0; i < cfg->n_lists; i++)
        free(cfg->lists[i].label);
    for (size_t i = 0; i < cfg->n_theatres; i++) {
        el_theatre *th = &cfg->theatres[i];
        free(th->closed_week_monday);
        if (th->has_start_delay)
            sim_dist_fini(&th->start_delay);
        if (th->case_minutes && th->has_case_minutes)
            for (size_t k = 0; k < cfg->n_specialties; k++)
                if (th->has_case_minutes[k])
                    sim_dist_fini(&th->case_minutes[k]);
        free(th->case_minutes);
        free(th->has_case_minutes);
        free(th->tpl);
    }
    for (size_t i = 0; i < cfg->n_collabs; i++) {
        free(cfg->collabs[i].member);
        free(cfg->collabs[i].site_acceptance);
    }
    for (size_t k = 0; k < cfg->n_times; k++)
        free(cfg->time_labels[k]);
    free(cfg->time_labels);
    free(cfg->times);
    free(cfg->trusts);
    free(cfg->sites);
    free(cfg->specialties);
    free(cfg->lists);
    free(cfg->theatres);
    free(cfg->collabs);
    free(cfg->distance_km);
    if (cfg->cal_ready)
        sim_calendar_fini(&cfg->cal);
    free(cfg);
}

static double haversine_km(const el_site *a, const el_site *b)
{
    const double r = 6371.0088, d2r = M_PI / 180.0;
    double dlat = (b->lat - a->lat) * d2r, dlon = (b->lon - a->lon) * d2r;
    double h = sin(dlat / 2) * sin(dlat / 2) +
               cos(a->lat * d2r) * cos(b->lat * d2r) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * asin(fmin(1.0, sqrt(h)));
}

int el_config_read(const capsim_scenario *sc, el_config **out, struct sim_error *err)
{
    el_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return SIM_ENOMEM;
    int rc = setup_calendar(cfg, sc);
    cfg->horizon_days = sc->horizon_days;
    cfg->warmup_days = sc->warmup_days;
    if (!rc)
        rc = read_trusts(cfg, sc, err);
    if (!rc) {
        size_t ns = cfg->n_sites;
        cfg->distance_km = malloc(ns * ns * sizeof *cfg->distance_km);
        if (!cfg->distance_km)
            rc = SIM_ENOMEM;
        for (size_t a = 0; !rc && a < ns; a++)
            for (size_t b = 0; b < ns; b++) {
                const el_site *sa = &cfg->sites[a], *sb = &cfg->sites[b];
                cfg->distance_km[a * ns + b] =
                    a == b ? 0.0 : sa->has_coords && sb->has_coords ? haversine_km(sa, sb) : NAN;
            }
    }
    if (!rc)
        rc = read_specialties(cfg, sc->root, err);
    if (!rc)
        rc = el__read_theatres(cfg, sc->root, err);
    if (!rc)
        rc = el__read_collaboration(cfg, sc->root, err);
    if (rc) {
        if (rc == SIM_ENOMEM && err && err->message[0] == '\0')
            sim_error_set(err, rc, sc->path, 0, 0, NULL, "out of memory reading the scenario");
        el_config_free(cfg);
        return rc;
    }
    /* The histograms reach back to the oldest clock start any backlog band can give. */
    double max_weeks = 0;
    for (size_t i = 0; i < cfg->n_specialties; i++)
        max_weeks = fmax(max_weeks, cfg->specialties[i].max_wait_weeks);
    for (size_t l = 0; l < cfg->n_lists; l++)
        for (size_t k = 0; k < cfg->lists[l].backlog.n_bands; k++)
            max_weeks = fmax(max_weeks, cfg->lists[l].backlog.hi_weeks[k]);
    cfg->hist_day_lo = -(int64_t)ceil(max_weeks * 7.0) - 2;
    cfg->hist_days = (size_t)((int64_t)ceil(cfg->horizon_days) + 2 - cfg->hist_day_lo);
    *out = cfg;
    return SIM_OK;
}
