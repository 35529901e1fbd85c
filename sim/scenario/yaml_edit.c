/*
 * sim/scenario/yaml_edit.c: key paths (sim_node_at, sim_node_set_path) and emitting a tree as YAML.
 *
 * A key path is a key, then any number of ".key" and "[index]" steps: "name",
 * "trusts[1].theatres.sessions_per_week", "grid[0][2]". Keys cannot contain '.', '[' or ']'
 * here (such keys can still be read from files, just not addressed). sim_node_set_path's
 * errors name the origin as the file and the path as the key:
 *   bad key path "a..b"
 *   expected a map at "trusts[0]", got a sequence
 *   expected a sequence at "trusts", got a map
 *   index 5 is out of range ("trusts" has 2 items)
 *   index 0 is out of range ("trusts" does not exist)
 *   extends can only be set in a scenario file
 *   key path is deeper than 200 levels
 * and a value that is not valid YAML gives libyaml's message at its position in the value
 * ("--set:1:2: did not find expected ',' or ']' ...").
 *
 * sim_node_emit writes block style through libyaml's emitter, which quotes a plain scalar
 * only when it could not be read back plain; scalars that were quoted are written
 * double-quoted. So loading the emitted text gives the same tree (keys, order, texts and
 * quotedness), with one exception: a plain scalar that libyaml's emitter will not write
 * plain comes back quoted. Those are texts such as "---x" or "a\nb" (a plain scalar over
 * lines with an empty line between them); none is a number, bool, fraction or date, so
 * every reader answers the same for the emitted text, only the wording of a number
 * reader's error changes ("got the string ...").
 */
#include "yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h> /* libyaml's */

#include "core/error.h"
#include "yaml_internal.h"

/* ---- key paths ---------------------------------------------------------------------- */

typedef struct step {
    char *key;   /* NULL for an index step */
    size_t index;
} step;

static void free_steps(step *steps, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(steps[i].key);
    free(steps);
}

/* A key from a path must be text a YAML file could hold: valid UTF-8, no control characters. */
static bool valid_key(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c < 0x20 || c == 0x7F)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
        if (n == 0 || c > 0xF4 || i + n > len)
            return false;
        unsigned long cp = c & (0xFFu >> (n + 1));
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n;
    }
    return true;
}

/* Split a path into steps; SIM_EINVAL on bad syntax, SIM_ENOMEM. */
static int split_path(const char *path, step **out, size_t *n_out)
{
    size_t cap = strlen(path) + 1, n = 0;
    step *steps = calloc(cap, sizeof *steps);
    if (!steps)
        return SIM_ENOMEM;
    const char *p = path;
    bool need_key = true;
    while (*p) {
        if (*p == '[') {
            if (n == 0)
                goto bad;
            p++;
            if (*p < '0' || *p > '9')
                goto bad;
            size_t index = 0;
            while (*p >= '0' && *p <= '9') {
                if (index > (SIZE_MAX - 9) / 10)
                    goto bad;
                index = index * 10 + (size_t)(*p++ - '0');
            }
            if (*p++ != ']')
                goto bad;
            steps[n++].index = index;
            need_key = false;
            if (*p == '.') {
                p++;
                need_key = true;
                if (!*p)
                    goto bad;
            } else if (*p && *p != '[') {
                goto bad;
            }
            continue;
        }
        if (!need_key && n > 0)
            goto bad;
        size_t len = strcspn(p, ".[]");
        if (len == 0 || !valid_key((const unsigned char *)p, len))
            goto bad;
        if (!(steps[n].key = strndup(p, len))) {
            free_steps(steps, n);
            return SIM_ENOMEM;
        }
        n++;
        p += len;
        need_key = false;
        if (*p == '.') {
            p++;
            need_key = true;
            if (!*p)
                goto bad;
        } else if (*p == ']') {
            goto bad;
        }
    }
    if (n == 0)
        goto bad;
    *out = steps;
    *n_out = n;
    return SIM_OK;
bad:
    free_steps(steps, n);
    return SIM_EINVAL;
}

