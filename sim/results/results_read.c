/*
 * sim/results/results_read.c: loading a results file written by sim_results_write.
 *
 * The monitor is rebuilt from the file: the root attribute `scenarios`, each scenario's
 * `models` and each model group's `dimensions` and `metrics` give the declaration order
 * (HDF5 lists links by name), a dataset's place (series/ or reps/) its kind, and its
 * attributes the units, description and dimensions. Summaries and comparisons are not read: they are derived.
 *
 * Files come from users (shards copied between machines, a run killed during a copy), so
 * every HDF5 call is checked and every shape compared with what the attributes promise;
 * a file that is not one of ours is SIM_EINPUT, one that is damaged SIM_EIO.
 */
#include "results.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "core/error.h"

typedef struct reader {
    const char *path;
    struct sim_error *err;
    hid_t file;
    hid_t str;  /* memory type for variable-length strings */
} reader;

static int corrupt(reader *rd, const char *what)
{
    H5Eclear2(H5E_DEFAULT);
    return sim_error_set(rd->err, SIM_EIO, rd->path, 0, 0, NULL,
                         "truncated or corrupt HDF5 file (%s)", what);
}

static int nomem(reader *rd)
{
    return sim_error_set(rd->err, SIM_ENOMEM, rd->path, 0, 0, NULL,
                         "cannot read results file: out of memory");
}

static void free_strs(char **s, size_t n)
{
    if (!s)
        return;
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

/*
 * Read n strings of an attribute or dataset (`is_attr`) into malloc'd copies. Accepts both
 * variable-length strings (what we write) and fixed-length ones (what other tools may).
 */
static int read_strings(reader *rd, hid_t obj, bool is_attr, hid_t space, char ***out,
                        size_t *n_out, const char *what)
{
    hssize_t n = H5Sget_simple_extent_npoints(space);
    hid_t ftype = is_attr ? H5Aget_type(obj) : H5Dget_type(obj);
    if (n < 0 || ftype < 0 || H5Tget_class(ftype) != H5T_STRING) {
        if (ftype >= 0)
            H5Tclose(ftype);
        return corrupt(rd, what);
    }
    char **res = calloc(n ? (size_t)n : 1, sizeof *res);
    if (!res) {
        H5Tclose(ftype);
        return nomem(rd);
    }
    int rc = SIM_OK;
    if (H5Tis_variable_str(ftype) > 0) {
        char **raw = calloc(n ? (size_t)n : 1, sizeof *raw);
        if (!raw) {
            rc = nomem(rd);
        } else {
            herr_t st = n == 0 ? 0
                        : is_attr ? H5Aread(obj, rd->str, raw)
                                  : H5Dread(obj, rd->str, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw);
            if (st < 0)
                rc = corrupt(rd, what);
            for (hssize_t i = 0; i < n; i++) {
                if (!rc) {
                    res[i] = strdup(raw[i] ? raw[i] : "");
                    if (!res[i])
                        rc = nomem(rd);
                }
                if (raw[i])
                    H5free_memory(raw[i]);
            }
            free(raw);
        }
    } else {
        size_t width = H5Tget_size(ftype);
        hid_t mtype = H5Tcopy(H5T_C_S1);
        char *raw = malloc((size_t)(n ? n : 1) * width + 1);
        if (!raw || width == 0 || mtype < 0 || H5Tset_size(mtype, width) < 0) {
            rc = raw ? corrupt(rd, what) : nomem(rd);
        } else {
            herr_t st = n == 0 ? 0
                        : is_attr ? H5Aread(obj, mtype, raw)
                                  : H5Dread(obj, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw);
            if (st < 0)
                rc = corrupt(rd, what);
            for (hssize_t i = 0; i < n && !rc; i++) {
                res[i] = malloc(width + 1);
                if (!res[i]) {
                    rc = nomem(rd);
                    break;
                }
                memcpy(res[i], raw + (size_t)i * width, width);
                res[i][width] = '\0';
            }
        }
        free(raw);
        if (mtype >= 0)
            H5Tclose(mtype);
    }
    H5Tclose(ftype);
    if (rc) {
        free_strs(res, (size_t)n);
        return rc;
    }
    *out = res;
    *n_out = (size_t)n;
    return SIM_OK;
}

static int attr_strs(reader *rd, hid_t loc, const char *name, char ***out, size_t *n)
{
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0)
        return corrupt(rd, name);
    hid_t sp = H5Aget_space(a);
    int rc = sp < 0 ? corrupt(rd, name) : read_strings(rd, a, true, sp, out, n, name);
    if (sp >= 0)
        H5Sclose(sp);
    H5Aclose(a);
    return rc;
}

