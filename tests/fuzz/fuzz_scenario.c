/*
 * tests/fuzz/fuzz_scenario.c: libFuzzer entry point for the scenario reader.
 *
 * Each input is loaded with sim_yaml_load_string. When it loads, every node is read with
 * every reader (they must answer without crashing, and a failure must come with a message),
 * unknown keys are checked, and the tree is emitted and loaded again: the second tree must
 * equal the first, and emitting it again must give the same text. The input is also used
 * as a --set value. Any mismatch aborts, which libFuzzer reports as a crash.
 *
 * The file name points into a directory that does not exist, so relative extends always
 * fail the same way (an absolute one may still read a real file, harmlessly).
 *
 * Then the input is written to a private directory and opened as a scenario with
 * capsim_scenario_open, which configures every model whose sections it holds (queue,
 * elective, loss, ucch, virtual_ward, beds), the `system:` section, `flows:` and uncertain
 * inputs; each model's estimate hook (models/model.h) is asked too. A failure must come
 * as SIM_EINPUT, SIM_EIO or SIM_ENOMEM with a message.
 *
 * Built by CMake with -DCAPSIM_FUZZ=ON (clang); run with scripts/fuzz.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "scenario.h"
#include "scenario/yaml.h"

#define FUZZ_NAME "/nonexistent-capsim-fuzz/fuzz.yaml"

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_scenario: %s\n", what);
        abort();
    }
}

static void check_error(int rc, const struct sim_error *err)
{
    if (rc == SIM_OK)
        return;
    check(rc == SIM_EINPUT || rc == SIM_EIO || rc == SIM_ENOMEM, "unexpected error code");
    check(err->message[0] != '\0', "an error without a message");
    char buf[2048];
    sim_error_format(err, buf, sizeof buf);
}

/*
 * A plain scalar libyaml will not write plain comes back quoted (documented in
 * yaml_edit.c); that is only allowed for texts no number, bool or fraction reader accepts,
 * so every reader still gives the same answer.
 */
static bool plain_only_as_string(sim_node *a)
{
    struct sim_error err;
    double x;
    long l;
    bool b;
    return !a->quoted && sim_node_number(a, NULL, -INFINITY, INFINITY, &x, &err) != SIM_OK &&
           sim_node_int(a, NULL, LONG_MIN, LONG_MAX, &l, &err) != SIM_OK &&
           sim_node_fraction(a, NULL, -INFINITY, INFINITY, &x, &err) != SIM_OK &&
           sim_node_bool(a, NULL, &b, &err) != SIM_OK && a->text[0] != '\0';
}

static bool same_tree_flip(sim_node *a, const sim_node *b, bool *flipped)
{
    if (a->kind != b->kind || a->n != b->n)
        return false;
    if (a->kind == SIM_NODE_SCALAR) {
        if (strcmp(a->text, b->text) != 0)
            return false;
        if (a->quoted == b->quoted)
            return true;
        *flipped = true;
        return b->quoted && plain_only_as_string(a);
    }
    for (size_t i = 0; i < a->n; i++) {
        if (a->kind == SIM_NODE_MAP && strcmp(a->keys[i], b->keys[i]) != 0)
            return false;
        if (strcmp(a->items[i]->path, b->items[i]->path) != 0)
            return false;
        if (!same_tree_flip(a->items[i], b->items[i], flipped))
            return false;
    }
    return true;
}

static bool same_tree(sim_node *a, const sim_node *b)
{
    bool flipped = false;
    return same_tree_flip(a, b, &flipped);
}

/* Emit, load, emit: the second text must equal the first (emit has reached its fixed point). */
static void check_fixed_point(const char *text)
{
    struct sim_error err;
    sim_node_tree *tree;
    sim_node *root;
    check(sim_yaml_load_string(text, "emitted.yaml", &tree, &root, &err) == SIM_OK,
          "emitted text does not load");
    char *again = sim_node_emit(root);
    check(again && strcmp(text, again) == 0, "emit is not stable");
    free(again);
    sim_node_tree_free(tree);
}

static void read_all(sim_node *root, sim_node *node)
{
    struct sim_error err;
    static const char *const choices[] = {"separate", "pooled", "mutual_aid", NULL};
    double x;
    long l;
    bool b;
    const char *s;
    sim_date d;
    int e;
    sim_node *sub;

    check(node->path != NULL && node->file != NULL, "a node without path or file");
    check(node->line >= 1 && node->column >= 1, "a node without a position");
    check_error(sim_node_number(node, NULL, -INFINITY, INFINITY, &x, &err), &err);
    check_error(sim_node_number_ex(node, NULL, 0, 1, SIM_NODE_GT_MIN, &x, &err), &err);
    check_error(sim_node_int(node, NULL, -5, 1000, &l, &err), &err);
    check_error(sim_node_fraction(node, NULL, 0, 1, &x, &err), &err);
    check_error(sim_node_bool(node, NULL, &b, &err), &err);
    check_error(sim_node_string(node, NULL, &s, &err), &err);
    check_error(sim_node_date(node, NULL, &d, &err), &err);
    check_error(sim_node_enum(node, NULL, choices, &e, &err), &err);
    check_error(sim_node_map(node, NULL, &sub, &err), &err);
    check_error(sim_node_seq(node, NULL, &sub, &err), &err);
    check_error(sim_node_opt_number(node, "name", 0, 10, &x, &err), &err);
    check_error(sim_node_opt_string(node, "sesions", &s, &err), &err);
    sim_node *at = sim_node_at(root, node->path);
    (void)at;
    for (size_t i = 0; i < node->n; i++)
        read_all(root, node->items[i]);
}

