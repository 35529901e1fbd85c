/*
 * sim/scenario/yaml_load.c: reading scenario files into sim_node trees, following extends.
 *
 * libyaml's event parser drives a recursive builder. What libyaml accepts but a scenario
 * must not contain is refused here, at the offending node's own position:
 *
 *   anchor "&base" is not supported (write the value out, or use extends)
 *   alias "*base" is not supported (write the value out, or use extends)
 *   tag "!!str" is not supported (quote the value to make it a string)
 *   duplicate key "name" (first at line 3)
 *   expected a key (a scalar), got a map             (a map or sequence used as a key)
 *   a key cannot be empty
 *   a value cannot contain a NUL character
 *   nesting is deeper than 200 levels
 *   expected a map of keys at the top level, got a sequence
 *   more than one document in the file (a scenario file holds one)
 *   the scenario is empty                            (no line: nothing, comments only, or ---)
 *   cannot open: No such file or directory           (SIM_EIO; the file name is err->file)
 *   cannot read: Is a directory                      (SIM_EIO)
 *   cannot read: not a regular file (a device, FIFO or socket)             (SIM_EIO)
 *   cannot read: the file is larger than 16 MiB (too large for a scenario) (SIM_EIO)
 *
 * Syntax errors carry libyaml's own text at libyaml's position (made 1-based), with its
 * context when it gives one:
 *   mapping values are not allowed in this context
 *   did not find expected key (while parsing a block mapping at line 1, column 1)
 *
 * extends (a key of the top-level map only; its value a file name relative to the directory
 * of the file that names it) is consumed: the base is loaded into the same tree and the
 * extending file laid over it. Errors:
 *   extends: expected a file name, got a map
 *   extends: cannot open "dir/base.yaml": No such file or directory   (SIM_EIO)
 *   extends: extends cycle: a.yaml -> b.yaml -> a.yaml
 * each at the extends value of the file that names the base.
 */
#include "yaml.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h> /* libyaml's */

#include "core/error.h"
#include "yaml_internal.h"

/* ---- the tree ---------------------------------------------------------------------- */

static int grow(void **array, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return SIM_OK;
    size_t cap2 = *cap ? *cap * 2 : 8;
    while (cap2 < need)
        cap2 *= 2;
    void *p = realloc(*array, cap2 * elem);
    if (!p)
        return SIM_ENOMEM;
    *array = p;
    *cap = cap2;
    return SIM_OK;
}

sim_node_tree *sim__tree_alloc(void)
{
    return calloc(1, sizeof(sim_node_tree));
}

static void node_free(sim_node *node)
{
    sim__index_free(node);
    free(node->text);
    free(node->path);
    if (node->keys)
        for (size_t i = 0; i < node->n; i++)
            free(node->keys[i]);
    free(node->keys);
    free(node->items);
    free(node);
}

void sim_node_tree_free(sim_node_tree *tree)
{
    if (!tree)
        return;
    for (size_t i = 0; i < tree->n_nodes; i++)
        node_free(tree->nodes[i]);
    for (size_t i = 0; i < tree->n_files; i++)
        free(tree->files[i]);
    for (size_t i = 0; i < tree->n_asked; i++)
        free(tree->asked[i].key);
    free(tree->nodes);
    free(tree->files);
    free(tree->asked);
    free(tree);
}

sim_node *sim__node_new(sim_node_tree *t, sim_node_kind kind, const char *file, int line,
                        int column)
{
    if (grow((void **)&t->nodes, &t->cap_nodes, t->n_nodes + 1, sizeof *t->nodes) != SIM_OK)
        return NULL;
    sim_node *node = calloc(1, sizeof *node);
    if (!node)
        return NULL;
    node->kind = kind;
    node->file = file;
    node->line = node->key_line = line;
    node->column = node->key_column = column;
    node->tree = t;
    t->nodes[t->n_nodes++] = node;
    return node;
}