/* A scalar string attribute (a one-element array is accepted too). */
static int attr_str(reader *rd, hid_t loc, const char *name, char **out)
{
    char **s;
    size_t n;
    int rc = attr_strs(rd, loc, name, &s, &n);
    if (rc)
        return rc;
    if (n != 1) {
        free_strs(s, n);
        return corrupt(rd, name);
    }
    *out = s[0];
    free(s);
    return SIM_OK;
}

/* A scalar numeric attribute, converted by HDF5 to the memory type. */
static int attr_num(reader *rd, hid_t loc, const char *name, hid_t mtype, void *out)
{
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0)
        return corrupt(rd, name);
    hid_t sp = H5Aget_space(a);
    hid_t t = H5Aget_type(a);
    int rc = SIM_OK;
    if (sp < 0 || t < 0 || H5Sget_simple_extent_npoints(sp) != 1 ||
        (H5Tget_class(t) != H5T_INTEGER && H5Tget_class(t) != H5T_FLOAT) ||
        H5Aread(a, mtype, out) < 0)
        rc = corrupt(rd, name);
    if (t >= 0)
        H5Tclose(t);
    if (sp >= 0)
        H5Sclose(sp);
    H5Aclose(a);
    return rc;
}

/* Dimensions of a dataset, which must have the given rank. */
static int dataset_dims(reader *rd, hid_t d, int rank, hsize_t *dims, const char *what)
{
    hid_t sp = H5Dget_space(d);
    if (sp < 0)
        return corrupt(rd, what);
    int r = H5Sget_simple_extent_ndims(sp);
    int rc = SIM_OK;
    if (r != rank || (rank > 0 && H5Sget_simple_extent_dims(sp, dims, NULL) < 0))
        rc = corrupt(rd, what);
    H5Sclose(sp);
    return rc;
}

static int dataset_strs(reader *rd, hid_t loc, const char *name, char ***out, size_t *n)
{
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0)
        return corrupt(rd, name);
    hid_t sp = H5Dget_space(d);
    int rc = sp < 0 ? corrupt(rd, name) : read_strings(rd, d, false, sp, out, n, name);
    if (sp >= 0)
        H5Sclose(sp);
    H5Dclose(d);
    return rc;
}

