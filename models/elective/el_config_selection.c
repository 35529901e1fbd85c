/*
 * models/elective/el_config_selection.c: reading a stage's selection rule (el_config.h).
 *
 *   selection: {in_turn: 40%, rest: random | weeks_waited | fading, half_life_weeks: 40,
 *               urgent_through: P2,
 *               long_wait_push: {over_weeks: 78, from: 2022-04-01, until: 2023-03-31,
 *                                share: 30%}}
 */
#include <math.h>

#include "core/error.h"
#include "el_config_selection.h"
#include "el_config_util.h"

int el__read_selection(const el_config *cfg, const sim_node *map, const char *key,
                       bool with_priorities, el_selection *sel, struct sim_error *err)
{
    static const char *const keys[] = {"in_turn",        "rest",           "half_life_weeks",
                                       "urgent_through", "long_wait_push", NULL};
    static const char *const stage_keys[] = {"in_turn", "rest", "half_life_weeks",
                                             "long_wait_push", NULL};
    static const char *const rests[] = {"random", "weeks_waited", "fading", NULL};
    static const char *const push_keys[] = {"over_weeks", "from", "until", "share", NULL};
    sel->active = false;
    sel->urgent = 2;
    sel->in_turn = 1.0;
    sel->rest = EL_REST_RANDOM;
    sel->fade_per_day = 0.0;
    sel->n_push = 0;
    if (!sim_node_has(map, key))
        return SIM_OK;
    sim_node *m;
    TRY(sim_node_map(map, key, &m, err));
    TRY(sim_node_check_keys(m, with_priorities ? keys : stage_keys, err));
    sel->active = true;
    TRY(sim_node_fraction(m, "in_turn", 0, 1, &sel->in_turn, err));
    int rest = 0;
    TRY(sim_node_opt_enum(m, "rest", rests, &rest, err));
    sel->rest = (el_rest_rule)rest;
    if (sel->rest == EL_REST_FADING) {
        double half_life;
        if (!sim_node_has(m, "half_life_weeks"))
            return sim_node_error(sim_node_get(m, "rest"), err,
                                  "fading needs half_life_weeks (the wait, in weeks, "
                                  "that halves a patient's chance of being picked)");
        TRY(sim_node_number(m, "half_life_weeks", 0.1, 1e4, &half_life, err));
        sel->fade_per_day = log(2.0) / (half_life * 7.0);
    } else if (sim_node_has(m, "half_life_weeks")) {
        return sim_node_error(sim_node_get(m, "half_life_weeks"), err,
                              "half_life_weeks is for rest: fading only");
    }
    if (with_priorities && sim_node_has(m, "urgent_through")) {
        const char *text;
        TRY(sim_node_string(m, "urgent_through", &text, err));
        int p = el__priority_index(text);
        if (p < 0)
            return sim_node_error(sim_node_get(m, "urgent_through"), err,
                                  "expected a priority P1 to P4, got \"%s\"", text);
        sel->urgent = p + 1;
    }
    /* One push (a map) or several (a sequence of maps, e.g. the 104- and 78-week targets). */
    const sim_node *pushes = sim_node_get(m, "long_wait_push");
    if (!pushes)
        return SIM_OK;
    bool many = pushes->kind == SIM_NODE_SEQ;
    size_t n = many ? pushes->n : 1;
    if (many)
        sim_node_mark_used((sim_node *)pushes, false);
    if (n > EL_MAX_PUSHES)
        return sim_node_error(pushes, err, "expected at most %d pushes", EL_MAX_PUSHES);
    for (size_t i = 0; i < n; i++) {
        const sim_node *pm = many ? pushes->items[i] : pushes;
        if (pm->kind != SIM_NODE_MAP)
            return sim_node_error(pm, err, "expected a map {over_weeks, from, until, share}");
        sim_node_mark_used((sim_node *)pm, false);
        TRY(sim_node_check_keys(pm, push_keys, err));
        el_push *ps = &sel->push[i];
        double weeks;
        TRY(sim_node_number(pm, "over_weeks", 0, 1e4, &weeks, err));
        if (!sim_node_has(pm, "until"))
            return sim_node_error(pm, err, "expected an until date");
        TRY(el__opt_date_time(cfg, pm, "until", INFINITY, &ps->until_t, err));
        TRY(el__opt_date_time(cfg, pm, "from", -INFINITY, &ps->from_t, err));
        if (ps->until_t <= ps->from_t)
            return sim_node_error(sim_node_get(pm, "until"), err, "expected a date after from");
        ps->over_days = weeks * 7.0;
        ps->share = 1.0;
        TRY(sim_node_opt_fraction(pm, "share", 0, 1, &ps->share, err));
        sel->n_push = (int)i + 1;
    }
    return SIM_OK;
}
