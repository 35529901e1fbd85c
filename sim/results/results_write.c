/*
 * sim/results/results_write.c: saving a sim_results as an HDF5 file (layout in results.h).
 *
 * Each metric's values for all present replications are gathered into one buffer and
 * written with a single H5Dwrite, so a batch of a thousand replications costs one call per
 * dataset rather than one per replication. The summaries are computed from the same
 * buffer. Everything that could make two writes of the same results differ (object
 * modification times, creation order indexes) is switched off; the only varying bytes are
 * those of the created_utc attribute.
 *
 * A failure anywhere stops the write, removes the temporary file and fills sim_error with
 * the file name and, where HDF5 gave one, the innermost message of its error stack.
 */
#include "results.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "core/date.h"
#include "core/error.h"
#include "core/stats.h"

/* The statistics along the `stat` dimension of summary and comparison datasets. */
enum { N_STATS = 11 };
static const char *const stat_names[N_STATS] = {"mean", "sd",  "ci_low",     "ci_high",
                                                "half_width", "q025", "median", "q975",
                                                "min",  "max", "n"};

/* Deflate level: 4 compresses simulation output nearly as well as 9 at a fraction of the cost. */
enum { DEFLATE_LEVEL = 4 };
/* Target values per chunk (64 KiB of doubles) and the most a single chunk may hold (1 MiB). */
enum { CHUNK_TARGET = 8192, CHUNK_MAX = 131072 };

typedef struct writer {
    const char *path;      /* the final name, for messages */
    struct sim_error *err;
    hid_t file;
    hid_t str;             /* variable-length UTF-8 string type */
    hid_t gcpl;            /* groups: no time tracking */
    double *buf, *col, *out;
    size_t buf_cap, col_cap, out_cap;
} writer;

/* The deepest message on HDF5's error stack: the most specific reason it gives. */
static herr_t deepest_cb(unsigned n, const H5E_error2_t *e, void *data)
{
    (void)n;
    if (e->desc && e->desc[0])
        snprintf(data, 256, "%s", e->desc);
    return 0;
}

static int fail(writer *w, int code, const char *what)
{
    char detail[256] = "";
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, deepest_cb, detail);
    H5Eclear2(H5E_DEFAULT);
    if (detail[0])
        return sim_error_set(w->err, code, w->path, 0, 0, NULL,
                             "cannot write results file: %s (%s)", what, detail);
    return sim_error_set(w->err, code, w->path, 0, 0, NULL, "cannot write results file: %s",
                         what);
}

static int nomem(writer *w)
{
    return sim_error_set(w->err, SIM_ENOMEM, w->path, 0, 0, NULL,
                         "cannot write results file: out of memory");
}

static int reserve(writer *w, double **p, size_t *cap, size_t n)
{
    if (n <= *cap)
        return SIM_OK;
    double *q = realloc(*p, n * sizeof *q);
    if (!q)
        return nomem(w);
    *p = q;
    *cap = n;
    return SIM_OK;
}

/* ---- attributes ---- */

static int attr_write(writer *w, hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                      hid_t space, const void *data)
{
    hid_t a = H5Acreate2(loc, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0)
        return fail(w, SIM_EIO, name);
    herr_t st = H5Awrite(a, mtype, data);
    if (H5Aclose(a) < 0 || st < 0)
        return fail(w, SIM_EIO, name);
    return SIM_OK;
}

static int attr_scalar(writer *w, hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                       const void *data)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    if (sp < 0)
        return fail(w, SIM_EIO, name);
    int rc = attr_write(w, loc, name, ftype, mtype, sp, data);
    H5Sclose(sp);
    return rc;
}

static int attr_str(writer *w, hid_t loc, const char *name, const char *value)
{
    const char *v = value ? value : "";
    return attr_scalar(w, loc, name, w->str, w->str, &v);
}

static int attr_strs(writer *w, hid_t loc, const char *name, const char *const *values,
                     size_t n)
{
    hsize_t dim = n;
    hid_t sp = H5Screate_simple(1, &dim, NULL);
    if (sp < 0)
        return fail(w, SIM_EIO, name);
    int rc = attr_write(w, loc, name, w->str, w->str, sp, values);
    H5Sclose(sp);
    return rc;
}

