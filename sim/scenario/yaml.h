/*
 * sim/scenario/yaml.h: the strict scenario reader.
 *
 * A YAML file is read with libyaml into a tree of sim_node: maps (keys kept in file order),
 * sequences and scalars, each node remembering the file, line and column it came from and
 * its key path ("trusts[1].theatres.sessions_per_week"). Anchors and aliases, tags, and
 * duplicate keys are errors.
 *
 * `extends: base.yaml` (a path relative to the extending file) loads the base first and
 * then lays the extending file over it: maps merge key by key, recursively; scalars and
 * sequences replace. Chains of extends work; a cycle is an error. Nodes keep the file they
 * came from, so an error in a base value names the base file.
 *
 * Numbers are read strictly by sim_node_number and friends: decimal only, with an optional
 * sign, fraction and exponent ("12", "-3", "0.25", "1.5e3"). Leading zeros ("08", "010"),
 * hex ("0x1A"), trailing text ("12beds"), overflow ("1e400"), "nan", "inf" and ".inf" are
 * rejected at the value's own line and column. Quoted scalars are strings, never numbers.
 *
 * Every reader checks what it reads, marks the node as used, and on failure fills a
 * sim_error with the node's file, line, column and path and a message of the form
 *   expected a number >= 0, got "-3"
 * After a model has read its part, sim_node_check_unused (or sim_node_check_keys, for one
 * map) reports keys nobody read as unknown, with a suggestion when a known key is close:
 *   unknown key "sesions_per_week" (did you mean "sessions_per_week"?)
 */
#ifndef SIM_YAML_H
#define SIM_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "core/calendar.h"

struct sim_error;

typedef enum sim_node_kind { SIM_NODE_SCALAR, SIM_NODE_MAP, SIM_NODE_SEQ } sim_node_kind;

typedef struct sim_node {
    sim_node_kind kind;
    char *text;             /* scalar text (NULL for maps and sequences) */
    bool quoted;            /* scalar was quoted ('...' or "...") */
    bool used;              /* set by the readers below */
    const char *file;       /* the file it came from (shared, owned by the tree) */
    int line, column;       /* 1-based position of the value */
    int key_line, key_column; /* 1-based position of its key in a map, else = line, column */
    char *path;             /* key path from the root, e.g. "specialties[0].backlog.WSFT" */
    size_t n;               /* number of children (map entries or sequence items) */
    char **keys;            /* map: the keys, in file order */
    struct sim_node **items; /* map values or sequence items */
    struct sim_node_tree *tree; /* the tree that owns it */
    struct sim__key_index *key_index; /* private: hash index of a large map's keys */
} sim_node;

/* Owns the nodes and file names of one loaded document. */
typedef struct sim_node_tree sim_node_tree;

/*
 * Load a file (following extends). On success *root is the merged document (a map) and
 * *tree owns it. On failure returns SIM_EIO (missing or unreadable file) or SIM_EINPUT
 * (syntax or structure), with err naming the file, line and column.
 */
int sim_yaml_load(const char *path, sim_node_tree **tree, sim_node **root,
                  struct sim_error *err);

/* Load from a string; `name` is used as the file name in errors and for relative extends. */
int sim_yaml_load_string(const char *text, const char *name, sim_node_tree **tree,
                         sim_node **root, struct sim_error *err);

/*
 * The files a tree was read from: the scenario file, then every base its extends chain
 * named (and the origins of overrides, such as "--set", which are not files). For
 * comparing an output file's identity with every input.
 */
size_t sim_node_tree_file_count(const sim_node_tree *tree);
const char *sim_node_tree_file(const sim_node_tree *tree, size_t i);

/* Free a tree and every node in it; NULL is a no-op. */
void sim_node_tree_free(sim_node_tree *tree);

/*
 * Set the value at `path` ("specialties[0].admitted_share", "theatres[2].cancel_on_day")
 * to `yaml_value` (parsed as YAML, so "0.3", "[1, 2]" or "{mean: 5}" all work), creating
 * map keys that do not exist; the new nodes report `origin` (e.g. "--set" or a batch file)
 * as their file. Used for sweeps and command-line overrides.
 */
int sim_node_set_path(sim_node *root, const char *path, const char *yaml_value,
                      const char *origin, struct sim_error *err);

/*
 * A value may carry where it was written: "VALUE\x1fFILE\x1fLINE\x1fCOLUMN" (the unit
 * separator cannot occur in YAML text). The new nodes then report that file and position,
 * so an override from a batch file's set: or sweep: is named by the batch file's line.
 */