/*
 * Children arrays have no capacity field: their capacity is n rounded up to a power of two,
 * so they grow exactly when n is 0 or a power of two. Nothing ever removes a child except
 * the extends key, which only lowers n within the same capacity.
 */
int sim__node_push(sim_node *parent, char *key, sim_node *child)
{
    size_t n = parent->n;
    if ((n & (n - 1)) == 0) {
        size_t cap = n ? n * 2 : 1;
        sim_node **items = realloc(parent->items, cap * sizeof *items);
        if (!items)
            return SIM_ENOMEM;
        parent->items = items;
        if (parent->kind == SIM_NODE_MAP) {
            char **keys = realloc(parent->keys, cap * sizeof *keys);
            if (!keys)
                return SIM_ENOMEM;
            parent->keys = keys;
        }
    }
    parent->items[n] = child;
    if (parent->kind == SIM_NODE_MAP)
        parent->keys[n] = key;
    parent->n = n + 1;
    if (parent->kind == SIM_NODE_MAP)
        sim__index_pushed(parent);
    return SIM_OK;
}

size_t sim_node_tree_file_count(const sim_node_tree *tree)
{
    return tree ? tree->n_files : 0;
}

const char *sim_node_tree_file(const sim_node_tree *tree, size_t i)
{
    return tree && i < tree->n_files ? tree->files[i] : NULL;
}

const char *sim__tree_file(sim_node_tree *t, const char *name)
{
    for (size_t i = 0; i < t->n_files; i++)
        if (strcmp(t->files[i], name) == 0)
            return t->files[i];
    if (grow((void **)&t->files, &t->cap_files, t->n_files + 1, sizeof *t->files) != SIM_OK)
        return NULL;
    char *copy = strdup(name);
    if (!copy)
        return NULL;
    t->files[t->n_files++] = copy;
    return copy;
}


char *sim__path_index(const char *parent, size_t i)
{
    size_t lp = parent ? strlen(parent) : 0;
    char *p = malloc(lp + 24);
    if (p)
        snprintf(p, lp + 24, "%s[%zu]", parent ? parent : "", i);
    return p;
}

int sim__set_paths(sim_node *node, const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return SIM_ENOMEM;
    free(node->path);
    node->path = copy;
    for (size_t i = 0; i < node->n; i++) {
        char *child = node->kind == SIM_NODE_MAP ? sim__path_key(path, node->keys[i])
                                                 : sim__path_index(path, i);
        if (!child)
            return SIM_ENOMEM;
        int rc = sim__set_paths(node->items[i], child);
        free(child);
        if (rc != SIM_OK)
            return rc;
    }
    return SIM_OK;
}



/* ---- parsing ----------------------------------------------------------------------- */

typedef struct parse_ctx {
    yaml_parser_t parser;
    sim_node_tree *tree;
    const char *file;
    const char *text;
    size_t len;
    struct sim_error *err;
} parse_ctx;

static int mark_error(parse_ctx *c, yaml_mark_t mark, const char *path, const char *fmt,
                      const char *arg)
{
    char msg[600];
    snprintf(msg, sizeof msg, fmt, arg);
    return sim_error_set(c->err, SIM_EINPUT, c->file, (int)mark.line + 1, (int)mark.column + 1,
                         path, "%s", msg);
}