static int attr_f64(writer *w, hid_t loc, const char *name, double v)
{
    return attr_scalar(w, loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

static int attr_i64(writer *w, hid_t loc, const char *name, int64_t v)
{
    return attr_scalar(w, loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
}

static int attr_i32(writer *w, hid_t loc, const char *name, int32_t v)
{
    return attr_scalar(w, loc, name, H5T_STD_I32LE, H5T_NATIVE_INT32, &v);
}

/* ---- groups and datasets ---- */

static hid_t make_group(writer *w, hid_t loc, const char *name)
{
    hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, w->gcpl, H5P_DEFAULT);
    if (g < 0)
        fail(w, SIM_EIO, name);
    return g;
}

/*
 * Create and fill a dataset with its units and description. Chunked datasets get one or
 * more whole rows (leading dimension) per chunk, CHUNK_TARGET values or so, with shuffle
 * and deflate; a row longer than CHUNK_MAX is split along the second dimension. Empty
 * datasets (no replications yet, or no times) cannot be chunked with fixed sizes and are
 * left contiguous. Returns the open dataset or a negative value.
 */
/*
 * H5Dwrite, with a type-conversion buffer no larger than the data needs for variable-length
 * strings (which HDF5 always converts). HDF5's default buffer is 1 MiB, allocated and
 * zeroed on every such write: 16 label datasets of a one-replication queue run cost 17 M
 * instructions of zeroing, more than its whole scenario read and model set-up.
 */
static herr_t write_data(hid_t d, hid_t mtype, hsize_t total, const void *data)
{
    /* Room for every element in either form (a pointer in memory, a heap id in the file). */
    const hsize_t per_element = 32, least = 4096, default_buffer = 1024 * 1024;
    hsize_t size = total * per_element > least ? total * per_element : least;
    if (H5Tis_variable_str(mtype) <= 0 || size >= default_buffer)
        return H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    if (dxpl < 0 || H5Pset_buffer(dxpl, (size_t)size, NULL, NULL) < 0) {
        if (dxpl >= 0)
            H5Pclose(dxpl);
        return -1;
    }
    herr_t st = H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, dxpl, data);
    H5Pclose(dxpl);
    return st;
}

static hid_t make_dataset(writer *w, hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                          int rank, const hsize_t *dims, bool chunked, const void *data,
                          const char *units, const char *description)
{
    hid_t sp = -1, dcpl = -1, d = -1;
    hsize_t total = 1;
    for (int i = 0; i < rank; i++)
        total *= dims[i];
    sp = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (sp < 0 || dcpl < 0 || H5Pset_obj_track_times(dcpl, 0) < 0)
        goto fail;
    if (chunked && rank > 0 && total > 0) {
        hsize_t chunk[8];
        hsize_t row = 1;
        for (int i = 1; i < rank; i++) {
            chunk[i] = dims[i];
            row *= dims[i];
        }
        if (row > CHUNK_MAX && rank > 1) {
            hsize_t inner = row / dims[1];
            chunk[1] = CHUNK_MAX / inner ? CHUNK_MAX / inner : 1;
            chunk[0] = 1;
        } else {
            hsize_t rows = CHUNK_TARGET / row ? CHUNK_TARGET / row : 1;
            chunk[0] = rows < dims[0] ? rows : dims[0];
        }
        if (H5Pset_chunk(dcpl, rank, chunk) < 0 || H5Pset_shuffle(dcpl) < 0 ||
            H5Pset_deflate(dcpl, DEFLATE_LEVEL) < 0)
            goto fail;
    }
    d = H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (d < 0)
        goto fail;
    if (total > 0 && write_data(d, mtype, total, data) < 0)
        goto fail;
    H5Sclose(sp);
    H5Pclose(dcpl);
    sp = dcpl = -1;
    if (attr_str(w, d, "units", units) || attr_str(w, d, "description", description)) {
        H5Dclose(d);
        return -1;
    }
    return d;
fail:
    fail(w, SIM_EIO, name);
    if (d >= 0)
        H5Dclose(d);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (sp >= 0)
        H5Sclose(sp);
    return -1;
}

static int close_dataset(writer *w, hid_t d, const char *name)
{
    if (H5Dclose(d) < 0)
        return fail(w, SIM_EIO, name);
    return SIM_OK;
}

/*
 * Attach a dimension scale and label the dimension with the scale's name, so that tools
 * that read labels (h5py's dims[i].label) and those that follow scales both see it.
 */
static int attach(writer *w, hid_t d, hid_t scale, unsigned idx, const char *name)
{
    if (scale < 0)
        return SIM_OK;
    char label[256];
    if (H5DSattach_scale(d, scale, idx) < 0 ||
        H5DSget_scale_name(scale, label, sizeof label) < 0 ||
        H5DSset_label(d, idx, label) < 0)
        return fail(w, SIM_EIO, name);
    return SIM_OK;
}

/* ---- summaries ---- */

/*
 * Summaries of each column of buf[rows][cols] into out[cols][N_STATS], in the order of
 * stat_names.
 */
static int summarise_columns(writer *w, const double *buf, size_t rows, size_t cols,
                             double *out)
{
    if (reserve(w, &w->col, &w->col_cap, rows ? rows : 1))
        return SIM_ENOMEM;
    for (size_t c = 0; c < cols; c++) {
        for (size_t i = 0; i < rows; i++)
            w->col[i] = buf[i * cols + c];
        sim_summary s;
        sim_summarise(w->col, rows, &s);
        double *o = out + c * N_STATS;
        o[0] = s.mean;
        o[1] = s.sd;
        o[2] = s.ci_low;
        o[3] = s.ci_high;
        o[4] = s.half_width;
        o[5] = s.q025;
        o[6] = s.median;
        o[7] = s.q975;
        o[8] = s.min;
        o[9] = s.max;
        o[10] = (double)s.n;
    }
    return SIM_OK;
}

/*
 * Dimension scales a dataset is attached to. time and stat (and replication, for a
 * scenario) sit in the scenario's or comparison's group; each model's own dimensions in the
 * model's group below it, so every dimension a dataset uses is defined in its group or an
 * ancestor, as netCDF-4 requires of the dimensions it sees.
 */
typedef struct scales {
    hid_t time, rep, stat, component;
    hid_t *dims;    /* [monitor dimension id], -1 where not written */
    size_t n_dims;
} scales;

static void scales_close(scales *s)
{
    hid_t *h[] = {&s->time, &s->rep, &s->stat, &s->component};
    for (size_t i = 0; i < 4; i++) {
        if (*h[i] >= 0)
            H5Dclose(*h[i]);
        *h[i] = -1;
    }
    for (size_t i = 0; i < s->n_dims; i++)
        if (s->dims[i] >= 0)
            H5Dclose(s->dims[i]);
    free(s->dims);
    s->dims = NULL;
    s->n_dims = 0;
}

static int scales_init(writer *w, scales *s, const sim_monitor *m)
{
    s->time = s->rep = s->stat = s->component = -1;
    s->n_dims = sim_monitor_dimension_count(m);
    s->dims = malloc((s->n_dims ? s->n_dims : 1) * sizeof *s->dims);
    if (!s->dims) {
        s->n_dims = 0;
        return nomem(w);
    }
    for (size_t i = 0; i < s->n_dims; i++)
        s->dims[i] = -1;
    return SIM_OK;
}

/* Names of a metric's dimensions beyond time, in order (for the `dimensions` attribute). */
static size_t dim_names(const sim_monitor *m, const sim_metric *mt, const char **out)
{
    for (size_t k = 0; k < mt->n_dims; k++)
        out[k] = sim_monitor_dimension(m, mt->dims[k])->name;
    return mt->n_dims;
}

/*
 * A table of one metric across replications: [(time,)(dims...,) last], where the last
 * dimension (`n_last` long, attached to scale `last`) is the stat of a summary or the
 * component of a variance split.
 */
static int write_table(writer *w, hid_t loc, const sim_metric *mt, const sim_monitor *m,
                       const double *values, size_t n_last, hid_t last, const scales *sc,
                       const char *description)
{
    hsize_t dims[2 + SIM_MAX_DIMS];
    int rank = 0;
    if (mt->kind == SIM_METRIC_SERIES)
        dims[rank++] = sim_monitor_time_count(m);
    for (size_t k = 0; k < mt->n_dims; k++)
        dims[rank++] = sim_monitor_dimension(m, mt->dims[k])->n;
    dims[rank++] = n_last;
    hid_t d = make_dataset(w, loc, mt->name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rank, dims,
                           false, values, mt->units, description);
    if (d < 0)
        return SIM_EIO;
    unsigned idx = 0;
    int rc = SIM_OK;
    if (mt->kind == SIM_METRIC_SERIES)
        rc = attach(w, d, sc->time, idx++, mt->name);
    for (size_t k = 0; k < mt->n_dims && !rc; k++)
        rc = attach(w, d, sc->dims[mt->dims[k]], idx++, mt->name);
    if (!rc)
        rc = attach(w, d, last, idx, mt->name);
    if (rc) {
        H5Dclose(d);
        return rc;
    }
    return close_dataset(w, d, mt->name);
}

/* Write summary/METRIC or a comparison's METRIC: [(time,)(dims...,) stat]. */
static int write_summary(writer *w, hid_t loc, const sim_metric *mt, const sim_monitor *m,
                         const double *stats, const scales *sc, const char *description)
{
    return write_table(w, loc, mt, m, stats, N_STATS, sc->stat, sc, description);
}

/* Gather one metric of the given records into buf[n][length]. */
static void gather(double *buf, const sim_metric *mt, sim_record *const *recs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        memcpy(buf + i * mt->length, recs[i]->values + mt->offset, mt->length * sizeof *buf);
}

/* ---- scales ---- */

/* The stat scale in group g. */
static int write_stat(writer *w, hid_t g, scales *sc)
{
    hsize_t dim = N_STATS;
    sc->stat = make_dataset(w, g, "stat", w->str, w->str, 1, &dim, false, stat_names, "",
                            "Statistic across replications: mean, standard deviation, "
                            "95% Student t confidence interval for the mean and its "
                            "half-width, 2.5%/50%/97.5% quantiles, min, max, and n.");
    if (sc->stat < 0)
        return SIM_EIO;
    if (H5DSset_scale(sc->stat, "stat") < 0)
        return fail(w, SIM_EIO, "stat");
    return SIM_OK;
}

/* time (with its labels and, if with_label, time_label) and, if with_stat, stat in group g. */
static int write_time_stat(writer *w, hid_t g, const sim_monitor *m, const char *start_date,
                           bool with_label, bool with_stat, scales *sc)
{
    size_t nt = sim_monitor_time_count(m);
    hsize_t dim = nt;
    int rc;
    const char **labels = malloc((nt ? nt : 1) * sizeof *labels);
    if (!labels)
        return nomem(w);
    for (size_t i = 0; i < nt; i++)
        labels[i] = sim_monitor_time_label(m, i);
    /*
     * CF time units, so netCDF tools and xarray decode the axis to dates. A month-end
     * snapshot is taken at the midnight that ends the day its label names; the reference is
     * one second before start_date's midnight, so the decoded instant falls inside the
     * labelled day (23:59:59) and decoded dates agree with the labels.
     */
    char units[64];
    sim_date start;
    if (sim_date_parse(start_date, &start) == SIM_OK) {
        char day[11];
        sim_date_format(sim_date_from_days(sim_date_to_days(start) - 1), day);
        snprintf(units, sizeof units, "days since %s 23:59:59", day);
    } else {
        snprintf(units, sizeof units, "days since %s", start_date);
    }
    sc->time = make_dataset(w, g, "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &dim, false,
                            sim_monitor_times(m), units,
                            "Snapshot times in days since start_date.");
    rc = sc->time < 0 ? SIM_EIO : SIM_OK;
    if (!rc && H5DSset_scale(sc->time, "time") < 0)
        rc = fail(w, SIM_EIO, "time");
    if (!rc)
        rc = attr_strs(w, sc->time, "labels", labels, nt);
    if (!rc && with_label) {
        hid_t d = make_dataset(w, g, "time_label", w->str, w->str, 1, &dim, false, labels, "",
                               "Calendar date of each snapshot time.");
        rc = d < 0 ? SIM_EIO : attach(w, d, sc->time, 0, "time_label");
        if (d >= 0 && close_dataset(w, d, "time_label") && !rc)
            rc = SIM_EIO;
    }
    free(labels);
    if (rc || !with_stat)
        return rc;
    return write_stat(w, g, sc);
}

/* The dimension scales of model `model` in its group mg, and the model's attributes. */
static int write_model_dims(writer *w, hid_t mg, const sim_monitor *m, size_t model,
                            scales *sc)
{
    size_t first = sim_monitor_model_first(m, model), n = sim_monitor_model_metrics(m, model);
    size_t nd = sim_monitor_dimension_count(m);
    const char **names = malloc((n + nd + 1) * sizeof *names);
    if (!names)
        return nomem(w);
    for (size_t i = 0; i < n; i++)
        names[i] = sim_monitor_metric(m, first + i)->name;
    int rc = attr_strs(w, mg, "metrics", names, n);
    size_t k = 0;
    const char *deflt = "";
    for (size_t i = 0; i < nd && !rc; i++) {
        const sim_dimension *dim = sim_monitor_dimension(m, i);
        if (dim->model != model)
            continue;
        names[k++] = dim->name;
        hsize_t len = dim->n;
        char desc[300];
        snprintf(desc, sizeof desc, "Label of each %s.", dim->name);
        sc->dims[i] = make_dataset(w, mg, dim->name, w->str, w->str, 1, &len, false,
                                   (const char *const *)dim->labels, "", desc);
        if (sc->dims[i] < 0)
            rc = SIM_EIO;
        else if (H5DSset_scale(sc->dims[i], dim->name) < 0)
            rc = fail(w, SIM_EIO, dim->name);
    }
    for (size_t i = 0; i < n; i++) {
        const sim_metric *mt = sim_monitor_metric(m, first + i);
        if (mt->default_dim && mt->n_dims)
            deflt = sim_monitor_dimension(m, mt->dims[0])->name;
    }
    if (!rc)
        rc = attr_strs(w, mg, "dimensions", names, k);
    if (!rc)
        rc = attr_str(w, mg, "group_dimension", deflt);
    free(names);
    return rc;
}

/* Share a parent's scale (a metric of the model has its name, so no copy can be made). */
static hid_t share_scale(hid_t parent)
{
    if (parent >= 0)
        H5Iinc_ref(parent);
    return parent;
}

/*
 * Copies, in a group that holds metric datasets (series/, reps/, summary/, a comparison's
 * MODEL/), of the scales its datasets use: replication (if numbers), time and stat (if asked)
 * and the model's own dimensions. netCDF tools and xarray make coordinates only of the
 * variables of the group they open, so each such group is self-contained and
 * xr.open_dataset(file, group=".../summary") has time (as dates), stat and group labels as
 * coordinates. A scale whose name one of the model's metrics takes is shared with `parent`.
 */
static int leaf_scales(writer *w, hid_t g, const sim_monitor *m, size_t model,
                       const char *start_date, const int64_t *numbers, size_t n_present,
                       bool time, bool stat, const scales *parent, scales *out)
{
    int rc = scales_init(w, out, m);
    if (rc)
        return rc;
    bool time_taken = sim_monitor_find_in(m, model, "time") >= 0;
    bool stat_taken = sim_monitor_find_in(m, model, "stat") >= 0;
    if (time && !time_taken && (rc = write_time_stat(w, g, m, start_date, false, false, out)))
        return rc;
    if (stat && !stat_taken && (rc = write_stat(w, g, out)))
        return rc;
    if (time && time_taken)
        out->time = share_scale(parent->time);
    if (stat && stat_taken)
        out->stat = share_scale(parent->stat);
    if (numbers && sim_monitor_find_in(m, model, "replication") >= 0) {
        out->rep = share_scale(parent->rep);
    } else if (numbers) {
        hsize_t dim = n_present;
        out->rep = make_dataset(w, g, "replication", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &dim,
                                false, numbers, "1",
                                "Replication number (its random number streams) of each row.");
        if (out->rep < 0)
            return SIM_EIO;
        if (H5DSset_scale(out->rep, "replication") < 0)
            return fail(w, SIM_EIO, "replication");
    }
    for (size_t i = 0; i < out->n_dims; i++) {
        const sim_dimension *dim = sim_monitor_dimension(m, i);
        if (dim->model != model)
            continue;
        if (sim_monitor_find_in(m, model, dim->name) >= 0) {
            out->dims[i] = share_scale(parent->dims[i]);
            continue;
        }
        hsize_t len = dim->n;
        char desc[300];
        snprintf(desc, sizeof desc, "Label of each %s.", dim->name);
        out->dims[i] = make_dataset(w, g, dim->name, w->str, w->str, 1, &len, false,
                                    (const char *const *)dim->labels, "", desc);
        if (out->dims[i] < 0)
            return SIM_EIO;
        if (H5DSset_scale(out->dims[i], dim->name) < 0)
            return fail(w, SIM_EIO, dim->name);
    }
    return SIM_OK;
}

static int metric_attrs(writer *w, hid_t d, const sim_monitor *m, const sim_metric *mt)
{
    const char *names[SIM_MAX_DIMS + 1];
    size_t nd = dim_names(m, mt, names);
    int rc = attr_strs(w, d, "dimensions", names, nd);
    if (!rc)
        rc = attr_i32(w, d, "default_dimension", mt->default_dim ? 1 : 0);
    return rc;
}

/* The components along the `component` dimension of variance datasets. */
enum { N_COMPONENTS = 4 };
static const char *const component_names[N_COMPONENTS] = {"total", "inputs", "noise",
                                                          "inputs_share"};

/*
 * The variance split of one metric (results.h): buf holds n rows (present replications,
 * numbers[k] their replication numbers, ascending) of `cols` values; out gets cols x 4.
 */
static void variance_split(const double *buf, const int64_t *numbers, size_t n, size_t cols,
                           size_t m, double *out)
{
    for (size_t c = 0; c < cols; c++) {
        double sum_w = 0, sum_means = 0, sum_means2 = 0, all = 0, all2 = 0;
        size_t samples = 0, runs = 0;
        for (size_t k = 0; k < n;) {
            uint64_t sample = (uint64_t)numbers[k] / m;
            size_t end = k;
            while (end < n && (uint64_t)numbers[end] / m == sample)
                end++;
            bool complete = end - k == m;
            double mean = 0, ss = 0;
            for (size_t j = k; j < end && complete; j++) {
                double x = buf[j * cols + c];
                complete = !isnan(x);
                mean += x;
            }
            if (complete) {
                mean /= (double)m;
                for (size_t j = k; j < end; j++) {
                    double x = buf[j * cols + c];
                    ss += (x - mean) * (x - mean);
                    all += x;
                    all2 += x * x;
                }
                sum_w += ss / (double)(m - 1);
                sum_means += mean;
                sum_means2 += mean * mean;
                samples++;
                runs += m;
            }
            k = end;
        }
        double *o = out + c * N_COMPONENTS;
        if (samples < 2) {
            o[0] = o[1] = o[2] = o[3] = NAN;
            continue;
        }
        double noise = sum_w / (double)samples;
        double between = (sum_means2 - sum_means * sum_means / (double)samples) /
                         (double)(samples - 1);
        double inputs = fmax(0.0, between - noise / (double)m);
        o[0] = (all2 - all * all / (double)runs) / (double)(runs - 1);
        o[1] = inputs;
        o[2] = noise;
        o[3] = inputs + noise > 0 ? inputs / (inputs + noise) : NAN;
    }
}

/* The `component` scale of variance datasets in group g. */
static int write_components(writer *w, hid_t g, scales *sc)
{
    hsize_t dim = N_COMPONENTS;
    sc->component = make_dataset(w, g, "component", w->str, w->str, 1, &dim, false,
                                 component_names, "",
                                 "Parts of the variance across replications: total, uncertain "
                                 "inputs, simulation noise, inputs' share.");
    if (sc->component < 0 || H5DSset_scale(sc->component, "component") < 0)
        return fail(w, SIM_EIO, "component");
    return SIM_OK;
}

static int write_variance(writer *w, hid_t variance, const sim_scenario_result *s,
                          const sim_metric *mt, const int64_t *numbers, size_t n_present,
                          const scales *sc)
{
    if (reserve(w, &w->out, &w->out_cap, mt->length * N_COMPONENTS + 1))
        return SIM_ENOMEM;
    variance_split(w->buf, numbers, n_present, mt->length, s->runs_per_sample, w->out);
    char desc[1300];
    snprintf(desc, sizeof desc,
             "Variance across replications split into uncertain inputs and simulation noise "
             "(total, inputs, noise in units squared; inputs_share a fraction) of: %s",
             mt->description);
    return write_table(w, variance, mt, s->monitor, w->out, N_COMPONENTS, sc->component, sc,
                       desc);
}

/* leaf[4]: the scales of the series/, reps/, summary/ and variance/ groups. */
static int write_metric(writer *w, hid_t series, hid_t reps, hid_t summary, hid_t variance,
                        const sim_scenario_result *s, const sim_metric *mt,
                        sim_record *const *present, const int64_t *numbers, size_t n_present,
                        const scales *leaf)
{
    const scales *sc = &leaf[mt->kind == SIM_METRIC_SERIES ? 0 : 1];
    const sim_monitor *m = s->monitor;
    int rc;
    if (reserve(w, &w->buf, &w->buf_cap, n_present * mt->length + 1) ||
        reserve(w, &w->out, &w->out_cap, mt->length * N_STATS + 1))
        return SIM_ENOMEM;
    gather(w->buf, mt, present, n_present);

    hsize_t dims[2 + SIM_MAX_DIMS];
    int rank = 0;
    dims[rank++] = n_present;
    if (mt->kind == SIM_METRIC_SERIES)
        dims[rank++] = sim_monitor_time_count(m);
    for (size_t k = 0; k < mt->n_dims; k++)
        dims[rank++] = sim_monitor_dimension(m, mt->dims[k])->n;
    hid_t loc = mt->kind == SIM_METRIC_SERIES ? series : reps;
    hid_t d = make_dataset(w, loc, mt->name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rank, dims,
                           true, w->buf, mt->units, mt->description);
    if (d < 0)
        return SIM_EIO;
    unsigned idx = 0;
    rc = attr_str(w, d, "kind", mt->kind == SIM_METRIC_SERIES ? "series" : "rep");
    if (!rc)
        rc = metric_attrs(w, d, m, mt);
    if (!rc)
        rc = attach(w, d, sc->rep, idx++, mt->name);
    if (!rc && mt->kind == SIM_METRIC_SERIES)
        rc = attach(w, d, sc->time, idx++, mt->name);
    for (size_t k = 0; k < mt->n_dims && !rc; k++)
        rc = attach(w, d, sc->dims[mt->dims[k]], idx++, mt->name);
    if (rc) {
        H5Dclose(d);
        return rc;
    }
    if ((rc = close_dataset(w, d, mt->name)))
        return rc;

    if ((rc = summarise_columns(w, w->buf, n_present, mt->length, w->out)))
        return rc;
    char desc[1200];
    snprintf(desc, sizeof desc, "Summary across replications of: %s", mt->description);
    rc = write_summary(w, summary, mt, m, w->out, &leaf[2], desc);
    if (!rc && variance >= 0)
        rc = write_variance(w, variance, s, mt, numbers, n_present, &leaf[3]);
    return rc;
}

static int close_groups(writer *w, hid_t *groups, const char *const *names, size_t n, int rc)
{
    for (size_t i = 0; i < n; i++)
        if (groups[i] >= 0 && H5Gclose(groups[i]) < 0 && !rc)
            rc = fail(w, SIM_EIO, names[i]);
    return rc;
}

/* MODEL/{dims, series, reps, summary(, variance)} of one model of a scenario. */
static int write_model(writer *w, hid_t g, const sim_scenario_result *s, size_t model,
                       sim_record *const *present, const int64_t *numbers, size_t n_present,
                       scales *sc)
{
    const sim_monitor *m = s->monitor;
    const char *name = sim_monitor_model_name(m, model);
    hid_t h[5] = {-1, -1, -1, -1, -1}; /* model, series, reps, summary, variance */
    const char *names[5] = {name, "series", "reps", "summary", "variance"};
    int groups = s->runs_per_sample > 1 ? 5 : 4;
    int rc = SIM_OK;
    h[0] = make_group(w, g, name);
    if (h[0] < 0)
        return SIM_EIO;
    if ((rc = write_model_dims(w, h[0], m, model, sc)))
        return close_groups(w, h, names, 5, rc);
    for (int i = 1; i < groups; i++)
        if ((h[i] = make_group(w, h[0], names[i])) < 0)
            return close_groups(w, h, names, 5, SIM_EIO);
    scales leaf[4] = {{.time = -1, .rep = -1, .stat = -1, .component = -1},
                      {.time = -1, .rep = -1, .stat = -1, .component = -1},
                      {.time = -1, .rep = -1, .stat = -1, .component = -1},
                      {.time = -1, .rep = -1, .stat = -1, .component = -1}};
    if (!(rc = leaf_scales(w, h[1], m, model, s->start_date, numbers, n_present, true, false,
                           sc, &leaf[0])) &&
        !(rc = leaf_scales(w, h[2], m, model, s->start_date, numbers, n_present, false, false,
                           sc, &leaf[1])))
        rc = leaf_scales(w, h[3], m, model, s->start_date, NULL, 0, true, true, sc, &leaf[2]);
    if (!rc && h[4] >= 0 &&
        !(rc = leaf_scales(w, h[4], m, model, s->start_date, NULL, 0, true, false, sc, &leaf[3])))
        rc = write_components(w, h[4], &leaf[3]);
    size_t first = sim_monitor_model_first(m, model), n = sim_monitor_model_metrics(m, model);
    for (size_t i = first; i < first + n && !rc; i++)
        rc = write_metric(w, h[1], h[2], h[3], h[4], s, sim_monitor_metric(m, i), present,
                          numbers, n_present, leaf);
    for (int i = 0; i < 4; i++)
        scales_close(&leaf[i]);
    /* Close the children before the model group. */
    rc = close_groups(w, h + 1, names + 1, 4, rc);
    return close_groups(w, h, names, 1, rc);
}

static int write_scenario(writer *w, hid_t parent, const sim_scenario_result *s, scales *sc)
{
    int rc = SIM_OK;
    hid_t g = -1;
    const sim_monitor *m = s->monitor;
    size_t nmod = sim_monitor_model_count(m);
    size_t n_present = 0;
    for (size_t i = 0; i < s->replications; i++)
        n_present += s->reps[i] != NULL;
    int64_t *numbers = malloc((n_present ? n_present : 1) * sizeof *numbers);
    sim_record **present = malloc((n_present ? n_present : 1) * sizeof *present);
    const char **models = malloc((nmod ? nmod : 1) * sizeof *models);
    if (!numbers || !present || !models) {
        rc = nomem(w);
        goto done;
    }
    for (size_t i = 0, k = 0; i < s->replications; i++) {
        if (s->reps[i]) {
            if (s->reps[i]->monitor != m &&
                sim_monitor_record_length(s->reps[i]->monitor) != sim_monitor_record_length(m)) {
                rc = sim_error_set(w->err, SIM_EINVAL, w->path, 0, 0, NULL,
                                   "cannot write results file: scenario %s replication %zu "
                                   "was recorded with another monitor", s->name, i);
                goto done;
            }
            numbers[k] = (int64_t)i;
            present[k++] = s->reps[i];
        }
    }
    for (size_t i = 0; i < nmod; i++)
        models[i] = sim_monitor_model_name(m, i);
    if ((rc = scales_init(w, sc, m)))
        goto done;

    g = make_group(w, parent, s->name);
    if (g < 0) {
        rc = SIM_EIO;
        goto done;
    }
    if ((rc = attr_str(w, g, "start_date", s->start_date)) ||
        (rc = attr_f64(w, g, "horizon_days", s->horizon_days)) ||
        (rc = attr_f64(w, g, "warmup_days", s->warmup_days)) ||
        (rc = attr_str(w, g, "scenario_sha256", s->sha256)) ||
        (rc = attr_i64(w, g, "replications", (int64_t)s->replications)) ||
        (rc = attr_strs(w, g, "models", models, nmod)) ||
        (s->label && (rc = attr_str(w, g, "label", s->label))) ||
        (s->description && (rc = attr_str(w, g, "description", s->description))) ||
        (s->n_assumptions && (rc = attr_strs(w, g, "assumptions",
                                             (const char *const *)s->assumptions,
                                             s->n_assumptions))))
        goto done;
    hid_t d = make_dataset(w, g, "scenario_yaml", w->str, w->str, 0, NULL, false, &s->yaml, "",
                           "The scenario text as run, after extends and overrides.");
    if (d < 0 || close_dataset(w, d, "scenario_yaml")) {
        rc = SIM_EIO;
        goto done;
    }
    if ((rc = write_time_stat(w, g, m, s->start_date, true, true, sc)))
        goto done;
    hsize_t dim = n_present;
    sc->rep = make_dataset(w, g, "replication", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &dim,
                           false, numbers, "1",
                           "Replication number (its random number streams) of each row.");
    if (sc->rep < 0) {
        rc = SIM_EIO;
        goto done;
    }
    if (H5DSset_scale(sc->rep, "replication") < 0) {
        rc = fail(w, SIM_EIO, "replication");
        goto done;
    }
    if (s->runs_per_sample > 1) {
        if ((rc = attr_i64(w, g, "runs_per_sample", (int64_t)s->runs_per_sample)))
            goto done;
        if ((rc = write_components(w, g, sc)))
            goto done;
    }
    for (size_t k = 0; k < nmod && !rc; k++)
        rc = write_model(w, g, s, k, present, numbers, n_present, sc);
done:
    if (g >= 0 && H5Gclose(g) < 0 && !rc)
        rc = fail(w, SIM_EIO, s->name);
    free(numbers);
    free(present);
    free(models);
    return rc;
}

/* ---- comparisons ---- */

static bool same_times(const sim_monitor *a, const sim_monitor *b)
{
    size_t n = sim_monitor_time_count(a);
    if (n != sim_monitor_time_count(b))
        return false;
    const double *x = sim_monitor_times(a), *y = sim_monitor_times(b);
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return false;
    return true;
}

static bool same_dimension(const sim_dimension *x, const sim_dimension *y)
{
    if (strcmp(x->name, y->name) != 0 || x->n != y->n)
        return false;
    for (size_t i = 0; i < x->n; i++)
        if (strcmp(x->labels[i], y->labels[i]) != 0)
            return false;
    return true;
}

/* Metric y of b has the shape of metric x of a: kind, times, dimensions and their labels. */
static bool comparable(const sim_monitor *a, const sim_metric *x, const sim_monitor *b,
                       const sim_metric *y, bool times_ok)
{
    if (x->kind != y->kind || x->n_dims != y->n_dims || x->length != y->length ||
        (x->kind == SIM_METRIC_SERIES && !times_ok))
        return false;
    for (size_t k = 0; k < x->n_dims; k++)
        if (!same_dimension(sim_monitor_dimension(a, x->dims[k]),
                            sim_monitor_dimension(b, y->dims[k])))
            return false;
    return true;
}

/* One model of a comparison: MODEL/{dims, METRIC...} for the metrics both declare alike. */
static int write_comparison_model(writer *w, hid_t g, const sim_scenario_result *a,
                                  const sim_scenario_result *b, size_t model,
                                  sim_record *const *ra, sim_record *const *rb, size_t pairs,
                                  scales *sc)
{
    const sim_monitor *ma = a->monitor, *mb = b->monitor;
    const char *name = sim_monitor_model_name(ma, model);
    int mb_model = sim_monitor_find_model(mb, name);
    if (mb_model < 0)
        return SIM_OK;
    bool times_ok = same_times(ma, mb);
    hid_t mg = make_group(w, g, name);
    if (mg < 0)
        return SIM_EIO;
    int rc = write_model_dims(w, mg, ma, model, sc);
    /* Its own time and stat too (see leaf_scales), unless a metric takes their names. */
    scales local = *sc;
    local.time = local.stat = -1;
    if (!rc && sim_monitor_find_in(ma, model, "time") < 0 &&
        sim_monitor_find_in(ma, model, "stat") < 0)
        rc = write_time_stat(w, mg, ma, a->start_date, false, true, &local);
    if (local.time < 0)
        local.time = share_scale(sc->time);
    if (local.stat < 0)
        local.stat = share_scale(sc->stat);
    size_t first = sim_monitor_model_first(ma, model), n = sim_monitor_model_metrics(ma, model);
    for (size_t i = first; i < first + n && !rc; i++) {
        const sim_metric *x = sim_monitor_metric(ma, i);
        int j = sim_monitor_find_in(mb, (size_t)mb_model, x->name);
        if (j < 0 || !comparable(ma, x, mb, sim_monitor_metric(mb, (size_t)j), times_ok))
            continue;
        const sim_metric *y = sim_monitor_metric(mb, (size_t)j);
        size_t len = x->length;
        if (reserve(w, &w->buf, &w->buf_cap, pairs * len + 1) ||
            reserve(w, &w->out, &w->out_cap, len * N_STATS + 1)) {
            rc = SIM_ENOMEM;
            break;
        }
        double *d = w->buf;
        for (size_t k = 0; k < pairs; k++)
            for (size_t c = 0; c < len; c++)
                d[k * len + c] = ra[k]->values[x->offset + c] - rb[k]->values[y->offset + c];
        if ((rc = summarise_columns(w, d, pairs, len, w->out)))
            break;
        char desc[1400];
        snprintf(desc, sizeof desc, "Paired difference %s - %s by replication of: %s",
                 a->name, b->name, x->description);
        rc = write_summary(w, mg, x, ma, w->out, &local, desc);
    }
    if (local.time >= 0)
        H5Dclose(local.time);
    if (local.stat >= 0)
        H5Dclose(local.stat);
    if (H5Gclose(mg) < 0 && !rc)
        rc = fail(w, SIM_EIO, name);
    return rc;
}

/*
 * /comparisons/A__vs__B: for each metric of A that B declares with the same kind and shape,
 * the summary of the differences A - B over the replication numbers run in both. With
 * common random numbers, replication k of both scenarios used the same streams, so these
 * paired differences have a far smaller variance than the difference of two summaries.
 * The group has its own time and stat scales and each model group its own dimensions.
 */
static int write_comparison(writer *w, hid_t parent, const sim_scenario_result *a,
                            const sim_scenario_result *b)
{
    int rc = SIM_OK;
    size_t nrep = a->replications < b->replications ? a->replications : b->replications;
    sim_record **ra = malloc((nrep ? nrep : 1) * sizeof *ra);
    sim_record **rb = malloc((nrep ? nrep : 1) * sizeof *rb);
    scales sc = {.time = -1, .rep = -1, .stat = -1, .component = -1};
    hid_t g = -1;
    char name[1024];
    snprintf(name, sizeof name, "%s__vs__%s", a->name, b->name);
    if (!ra || !rb) {
        rc = nomem(w);
        goto done;
    }
    size_t pairs = 0;
    for (size_t i = 0; i < nrep; i++)
        if (a->reps[i] && b->reps[i]) {
            ra[pairs] = a->reps[i];
            rb[pairs++] = b->reps[i];
        }
    if ((rc = scales_init(w, &sc, a->monitor)))
        goto done;
    g = make_group(w, parent, name);
    if (g < 0) {
        rc = SIM_EIO;
        goto done;
    }
    if ((rc = attr_str(w, g, "scenario", a->name)) ||
        (rc = attr_str(w, g, "baseline", b->name)) ||
        (rc = attr_i64(w, g, "pairs", (int64_t)pairs)) ||
        (rc = write_time_stat(w, g, a->monitor, a->start_date, true, true, &sc)))
        goto done;
    for (size_t k = 0; k < sim_monitor_model_count(a->monitor) && !rc; k++)
        rc = write_comparison_model(w, g, a, b, k, ra, rb, pairs, &sc);
done:
    scales_close(&sc);
    if (g >= 0 && H5Gclose(g) < 0 && !rc)
        rc = fail(w, SIM_EIO, name);
    free(ra);
    free(rb);
    return rc;
}

/* ---- the file ---- */

static int write_file(writer *w, const sim_results *r, const char *created)
{
    int rc = SIM_OK;
    size_t ns = r->n_scenarios;
    scales *sc = calloc(ns ? ns : 1, sizeof *sc);
    const char **names = malloc((ns ? ns : 1) * sizeof *names);
    hid_t root = -1, scen = -1, comp = -1;
    if (!sc || !names) {
        rc = nomem(w);
        goto done;
    }
    for (size_t i = 0; i < ns; i++) {
        sc[i] = (scales){.time = -1, .rep = -1, .stat = -1, .component = -1};
        names[i] = r->scenarios[i].name;
    }
    bool complete = true;
    for (size_t i = 0; i < ns; i++)
        for (size_t k = 0; k < r->scenarios[i].replications; k++)
            complete = complete && r->scenarios[i].reps[k] != NULL;
    const char *baseline = r->baseline >= 0 ? r->scenarios[r->baseline].name : "";

    root = H5Gopen2(w->file, "/", H5P_DEFAULT);
    if (root < 0) {
        rc = fail(w, SIM_EIO, "/");
        goto done;
    }
    if ((rc = attr_str(w, root, "format", "capsim-results")) ||
        (rc = attr_i32(w, root, "format_version", SIM_RESULTS_FORMAT_VERSION)) ||
        (rc = attr_str(w, root, "capsim_version", r->capsim_version)) ||
        (rc = attr_str(w, root, "git_commit", r->git_commit)) ||
        (rc = attr_str(w, root, "created_utc", created)) ||
        (rc = attr_str(w, root, "command_line", r->command_line)) ||
        (rc = attr_scalar(w, root, "base_seed", H5T_STD_U64LE, H5T_NATIVE_UINT64,
                          &r->base_seed)) ||
        (rc = attr_i64(w, root, "replications", (int64_t)r->replications)) ||
        (rc = attr_i32(w, root, "complete", complete ? 1 : 0)) ||
        (rc = attr_str(w, root, "baseline", baseline)) ||
        (rc = attr_strs(w, root, "scenarios", names, ns)))
        goto done;

    scen = make_group(w, w->file, "scenarios");
    if (scen < 0) {
        rc = SIM_EIO;
        goto done;
    }
    for (size_t i = 0; i < ns && !rc; i++)
        rc = write_scenario(w, scen, &r->scenarios[i], &sc[i]);
    if (rc)
        goto done;
    if (r->baseline >= 0 && ns > 1) {
        comp = make_group(w, w->file, "comparisons");
        if (comp < 0) {
            rc = SIM_EIO;
            goto done;
        }
        for (size_t i = 0; i < ns && !rc; i++)
            if ((long)i != r->baseline)
                rc = write_comparison(w, comp, &r->scenarios[i], &r->scenarios[r->baseline]);
    }
done:
    if (sc)
        for (size_t i = 0; i < ns; i++)
            scales_close(&sc[i]);
    if (comp >= 0 && H5Gclose(comp) < 0 && !rc)
        rc = fail(w, SIM_EIO, "comparisons");
    if (scen >= 0 && H5Gclose(scen) < 0 && !rc)
        rc = fail(w, SIM_EIO, "scenarios");
    if (root >= 0)
        H5Gclose(root);
    free(sc);
    free(names);
    return rc;
}

static int check_results(const sim_results *r, const char *path, struct sim_error *err)
{
    if (r->baseline >= 0 && (size_t)r->baseline >= r->n_scenarios)
        return sim_error_set(err, SIM_EINVAL, path, 0, 0, NULL,
                             "cannot write results file: baseline %ld is not a scenario",
                             r->baseline);
    for (size_t i = 0; i < r->n_scenarios; i++) {
        const sim_scenario_result *s = &r->scenarios[i];
        if (!s->monitor || (s->replications && !s->reps))
            return sim_error_set(err, SIM_EINVAL, path, 0, 0, NULL,
                                 "cannot write results file: scenario %s is incomplete",
                                 s->name);
    }
    return SIM_OK;
}

/* Make the rename durable: fsync the directory that holds path. */
static void sync_parent(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

static int write_extra(writer *w, const sim_attr *a)
{
    hid_t o = H5Oopen(w->file, a->object, H5P_DEFAULT);
    if (o < 0)
        return fail(w, SIM_EIO, a->object);
    int rc = a->kind == SIM_ATTR_F64   ? attr_f64(w, o, a->name, a->f64)
             : a->kind == SIM_ATTR_I64 ? attr_i64(w, o, a->name, a->i64)
                                       : attr_str(w, o, a->name, a->str);
    H5Oclose(o);
    return rc;
}

/* ---- the file on disk: error paths and temporaries ---- */

/*
 * The HDF5 file is built in memory (the core driver, no backing store) and its bytes are
 * written by sim__results_write_image: a full disk is then one failed write(2) of ours, not
 * a failure inside HDF5, which would leave its file open and crash in HDF5's exit handler.
 */
static hid_t sim__results_create_in_memory(const char *name, hid_t fcpl)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0)
        return -1;
    hid_t f = -1;
    if (H5Pset_fapl_core(fapl, 1 << 20, 0) >= 0 &&
        H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) >= 0)
        f = H5Fcreate(name, H5F_ACC_TRUNC, fcpl, fapl);
    H5Pclose(fapl);
    return f;
}