#define SIM_NODE_ORIGIN_SEP '\x1f'


/* The node at `path` or NULL. */
sim_node *sim_node_at(sim_node *root, const char *path);

/* Emit the tree as YAML text (the scenario as run, after extends and overrides); malloc'd. */
char *sim_node_emit(const sim_node *root);

/* Map lookup: the value under `key`, or NULL (does not mark it used). */
sim_node *sim_node_get(const sim_node *map, const char *key);

/* True if `map` has `key`. */
bool sim_node_has(const sim_node *map, const char *key);

/* Mark a node and (recursively) its children as used. */
void sim_node_mark_used(sim_node *node, bool recursive);

/*
 * Readers. Each reads the value under `key` of `map` (or, with key == NULL, `map` itself),
 * checks it, marks it used and stores it. A missing required key is an error at the map's
 * position naming the key path; sim_node_opt_* leave *out untouched and return SIM_OK when
 * the key is absent.
 */
int sim_node_map(const sim_node *map, const char *key, sim_node **out, struct sim_error *err);
int sim_node_seq(const sim_node *map, const char *key, sim_node **out, struct sim_error *err);
int sim_node_number(const sim_node *map, const char *key, double min, double max, double *out,
                    struct sim_error *err);
int sim_node_opt_number(const sim_node *map, const char *key, double min, double max,
                        double *out, struct sim_error *err);
int sim_node_int(const sim_node *map, const char *key, long min, long max, long *out,
                 struct sim_error *err);
int sim_node_opt_int(const sim_node *map, const char *key, long min, long max, long *out,
                     struct sim_error *err);
/* A fraction written as 0.05 or 5%; stored as 0.05. */
int sim_node_fraction(const sim_node *map, const char *key, double min, double max,
                      double *out, struct sim_error *err);
int sim_node_opt_fraction(const sim_node *map, const char *key, double min, double max,
                          double *out, struct sim_error *err);
/* A string (a scalar; numbers are accepted as their text). *out points into the tree. */
int sim_node_string(const sim_node *map, const char *key, const char **out,
                    struct sim_error *err);
int sim_node_opt_string(const sim_node *map, const char *key, const char **out,
                        struct sim_error *err);
int sim_node_bool(const sim_node *map, const char *key, bool *out, struct sim_error *err);
int sim_node_opt_bool(const sim_node *map, const char *key, bool *out, struct sim_error *err);
/* A date "YYYY-MM-DD". */
int sim_node_date(const sim_node *map, const char *key, sim_date *out, struct sim_error *err);
int sim_node_opt_date(const sim_node *map, const char *key, sim_date *out,
                      struct sim_error *err);
/* One of `choices` (NULL-terminated); *out is its index. The error lists the choices. */
int sim_node_enum(const sim_node *map, const char *key, const char *const *choices, int *out,
                  struct sim_error *err);
int sim_node_opt_enum(const sim_node *map, const char *key, const char *const *choices,
                      int *out, struct sim_error *err);

/*
 * The general forms of sim_node_number and sim_node_fraction. `flags` combines:
 * SIM_NODE_OPTIONAL (an absent key leaves *out untouched and is not an error),
 * SIM_NODE_GT_MIN (the value must be > min, not >= min) and SIM_NODE_LT_MAX (< max).
 * Messages then read "expected a number > 0, got "0"" or "... > 0 and <= 1, ...".
 */
enum { SIM_NODE_OPTIONAL = 1, SIM_NODE_GT_MIN = 2, SIM_NODE_LT_MAX = 4 };
int sim_node_number_ex(const sim_node *map, const char *key, double min, double max,
                       unsigned flags, double *out, struct sim_error *err);
int sim_node_fraction_ex(const sim_node *map, const char *key, double min, double max,
                         unsigned flags, double *out, struct sim_error *err);

/* Fill err for `node` with a printf-style message; returns SIM_EINPUT. */
int sim_node_error(const sim_node *node, struct sim_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Unknown keys: report the first key of `map` not in `allowed` (NULL-terminated). */
int sim_node_check_keys(const sim_node *map, const char *const *allowed, struct sim_error *err);

/* Report the first node under `root` (in file order) that no reader marked as used. */
int sim_node_check_unused(const sim_node *root, struct sim_error *err);

/* Levenshtein-closest of `candidates` to `word` within distance 2 (or 1 for short words), or NULL. */
const char *sim_closest_word(const char *word, const char *const *candidates);

#endif