/* The canonical text of the first k steps ("a.b[2]"), malloc'd. */
static char *join_steps(const step *steps, size_t k)
{
    char *path = strdup("");
    for (size_t i = 0; path && i < k; i++) {
        char *next = steps[i].key ? sim__path_key(path, steps[i].key)
                                  : sim__path_index(path, steps[i].index);
        free(path);
        path = next;
    }
    return path;
}

static const char *kind_word(const sim_node *node)
{
    return node->kind == SIM_NODE_MAP ? "a map" : node->kind == SIM_NODE_SEQ ? "a sequence"
                                                                             : "a scalar";
}

/*
 * Follow steps[0..n) from root. With `create`, missing keys become empty maps (all but the
 * last step); *parent and *slot then say where the last step lands (slot may be one past the
 * end of a map: a new key). Without, returns the node or NULL through *found.
 */
static int walk(sim_node *root, const step *steps, size_t n, const char *origin, bool create,
                sim_node **parent, size_t *slot, sim_node **found, struct sim_error *err)
{
    sim_node *cur = root;
    for (size_t i = 0; i < n; i++) {
        const step *s = &steps[i];
        char *here = NULL;
        if (s->key && cur->kind != SIM_NODE_MAP) {
            if (!create)
                return SIM_EINVAL;
            here = join_steps(steps, i);
            char *full = join_steps(steps, n);
            int rc = here && full ? sim_error_set(err, SIM_EINPUT, origin, 0, 0, full,
                                                  "expected a map at \"%s\", got %s", here,
                                                  kind_word(cur))
                                  : sim__nomem(err);
            free(here);
            free(full);
            return rc;
        }
        if (!s->key && cur->kind != SIM_NODE_SEQ) {
            if (!create)
                return SIM_EINVAL;
            here = join_steps(steps, i);
            char *full = join_steps(steps, n);
            int rc = here && full ? sim_error_set(err, SIM_EINPUT, origin, 0, 0, full,
                                                  "expected a sequence at \"%s\", got %s",
                                                  here, kind_word(cur))
                                  : sim__nomem(err);
            free(here);
            free(full);
            return rc;
        }
        size_t at;
        if (s->key) {
            long j = sim__map_find(cur, s->key);
            at = j < 0 ? cur->n : (size_t)j;
            if (j < 0 && !create)
                return SIM_EINVAL;
            if (j < 0 && i + 1 < n) {
                if (!steps[i + 1].key) {
                    here = join_steps(steps, i + 1);
                    char *full = join_steps(steps, n);
                    int rc = here && full
                                 ? sim_error_set(err, SIM_EINPUT, origin, 0, 0, full,
                                                 "index %zu is out of range (\"%s\" does not "
                                                 "exist)",
                                                 steps[i + 1].index, here)
                                 : sim__nomem(err);
                    free(here);
                    free(full);
                    return rc;
                }
                /* A missing key on the way: an empty map, filled by the steps after it. */
                here = join_steps(steps, i + 1);
                sim_node *map = here ? sim__node_new(cur->tree, SIM_NODE_MAP, origin, 0, 0)
                                     : NULL;
                char *key = strdup(s->key);
                if (!map || !key || !(map->path = strdup(here)) ||
                    sim__node_push(cur, key, map) != SIM_OK) {
                    free(key);
                    free(here);
                    return sim__nomem(err);
                }
                free(here);
            }
        } else {
            at = s->index;
            if (at >= cur->n) {
                if (!create)
                    return SIM_EINVAL;
                here = join_steps(steps, i);
                char *full = join_steps(steps, n);
                int rc = here && full
                             ? sim_error_set(err, SIM_EINPUT, origin, 0, 0, full,
                                             "index %zu is out of range (\"%s\" has %zu "
                                             "item%s)",
                                             at, here, cur->n, cur->n == 1 ? "" : "s")
                             : sim__nomem(err);
                free(here);
                free(full);
                return rc;
            }
        }
        if (i + 1 == n) {
            if (parent) {
                *parent = cur;
                *slot = at;
            }
            if (found)
                *found = at < cur->n ? cur->items[at] : NULL;
            return SIM_OK;
        }
        cur = cur->items[at];
    }
    return SIM_EINVAL;
}