static int syntax_error(parse_ctx *c)
{
    yaml_parser_t *p = &c->parser;
    if (p->error == YAML_MEMORY_ERROR)
        return sim__nomem(c->err);
    const char *problem = p->problem ? p->problem : "cannot parse the YAML";
    if (p->error == YAML_READER_ERROR) {
        /* Reader errors (bad UTF-8, control characters) come with a byte offset only. */
        int line = 1, column = 1;
        for (size_t i = 0; i < p->problem_offset && i < c->len; i++) {
            if (c->text[i] == '\n') {
                line++;
                column = 1;
            } else if (((unsigned char)c->text[i] & 0xC0) != 0x80) {
                column++;
            }
        }
        if (p->problem_value >= 0)
            return sim_error_set(c->err, SIM_EINPUT, c->file, line, column, NULL,
                                 "%s (#x%02X)", problem, (unsigned)p->problem_value);
        return sim_error_set(c->err, SIM_EINPUT, c->file, line, column, NULL, "%s", problem);
    }
    int line = (int)p->problem_mark.line + 1, column = (int)p->problem_mark.column + 1;
    if (p->context)
        return sim_error_set(c->err, SIM_EINPUT, c->file, line, column, NULL,
                             "%s (%s at line %d, column %d)", problem, p->context,
                             (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
    return sim_error_set(c->err, SIM_EINPUT, c->file, line, column, NULL, "%s", problem);
}

static int next_event(parse_ctx *c, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&c->parser, ev))
        return syntax_error(c);
    return SIM_OK;
}

static const char *event_kind(const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_MAPPING_START_EVENT: return "a map";
    case YAML_SEQUENCE_START_EVENT: return "a sequence";
    case YAML_ALIAS_EVENT: return "an alias";
    default: return "a scalar";
    }
}

/* Anchors and tags of a node's start event. */
static int check_props(parse_ctx *c, const yaml_event_t *ev, const char *path)
{
    const yaml_char_t *anchor = NULL, *tag = NULL;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        anchor = ev->data.scalar.anchor;
        tag = ev->data.scalar.tag;
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = ev->data.sequence_start.anchor;
        tag = ev->data.sequence_start.tag;
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = ev->data.mapping_start.anchor;
        tag = ev->data.mapping_start.tag;
        break;
    case YAML_ALIAS_EVENT:
        return mark_error(c, ev->start_mark, path,
                          "alias \"*%s\" is not supported (write the value out, or use extends)",
                          (const char *)ev->data.alias.anchor);
    default:
        return SIM_OK;
    }
    if (anchor)
        return mark_error(c, ev->start_mark, path,
                          "anchor \"&%s\" is not supported (write the value out, or use extends)",
                          (const char *)anchor);
    if (tag)
        return mark_error(c, ev->start_mark, path,
                          "tag \"%s\" is not supported (quote the value to make it a string)",
                          (const char *)tag);
    return SIM_OK;
}