static char open_dir[64], open_path[128];

static void remove_open_dir(void)
{
    unlink(open_path);
    rmdir(open_dir);
}

/* The input as a scenario file, through every model's configuration. */
static void open_scenario(const uint8_t *data, size_t size)
{
    if (!open_dir[0]) {
        snprintf(open_dir, sizeof open_dir, "/tmp/capsim-fuzz-scenario-XXXXXX");
        check(mkdtemp(open_dir) != NULL, "cannot make a directory");
        snprintf(open_path, sizeof open_path, "%s/scenario.yaml", open_dir);
        atexit(remove_open_dir);
    }
    FILE *f = fopen(open_path, "wb");
    if (!f)
        return;
    bool ok = fwrite(data, 1, size, f) == size;
    if (fclose(f) != 0 || !ok)
        return;
    struct sim_error err;
    sim_error_clear(&err);
    capsim_loaded *l = NULL;
    int rc = capsim_scenario_open(open_path, NULL, 0, &l, &err);
    check_error(rc, &err);
    if (rc != SIM_OK)
        return;
    check(l->n_models >= 1, "a scenario opened with no model");
    for (size_t i = 0; i < l->n_models; i++) {
        if (!l->models[i]->estimate)
            continue;
        double events = -1, bytes = -1;
        if (l->models[i]->estimate(l->cfgs[i], &events, &bytes) == 0)
            check(events >= 0 && bytes >= 0, "a negative estimate");
    }
    capsim_scenario_close(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    open_scenario(data, size);

    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    struct sim_error err;
    sim_node_tree *tree = NULL;
    sim_node *root = NULL;
    int rc = sim_yaml_load_string(text, FUZZ_NAME, &tree, &root, &err);
    check_error(rc, &err);
    if (rc == SIM_OK) {
        check(root->kind == SIM_NODE_MAP, "the root is not a map");
        rc = sim_node_check_unused(root, &err);
        check(rc != SIM_OK || root->n == 0, "an unread key was not reported");
        check_error(rc, &err);
        char *out = sim_node_emit(root);
        check(out != NULL, "emit failed");
        sim_node_tree *tree2 = NULL;
        sim_node *root2 = NULL;
        rc = sim_yaml_load_string(out, "emitted.yaml", &tree2, &root2, &err);
        if (rc != SIM_OK) {
            char buf[2048];
            sim_error_format(&err, buf, sizeof buf);
            fprintf(stderr, "emitted text does not load: %s\n---\n%s---\n", buf, out);
            abort();
        }
        bool flipped = false;
        if (!same_tree_flip(root, root2, &flipped)) {
            fprintf(stderr, "round trip differs:\n---\n%s---\n", out);
            abort();
        }
        char *again = sim_node_emit(root2);
        check(again != NULL, "emit failed");
        if (!flipped)
            check(strcmp(out, again) == 0, "emit is not stable");
        check_fixed_point(again);
        free(again);
        free(out);
        sim_node_tree_free(tree2);

        read_all(root, root);
        check_error(sim_node_check_unused(root, &err), &err);
        if (root->n > 0) {
            char path[300];
            snprintf(path, sizeof path, "%s.extra[0]", root->items[0]->path);
            check_error(sim_node_set_path(root, path, "1", "--set", &err), &err);
            check_error(sim_node_set_path(root, root->items[0]->path, "[1, {a: b}]", "--set",
                                          &err),
                        &err);
        }
        sim_node_tree_free(tree);
    }

    /* The input as a --set value. */
    rc = sim_yaml_load_string("fuzz: {value: 0}\n", "base.yaml", &tree, &root, &err);
    check(rc == SIM_OK, "the fixed document does not load");
    rc = sim_node_set_path(root, "fuzz.value", text, "--set", &err);
    check_error(rc, &err);
    if (rc == SIM_OK) {
        char *out = sim_node_emit(root);
        check(out != NULL, "emit failed after set");
        free(out);
        read_all(root, root);
    }
    rc = sim_node_set_path(root, text, "2", "--set", &err);
    check_error(rc, &err);
    if (rc == SIM_OK) {
        /* Keys made from a path must still emit and read back (or emit must refuse). */
        char *out = sim_node_emit(root);
        if (out) {
            sim_node_tree *tree2 = NULL;
            sim_node *root2 = NULL;
            rc = sim_yaml_load_string(out, "emitted.yaml", &tree2, &root2, &err);
            if (rc != SIM_OK || !same_tree(root, root2)) {
                fprintf(stderr, "set_path result does not round trip:\n---\n%s---\n", out);
                abort();
            }
            sim_node_tree_free(tree2);
            free(out);
        }
    }
    sim_node_tree_free(tree);
    free(text);
    return 0;
}