sim_node *sim_node_at(sim_node *root, const char *path)
{
    step *steps;
    size_t n;
    if (!root || split_path(path, &steps, &n) != SIM_OK)
        return NULL;
    sim_node *found = NULL;
    if (walk(root, steps, n, NULL, false, NULL, NULL, &found, NULL) != SIM_OK)
        found = NULL;
    free_steps(steps, n);
    return found;
}

/* Give a value's nodes the position of the batch file's value they came from. */
static void place(sim_node *node, const char *file, int line, int column)
{
    node->file = file;
    node->line = node->key_line = line;
    node->column = node->key_column = column;
    for (size_t i = 0; i < node->n; i++)
        place(node->items[i], file, line, column);
}

/* A position number of the origin: 1 to 10^9, decimal digits only, ending at `end`. */
static int origin_number(const char *s, const char *end)
{
    long v = 0;
    if (s == end || end - s > 9)
        return 0;
    for (const char *c = s; c < end; c++) {
        if (*c < '0' || *c > '9')
            return 0;
        v = v * 10 + (*c - '0');
    }
    return (int)v;
}

/*
 * Split "VALUE\x1fFILE\x1fLINE\x1fCOLUMN" (see yaml.h); false if `v` carries no well-formed
 * origin (it is then parsed as it is, and libyaml refuses the control character).
 */
static bool split_origin(const char *v, char **value, char **file, int *line, int *column)
{
    const char *a = strchr(v, SIM_NODE_ORIGIN_SEP);
    const char *b = a ? strchr(a + 1, SIM_NODE_ORIGIN_SEP) : NULL;
    const char *c = b ? strchr(b + 1, SIM_NODE_ORIGIN_SEP) : NULL;
    if (!c || b == a + 1 || strchr(c + 1, SIM_NODE_ORIGIN_SEP))
        return false;
    int l = origin_number(b + 1, c), col = origin_number(c + 1, c + 1 + strlen(c + 1));
    if (l < 1 || col < 1)
        return false;
    *value = strndup(v, (size_t)(a - v));
    *file = strndup(a + 1, (size_t)(b - a - 1));
    *line = l;
    *column = col;
    return true;
}

static int set_path(sim_node *root, const char *path, const char *yaml_value,
                    const char *origin, int line, int column, struct sim_error *err);

int sim_node_set_path(sim_node *root, const char *path, const char *yaml_value,
                      const char *origin, struct sim_error *err)
{
    char *value = NULL, *file = NULL;
    int line = 0, column = 0;
    if (!split_origin(yaml_value, &value, &file, &line, &column))
        return set_path(root, path, yaml_value, origin, 0, 0, err);
    int rc = value && file ? set_path(root, path, value, file, line, column, err)
                           : sim__nomem(err);
    free(value);
    free(file);
    return rc;
}

static int set_path(sim_node *root, const char *path, const char *yaml_value,
                    const char *origin, int line, int column, struct sim_error *err)
{
    sim_node_tree *t = root->tree;
    const char *file = sim__tree_file(t, origin ? origin : "--set");
    if (!file)
        return sim__nomem(err);
    step *steps;
    size_t n;
    int rc = split_path(path, &steps, &n);
    if (rc == SIM_ENOMEM)
        return sim__nomem(err);
    if (rc != SIM_OK)
        return sim_error_set(err, SIM_EINPUT, file, 0, 0, NULL, "bad key path \"%s\"", path);
    if (n > SIM__YAML_MAX_DEPTH) {
        /* Files cannot nest deeper either, so the result could not be read back. */
        free_steps(steps, n);
        return sim_error_set(err, SIM_EINPUT, file, 0, 0, NULL,
                             "key path is deeper than %d levels", SIM__YAML_MAX_DEPTH);
    }
    if (strcmp(steps[0].key, "extends") == 0) {
        /* extends was followed when the file was loaded; a new one would only be emitted. */
        free_steps(steps, n);
        return sim_error_set(err, SIM_EINPUT, file, 0, 0, path,
                             "extends can only be set in a scenario file");
    }
    char *canon = join_steps(steps, n);
    if (!canon) {
        free_steps(steps, n);
        return sim__nomem(err);
    }
    sim_node *parent = NULL, *value = NULL;
    size_t slot = 0;
    /* The value first, so a bad value leaves the tree as it was. */
    rc = sim__parse(t, yaml_value, strlen(yaml_value), file, canon, (int)n, true, &value, err);
    if (rc != SIM_OK && err && !err->key[0])
        snprintf(err->key, sizeof err->key, "%s", canon);
    if (rc == SIM_OK && line > 0)
        place(value, file, line, column);
    if (rc == SIM_OK)
        rc = walk(root, steps, n, file, true, &parent, &slot, NULL, err);
    if (rc != SIM_OK && line > 0 && err && err->line == 0 && strcmp(err->file, file) == 0) {
        err->line = line;
        err->column = column;
    }
    if (rc == SIM_OK) {
        if (slot < parent->n) {
            value->key_line = parent->items[slot]->key_line;
            value->key_column = parent->items[slot]->key_column;
            parent->items[slot] = value;
        } else {
            char *key = strdup(steps[n - 1].key);
            if (!key || sim__node_push(parent, key, value) != SIM_OK) {
                free(key);
                rc = sim__nomem(err);
            }
        }
    }
    free(canon);
    free_steps(steps, n);
    return rc;
}