/* Builds the node whose start event is *ev (consumed here in every case). */
static int parse_node(parse_ctx *c, yaml_event_t *ev, const char *path, int depth,
                      sim_node **out)
{
    int rc = check_props(c, ev, path);
    if (rc != SIM_OK) {
        yaml_event_delete(ev);
        return rc;
    }
    if (depth > SIM__YAML_MAX_DEPTH) {
        rc = mark_error(c, ev->start_mark, path, "nesting is deeper than %s levels", "200");
        yaml_event_delete(ev);
        return rc;
    }
    int line = (int)ev->start_mark.line + 1, column = (int)ev->start_mark.column + 1;
    sim_node_kind kind = ev->type == YAML_SCALAR_EVENT           ? SIM_NODE_SCALAR
                         : ev->type == YAML_SEQUENCE_START_EVENT ? SIM_NODE_SEQ
                                                                 : SIM_NODE_MAP;
    sim_node *node = sim__node_new(c->tree, kind, c->file, line, column);
    if (!node || !(node->path = strdup(path))) {
        yaml_event_delete(ev);
        return sim__nomem(c->err);
    }
    if (kind == SIM_NODE_SCALAR) {
        size_t len = ev->data.scalar.length;
        const char *value = (const char *)ev->data.scalar.value;
        node->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
        if (memchr(value, '\0', len)) {
            rc = mark_error(c, ev->start_mark, path, "%s",
                            "a value cannot contain a NUL character");
            yaml_event_delete(ev);
            return rc;
        }
        node->text = strndup(value, len);
        yaml_event_delete(ev);
        if (!node->text)
            return sim__nomem(c->err);
        *out = node;
        return SIM_OK;
    }
    yaml_event_delete(ev);

    for (;;) {
        yaml_event_t kev;
        if ((rc = next_event(c, &kev)) != SIM_OK)
            return rc;
        if (kev.type == YAML_SEQUENCE_END_EVENT || kev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&kev);
            break;
        }
        sim_node *child = NULL;
        if (kind == SIM_NODE_SEQ) {
            char *cpath = sim__path_index(path, node->n);
            if (!cpath) {
                yaml_event_delete(&kev);
                return sim__nomem(c->err);
            }
            rc = parse_node(c, &kev, cpath, depth + 1, &child);
            free(cpath);
            if (rc != SIM_OK)
                return rc;
            if (sim__node_push(node, NULL, child) != SIM_OK)
                return sim__nomem(c->err);
            continue;
        }

        /* A map entry: the key first. */
        if (kev.type != YAML_SCALAR_EVENT) {
            rc = check_props(c, &kev, path);
            if (rc == SIM_OK)
                rc = mark_error(c, kev.start_mark, path, "expected a key (a scalar), got %s",
                                event_kind(&kev));
            yaml_event_delete(&kev);
            return rc;
        }
        const char *kval = (const char *)kev.data.scalar.value;
        size_t klen = kev.data.scalar.length;
        char *kpath = NULL;
        if (memchr(kval, '\0', klen))
            rc = mark_error(c, kev.start_mark, path, "%s",
                            "a value cannot contain a NUL character");
        else if (!(kpath = sim__path_key(path, kval)))
            rc = sim__nomem(c->err);
        else if ((rc = check_props(c, &kev, kpath)) != SIM_OK)
            ;
        else if (klen == 0)
            rc = mark_error(c, kev.start_mark, kpath, "%s", "a key cannot be empty");
        if (rc == SIM_OK) {
            long dup = sim__map_find(node, kval);
            if (dup >= 0) {
                char msg[64];
                snprintf(msg, sizeof msg, "(first at line %d)", node->items[dup]->key_line);
                rc = sim_error_set(c->err, SIM_EINPUT, c->file, (int)kev.start_mark.line + 1,
                                   (int)kev.start_mark.column + 1, kpath,
                                   "duplicate key \"%s\" %s", kval, msg);
            }
        }
        char *key = rc == SIM_OK ? strdup(kval) : NULL;
        if (rc == SIM_OK && !key)
            rc = sim__nomem(c->err);
        int kline = (int)kev.start_mark.line + 1, kcolumn = (int)kev.start_mark.column + 1;
        yaml_event_delete(&kev);
        if (rc != SIM_OK) {
            free(kpath);
            return rc;
        }

        yaml_event_t vev;
        if ((rc = next_event(c, &vev)) != SIM_OK) {
            free(key);
            free(kpath);
            return rc;
        }
        rc = parse_node(c, &vev, kpath, depth + 1, &child);
        free(kpath);
        if (rc != SIM_OK) {
            free(key);
            return rc;
        }
        child->key_line = kline;
        child->key_column = kcolumn;
        if (sim__node_push(node, key, child) != SIM_OK) {
            free(key);
            return sim__nomem(c->err);
        }
    }
    *out = node;
    return SIM_OK;
}