/* A 1-D numeric dataset into a malloc'd array of the memory type (elem bytes each). */
static int dataset_1d(reader *rd, hid_t loc, const char *name, hid_t mtype, size_t elem,
                      void **out, size_t *n)
{
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0)
        return corrupt(rd, name);
    hsize_t dim;
    int rc = dataset_dims(rd, d, 1, &dim, name);
    void *buf = NULL;
    if (!rc) {
        buf = malloc(dim ? (size_t)dim * elem : 1);
        if (!buf)
            rc = nomem(rd);
        else if (dim && H5Dread(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
            rc = corrupt(rd, name);
    }
    H5Dclose(d);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    *n = (size_t)dim;
    return SIM_OK;
}

/*
 * Declare one metric of the current model from its series/ or reps/ dataset in model group
 * mg: kind from its place, dimensions from its `dimensions` and `default_dimension`
 * attributes (names of the model's dimensions; dim_ids maps the model's dimension names,
 * in order, to monitor ids).
 */
static int declare_metric(reader *rd, hid_t mg, const char *name, sim_monitor *m,
                          const char *scen, char **dim_names, const size_t *dim_ids,
                          size_t n_model_dims)
{
    char where[600];
    hid_t d = -1;
    sim_metric_kind kind = SIM_METRIC_SERIES;
    snprintf(where, sizeof where, "series/%s", name);
    if (H5Lexists(mg, where, H5P_DEFAULT) <= 0) {
        kind = SIM_METRIC_REP;
        snprintf(where, sizeof where, "reps/%s", name);
        if (H5Lexists(mg, where, H5P_DEFAULT) <= 0) {
            char msg[900];
            snprintf(msg, sizeof msg, "scenario %s: metric %s has no dataset", scen, name);
            return corrupt(rd, msg);
        }
    }
    d = H5Dopen2(mg, where, H5P_DEFAULT);
    if (d < 0)
        return corrupt(rd, where);
    char *units = NULL, *desc = NULL;
    char **dims = NULL;
    size_t nd = 0;
    int64_t deflt = 0;
    int rc = attr_str(rd, d, "units", &units);
    if (!rc)
        rc = attr_str(rd, d, "description", &desc);
    if (!rc)
        rc = attr_strs(rd, d, "dimensions", &dims, &nd);
    if (!rc)
        rc = attr_num(rd, d, "default_dimension", H5T_NATIVE_INT64, &deflt);
    H5Dclose(d);
    size_t ids[SIM_MAX_DIMS];
    if (!rc && (nd > SIM_MAX_DIMS || (deflt && nd != 1)))
        rc = corrupt(rd, where);
    for (size_t k = 0; k < nd && !rc; k++) {
        size_t j = 0;
        while (j < n_model_dims && strcmp(dim_names[j], dims[k]) != 0)
            j++;
        if (j == n_model_dims)
            rc = corrupt(rd, where);
        else
            ids[k] = dim_ids[j];
    }
    if (!rc) {
        int id = deflt ? sim_monitor_declare(m, name, units, desc, kind, true)
                       : sim_monitor_declare_dims(m, name, units, desc, kind, ids, nd);
        if (id == SIM_ENOMEM)
            rc = nomem(rd);
        else if (id < 0)
            rc = corrupt(rd, where);
    }
    free(units);
    free(desc);
    free_strs(dims, nd);
    return rc;
}

/* Read one metric's dataset for all present replications into their records. */
static int read_metric(reader *rd, hid_t mg, const sim_metric *mt, const sim_monitor *m,
                       sim_record **present, size_t n_present, double **buf, size_t *cap)
{
    char where[600];
    snprintf(where, sizeof where, "%s/%s", mt->kind == SIM_METRIC_SERIES ? "series" : "reps",
             mt->name);
    hid_t d = H5Dopen2(mg, where, H5P_DEFAULT);
    if (d < 0)
        return corrupt(rd, where);
    hsize_t dims[2 + SIM_MAX_DIMS], want[2 + SIM_MAX_DIMS];
    int rank = 0;
    want[rank++] = n_present;
    if (mt->kind == SIM_METRIC_SERIES)
        want[rank++] = sim_monitor_time_count(m);
    for (size_t k = 0; k < mt->n_dims; k++)
        want[rank++] = sim_monitor_dimension(m, mt->dims[k])->n;
    int rc = dataset_dims(rd, d, rank, dims, where);
    for (int i = 0; i < rank && !rc; i++)
        if (dims[i] != want[i])
            rc = corrupt(rd, where);
    size_t need = n_present * mt->length;
    if (!rc && need > *cap) {
        double *b = realloc(*buf, need * sizeof *b);
        if (!b)
            rc = nomem(rd);
        else {
            *buf = b;
            *cap = need;
        }
    }
    if (!rc && need && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *buf) < 0)
        rc = corrupt(rd, where);
    H5Dclose(d);
    for (size_t i = 0; i < n_present && !rc; i++)
        memcpy(present[i]->values + mt->offset, *buf + i * mt->length,
               mt->length * sizeof **buf);
    return rc;
}

