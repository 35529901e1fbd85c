/* models/queue/queue_config.c: reading and checking the `queue:` section. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "queue_model.h"

static const char *const queue_keys[] = {"arrivals", "servers", "service_days", "classes",
                                         "balk_at", NULL};
static const char *const class_keys[] = {"name", "share", "priority", NULL};

static int read_classes(qm_config *c, const sim_node *queue, struct sim_error *err)
{
    int rc;
    if (!sim_node_has(queue, "classes")) {
        c->n_classes = 1;
        c->classes = calloc(1, sizeof *c->classes);
        c->class_names = calloc(1, sizeof *c->class_names);
        if (!c->classes || !c->class_names || !(c->class_names[0] = strdup("all")))
            return SIM_ENOMEM;
        c->classes[0] = (qm_class){c->class_names[0], 1.0, 0};
        return SIM_OK;
    }
    sim_node *seq = NULL;
    if ((rc = sim_node_seq(queue, "classes", &seq, err)))
        return rc;
    if (seq->n == 0)
        return sim_node_error(seq, err, "expected at least one class");
    /* A physical bound (priority classes of one clinic), checked before reading any. */
    if (seq->n > 1000)
        return sim_node_error(seq, err, "expected at most 1000 classes, got %zu", seq->n);
    c->n_classes = seq->n;
    c->classes = calloc(seq->n, sizeof *c->classes);
    c->class_names = calloc(seq->n, sizeof *c->class_names);
    if (!c->classes || !c->class_names)
        return SIM_ENOMEM;
    double total = 0;
    for (size_t i = 0; i < seq->n; i++) {
        const sim_node *cl = seq->items[i];
        const char *name = NULL;
        long priority = 0;
        if ((rc = sim_node_check_keys(cl, class_keys, err)) ||
            (rc = sim_node_string(cl, "name", &name, err)) ||
            (rc = sim_node_fraction(cl, "share", 0, 1, &c->classes[i].share, err)) ||
            (rc = sim_node_opt_int(cl, "priority", -1000000, 1000000, &priority, err)))
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->class_names[j], name) == 0)
                return sim_node_error(sim_node_get(cl, "name"), err,
                                      "duplicate class name \"%s\"", name);
        if (!(c->class_names[i] = strdup(name)))
            return SIM_ENOMEM;
        c->classes[i].name = c->class_names[i];
        c->classes[i].priority = (int)priority;
        total += c->classes[i].share;
    }
    if (fabs(total - 1.0) > 1e-9)
        return sim_node_error(seq, err, "expected class shares that add up to 1, got %g", total);
    return SIM_OK;
}

static int read_servers(qm_config *c, const sim_node *queue, struct sim_error *err)
{
    const sim_node *servers = sim_node_get(queue, "servers");
    if (!servers)
        return sim_node_int(queue, "servers", 1, 1000000, &(long){0}, err);
    if (servers->kind == SIM_NODE_SCALAR) {
        long n = 0;
        int rc = sim_node_int(queue, "servers", 1, 1000000, &n, err);
        c->servers = (int)n;
        return rc;
    }
    c->scheduled = 1;
    return sim_schedule_from_node(servers, &c->schedule, err);
}

int qm_configure(const capsim_scenario *sc, void **out, struct sim_error *err)
{
    qm_config *c = calloc(1, sizeof *c);
    if (!c)
        return SIM_ENOMEM;
    int rc = capsim_scenario_calendar(sc, &c->cal);
    if (rc) {
        free(c);
        return rc;
    }
    c->horizon_days = sc->horizon_days;
    c->warmup_days = sc->warmup_days;
    sim_dist_constant(&c->service, 0);

    sim_node *queue = NULL, *arrivals = NULL;
    if ((rc = sim_node_map(sc->root, "queue", &queue, err)) ||
        (rc = sim_node_check_keys(queue, queue_keys, err)) ||
        (rc = sim_node_map(queue, "arrivals", &arrivals, err)) ||
        (rc = sim_rate_profile_from_node(arrivals, &c->arrivals, err)) ||
        (rc = read_servers(c, queue, err)))
        goto fail;
    const sim_node *service = sim_node_get(queue, "service_days");
    if (!service) {
        rc = sim_node_map(queue, "service_days", &(sim_node *){NULL}, err);
        goto fail;
    }
    c->balk_at = INFINITY;
    if ((rc = sim_dist_from_node(service, 0.0, &c->service, err)) ||
        (rc = read_classes(c, queue, err)) ||
        (rc = sim_node_opt_number(queue, "balk_at", 0, 1e9, &c->balk_at, err)))
        goto fail;

    size_t max = (size_t)(c->horizon_days / 28.0) + 3;
    c->snapshot_times = malloc(max * sizeof *c->snapshot_times);
    if (!c->snapshot_times) {
        rc = SIM_ENOMEM;
        goto fail;
    }
    c->n_snapshots = sim_calendar_month_ends(&c->cal, c->horizon_days, c->snapshot_times, max);
    *out = c;
    return SIM_OK;
fail:
    qm_destroy(c);
    return rc;
}

void qm_destroy(void *cfg)
{
    qm_config *c = cfg;
    if (!c)
        return;
    for (size_t i = 0; c->class_names && i < c->n_classes; i++)
        free(c->class_names[i]);
    free(c->class_names);
    free(c->classes);
    free(c->snapshot_times);
    sim_dist_fini(&c->service);
    sim_calendar_fini(&c->cal);
    free(c);
}