static int sim__results_take_image(writer *w, void **image, size_t *size)
{
    if (H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
        return fail(w, SIM_EIO, "cannot flush the file");
    ssize_t n = H5Fget_file_image(w->file, NULL, 0);
    if (n < 0)
        return fail(w, SIM_EIO, "cannot take the file image");
    void *p = malloc(n ? (size_t)n : 1);
    if (!p)
        return nomem(w);
    if (H5Fget_file_image(w->file, p, (size_t)n) < 0) {
        free(p);
        return fail(w, SIM_EIO, "cannot take the file image");
    }
    *image = p;
    *size = (size_t)n;
    return SIM_OK;
}

static int sim__results_write_image(int fd, const void *image, size_t size, const char *path,
                                    struct sim_error *err)
{
    const unsigned char *p = image;
    size_t left = size;
    while (left > 0) {
        ssize_t k = write(fd, p, left);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            int e = k < 0 ? errno : ENOSPC;
            return sim_error_set(err, SIM_EIO, path, 0, 0, NULL,
                                 "cannot write results file: %s (%zu bytes needed; nothing "
                                 "was written)",
                                 strerror(e), size);
        }
        p += k;
        left -= (size_t)k;
    }
    if (fsync(fd) != 0)
        return sim_error_set(err, SIM_EIO, path, 0, 0, NULL,
                             "cannot write results file: %s (nothing was written)",
                             strerror(errno));
    return SIM_OK;
}

