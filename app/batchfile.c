/* app/batchfile.c: reading batch files into a list of scenarios (see batchfile.h). */
#include "batchfile.h"
#include "scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "scenario/yaml.h"

bool capsim_is_batch_file(const char *path)
{
    sim_node_tree *tree = NULL;
    sim_node *root = NULL;
    struct sim_error err;
    if (sim_yaml_load(path, &tree, &root, &err) != SIM_OK)
        return false;
    bool batch = root && root->kind == SIM_NODE_MAP && sim_node_has(root, "scenarios");
    sim_node_tree_free(tree);
    return batch;
}

static char *join_path(const char *base_file, const char *rel)
{
    if (rel[0] == '/')
        return strdup(rel);
    const char *slash = strrchr(base_file, '/');
    size_t dir = slash ? (size_t)(slash - base_file) + 1 : 0;
    char *out = malloc(dir + strlen(rel) + 1);
    if (!out)
        return NULL;
    memcpy(out, base_file, dir);
    strcpy(out + dir, rel);
    return out;
}

/* The file name without directory and .yaml/.yml. */
/* A scenario's name as capsim_scenario_open will see it: `name:` or the file name. */
static char *scenario_name(const char *path)
{
    sim_node_tree *tree = NULL;
    sim_node *root = NULL;
    struct sim_error err;
    char *name = NULL;
    if (sim_yaml_load(path, &tree, &root, &err) == SIM_OK) {
        sim_node *n = root ? sim_node_get(root, "name") : NULL;
        if (n && n->kind == SIM_NODE_SCALAR && n->text)
            name = strdup(n->text);
    }
    sim_node_tree_free(tree);
    return name ? name : capsim_name_from_path(path);
}

/* A node as YAML text for an override value. */
static char *value_text(const sim_node *v)
{
    if (v->kind != SIM_NODE_SCALAR)
        return sim_node_emit(v);
    if (!v->quoted)
        return strdup(v->text ? v->text : "");
    size_t n = strlen(v->text);
    char *out = malloc(2 * n + 3);
    if (!out)
        return NULL;
    char *p = out;
    *p++ = '"';
    for (const char *s = v->text; *s; s++) {
        if (*s == '"' || *s == '\\')
            *p++ = '\\';
        *p++ = *s;
    }
    *p++ = '"';
    *p = '\0';
    return out;
}

/* The last part of a key path without any index: "queue.servers[0].servers" -> "servers". */
static void key_label(const char *path, char *out, size_t size)
{
    const char *dot = strrchr(path, '.');
    const char *s = dot ? dot + 1 : path;
    size_t n = 0;
    while (s[n] && s[n] != '[')
        n++;
    if (n == 0) {
        s = path;
        n = strlen(path);
    }
    snprintf(out, size, "%.*s", (int)n, s);
}

static void append_label(char *name, size_t size, const char *text)
{
    size_t len = strlen(name);
    for (const char *s = text; *s && len + 1 < size; s++) {
        char c = *s;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        name[len++] = ok ? c : '_';
    }
    name[len] = '\0';
}

/* "key=value" carrying the batch file's position of the value (see SIM_NODE_ORIGIN_SEP). */
static char *format_override_at(const char *key, const char *value, const char *batch_path,
                                const sim_node *at)
{
    size_t n = strlen(key) + strlen(value) + strlen(batch_path) + 64;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s=%s%c%s%c%d%c%d", key, value, SIM_NODE_ORIGIN_SEP, batch_path,
                 SIM_NODE_ORIGIN_SEP, at->line, SIM_NODE_ORIGIN_SEP, at->column);
    return s;
}

/*
 * A scenario or batch name becomes an HDF5 group and a file name: a plain name of letters,
 * digits, '-', '_' and '.', not starting with '.', so it cannot leave results/ ("../../x").
 */
static int check_plain_name(const sim_node *map, const char *key, const char *name,
                            struct sim_error *err)
{
    bool ok = name[0] && name[0] != '.' && strlen(name) <= 200;
    for (const char *c = name; ok && *c; c++)
        ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
             *c == '-' || *c == '_' || *c == '.';
    if (ok)
        return SIM_OK;
    return sim_node_error(sim_node_get(map, key), err,
                          "expected a name of letters, digits, '-', '_' or '.' (not starting "
                          "with '.', at most 200), got \"%s\"",
                          name);
}

/* The most grid points one batch may hold (the issue of a sweep of a million points). */
enum { MAX_BATCH_POINTS = 10000 };