/* One model group: its dimensions, then its metrics, declared into m. */
static int declare_model(reader *rd, hid_t g, const char *model, sim_monitor *m,
                         const char *scen)
{
    hid_t mg = H5Gopen2(g, model, H5P_DEFAULT);
    if (mg < 0)
        return corrupt(rd, model);
    char **dims = NULL, **metrics = NULL, *deflt = NULL;
    size_t nd = 0, nm = 0;
    size_t *ids = NULL;
    int rc = sim_monitor_begin_model(m, model) < 0 ? corrupt(rd, model) : SIM_OK;
    if (!rc && ((rc = attr_strs(rd, mg, "dimensions", &dims, &nd)) ||
                (rc = attr_strs(rd, mg, "metrics", &metrics, &nm)) ||
                (rc = attr_str(rd, mg, "group_dimension", &deflt))))
        goto done;
    if (!rc && !(ids = malloc((nd ? nd : 1) * sizeof *ids)))
        rc = nomem(rd);
    for (size_t k = 0; k < nd && !rc; k++) {
        char **labels = NULL;
        size_t n = 0;
        if ((rc = dataset_strs(rd, mg, dims[k], &labels, &n)))
            break;
        int id = strcmp(dims[k], deflt) == 0
                     ? sim_monitor_set_groups(m, dims[k], (const char *const *)labels, n)
                     : sim_monitor_add_dimension(m, dims[k], (const char *const *)labels, n);
        free_strs(labels, n);
        if (id < 0) {
            rc = corrupt(rd, dims[k]);
            break;
        }
        ids[k] = sim_monitor_dimension_count(m) - 1;
    }
    for (size_t i = 0; i < nm && !rc; i++)
        rc = declare_metric(rd, mg, metrics[i], m, scen, dims, ids, nd);
done:
    H5Gclose(mg);
    free_strs(dims, nd);
    free_strs(metrics, nm);
    free(deflt);
    free(ids);
    return rc;
}

static int read_model_values(reader *rd, hid_t g, const sim_scenario_result *s, size_t model,
                             sim_record **present, size_t n_present, double **buf, size_t *cap)
{
    const sim_monitor *m = s->monitor;
    hid_t mg = H5Gopen2(g, sim_monitor_model_name(m, model), H5P_DEFAULT);
    if (mg < 0)
        return corrupt(rd, sim_monitor_model_name(m, model));
    int rc = SIM_OK;
    size_t first = sim_monitor_model_first(m, model), n = sim_monitor_model_metrics(m, model);
    for (size_t i = first; i < first + n && !rc; i++)
        rc = read_metric(rd, mg, sim_monitor_metric(m, i), m, present, n_present, buf, cap);
    H5Gclose(mg);
    return rc;
}