/* ---- emitting ------------------------------------------------------------------------- */

typedef struct out_buf {
    char *p;
    size_t n, cap;
} out_buf;

static int write_out(void *data, unsigned char *bytes, size_t size)
{
    out_buf *b = data;
    if (b->n + size + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + size + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return 0;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, bytes, size);
    b->n += size;
    b->p[b->n] = '\0';
    return 1;
}

/*
 * Texts with line breaks or control characters are written double-quoted (escaped) even
 * when plain was asked: libyaml would pick single quotes for some of them, and its
 * multi-line single-quoted keys do not always read back the same.
 */
static bool needs_escapes(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            return true;
    return false;
}

static int emit_scalar(yaml_emitter_t *e, const char *text, bool quoted)
{
    yaml_event_t ev;
    if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text),
                                      1, 1,
                                      quoted || needs_escapes(text)
                                          ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
                                          : YAML_PLAIN_SCALAR_STYLE))
        return 0;
    return yaml_emitter_emit(e, &ev);
}

static int emit_node(yaml_emitter_t *e, const sim_node *node)
{
    yaml_event_t ev;
    if (node->kind == SIM_NODE_SCALAR)
        return emit_scalar(e, node->text, node->quoted);
    if (node->kind == SIM_NODE_MAP) {
        if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                 node->n ? YAML_BLOCK_MAPPING_STYLE
                                                         : YAML_FLOW_MAPPING_STYLE) ||
            !yaml_emitter_emit(e, &ev))
            return 0;
        for (size_t i = 0; i < node->n; i++)
            if (!emit_scalar(e, node->keys[i], false) || !emit_node(e, node->items[i]))
                return 0;
        return yaml_mapping_end_event_initialize(&ev) && yaml_emitter_emit(e, &ev);
    }
    if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                              node->n ? YAML_BLOCK_SEQUENCE_STYLE
                                                      : YAML_FLOW_SEQUENCE_STYLE) ||
        !yaml_emitter_emit(e, &ev))
        return 0;
    for (size_t i = 0; i < node->n; i++)
        if (!emit_node(e, node->items[i]))
            return 0;
    return yaml_sequence_end_event_initialize(&ev) && yaml_emitter_emit(e, &ev);
}

char *sim_node_emit(const sim_node *root)
{
    yaml_emitter_t e;
    out_buf b = {0};
    if (!yaml_emitter_initialize(&e))
        return NULL;
    yaml_emitter_set_output(&e, write_out, &b);
    yaml_emitter_set_unicode(&e, 1);
    yaml_emitter_set_indent(&e, 2);
    yaml_emitter_set_width(&e, -1);
    yaml_emitter_set_break(&e, YAML_LN_BREAK);
    yaml_event_t ev;
    int ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
             yaml_emitter_emit(&e, &ev) &&
             yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
             yaml_emitter_emit(&e, &ev) && emit_node(&e, root) &&
             yaml_document_end_event_initialize(&ev, 1) && yaml_emitter_emit(&e, &ev) &&
             yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(&e, &ev) &&
             yaml_emitter_flush(&e);
    yaml_emitter_delete(&e);
    if (!ok) {
        free(b.p);
        return NULL;
    }
    return b.p ? b.p : strdup("");
}
