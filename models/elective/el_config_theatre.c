/*
 * models/elective/el_config_theatre.c: reading theatre plans and collaboration policies.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "scenario/yaml.h"
#include "el_config.h"
#include "el_config_theatre.h"
#include "el_config_util.h"

#define EL_MAX_CASES_PER_SESSION 16

static const char *const weekdays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Read `weekday: mon` or `weekday: [mon, tue]` into a 7-bit mask. */
static int read_weekdays(const sim_node *m, int *mask, struct sim_error *err)
{
    sim_node *w = sim_node_get(m, "weekday");
    *mask = 0;
    if (!w)
        return sim_node_error(m, err, "missing key \"weekday\" (mon ... sun, or a list)");
    if (w->kind == SIM_NODE_SCALAR) {
        int d;
        TRY(sim_node_enum(m, "weekday", weekdays, &d, err));
        *mask = 1 << d;
        return SIM_OK;
    }
    if (w->kind != SIM_NODE_SEQ || w->n == 0)
        return sim_node_error(w, err, "expected a weekday (mon ... sun) or a list of them");
    sim_node_mark_used(w, false);
    for (size_t i = 0; i < w->n; i++) {
        int d;
        TRY(sim_node_enum(w->items[i], NULL, weekdays, &d, err));
        *mask |= 1 << d;
    }
    return SIM_OK;
}

static int read_sessions(el_config *cfg, el_theatre *th, const sim_node *seq,
                         struct sim_error *err)
{
    static const char *const keys[] = {"weekday", "specialty", "hours", "count", "trust",
                                       "from",    "until",     "cases", NULL};
    size_t n = 0;
    for (size_t i = 0; i < seq->n; i++) {
        sim_node *s = seq->items[i];
        if (s->kind != SIM_NODE_MAP)
            return sim_node_error(s, err, "expected a map {weekday, specialty, hours, count}");
        sim_node_mark_used(s, false);
        TRY(sim_node_check_keys(s, keys, err));
        int mask;
        TRY(read_weekdays(s, &mask, err));
        n += (size_t)__builtin_popcount((unsigned)mask);
    }
    th->tpl = calloc(n ? n : 1, sizeof *th->tpl);
    if (!th->tpl)
        return SIM_ENOMEM;
    for (size_t i = 0; i < seq->n; i++) {
        sim_node *s = seq->items[i];
        int mask;
        TRY(read_weekdays(s, &mask, err));
        const char *spname, *tname = NULL;
        TRY(sim_node_string(s, "specialty", &spname, err));
        int sp = el__find_specialty(cfg, spname, sim_node_get(s, "specialty"), err);
        if (sp < 0)
            return SIM_EINPUT;
        int trust = cfg->sites[th->site].trust;
        TRY(sim_node_opt_string(s, "trust", &tname, err));
        if (tname && (trust = el__find_trust(cfg, tname, sim_node_get(s, "trust"), err)) < 0)
            return SIM_EINPUT;
        int list = el_config_list_of(cfg, trust, sp);
        if (list < 0)
            return sim_node_error(s, err,
                                  "trust %s runs %s sessions but has no %s list (add it under "
                                  "the specialty's lists)",
                                  cfg->trusts[trust].name, spname, spname);
        double hours;
        long count = 1, cases = 0;
        TRY(sim_node_number(s, "hours", 0.25, 24, &hours, err));
        TRY(sim_node_opt_int(s, "count", 1, 1000, &count, err));
        TRY(sim_node_opt_int(s, "cases", 1, EL_MAX_CASES_PER_SESSION, &cases, err));
        double from_t, until_t;
        TRY(el__opt_date_time(cfg, s, "from", -INFINITY, &from_t, err));
        TRY(el__opt_date_time(cfg, s, "until", INFINITY, &until_t, err));
        if (until_t <= from_t)
            return sim_node_error(sim_node_get(s, "until"), err, "expected a date after from");
        if (!cases && !th->has_case_minutes[sp] && !cfg->specialties[sp].has_case_minutes &&
            !cfg->specialties[sp].n_procedures)
            return sim_node_error(s, err,
                                  "no case_minutes for %s: give them (or a case_mix) for the "
                                  "specialty, the theatre, or give cases per session",
                                  spname);
        for (int d = 0; d < 7; d++) {
            if (!(mask & (1 << d)))
                continue;
            el_session_tpl *t = &th->tpl[th->n_tpl++];
            t->weekday = d;
            t->specialty = sp;
            t->list = list;
            t->minutes = hours * 60.0;
            t->count = (int)count;
            t->fixed_cases = (int)cases;
            t->from_t = from_t;
            t->until_t = until_t;
        }
    }
    return SIM_OK;
}