static int read_scenario(reader *rd, hid_t scen, const char *name, sim_results *r)
{
    char *start = NULL, *sha = NULL, *yaml = NULL;
    char **models = NULL, **tlabels = NULL, **yaml_arr = NULL;
    size_t n_models = 0, nt = 0, n_tl = 0, n_present = 0, n_yaml = 0;
    double *times = NULL, horizon = 0, warmup = 0, *buf = NULL;
    size_t cap = 0;
    int64_t reps = 0, *numbers = NULL;
    sim_monitor *m = NULL;
    sim_record **present = NULL;
    int rc = SIM_OK;
    char what[700];

    hid_t g = H5Gopen2(scen, name, H5P_DEFAULT);
    if (g < 0) {
        snprintf(what, sizeof what, "scenarios/%s", name);
        return corrupt(rd, what);
    }
    if ((rc = attr_str(rd, g, "start_date", &start)) ||
        (rc = attr_num(rd, g, "horizon_days", H5T_NATIVE_DOUBLE, &horizon)) ||
        (rc = attr_num(rd, g, "warmup_days", H5T_NATIVE_DOUBLE, &warmup)) ||
        (rc = attr_str(rd, g, "scenario_sha256", &sha)) ||
        (rc = attr_num(rd, g, "replications", H5T_NATIVE_INT64, &reps)) ||
        (rc = attr_strs(rd, g, "models", &models, &n_models)) ||
        (rc = dataset_strs(rd, g, "scenario_yaml", &yaml_arr, &n_yaml)))
        goto done;
    if (n_yaml != 1 || reps < 0) {
        rc = corrupt(rd, "scenario_yaml");
        goto done;
    }
    yaml = yaml_arr[0];
    if ((rc = dataset_1d(rd, g, "time", H5T_NATIVE_DOUBLE, sizeof(double), (void **)&times,
                         &nt)) ||
        (rc = dataset_strs(rd, g, "time_label", &tlabels, &n_tl)))
        goto done;
    if (n_tl != nt) {
        rc = corrupt(rd, "time_label");
        goto done;
    }
    if ((rc = dataset_1d(rd, g, "replication", H5T_NATIVE_INT64, sizeof(int64_t),
                         (void **)&numbers, &n_present)))
        goto done;
    for (size_t i = 0; i < n_present; i++)
        if (numbers[i] < 0 || numbers[i] >= reps || (i > 0 && numbers[i] <= numbers[i - 1])) {
            rc = corrupt(rd, "replication");
            goto done;
        }

    m = sim_monitor_alloc();
    if (!m) {
        rc = nomem(rd);
        goto done;
    }
    if (sim_monitor_set_times(m, times, (const char *const *)tlabels, nt)) {
        rc = corrupt(rd, "time");
        goto done;
    }
    for (size_t k = 0; k < n_models && !rc; k++)
        rc = declare_model(rd, g, models[k], m, name);
    if (rc)
        goto done;

    long idx = sim_results_add_scenario(r, name, yaml, start, horizon, warmup, m,
                                        (size_t)reps);
    if (idx < 0) {
        rc = idx == SIM_ENOMEM ? nomem(rd) : corrupt(rd, name);
        goto done;
    }
    sim_scenario_result *s = &r->scenarios[idx];
    m = NULL; /* owned by the results now */
    if (H5Aexists(g, "runs_per_sample") > 0) {
        int64_t rps = 0;
        if ((rc = attr_num(rd, g, "runs_per_sample", H5T_NATIVE_INT64, &rps)))
            goto done;
        s->runs_per_sample = rps > 0 ? (size_t)rps : 0;
    }
    /* The report's words, when the scenario gave them (optional attributes). */
    if (H5Aexists(g, "label") > 0 && (rc = attr_str(rd, g, "label", &s->label)))
        goto done;
    if (H5Aexists(g, "description") > 0 &&
        (rc = attr_str(rd, g, "description", &s->description)))
        goto done;
    if (H5Aexists(g, "assumptions") > 0 &&
        (rc = attr_strs(rd, g, "assumptions", &s->assumptions, &s->n_assumptions)))
        goto done;
    if (strcmp(s->sha256, sha) != 0) {
        snprintf(what, sizeof what, "scenario %s: scenario_sha256 does not match scenario_yaml",
                 name);
        rc = corrupt(rd, what);
        goto done;
    }
    present = malloc((n_present ? n_present : 1) * sizeof *present);
    if (!present) {
        rc = nomem(rd);
        goto done;
    }
    for (size_t i = 0; i < n_present; i++) {
        present[i] = s->reps[numbers[i]] = sim_record_alloc(s->monitor);
        if (!present[i]) {
            rc = nomem(rd);
            goto done;
        }
    }
    for (size_t k = 0; k < n_models && !rc; k++)
        rc = read_model_values(rd, g, s, k, present, n_present, &buf, &cap);
done:
    H5Gclose(g);
    sim_monitor_free(m);
    free(start);
    free(sha);
    free_strs(models, n_models);
    free_strs(yaml_arr, n_yaml);
    free_strs(tlabels, n_tl);
    free(times);
    free(numbers);
    free(present);
    free(buf);
    return rc;
}