static int parse_document(parse_ctx *c, const char *path, int depth, bool any_root,
                          sim_node **out)
{
    yaml_event_t ev;
    int rc;
    if ((rc = next_event(c, &ev)) != SIM_OK) /* stream start */
        return rc;
    yaml_event_delete(&ev);
    if ((rc = next_event(c, &ev)) != SIM_OK)
        return rc;
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        if (!any_root)
            return sim_error_set(c->err, SIM_EINPUT, c->file, 0, 0, NULL,
                                 "the scenario is empty");
        sim_node *node = sim__node_new(c->tree, SIM_NODE_SCALAR, c->file, 1, 1);
        if (!node || !(node->text = strdup("")) || !(node->path = strdup(path)))
            return sim__nomem(c->err);
        *out = node;
        return SIM_OK;
    }
    yaml_event_delete(&ev); /* document start */
    if ((rc = next_event(c, &ev)) != SIM_OK)
        return rc;
    if (!any_root && ev.type != YAML_MAPPING_START_EVENT) {
        if (ev.type == YAML_SCALAR_EVENT && ev.data.scalar.length == 0 &&
            ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev.data.scalar.tag &&
            !ev.data.scalar.anchor) {
            yaml_event_delete(&ev);
            return sim_error_set(c->err, SIM_EINPUT, c->file, 0, 0, NULL,
                                 "the scenario is empty");
        }
        rc = check_props(c, &ev, path);
        if (rc == SIM_OK)
            rc = mark_error(c, ev.start_mark, path,
                            "expected a map of keys at the top level, got %s",
                            ev.type == YAML_SEQUENCE_START_EVENT ? "a sequence" : "a scalar");
        yaml_event_delete(&ev);
        return rc;
    }
    sim_node *root;
    if ((rc = parse_node(c, &ev, path, depth, &root)) != SIM_OK)
        return rc;
    if ((rc = next_event(c, &ev)) != SIM_OK) /* document end */
        return rc;
    yaml_event_delete(&ev);
    if ((rc = next_event(c, &ev)) != SIM_OK)
        return rc;
    if (ev.type == YAML_DOCUMENT_START_EVENT) {
        rc = mark_error(c, ev.start_mark, NULL, "%s",
                        any_root ? "more than one document in the value"
                                 : "more than one document in the file (a scenario file "
                                   "holds one)");
        yaml_event_delete(&ev);
        return rc;
    }
    yaml_event_delete(&ev);
    *out = root;
    return SIM_OK;
}

int sim__parse(sim_node_tree *t, const char *text, size_t len, const char *file,
               const char *path, int depth, bool any_root, sim_node **out,
               struct sim_error *err)
{
    parse_ctx c = {.tree = t, .file = file, .text = text, .len = len, .err = err};
    if (!yaml_parser_initialize(&c.parser))
        return sim__nomem(err);
    yaml_parser_set_input_string(&c.parser, (const unsigned char *)text, len);
    int rc = parse_document(&c, path, depth, any_root, out);
    yaml_parser_delete(&c.parser);
    return rc;
}

/* ---- files and extends --------------------------------------------------------------- */

/* One file of an extends chain: its display name and its identity (the real path). */
typedef struct chain_link {
    const char *name;
    char *id;
    const struct chain_link *next; /* the file that extends this one */
} chain_link;

/*
 * Read a whole scenario file, opened once: only a regular file of at most
 * SIM__YAML_MAX_FILE_BYTES (a device such as /dev/zero or /dev/urandom would never end, and
 * a FIFO would block or be read twice). Returns 0, -1 (cannot open) or -2 (cannot read),
 * with *errnum an errno value or READ_NOT_REGULAR / READ_TOO_LARGE.
 */
enum { READ_NOT_REGULAR = -100, READ_TOO_LARGE = -101 };