/* An existing `path` must be a regular file (never followed if a symlink) and overwritable. */
static int sim__results_check_target(const char *path, bool overwrite, struct sim_error *err)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return SIM_OK;
    if (S_ISLNK(st.st_mode))
        return sim_error_set(err, SIM_EINPUT, path, 0, 0, NULL,
                             "results file is a symbolic link (not followed; remove it or "
                             "name the target)");
    if (!S_ISREG(st.st_mode))
        return sim_error_set(err, SIM_EINPUT, path, 0, 0, NULL,
                             "results file exists and is not a regular file");
    if (!overwrite)
        return sim_error_set(err, SIM_EINPUT, path, 0, 0, NULL,
                             "results file exists (use --force to overwrite)");
    return SIM_OK;
}

/* Remove PATH.tmp-PID left by processes that no longer exist (killed during a write). */
static void sim__results_clean_stale_temporaries(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    const char *base = slash ? slash + 1 : path;
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    DIR *d = opendir(dir);
    if (!d)
        return;
    size_t bl = strlen(base);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        if (strncmp(n, base, bl) != 0 || strncmp(n + bl, ".tmp-", 5) != 0)
            continue;
        char *end = NULL;
        errno = 0;
        long pid = strtol(n + bl + 5, &end, 10);
        if (errno || !end || *end || pid <= 0 || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* alive (or not ours to ask): its write may be in progress */
        struct stat st;
        if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
            unlinkat(dirfd(d), n, 0);
    }
    closedir(d);
}