static char *format_override(const char *key, const char *value)
{
    size_t n = strlen(key) + strlen(value) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s=%s", key, value);
    return s;
}

/* Add an entry taking ownership of the override strings. */
static int add_entry(capsim_batch_list *list, const char *path, char **ov, size_t n_ov)
{
    capsim_batch_entry *e = realloc(list->entries, (list->n + 1) * sizeof *e);
    if (!e)
        return SIM_ENOMEM;
    list->entries = e;
    e = &list->entries[list->n];
    e->path = strdup(path);
    e->overrides = ov;
    e->n_overrides = n_ov;
    if (!e->path)
        return SIM_ENOMEM;
    list->n++;
    return SIM_OK;
}

static void free_strings(char **s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

/* Overrides: the global ones, then `fixed` (n_fixed), then room for `extra` more. */
static char **start_overrides(const char *const *global, size_t n_global, char *const *fixed,
                              size_t n_fixed, size_t extra, size_t *n)
{
    char **ov = calloc(n_global + n_fixed + extra + 1, sizeof *ov);
    if (!ov)
        return NULL;
    *n = 0;
    for (size_t i = 0; i < n_global; i++)
        if (!(ov[(*n)++] = strdup(global[i])))
            goto fail;
    for (size_t i = 0; i < n_fixed; i++)
        if (!(ov[(*n)++] = strdup(fixed[i])))
            goto fail;
    return ov;
fail:
    free_strings(ov, *n);
    return NULL;
}

static int add_item(capsim_batch_list *list, const char *batch_path, sim_node *item,
                    const char *const *global, size_t n_global, struct sim_error *err)
{
    static const char *const keys[] = {"file", "name", "set", "sweep", NULL};
    const char *file = NULL, *name = NULL;
    sim_node *set = NULL, *sweep = NULL;
    int rc;
    if (item->kind == SIM_NODE_SCALAR) {
        if ((rc = sim_node_string(item, NULL, &file, err)))
            return rc;
    } else if (item->kind == SIM_NODE_MAP) {
        sim_node_mark_used(item, false);
        if ((rc = sim_node_check_keys(item, keys, err)) ||
            (rc = sim_node_string(item, "file", &file, err)) ||
            (rc = sim_node_opt_string(item, "name", &name, err)))
            return rc;
        if (name && (rc = check_plain_name(item, "name", name, err)))
            return rc;
        if (sim_node_has(item, "set") && (rc = sim_node_map(item, "set", &set, err)))
            return rc;
        if (sim_node_has(item, "sweep") && (rc = sim_node_map(item, "sweep", &sweep, err)))
            return rc;
    } else {
        return sim_node_error(item, err, "expected a scenario file or a map with `file`");
    }
    char *path = join_path(batch_path, file);
    if (!path)
        return SIM_ENOMEM;
    if (access(path, R_OK) != 0) {
        int e = errno;
        rc = sim_node_error(item->kind == SIM_NODE_MAP ? sim_node_get(item, "file") : item, err,
                            "cannot open scenario \"%s\": %s", path, strerror(e));
        free(path);
        return rc;
    }

    /* Fixed overrides: the entry's `set`, then its name. */
    size_t n_fixed = 0;
    char **fixed = calloc((set ? set->n : 0) + 2, sizeof *fixed);
    rc = fixed ? SIM_OK : SIM_ENOMEM;
    for (size_t i = 0; !rc && set && i < set->n; i++) {
        sim_node_mark_used(set->items[i], true);
        char *v = value_text(set->items[i]);
        fixed[n_fixed] = v ? format_override_at(set->keys[i], v, batch_path, set->items[i])
                           : NULL;
        free(v);
        if (!fixed[n_fixed++])
            rc = SIM_ENOMEM;
    }
    if (!rc && set)
        sim_node_mark_used(set, false);

    if (!rc && !sweep) {
        if (name && !(fixed[n_fixed++] = format_override("name", name)))
            rc = SIM_ENOMEM;
        size_t n_ov = 0;
        char **ov = rc ? NULL : start_overrides(global, n_global, fixed, n_fixed, 0, &n_ov);
        if (!rc && !ov)
            rc = SIM_ENOMEM;
        if (!rc && (rc = add_entry(list, path, ov, n_ov)))
            free_strings(ov, n_ov);
    } else if (!rc) {
        sim_node_mark_used(sweep, false);
        size_t dims = sweep->n;
        size_t *idx = calloc(dims ? dims : 1, sizeof *idx);
        size_t points = 1;
        for (size_t d = 0; d < dims && !rc; d++) {
            sim_node *vals = sweep->items[d];
            if (vals->kind != SIM_NODE_SEQ || vals->n == 0)
                rc = sim_node_error(vals, err, "expected a list of values to sweep over");
            else if (vals->n > MAX_BATCH_POINTS || points * vals->n > MAX_BATCH_POINTS ||
                     list->n + points * vals->n > MAX_BATCH_POINTS)
                rc = sim_node_error(sweep, err,
                                    "the sweep makes more than %d scenarios (the product of "
                                    "its list lengths%s); split it over several batches",
                                    MAX_BATCH_POINTS,
                                    list->n ? ", with the batch's other scenarios" : "");
            else
                points *= vals->n;
            sim_node_mark_used(vals, true);
        }
        if (dims == 0 && !rc)
            rc = sim_node_error(sweep, err, "expected key paths with lists of values");
        char *base = rc ? NULL : (name ? strdup(name) : scenario_name(path));
        if (!rc && (!idx || !base))
            rc = SIM_ENOMEM;
        for (size_t p = 0; p < points && !rc; p++) {
            /* Grid point p: the first key varies slowest. */
            size_t rest = p;
            for (size_t d = dims; d-- > 0;) {
                idx[d] = rest % sweep->items[d]->n;
                rest /= sweep->items[d]->n;
            }
            size_t n_ov = 0;
            char **ov = start_overrides(global, n_global, fixed, n_fixed, dims + 1, &n_ov);
            if (!ov) {
                rc = SIM_ENOMEM;
                break;
            }
            char point_name[512];
            snprintf(point_name, sizeof point_name, "%s", base);
            for (size_t d = 0; d < dims && !rc; d++) {
                const sim_node *v = sweep->items[d]->items[idx[d]];
                char *text = value_text(v);
                char label[128];
                key_label(sweep->keys[d], label, sizeof label);
                append_label(point_name, sizeof point_name, ".");
                append_label(point_name, sizeof point_name, label);
                append_label(point_name, sizeof point_name, "-");
                if (v->kind == SIM_NODE_SCALAR) {
                    append_label(point_name, sizeof point_name, v->text ? v->text : "");
                } else {
                    char num[32];
                    snprintf(num, sizeof num, "%zu", idx[d] + 1);
                    append_label(point_name, sizeof point_name, num);
                }
                ov[n_ov] = text ? format_override_at(sweep->keys[d], text, batch_path, v) : NULL;
                free(text);
                if (!ov[n_ov++])
                    rc = SIM_ENOMEM;
            }
            if (!rc && !(ov[n_ov++] = format_override("name", point_name)))
                rc = SIM_ENOMEM;
            if (!rc)
                rc = add_entry(list, path, ov, n_ov);
            if (rc)
                free_strings(ov, n_ov);
        }
        free(idx);
        free(base);
    }
    free_strings(fixed, n_fixed);
    free(path);
    return rc;
}

int capsim_batch_add(capsim_batch_list *list, const char *path, const char *const *overrides,
                     size_t n_overrides, struct sim_error *err)
{
    if (!capsim_is_batch_file(path)) {
        size_t n_ov = 0;
        char **ov = start_overrides(overrides, n_overrides, NULL, 0, 0, &n_ov);
        if (!ov)
            return SIM_ENOMEM;
        int rc = add_entry(list, path, ov, n_ov);
        if (rc)
            free_strings(ov, n_ov);
        return rc;
    }
    static const char *const keys[] = {"name", "description", "seed", "replications",
                                       "scenarios", NULL};
    sim_node_tree *tree = NULL;
    sim_node *root = NULL;
    int rc = sim_yaml_load(path, &tree, &root, err);
    if (rc)
        return rc;
    const char *name = NULL, *description = NULL;
    long seed = -1, reps = -1;
    sim_node *seq = NULL;
    if ((rc = sim_node_check_keys(root, keys, err)) ||
        (rc = sim_node_opt_string(root, "name", &name, err)) ||
        (rc = sim_node_opt_string(root, "description", &description, err)) ||
        (rc = sim_node_opt_int(root, "seed", 0, 9007199254740991L, &seed, err)) ||
        (rc = sim_node_opt_int(root, "replications", 1, 1000000, &reps, err)) ||
        (rc = sim_node_seq(root, "scenarios", &seq, err)))
        goto done;
    (void)description;
    if (seq->n == 0) {
        rc = sim_node_error(seq, err, "expected at least one scenario");
        goto done;
    }
    if (name && (rc = check_plain_name(root, "name", name, err)))
        goto done;
    if (!list->name) {
        list->name = name ? strdup(name) : capsim_name_from_path(path);
        if (!list->name) {
            rc = SIM_ENOMEM;
            goto done;
        }
        if (seed >= 0) {
            list->have_seed = true;
            list->seed = (uint64_t)seed;
        }
        if (reps > 0) {
            list->have_replications = true;
            list->replications = reps;
        }
    }
    for (size_t i = 0; i < seq->n && !rc; i++)
        rc = add_item(list, path, seq->items[i], overrides, n_overrides, err);
    if (!rc)
        rc = sim_node_check_unused(root, err);
done:
    sim_node_tree_free(tree);
    return rc;
}

void capsim_batch_list_free(capsim_batch_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        free(list->entries[i].path);
        free_strings(list->entries[i].overrides, list->entries[i].n_overrides);
    }
    free(list->entries);
    free(list->name);
    memset(list, 0, sizeof *list);
}

