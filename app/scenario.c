#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "core/error.h"

/* Keys every scenario may have, whatever its model. `extends` is consumed by the loader. */
static const char *const common_keys[] = {"name",          "description", "start_date",
                                          "horizon_days",  "warmup_days", "seed",
                                          "replications",  "bank_holidays", "system",
                                          "flows",         "uncertainty",  "label",
                                          "assumptions",   NULL};

static bool valid_name(const char *s)
{
    if (!*s || strlen(s) > 200)
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

char *capsim_name_from_path(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char *name = strdup(base);
    if (!name)
        return NULL;
    size_t n = strlen(name);
    if (n > 5 && strcmp(name + n - 5, ".yaml") == 0)
        name[n - 5] = '\0';
    else if (n > 4 && strcmp(name + n - 4, ".yml") == 0)
        name[n - 4] = '\0';
    return name;
}

static int read_dates(const sim_node *map, const char *key, sim_date **out, size_t *n,
                      struct sim_error *err)
{
    sim_node *seq = NULL;
    if (!sim_node_has(map, key))
        return SIM_OK;
    int rc = sim_node_seq(map, key, &seq, err);
    if (rc)
        return rc;
    *out = calloc(seq->n ? seq->n : 1, sizeof **out);
    if (!*out)
        return SIM_ENOMEM;
    for (size_t i = 0; i < seq->n; i++) {
        rc = sim_node_date(seq->items[i], NULL, &(*out)[i], err);
        if (rc)
            return rc;
    }
    *n = seq->n;
    return SIM_OK;
}

static int read_common(capsim_loaded *l, struct sim_error *err)
{
    capsim_scenario *sc = &l->sc;
    sim_node *root = sc->root;
    int rc;
    const char *name = NULL;

    if ((rc = sim_node_opt_string(root, "name", &name, err)))
        return rc;
    if (name) {
        if (!valid_name(name))
            return sim_node_error(sim_node_get(root, "name"), err,
                                  "expected a name of letters, digits, '-', '_' or '.', got \"%s\"",
                                  name);
        sc->name = name;
    }
    if ((rc = sim_node_opt_string(root, "description", &sc->description, err)))
        return rc;
    /* For reports: a human name, and the assumptions the scenario states (strings). */
    if ((rc = sim_node_opt_string(root, "label", &l->label, err)))
        return rc;
    if (sim_node_has(root, "assumptions")) {
        sim_node *seq = NULL;
        if ((rc = sim_node_seq(root, "assumptions", &seq, err)))
            return rc;
        if (!(l->assumptions = calloc(seq->n ? seq->n : 1, sizeof *l->assumptions)))
            return SIM_ENOMEM;
        for (size_t i = 0; i < seq->n; i++)
            if ((rc = sim_node_string(seq->items[i], NULL, &l->assumptions[i], err)))
                return rc;
        l->n_assumptions = seq->n;
    }
    if ((rc = sim_node_date(root, "start_date", &sc->start_date, err)))
        return rc;
    if ((rc = sim_node_number(root, "horizon_days", 1, 36525, &sc->horizon_days, err)))
        return rc;
    sc->warmup_days = 0;
    if ((rc = sim_node_opt_number(root, "warmup_days", 0, sc->horizon_days - 1, &sc->warmup_days,
                                  err)))
        return rc;
    long seed = 1, reps = 20;
    if ((rc = sim_node_opt_int(root, "seed", 0, 9007199254740991L, &seed, err)))
        return rc;
    if ((rc = sim_node_opt_int(root, "replications", 1, 1000000, &reps, err)))
        return rc;
    sc->seed = (uint64_t)seed;
    sc->replications = reps;
    l->runs_per_sample = 2;
    if (sim_node_has(root, "uncertainty")) {
        sim_node *u = NULL;
        static const char *const u_keys[] = {"runs_per_sample", NULL};
        if ((rc = sim_node_map(root, "uncertainty", &u, err)) ||
            (rc = sim_node_check_keys(u, u_keys, err)) ||
            (rc = sim_node_opt_int(u, "runs_per_sample", 1, 1000, &l->runs_per_sample, err)))
            return rc;
    }

    if (sim_node_has(root, "bank_holidays")) {
        sim_node *bh = NULL;
        static const char *const bh_keys[] = {"extra", "dates", NULL};
        if ((rc = sim_node_map(root, "bank_holidays", &bh, err)))
            return rc;
        if ((rc = sim_node_check_keys(bh, bh_keys, err)))
            return rc;
        if ((rc = read_dates(bh, "extra", &sc->extra_holidays, &sc->n_extra_holidays, err)))
            return rc;
        if (sim_node_has(bh, "dates")) {
            sc->replace_holidays = 1;
            if ((rc = read_dates(bh, "dates", &sc->holidays, &sc->n_holidays, err)))
                return rc;
        }
    }
    return SIM_OK;
}

/* Every model whose sections the scenario uses, in registry order. */
static int pick_models(capsim_loaded *l, struct sim_error *err)
{
    const sim_node *root = l->sc.root;
    char expected[512] = "";
    for (const capsim_model *const *m = capsim_models; *m; m++) {
        bool used = false;
        for (const char *const *s = (*m)->sections; *s; s++) {
            size_t n = strlen(expected);
            snprintf(expected + n, sizeof expected - n, "%s%s", n ? ", " : "", *s);
            used = used || sim_node_has(root, *s);
        }
        if (used) {
            if (l->n_models == CAPSIM_MAX_MODELS)
                return sim_error_set(err, SIM_EINPUT, root->file, 0, 0, NULL,
                                     "more than %d models in one scenario", CAPSIM_MAX_MODELS);
            l->models[l->n_models++] = *m;
        }
    }
    if (!l->n_models)
        return sim_error_set(err, SIM_EINPUT, root->file, 0, 0, NULL,
                             "no model section: expected one of %s", expected);
    return SIM_OK;
}

/* "MODEL.PORT" at node n: the component and port, or an error there. */
static int flow_end(const capsim_loaded *l, const sim_node *flow, const char *key,
                    size_t *comp, size_t *port, struct sim_error *err)
{
    const char *text;
    int rc = sim_node_string(flow, key, &text, err);
    if (rc)
        return rc;
    const sim_node *at = sim_node_get(flow, key);
    const char *dot = strchr(text, '.');
    if (!dot || dot == text || !dot[1])
        return sim_node_error(at, err, "expected MODEL.PORT (e.g. ucch.divert), got \"%s\"",
                              text);
    size_t len = (size_t)(dot - text);
    char models[300] = "";
    for (size_t c = 0; c < l->n_models; c++) {
        const char *name = l->models[c]->name;
        size_t n = strlen(models);
        snprintf(models + n, sizeof models - n, "%s%s", n ? ", " : "", name);
        if (strlen(name) != len || strncmp(name, text, len) != 0)
            continue;
        long p = sim_component_port(&l->components[c], dot + 1);
        if (p >= 0) {
            *comp = c;
            *port = (size_t)p;
            return SIM_OK;
        }
        char ports[400] = "";
        for (size_t k = 0; k < l->components[c].n_ports; k++) {
            size_t m = strlen(ports);
            snprintf(ports + m, sizeof ports - m, "%s%s", m ? ", " : "",
                     l->components[c].ports[k].name);
        }
        return sim_node_error(at, err, "model %s has no port \"%s\" (its ports: %s)", name,
                              dot + 1, ports[0] ? ports : "none");
    }
    return sim_node_error(at, err, "no model \"%.*s\" in this scenario (its models: %s)",
                          (int)len, text, models);
}

/* The `flows:` section: each {from: MODEL.PORT, to: MODEL.PORT}, checked as it is read. */
static int read_flows(capsim_loaded *l, struct sim_error *err)
{
    const sim_node *root = l->sc.root;
    if (!sim_node_has(root, "flows"))
        return SIM_OK;
    sim_node *seq;
    int rc = sim_node_seq(root, "flows", &seq, err);
    if (rc)
        return rc;
    l->flows = calloc(seq->n ? seq->n : 1, sizeof *l->flows);
    if (!l->flows)
        return SIM_ENOMEM;
    static const char *const keys[] = {"from", "to", NULL};
    for (size_t i = 0; i < seq->n; i++) {
        sim_node *f = seq->items[i];
        if (f->kind != SIM_NODE_MAP)
            return sim_node_error(f, err, "expected a map {from: MODEL.PORT, to: MODEL.PORT}");
        sim_flow *fl = &l->flows[i];
        if ((rc = sim_node_check_keys(f, keys, err)) ||
            (rc = flow_end(l, f, "from", &fl->from, &fl->from_port, err)) ||
            (rc = flow_end(l, f, "to", &fl->to, &fl->to_port, err)))
            return rc;
        l->n_flows = i + 1;
        l->system.flows = l->flows;
        l->system.n_flows = l->n_flows;
        struct sim_error why;
        if (sim_system_check(&l->system, &why))
            return sim_node_error(f, err, "%s", why.message);
    }
    return SIM_OK;
}

/* Configure every model, then declare its metrics in its own namespace of the monitor. */
static int configure_models(capsim_loaded *l, struct sim_error *err)
{
    int rc;
    for (size_t c = 0; c < l->n_models; c++) {
        const capsim_model *m = l->models[c];
        if ((rc = m->configure(&l->sc, &l->cfgs[c], err)))
            return rc;
        l->components[c] = capsim_model_component(m, l->cfgs[c], c);
    }
    l->monitor = sim_monitor_alloc();
    if (!l->monitor)
        return SIM_ENOMEM;
    sim_calendar cal;
    if ((rc = capsim_scenario_calendar(&l->sc, &cal)))
        return rc;
    rc = capsim_monitor_month_ends(l->monitor, &cal, l->sc.horizon_days);
    sim_calendar_fini(&cal);
    for (size_t c = 0; c < l->n_models && !rc; c++) {
        int id = sim_monitor_begin_model(l->monitor, l->models[c]->name);
        rc = id < 0 ? id : l->models[c]->declare(l->cfgs[c], l->monitor, err);
    }
    l->system = (sim_system){
        .components = l->components,
        .n_components = l->n_models,
        .snapshot_times = sim_monitor_times(l->monitor),
        .n_snapshots = sim_monitor_time_count(l->monitor),
        .horizon_days = l->sc.horizon_days,
        .warmup_days = l->sc.warmup_days,
    };
    return rc;
}

static int variant_of(const capsim_loaded *l, const double *values, const sim_monitor *ref,
                      capsim_loaded **out, struct sim_error *err);

/* The "inputs" namespace: one outcome per uncertain input, the value it was drawn at. */
static int declare_inputs(capsim_loaded *l)
{
    l->inputs_model = -1;
    if (!l->uncertain.n)
        return SIM_OK;
    int id = sim_monitor_begin_model(l->monitor, "inputs");
    if (id < 0)
        return id;
    l->inputs_model = id;
    for (size_t i = 0; i < l->uncertain.n; i++) {
        const capsim_uncertain *u = &l->uncertain.inputs[i];
        char desc[1200];
        snprintf(desc, sizeof desc,
                 "The value of %s drawn for this replication's input sample (central %.6g, "
                 "low %.6g, high %.6g).", u->path, u->central, u->low, u->high);
        int rc = sim_monitor_declare(l->monitor, u->metric, "input", desc, SIM_METRIC_REP,
                                     false);
        if (rc < 0)
            return rc;
    }
    return SIM_OK;
}

/* Both ends of every uncertain input must configure, and give results of the same shape. */
static int check_input_ends(const capsim_loaded *l, struct sim_error *err)
{
    size_t n = l->uncertain.n;
    if (!n)
        return SIM_OK;
    double *v = malloc(n * sizeof *v);
    if (!v)
        return SIM_ENOMEM;
    int rc = SIM_OK;
    for (size_t i = 0; i < n && !rc; i++)
        for (int end = 0; end < 2 && !rc; end++) {
            for (size_t k = 0; k < n; k++)
                v[k] = l->uncertain.inputs[k].central;
            const capsim_uncertain *u = &l->uncertain.inputs[i];
            v[i] = end ? u->high : u->low;
            capsim_loaded *x = NULL;
            struct sim_error why;
            sim_error_clear(&why);
            rc = capsim_scenario_variant(l, v, &x, &why);
            if (rc)
                rc = sim_error_set(err, SIM_EINPUT, u->file, u->line, u->column, u->path,
                                   "at its %s value %.6g: %s", end ? "high" : "low", v[i],
                                   why.message);
            capsim_scenario_close(x);
        }
    free(v);
    return rc;
}

int capsim_scenario_run(const capsim_loaded *l, uint64_t seed, uint64_t replication,
                        sim_record *out, struct sim_error *err)
{
    if (!l->uncertain.n)
        return sim_system_run(&l->system, seed, replication, out, err);
    size_t n = l->uncertain.n;
    uint64_t sample = replication / (uint64_t)l->runs_per_sample;
    double *v = malloc(n * sizeof *v);
    if (!v)
        return SIM_ENOMEM;
    for (size_t i = 0; i < n; i++)
        v[i] = capsim_uncertain_draw(&l->uncertain.inputs[i], seed, sample);
    capsim_loaded *x = NULL;
    int rc = variant_of(l, v, out->monitor, &x, err);
    if (!rc)
        rc = sim_system_run(&x->system, seed, replication, out, err);
    if (!rc) {
        sim_record view = sim_record_view(out, (size_t)l->inputs_model);
        for (size_t i = 0; i < n; i++)
            sim_record_set(&view, (int)i, 0, 0, v[i]);
    }
    capsim_scenario_close(x);
    free(v);
    return rc;
}

void capsim_scenario_models(const capsim_loaded *l, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t c = 0; c < l->n_models && used + 1 < size; c++) {
        int w = snprintf(buf + used, size - used, "%s%s", c ? "+" : "", l->models[c]->name);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* Top-level keys: the common ones and every model's sections (so typos get a suggestion). */
static int check_top_keys(const sim_node *root, struct sim_error *err)
{
    const char *allowed[64];
    size_t n = 0;
    for (const char *const *k = common_keys; *k; k++)
        allowed[n++] = *k;
    for (const capsim_model *const *m = capsim_models; *m; m++)
        for (const char *const *s = (*m)->sections; *s && n < 63; s++)
            allowed[n++] = *s;
    allowed[n] = NULL;
    return sim_node_check_keys(root, allowed, err);
}

static int apply_overrides(sim_node *root, const char *const *overrides, size_t n,
                           struct sim_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(overrides[i], '=');
        if (!eq || eq == overrides[i])
            return sim_error_set(err, SIM_EINPUT, "--set", 0, 0, NULL,
                                 "expected key.path=value, got \"%s\"", overrides[i]);
        char *path = strndup(overrides[i], (size_t)(eq - overrides[i]));
        if (!path)
            return SIM_ENOMEM;
        int rc = sim_node_set_path(root, path, eq + 1, "--set", err);
        free(path);
        if (rc)
            return rc;
    }
    return SIM_OK;
}

/*
 * Everything after loading the tree: overrides, keys, common keys, the system, uncertain
 * inputs (unless `variant`: a variant's are already values), models, flows.
 */
static int open_tree(capsim_loaded *l, const char *path, const char *const *overrides,
                     size_t n_overrides, bool variant, struct sim_error *err)
{
    int rc;
    if (!(l->path = strdup(path)))
        return SIM_ENOMEM;
    l->sc.path = l->path;
    l->inputs_model = -1;
    if ((rc = apply_overrides(l->sc.root, overrides, n_overrides, err)))
        return rc;
    if ((rc = check_top_keys(l->sc.root, err)))
        return rc;
    /* The text as run keeps the uncertain inputs as written. */
    if (!variant && !(l->yaml = sim_node_emit(l->sc.root)))
        return SIM_ENOMEM;
    if (!variant && (rc = capsim_uncertain_scan(l->sc.root, &l->uncertain, err)))
        return rc;
    if ((rc = read_common(l, err)))
        return rc;
    if (!l->sc.name) {
        l->default_name = capsim_name_from_path(path);
        if (!l->default_name || !valid_name(l->default_name))
            return sim_error_set(err, SIM_EINPUT, path, 0, 0, "name",
                                 "the file name is not a valid scenario name: add a `name:` key");
        l->sc.name = l->default_name;
    }
    if ((rc = capsim_system_read(l->sc.root, &l->shared, err)))
        return rc;
    l->sc.system = &l->shared;
    if ((rc = pick_models(l, err)) || (rc = configure_models(l, err)) ||
        (rc = read_flows(l, err)) || (rc = sim_node_check_unused(l->sc.root, err)))
        return rc;
    if (variant)
        return SIM_OK;
    if ((rc = declare_inputs(l)))
        return rc;
    return check_input_ends(l, err);
}

int capsim_scenario_open(const char *path, const char *const *overrides, size_t n_overrides,
                         capsim_loaded **out, struct sim_error *err)
{
    /* GSL's default handler aborts the process; capsim checks return codes instead. Set
     * here, single-threaded, before any model configures or runs. */
    gsl_set_error_handler_off();
    capsim_loaded *l = calloc(1, sizeof *l);
    if (!l)
        return SIM_ENOMEM;
    int rc = sim_yaml_load(path, &l->tree, &l->sc.root, err);
    if (!rc)
        rc = open_tree(l, path, overrides, n_overrides, false, err);
    if (rc) {
        capsim_scenario_close(l);
        if (rc == SIM_ENOMEM && err && !err->message[0])
            sim_error_set(err, rc, path, 0, 0, NULL, "out of memory");
        return rc;
    }
    *out = l;
    return SIM_OK;
}

/* The variant's record layout is the loaded scenario's, less the "inputs" namespace. */
static bool same_layout(const sim_monitor *variant, const sim_monitor *m)
{
    size_t nm = sim_monitor_metric_count(variant);
    if (sim_monitor_time_count(variant) != sim_monitor_time_count(m) ||
        nm > sim_monitor_metric_count(m))
        return false;
    for (size_t i = 0; i < nm; i++) {
        const sim_metric *x = sim_monitor_metric(variant, i), *y = sim_monitor_metric(m, i);
        if (x->offset != y->offset || x->length != y->length || strcmp(x->name, y->name) != 0)
            return false;
    }
    return true;
}

/* A variant whose record layout must be that of `ref` (the monitor records are made from). */
static int variant_of(const capsim_loaded *l, const double *values, const sim_monitor *ref,
                      capsim_loaded **out, struct sim_error *err)
{
    size_t n = l->uncertain.n;
    char **ov = calloc(n ? n : 1, sizeof *ov);
    capsim_loaded *x = calloc(1, sizeof *x);
    int rc = ov && x ? SIM_OK : SIM_ENOMEM;
    for (size_t i = 0; i < n && !rc; i++) {
        const capsim_uncertain *u = &l->uncertain.inputs[i];
        if (!(ov[i] = capsim_uncertain_override(u, values ? values[i] : u->central)))
            rc = SIM_ENOMEM;
    }
    if (!rc)
        rc = sim_yaml_load_string(l->yaml, l->sc.path, &x->tree, &x->sc.root, err);
    if (!rc)
        rc = open_tree(x, l->sc.path, (const char *const *)ov, n, true, err);
    if (!rc && ref && !same_layout(x->monitor, ref))
        rc = sim_error_set(err, SIM_EINPUT, l->sc.path, 0, 0, NULL,
                           "an uncertain input changes the shape of the results (the number "
                           "of snapshots or groups): it cannot be uncertain");
    for (size_t i = 0; ov && i < n; i++)
        free(ov[i]);
    free(ov);
    if (rc) {
        capsim_scenario_close(x);
        return rc;
    }
    *out = x;
    return SIM_OK;
}

int capsim_scenario_variant(const capsim_loaded *l, const double *values, capsim_loaded **out,
                            struct sim_error *err)
{
    return variant_of(l, values, l->monitor, out, err);
}

void capsim_scenario_close(capsim_loaded *l)
{
    if (!l)
        return;
    for (size_t c = 0; c < l->n_models; c++)
        if (l->cfgs[c])
            l->models[c]->destroy(l->cfgs[c]);
    free(l->flows);
    free(l->assumptions);
    capsim_system_fini(&l->shared);
    capsim_uncertain_free(&l->uncertain);
    sim_monitor_free(l->monitor);
    free(l->yaml);
    free(l->sc.extra_holidays);
    free(l->sc.holidays);
    free(l->default_name);
    free(l->path);
    sim_node_tree_free(l->tree);
    free(l);
}

void capsim_print_error(const struct sim_error *err)
{
    char buf[2048];
    sim_error_format(err, buf, sizeof buf);
    fprintf(stderr, "capsim: %s\n", buf);
}