static int read_file(reader *rd, sim_results *r)
{
    char *format = NULL, *baseline = NULL;
    char **names = NULL;
    size_t ns = 0;
    int64_t version = 0, reps = 0;
    int rc = SIM_OK;
    hid_t scen = -1;

    /* A missing or different `format` attribute means some other HDF5 file. */
    if (H5Aexists(rd->file, "format") <= 0 || attr_str(rd, rd->file, "format", &format) ||
        strcmp(format, "capsim-results") != 0) {
        free(format);
        sim_error_clear(rd->err);
        return sim_error_set(rd->err, SIM_EINPUT, rd->path, 0, 0, NULL,
                             "not a capsim results file");
    }
    free(format);
    if ((rc = attr_num(rd, rd->file, "format_version", H5T_NATIVE_INT64, &version)))
        return rc;
    if (version != SIM_RESULTS_FORMAT_VERSION)
        return sim_error_set(rd->err, SIM_EINPUT, rd->path, 0, 0, NULL,
                             "unsupported results format_version %lld (this capsim reads %d)",
                             (long long)version, SIM_RESULTS_FORMAT_VERSION);
    if ((rc = attr_str(rd, rd->file, "capsim_version", &r->capsim_version)) ||
        (rc = attr_str(rd, rd->file, "git_commit", &r->git_commit)) ||
        (rc = attr_str(rd, rd->file, "created_utc", &r->created_utc)) ||
        (rc = attr_str(rd, rd->file, "command_line", &r->command_line)) ||
        (rc = attr_num(rd, rd->file, "base_seed", H5T_NATIVE_UINT64, &r->base_seed)) ||
        (rc = attr_num(rd, rd->file, "replications", H5T_NATIVE_INT64, &reps)) ||
        (rc = attr_str(rd, rd->file, "baseline", &baseline)) ||
        (rc = attr_strs(rd, rd->file, "scenarios", &names, &ns)))
        goto done;
    if (reps < 0) {
        rc = corrupt(rd, "replications");
        goto done;
    }
    r->replications = (size_t)reps;
    scen = H5Gopen2(rd->file, "scenarios", H5P_DEFAULT);
    if (scen < 0) {
        rc = corrupt(rd, "scenarios");
        goto done;
    }
    for (size_t i = 0; i < ns && !rc; i++)
        rc = read_scenario(rd, scen, names[i], r);
    if (rc)
        goto done;
    if (baseline[0]) {
        for (size_t i = 0; i < r->n_scenarios; i++)
            if (strcmp(r->scenarios[i].name, baseline) == 0)
                r->baseline = (long)i;
        if (r->baseline < 0)
            rc = corrupt(rd, "baseline");
    }
done:
    if (scen >= 0)
        H5Gclose(scen);
    free(baseline);
    free_strs(names, ns);
    return rc;
}

/* Only a regular file is read: HDF5 would block on a FIFO and read a device for ever. */
static int check_regular(const char *path, struct sim_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return sim_error_set(err, SIM_EIO, path, 0, 0, NULL, "cannot open results file: %s",
                             strerror(errno));
    if (!S_ISREG(st.st_mode))
        return sim_error_set(err, SIM_EINPUT, path, 0, 0, NULL,
                             "not a capsim results file (not a regular file)");
    return SIM_OK;
}

int sim_results_read(const char *path, sim_results **out, struct sim_error *err)
{
    if (!out || !path)
        return SIM_EINVAL;
    *out = NULL;
    if (access(path, R_OK) != 0)
        return sim_error_set(err, SIM_EIO, path, 0, 0, NULL, "cannot open results file: %s",
                             strerror(errno));
    int rc0 = check_regular(path, err);
    if (rc0 != SIM_OK)
        return rc0;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    htri_t is = H5Fis_hdf5(path);
    if (is == 0)
        return sim_error_set(err, SIM_EINPUT, path, 0, 0, NULL, "not a capsim results file");
    reader rd = {.path = path, .err = err, .file = -1, .str = -1};
    if (is < 0)
        return corrupt(&rd, "cannot open");
    rd.file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (rd.file < 0)
        return corrupt(&rd, "cannot open");
    int rc = SIM_OK;
    sim_results *r = sim_results_alloc();
    rd.str = H5Tcopy(H5T_C_S1);
    if (!r || rd.str < 0 || H5Tset_size(rd.str, H5T_VARIABLE) < 0 ||
        H5Tset_cset(rd.str, H5T_CSET_UTF8) < 0)
        rc = r ? corrupt(&rd, "HDF5 setup") : nomem(&rd);
    else
        rc = read_file(&rd, r);
    if (rd.str >= 0)
        H5Tclose(rd.str);
    if (H5Fclose(rd.file) < 0 && !rc)
        rc = corrupt(&rd, "close");
    if (rc) {
        sim_results_free(r);
        return rc;
    }
    *out = r;
    return SIM_OK;
}
