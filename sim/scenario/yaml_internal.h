/*
 * sim/scenario/yaml_internal.h: what the files of the scenario reader (yaml_load.c, yaml_read.c,
 * yaml_edit.c) share and nobody else should use.
 *
 * A tree owns every node it ever allocated in one array, whether or not the node is still
 * reachable from the root: merging (extends) and sim_node_set_path replace nodes without
 * freeing them, so a pointer a model took earlier never dangles while the tree lives.
 */
#ifndef SIM_YAML_INTERNAL_H
#define SIM_YAML_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "yaml.h"

struct sim_error;

/* A key some reader looked up in a map, remembered to suggest it for a misspelt key. */
typedef struct sim__asked {
    const sim_node *map;
    char *key;
} sim__asked;

struct sim_node_tree {
    sim_node **nodes;
    size_t n_nodes, cap_nodes;
    char **files;
    size_t n_files, cap_files;
    sim__asked *asked;
    size_t n_asked, cap_asked;
};

/* Nesting deeper than this is refused (it keeps the recursive reader off the stack limit). */
#define SIM__YAML_MAX_DEPTH 200

/* A scenario file larger than this is refused before it is read (16 MiB). */
#define SIM__YAML_MAX_FILE_BYTES (16L * 1024 * 1024)

sim_node_tree *sim__tree_alloc(void);

/*
 * Read a whole input file named by a scenario (a scenario or a data file it names): only a
 * regular file of at most SIM__YAML_MAX_FILE_BYTES. 0 on success (*text malloc'd,
 * NUL-terminated); else -1 with *why the reason ("No such file or directory", "not a regular
 * file ...", "the file is larger than 16 MiB ...").
 */
int sim__read_input(const char *path, char **text, size_t *len, const char **why);

/* `target` as named from inside the file `from`: relative to from's directory (malloc'd). */
char *sim__resolve_path(const char *from, const char *target);

/* A new node owned by `t` (all other fields zero, key position = position); NULL if out of memory. */
sim_node *sim__node_new(sim_node_tree *t, sim_node_kind kind, const char *file, int line,
                        int column);

/* Append a child to a map (key owned by the map on success) or a sequence (key NULL). */
int sim__node_push(sim_node *parent, char *key, sim_node *child);

/* A copy of `name` kept by the tree (so nodes can point at it); NULL if out of memory. */
const char *sim__tree_file(sim_node_tree *t, const char *name);

/* "parent.key" (or "key" at the root) and "parent[i]"; malloc'd, NULL if out of memory. */
char *sim__path_key(const char *parent, const char *key);
char *sim__path_index(const char *parent, size_t i);

/* Give `node` the path `path` and its descendants theirs. SIM_OK or SIM_ENOMEM. */
int sim__set_paths(sim_node *node, const char *path);

/*
 * Parse one YAML document of `len` bytes into nodes of `t` whose paths start at `path`.
 * With any_root false the document must be a non-empty map (a scenario file); with it true
 * any node is accepted and an empty text gives an empty plain scalar (a --set value).
 * `depth` is how deep the document's root will sit in the tree (0 for a file).
 */
int sim__parse(sim_node_tree *t, const char *text, size_t len, const char *file,
               const char *path, int depth, bool any_root, sim_node **out,
               struct sim_error *err);

/* Index of `key` in map `map`, or -1. */
long sim__map_find(const sim_node *map, const char *key);

/* After keys[n-1] of `map` was pushed: extend its key index (yaml_index.c). */
void sim__index_pushed(sim_node *map);
/* Free a node's key index. */
void sim__index_free(sim_node *map);

/* "a map", "a sequence", "nothing" (an empty plain scalar) or the scalar's text quoted. */
void sim__describe(const sim_node *node, bool string_if_quoted, char *buf, size_t size);

/* Fill err with an out-of-memory message; returns SIM_ENOMEM. */
int sim__nomem(struct sim_error *err);

#endif