static int read_file(const char *path, char **text, size_t *len, int *errnum)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer before it can be refused. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *errnum = errno;
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *errnum = S_ISDIR(st.st_mode) ? EISDIR : READ_NOT_REGULAR;
        close(fd);
        return -2;
    }
    if (st.st_size > SIM__YAML_MAX_FILE_BYTES) {
        *errnum = READ_TOO_LARGE;
        close(fd);
        return -2;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        *errnum = ENOMEM;
        return -2;
    }
    for (;;) {
        if (n + 1 == cap) {
            /* The file grew while read: allow it up to the cap. */
            if (cap > SIM__YAML_MAX_FILE_BYTES) {
                free(buf);
                close(fd);
                *errnum = READ_TOO_LARGE;
                return -2;
            }
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                close(fd);
                *errnum = ENOMEM;
                return -2;
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t k = read(fd, buf + n, cap - n - 1);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            *errnum = errno;
            free(buf);
            close(fd);
            return -2;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    close(fd);
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

static const char *read_error_text(int errnum)
{
    if (errnum == READ_NOT_REGULAR)
        return "not a regular file (a device, FIFO or socket)";
    if (errnum == READ_TOO_LARGE)
        return "the file is larger than 16 MiB (too large for a scenario)";
    return strerror(errnum);
}

/* The display name of `target` named from inside `from`: relative to from's directory. */
static char *resolve(const char *from, const char *target)
{
    const char *slash = strrchr(from, '/');
    if (target[0] == '/' || !slash)
        return strdup(target);
    size_t dl = (size_t)(slash - from) + 1, tl = strlen(target);
    char *p = malloc(dl + tl + 1);
    if (p) {
        memcpy(p, from, dl);
        memcpy(p + dl, target, tl + 1);
    }
    return p;
}

int sim__read_input(const char *path, char **text, size_t *len, const char **why)
{
    int errnum = 0;
    if (read_file(path, text, len, &errnum) == 0)
        return 0;
    *why = read_error_text(errnum);
    return -1;
}

char *sim__resolve_path(const char *from, const char *target)
{
    return resolve(from, target);
}

/* Merge `over` into `base`: maps key by key, recursively; anything else replaces. */
static int merge(sim_node *base, sim_node *over)
{
    for (size_t i = 0; i < over->n; i++) {
        long j = sim__map_find(base, over->keys[i]);
        if (j < 0) {
            if (sim__node_push(base, over->keys[i], over->items[i]) != SIM_OK)
                return SIM_ENOMEM;
            over->keys[i] = NULL; /* the key now belongs to base */
        } else if (base->items[j]->kind == SIM_NODE_MAP && over->items[i]->kind == SIM_NODE_MAP) {
            int rc = merge(base->items[j], over->items[i]);
            if (rc != SIM_OK)
                return rc;
        } else {
            base->items[j] = over->items[i];
        }
    }
    /* The merged map is where the extending file wrote it. */
    base->file = over->file;
    base->line = over->line;
    base->column = over->column;
    base->key_line = over->key_line;
    base->key_column = over->key_column;
    return SIM_OK;
}

static int load_text(sim_node_tree *t, const char *text, size_t len, const char *name,
                     const chain_link *chain, sim_node **root, struct sim_error *err);

/* Load a file named `name` (display) of an extends chain. `at` is the extends value naming it. */
static int load_file(sim_node_tree *t, const char *name, const chain_link *chain,
                     const sim_node *at, sim_node **root, struct sim_error *err)
{
    char *text = NULL;
    size_t len = 0;
    int errnum = 0;
    int r = read_file(name, &text, &len, &errnum);
    if (r != 0) {
        if (errnum == ENOMEM)
            return sim_error_set(err, SIM_ENOMEM, name, 0, 0, NULL,
                                 "out of memory reading the file");
        const char *what = r == -1 ? "open" : "read";
        if (at)
            return sim_error_set(err, SIM_EIO, at->file, at->line, at->column, at->path,
                                 "cannot %s \"%s\": %s", what, name, read_error_text(errnum));
        return sim_error_set(err, SIM_EIO, name, 0, 0, NULL, "cannot %s: %s", what,
                             read_error_text(errnum));
    }
    int rc = load_text(t, text, len, name, chain, root, err);
    free(text);
    return rc;
}

static int load_text(sim_node_tree *t, const char *text, size_t len, const char *name,
                     const chain_link *chain, sim_node **root, struct sim_error *err)
{
    const char *file = sim__tree_file(t, name);
    if (!file)
        return sim__nomem(err);
    sim_node *doc;
    int rc = sim__parse(t, text, len, file, "", 0, false, &doc, err);
    if (rc != SIM_OK)
        return rc;
    long at = sim__map_find(doc, "extends");
    if (at < 0) {
        *root = doc;
        return SIM_OK;
    }
    sim_node *ext = doc->items[at];
    if (ext->kind != SIM_NODE_SCALAR || ext->text[0] == '\0') {
        char got[128];
        sim__describe(ext, false, got, sizeof got);
        return sim_node_error(ext, err, "expected a file name, got %s", got);
    }
    /* extends is consumed: it is neither merged nor emitted. */
    free(doc->keys[at]);
    for (size_t i = (size_t)at + 1; i < doc->n; i++) {
        doc->keys[i - 1] = doc->keys[i];
        doc->items[i - 1] = doc->items[i];
    }
    doc->n--;

    char *base_name = resolve(name, ext->text);
    if (!base_name)
        return sim__nomem(err);
    chain_link link = {.name = base_name, .id = realpath(base_name, NULL), .next = chain};
    if (!link.id) {
        if (errno == ENOMEM) {
            free(base_name);
            return sim__nomem(err);
        }
        /* Missing or unreadable: load_file says which, at the extends value. */
        link.id = strdup(base_name);
        if (!link.id) {
            free(base_name);
            return sim__nomem(err);
        }
    }
    for (const chain_link *l = chain; l; l = l->next) {
        if (strcmp(l->id, link.id) != 0)
            continue;
        /* A cycle: list the files from the repeated one down to this one, then it again. */
        char msg[900];
        size_t used = 0;
        const chain_link *order[64];
        size_t k = 0;
        for (const chain_link *m = &link; m && k < 64; m = m->next) {
            order[k++] = m;
            if (m == l)
                break;
        }
        used += (size_t)snprintf(msg, sizeof msg, "extends cycle: ");
        for (size_t i = k; i-- > 1 && used < sizeof msg;)
            used += (size_t)snprintf(msg + used, sizeof msg - used, "%s -> ", order[i]->name);
        if (used < sizeof msg)
            snprintf(msg + used, sizeof msg - used, "%s", link.name);
        rc = sim_node_error(ext, err, "%s", msg);
        free(link.id);
        free(base_name);
        return rc;
    }
    sim_node *base;
    rc = load_file(t, base_name, &link, ext, &base, err);
    free(link.id);
    free(base_name);
    if (rc != SIM_OK)
        return rc;
    if ((rc = merge(base, doc)) != SIM_OK)
        return sim__nomem(err);
    *root = base;
    return SIM_OK;
}

static int finish(sim_node_tree *t, int rc, sim_node *doc, sim_node_tree **tree,
                  sim_node **root)
{
    if (rc != SIM_OK) {
        sim_node_tree_free(t);
        *tree = NULL;
        *root = NULL;
        return rc;
    }
    *tree = t;
    *root = doc;
    return SIM_OK;
}

int sim_yaml_load(const char *path, sim_node_tree **tree, sim_node **root,
                  struct sim_error *err)
{
    sim_node_tree *t = sim__tree_alloc();
    if (!t)
        return sim__nomem(err);
    chain_link top = {.name = path, .id = realpath(path, NULL)};
    if (!top.id)
        top.id = strdup(path);
    sim_node *doc = NULL;
    int rc = top.id ? load_file(t, path, &top, NULL, &doc, err) : sim__nomem(err);
    free(top.id);
    return finish(t, rc, doc, tree, root);
}

int sim_yaml_load_string(const char *text, const char *name, sim_node_tree **tree,
                         sim_node **root, struct sim_error *err)
{
    if (!name)
        name = "<string>";
    sim_node_tree *t = sim__tree_alloc();
    if (!t)
        return sim__nomem(err);
    chain_link top = {.name = name, .id = realpath(name, NULL)};
    if (!top.id)
        top.id = strdup(name);
    sim_node *doc = NULL;
    int rc = top.id ? load_text(t, text, strlen(text), name, &top, &doc, err)
                    : sim__nomem(err);
    free(top.id);
    return finish(t, rc, doc, tree, root);
}