static int read_theatre(el_config *cfg, el_theatre *th, const sim_node *m, struct sim_error *err)
{
    static const char *const keys[] = {"site",          "working_weeks_per_year",
                                       "closed_weeks",  "book_days_ahead",
                                       "turnaround_minutes", "p1_share", "book_minutes",
                                       "cancel_on_day", "start_delay_minutes",
                                       "case_minutes",  "sessions", NULL};
    static const char *const cancel_keys[] = {"patient", "hospital", NULL};
    TRY(sim_node_check_keys(m, keys, err));
    const char *code;
    TRY(sim_node_string(m, "site", &code, err));
    if ((th->site = el__find_site(cfg, code, sim_node_get(m, "site"), err)) < 0)
        return SIM_EINPUT;
    for (size_t i = 0; i < cfg->n_theatres; i++)
        if (&cfg->theatres[i] != th && cfg->theatres[i].site == th->site)
            return sim_node_error(sim_node_get(m, "site"), err,
                                  "site %s has two theatre entries", code);
    long ww = 52, book = 14;
    if (sim_node_has(m, "working_weeks_per_year") && sim_node_has(m, "closed_weeks"))
        return sim_node_error(sim_node_get(m, "closed_weeks"), err,
                              "give working_weeks_per_year or closed_weeks, not both");
    TRY(sim_node_opt_int(m, "working_weeks_per_year", 1, 52, &ww, err));
    th->working_weeks = (int)ww;
    if (sim_node_has(m, "closed_weeks")) {
        sim_node *cw;
        TRY(sim_node_seq(m, "closed_weeks", &cw, err));
        th->closed_week_monday = calloc(cw->n ? cw->n : 1, sizeof *th->closed_week_monday);
        if (!th->closed_week_monday)
            return SIM_ENOMEM;
        for (size_t i = 0; i < cw->n; i++) {
            sim_date d;
            TRY(sim_node_date(cw->items[i], NULL, &d, err));
            int64_t day = sim_date_to_days(d);
            th->closed_week_monday[i] = day - sim_date_weekday(d);
        }
        th->n_closed = cw->n;
        qsort(th->closed_week_monday, th->n_closed, sizeof(int64_t), cmp_i64);
    }
    TRY(sim_node_opt_int(m, "book_days_ahead", 0, 365, &book, err));
    th->book_days_ahead = (int)book;
    TRY(sim_node_opt_number(m, "turnaround_minutes", 0, 600, &th->turnaround_minutes, err));
    TRY(sim_node_opt_fraction(m, "p1_share", 0, 1, &th->p1_share, err));
    TRY(sim_node_opt_fraction(m, "book_minutes", 0.1, 1.5, &th->book_minutes, err));
    if (sim_node_has(m, "cancel_on_day")) {
        sim_node *c;
        TRY(sim_node_map(m, "cancel_on_day", &c, err));
        TRY(sim_node_check_keys(c, cancel_keys, err));
        TRY(sim_node_opt_fraction(c, "patient", 0, 1, &th->cancel_patient, err));
        TRY(sim_node_opt_fraction(c, "hospital", 0, 1, &th->cancel_hospital, err));
        if (th->cancel_patient + th->cancel_hospital > 1)
            return sim_node_error(c, err, "expected patient + hospital <= 1");
    }
    if (sim_node_has(m, "start_delay_minutes")) {
        TRY(sim_dist_from_node(sim_node_get(m, "start_delay_minutes"), 0, &th->start_delay, err));
        th->has_start_delay = true;
    }
    th->case_minutes = calloc(cfg->n_specialties, sizeof *th->case_minutes);
    th->has_case_minutes = calloc(cfg->n_specialties, sizeof *th->has_case_minutes);
    if (!th->case_minutes || !th->has_case_minutes)
        return SIM_ENOMEM;
    if (sim_node_has(m, "case_minutes")) {
        sim_node *cm;
        TRY(sim_node_map(m, "case_minutes", &cm, err));
        for (size_t i = 0; i < cm->n; i++) {
            int sp = el__find_specialty(cfg, cm->keys[i], cm->items[i], err);
            if (sp < 0)
                return SIM_EINPUT;
            TRY(sim_dist_from_node(cm->items[i], 0, &th->case_minutes[sp], err));
            th->has_case_minutes[sp] = true;
        }
    }
    sim_node *seq;
    TRY(sim_node_seq(m, "sessions", &seq, err));
    return read_sessions(cfg, th, seq, err);
}