int capsim_batch_check_unique_name(struct capsim_loaded *const *loaded, size_t n,
                                   const char *path, struct sim_error *err)
{
    for (size_t j = 0; j + 1 < n; j++)
        if (strcmp(loaded[j]->sc.name, loaded[n - 1]->sc.name) == 0)
            return sim_error_set(err, SIM_EINPUT, path, 0, 0, "name",
                                 "scenario name \"%s\" appears twice in the batch; give one a "
                                 "different `name:`",
                                 loaded[n - 1]->sc.name);
    return SIM_OK;
}

/* Metrics of a that b declares alike in the same model (kind, shape, times): what a
 * comparison holds (sim/results/results_write.c compares dimension labels too). */
static size_t comparable_metrics(const sim_monitor *a, const sim_monitor *b)
{
    bool times = sim_monitor_time_count(a) == sim_monitor_time_count(b);
    for (size_t i = 0; times && i < sim_monitor_time_count(a); i++)
        times = sim_monitor_times(a)[i] == sim_monitor_times(b)[i];
    size_t n = 0;
    for (size_t i = 0; i < sim_monitor_metric_count(a); i++) {
        const sim_metric *x = sim_monitor_metric(a, i);
        int model = sim_monitor_find_model(b, sim_monitor_model_name(a, x->model));
        int j = model < 0 ? -1 : sim_monitor_find_in(b, (size_t)model, x->name);
        if (j < 0)
            continue;
        const sim_metric *y = sim_monitor_metric(b, (size_t)j);
        if (x->kind == y->kind && x->n_dims == y->n_dims && x->length == y->length &&
            (x->kind != SIM_METRIC_SERIES || times))
            n++;
    }
    return n;
}