int sim_results_write(const sim_results *r, const char *path, bool overwrite,
                      struct sim_error *err)
{
    return sim_results_write_with(r, NULL, 0, path, overwrite, err);
}

int sim_results_write_with(const sim_results *r, const sim_attr *extra, size_t n_extra,
                           const char *path, bool overwrite, struct sim_error *err)
{
    if (!r || !path || !*path)
        return sim_error_set(err, SIM_EINVAL, path, 0, 0, NULL,
                             "cannot write results file: no results or no file name");
    int rc = check_results(r, path, err);
    if (rc)
        return rc;
    if ((rc = sim__results_check_target(path, overwrite, err)) != SIM_OK)
        return rc;
    sim__results_clean_stale_temporaries(path);

    char tmp[4200];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= sizeof tmp)
        return sim_error_set(err, SIM_EINVAL, path, 0, 0, NULL,
                             "cannot create results file: name too long");
    /* Create it ourselves first: errno then says why (no such directory, permission). */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0)
        return sim_error_set(err, SIM_EIO, path, 0, 0, NULL,
                             "cannot create results file: %s", strerror(errno));

    char created[32];
    if (r->created_utc) {
        snprintf(created, sizeof created, "%s", r->created_utc);
    } else {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }

    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    writer w = {.path = path, .err = err, .file = -1, .str = -1, .gcpl = -1};
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    w.gcpl = H5Pcreate(H5P_GROUP_CREATE);
    w.str = H5Tcopy(H5T_C_S1);
    void *image = NULL;
    size_t image_size = 0;
    if (fcpl < 0 || w.gcpl < 0 || w.str < 0 || H5Pset_obj_track_times(fcpl, 0) < 0 ||
        H5Pset_obj_track_times(w.gcpl, 0) < 0 || H5Tset_size(w.str, H5T_VARIABLE) < 0 ||
        H5Tset_cset(w.str, H5T_CSET_UTF8) < 0) {
        rc = fail(&w, SIM_EIO, "HDF5 setup");
        goto done;
    }
    w.file = sim__results_create_in_memory(tmp, fcpl);
    if (w.file < 0) {
        rc = fail(&w, SIM_EIO, "cannot create the HDF5 file");
        goto done;
    }
    rc = write_file(&w, r, created);
    for (size_t i = 0; i < n_extra && !rc; i++)
        rc = write_extra(&w, &extra[i]);
    if (!rc)
        rc = sim__results_take_image(&w, &image, &image_size);
    if (H5Fclose(w.file) < 0 && !rc)
        rc = fail(&w, SIM_EIO, "cannot close the file");
    w.file = -1;
    if (rc)
        goto done;

    if ((rc = sim__results_write_image(fd, image, image_size, path, err)) != SIM_OK)
        goto done;
    /* Without overwrite, link() refuses an existing name atomically, unlike rename(). */
    if (overwrite ? rename(tmp, path) != 0 : link(tmp, path) != 0) {
        rc = errno == EEXIST
                 ? sim_error_set(err, SIM_EINPUT, path, 0, 0, NULL,
                                 "results file exists (use --force to overwrite)")
                 : sim_error_set(err, SIM_EIO, path, 0, 0, NULL,
                                 "cannot write results file: %s", strerror(errno));
        goto done;
    }
    if (!overwrite)
        unlink(tmp);
    sync_parent(path);
done:
    if (w.file >= 0)
        H5Fclose(w.file);
    if (fd >= 0)
        close(fd);
    if (rc)
        unlink(tmp);
    free(image);
    if (fcpl >= 0)
        H5Pclose(fcpl);
    if (w.gcpl >= 0)
        H5Pclose(w.gcpl);
    if (w.str >= 0)
        H5Tclose(w.str);
    free(w.buf);
    free(w.col);
    free(w.out);
    return rc;
}