int el__read_theatres(el_config *cfg, const sim_node *root, struct sim_error *err)
{
    if (!sim_node_has(root, "theatres"))
        return SIM_OK;
    sim_node *seq;
    TRY(sim_node_seq(root, "theatres", &seq, err));
    cfg->theatres = calloc(seq->n ? seq->n : 1, sizeof *cfg->theatres);
    if (!cfg->theatres)
        return SIM_ENOMEM;
    for (size_t i = 0; i < seq->n; i++) {
        sim_node *m = seq->items[i];
        if (m->kind != SIM_NODE_MAP)
            return sim_node_error(m, err, "expected a map {site, sessions, ...}");
        sim_node_mark_used(m, false);
        el_theatre *th = &cfg->theatres[cfg->n_theatres];
        /* Count it first so el_config_free releases what a half-read entry took. */
        cfg->n_theatres++;
        TRY(read_theatre(cfg, th, m, err));
    }
    return SIM_OK;
}

/* ---- collaboration ------------------------------------------------------------------ */

static int read_distances(el_config *cfg, const sim_node *m, struct sim_error *err)
{
    if (!sim_node_has(m, "distances_km"))
        return SIM_OK;
    sim_node *d;
    TRY(sim_node_map(m, "distances_km", &d, err));
    size_t ns = cfg->n_sites;
    for (size_t i = 0; i < d->n; i++) {
        const char *key = d->keys[i];
        int a = -1, b = -1;
        /* Site codes may contain '-': try every split point. */
        for (const char *dash = strchr(key, '-'); dash && (a < 0 || b < 0);
             dash = strchr(dash + 1, '-')) {
            char left[256];
            size_t len = (size_t)(dash - key);
            if (len >= sizeof left)
                break;
            memcpy(left, key, len);
            left[len] = '\0';
            a = el__find_site(cfg, left, NULL, NULL);
            b = el__find_site(cfg, dash + 1, NULL, NULL);
        }
        if (a < 0 || b < 0)
            return sim_node_error(d->items[i], err,
                                  "expected a pair of site codes such as \"WSH-IPS\", got \"%s\"",
                                  key);
        double km;
        TRY(sim_node_number(d, key, 0, 20000, &km, err));
        cfg->distance_km[a * ns + b] = cfg->distance_km[b * ns + a] = km;
    }
    return SIM_OK;
}

/* Sites where a member trust treats the specialty: its sessions and its simple capacity. */
static int collect_pool_sites(el_config *cfg, el_collab *c, const sim_node *at,
                              struct sim_error *err)
{
    bool *used = calloc(cfg->n_sites, sizeof *used);
    if (!used)
        return SIM_ENOMEM;
    for (size_t i = 0; i < cfg->n_theatres; i++) {
        const el_theatre *th = &cfg->theatres[i];
        for (size_t k = 0; k < th->n_tpl; k++)
            if (th->tpl[k].specialty == c->specialty &&
                c->member[cfg->lists[th->tpl[k].list].trust])
                used[th->site] = true;
    }
    const el_specialty *sp = &cfg->specialties[c->specialty];
    for (int k = 0; k < sp->n_lists; k++) {
        const el_list *l = &cfg->lists[sp->first_list + k];
        if (c->member[l->trust] && l->treatments_per_week > 0)
            used[l->capacity_site] = true;
    }
    c->n_pool_sites = 0;
    for (size_t s = 0; s < cfg->n_sites; s++) {
        if (!used[s])
            continue;
        if (c->n_pool_sites == EL_MAX_POOL_SITES) {
            free(used);
            return sim_node_error(at, err, "expected at most %d treating sites in a pool",
                                  EL_MAX_POOL_SITES);
        }
        c->pool_sites[c->n_pool_sites++] = (int)s;
    }
    free(used);
    return SIM_OK;
}