static bool same_models(const capsim_loaded *a, const capsim_loaded *b)
{
    if (a->n_models != b->n_models)
        return false;
    for (size_t c = 0; c < a->n_models; c++)
        if (a->models[c] != b->models[c])
            return false;
    return true;
}

void capsim_batch_note_mixed_models(const char *prog, struct capsim_loaded *const *loaded,
                                    size_t n)
{
    for (size_t i = 1; i < n; i++) {
        const capsim_loaded *a = loaded[i], *b = loaded[0];
        if (same_models(a, b) || !a->monitor || !b->monitor)
            continue;
        char ma[200], mb[200];
        capsim_scenario_models(a, ma, sizeof ma);
        capsim_scenario_models(b, mb, sizeof mb);
        size_t k = comparable_metrics(a->monitor, b->monitor);
        if (k == 0)
            fprintf(stderr,
                    "%s: note: scenario %s (model %s) and the baseline %s (model %s) share no "
                    "metric: /comparisons/%s__vs__%s will be empty; compare scenarios of one "
                    "model, or put the other model's scenarios in a batch of their own\n",
                    prog, a->sc.name, ma, b->sc.name, mb, a->sc.name, b->sc.name);
        else
            fprintf(stderr,
                    "%s: note: scenario %s (models %s) and the baseline %s (models %s) run "
                    "different models: /comparisons/%s__vs__%s holds only the %zu metric%s of "
                    "the models both run, declared alike\n",
                    prog, a->sc.name, ma, b->sc.name, mb, a->sc.name, b->sc.name, k,
                    k == 1 ? "" : "s");
    }
}
