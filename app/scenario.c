#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

/* Keys every scenario may have, whatever its model. `extends` is consumed by the loader. */
static const char *const common_keys[] = {"name",        "description", "start_date",
                                          "horizon_days", "warmup_days", "seed",
                                          "replications", "bank_holidays", NULL};

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

/* The one model whose sections the scenario uses. */
static int pick_model(capsim_loaded *l, struct sim_error *err)
{
    const sim_node *root = l->sc.root;
    const capsim_model *found = NULL;
    const char *found_key = NULL;
    char expected[512] = "";
    for (const capsim_model *const *m = capsim_models; *m; m++) {
        for (const char *const *s = (*m)->sections; *s; s++) {
            size_t used = strlen(expected);
            snprintf(expected + used, sizeof expected - used, "%s%s", used ? ", " : "", *s);
            if (!sim_node_has(root, *s))
                continue;
            if (found && found != *m) {
                const sim_node *n = sim_node_get(root, *s);
                return sim_error_set(err, SIM_EINPUT, n->file, n->key_line, n->key_column, *s,
                                     "section of the %s model, but \"%s\" already chose the %s "
                                     "model (one model per scenario)",
                                     (*m)->name, found_key, found->name);
            }
            found = *m;
            found_key = *s;
        }
    }
    if (!found)
        return sim_error_set(err, SIM_EINPUT, root->file, 0, 0, NULL,
                             "no model section: expected one of %s", expected);
    l->model = found;
    return SIM_OK;
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

int capsim_scenario_open(const char *path, const char *const *overrides, size_t n_overrides,
                         capsim_loaded **out, struct sim_error *err)
{
    capsim_loaded *l = calloc(1, sizeof *l);
    if (!l)
        return SIM_ENOMEM;
    char *default_name = NULL;
    int rc = sim_yaml_load(path, &l->tree, &l->sc.root, err);
    if (rc)
        goto fail;
    if (!(l->path = strdup(path))) {
        rc = SIM_ENOMEM;
        goto fail;
    }
    l->sc.path = l->path;
    if ((rc = apply_overrides(l->sc.root, overrides, n_overrides, err)))
        goto fail;
    if ((rc = check_top_keys(l->sc.root, err)))
        goto fail;
    if ((rc = read_common(l, err)))
        goto fail;
    if (!l->sc.name) {
        /* Owned by the loaded scenario through `yaml`-independent storage below. */
        default_name = capsim_name_from_path(path);
        if (!default_name || !valid_name(default_name)) {
            rc = sim_error_set(err, SIM_EINPUT, path, 0, 0, "name",
                               "the file name is not a valid scenario name: add a `name:` key");
            goto fail;
        }
        l->sc.name = default_name;
    }
    if ((rc = pick_model(l, err)))
        goto fail;
    if ((rc = l->model->configure(&l->sc, &l->cfg, err)))
        goto fail;
    if ((rc = sim_node_check_unused(l->sc.root, err)))
        goto fail;
    l->monitor = sim_monitor_alloc();
    if (!l->monitor) {
        rc = SIM_ENOMEM;
        goto fail;
    }
    if ((rc = l->model->declare(l->cfg, l->monitor, err)))
        goto fail;
    l->yaml = sim_node_emit(l->sc.root);
    if (!l->yaml) {
        rc = SIM_ENOMEM;
        goto fail;
    }
    l->default_name = default_name;
    *out = l;
    return SIM_OK;
fail:
    l->default_name = default_name;
    capsim_scenario_close(l);
    if (rc == SIM_ENOMEM && err && !err->message[0])
        sim_error_set(err, rc, path, 0, 0, NULL, "out of memory");
    return rc;
}

void capsim_scenario_close(capsim_loaded *l)
{
    if (!l)
        return;
    if (l->cfg && l->model)
        l->model->destroy(l->cfg);
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