static int read_collab(el_config *cfg, el_collab *c, const sim_node *m, struct sim_error *err)
{
    static const char *const policies[] = {"separate", "pooled", "mutual_aid", NULL};
    static const char *const sep_keys[] = {"specialty", "policy", NULL};
    static const char *const pool_keys[] = {"specialty",       "policy",          "from",
                                            "trusts",          "site_acceptance", "travel_limit_km",
                                            "distances_km",    NULL};
    static const char *const aid_keys[] = {"specialty",      "policy",     "from",
                                           "trusts",         "every",      "threshold_weeks",
                                           "acceptance",     "max_per_period", "distances_km",
                                           NULL};
    static const char *const periods[] = {"week", "month", NULL};
    const char *spname;
    int pol;
    TRY(sim_node_string(m, "specialty", &spname, err));
    if ((c->specialty = el__find_specialty(cfg, spname, sim_node_get(m, "specialty"), err)) < 0)
        return SIM_EINPUT;
    el_specialty *sp = &cfg->specialties[c->specialty];
    if (sp->collab >= 0)
        return sim_node_error(sim_node_get(m, "specialty"), err,
                              "%s already has a collaboration policy", spname);
    sp->collab = (int)(c - cfg->collabs);
    TRY(sim_node_enum(m, "policy", policies, &pol, err));
    c->policy = (el_policy)pol;
    TRY(sim_node_check_keys(m, pol == EL_SEPARATE ? sep_keys
                               : pol == EL_POOLED ? pool_keys
                                                  : aid_keys,
                            err));
    TRY(el__opt_date_time(cfg, m, "from", 0, &c->from_t, err));
    if (c->from_t < 0)
        c->from_t = 0;
    c->member = calloc(cfg->n_trusts, sizeof *c->member);
    c->site_acceptance = malloc(cfg->n_sites * sizeof *c->site_acceptance);
    if (!c->member || !c->site_acceptance)
        return SIM_ENOMEM;
    if (sim_node_has(m, "trusts")) {
        sim_node *ts;
        TRY(sim_node_seq(m, "trusts", &ts, err));
        for (size_t i = 0; i < ts->n; i++) {
            const char *tn;
            TRY(sim_node_string(ts->items[i], NULL, &tn, err));
            int t = el__find_trust(cfg, tn, ts->items[i], err);
            if (t < 0)
                return SIM_EINPUT;
            if (el_config_list_of(cfg, t, c->specialty) < 0)
                return sim_node_error(ts->items[i], err, "trust %s has no %s list", tn, spname);
            c->member[t] = true;
        }
    } else {
        for (int k = 0; k < sp->n_lists; k++)
            c->member[cfg->lists[sp->first_list + k].trust] = true;
    }
    for (size_t s = 0; s < cfg->n_sites; s++)
        c->site_acceptance[s] = 1.0;
    c->travel_limit_km = INFINITY;
    TRY(read_distances(cfg, m, err));
    if (c->policy == EL_POOLED) {
        if (sim_node_has(m, "site_acceptance")) {
            sim_node *a;
            TRY(sim_node_map(m, "site_acceptance", &a, err));
            for (size_t i = 0; i < a->n; i++) {
                int s = el__find_site(cfg, a->keys[i], a->items[i], err);
                if (s < 0)
                    return SIM_EINPUT;
                TRY(sim_node_fraction(a, a->keys[i], 0, 1, &c->site_acceptance[s], err));
            }
        }
        TRY(sim_node_opt_number(m, "travel_limit_km", 0, 20000, &c->travel_limit_km, err));
        TRY(collect_pool_sites(cfg, c, m, err));
        if (isfinite(c->travel_limit_km)) {
            /* Every home site of a member must have a known distance to every pool site. */
            for (int k = 0; k < sp->n_lists; k++) {
                const el_list *l = &cfg->lists[sp->first_list + k];
                if (!c->member[l->trust])
                    continue;
                const el_trust *tr = &cfg->trusts[l->trust];
                for (int h = 0; h < tr->n_sites; h++)
                    for (size_t q = 0; q < c->n_pool_sites; q++) {
                        int a = tr->first_site + h, b = c->pool_sites[q];
                        if (isnan(cfg->distance_km[a * cfg->n_sites + b]))
                            return sim_node_error(
                                sim_node_get(m, "travel_limit_km"), err,
                                "travel_limit_km needs the distance from %s to %s: give both "
                                "sites lat and lon, or distances_km",
                                cfg->sites[a].code, cfg->sites[b].code);
                    }
            }
        }
    } else if (c->policy == EL_MUTUAL_AID) {
        int every = 0;
        double weeks;
        TRY(sim_node_opt_enum(m, "every", periods, &every, err));
        c->period_days = every == 0 ? 7.0 : 0.0;
        TRY(sim_node_number(m, "threshold_weeks", 0, 1e4, &weeks, err));
        c->threshold_days = weeks * 7.0;
        c->acceptance = 1.0;
        TRY(sim_node_opt_fraction(m, "acceptance", 0, 1, &c->acceptance, err));
        c->max_per_period = LONG_MAX;
        TRY(sim_node_opt_int(m, "max_per_period", 0, LONG_MAX, &c->max_per_period, err));
    }
    return SIM_OK;
}

int el__read_collaboration(el_config *cfg, const sim_node *root, struct sim_error *err)
{
    if (!sim_node_has(root, "collaboration"))
        return SIM_OK;
    sim_node *seq;
    TRY(sim_node_seq(root, "collaboration", &seq, err));
    cfg->collabs = calloc(seq->n ? seq->n : 1, sizeof *cfg->collabs);
    if (!cfg->collabs)
        return SIM_ENOMEM;
    for (size_t i = 0; i < seq->n; i++) {
        sim_node *m = seq->items[i];
        if (m->kind != SIM_NODE_MAP)
            return sim_node_error(m, err, "expected a map {specialty, policy, ...}");
        sim_node_mark_used(m, false);
        el_collab *c = &cfg->collabs[cfg->n_collabs++];
        TRY(read_collab(cfg, c, m, err));
    }
    return SIM_OK;
}
