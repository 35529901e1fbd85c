#include "testutil.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "scenario/yaml.h"

/* ---- helpers -------------------------------------------------------------------------- */

static char g_msg[2048];

static const char *fmt_err(const struct sim_error *err)
{
    sim_error_format(err, g_msg, sizeof g_msg);
    return g_msg;
}

/* Load text named `name`; the formatted error, or "OK" (the tree is freed either way). */
static const char *load_msg(const char *text, const char *name)
{
    sim_node_tree *tree = NULL;
    sim_node *root = NULL;
    struct sim_error err;
    sim_error_clear(&err);
    int rc = sim_yaml_load_string(text, name, &tree, &root, &err);
    if (rc == SIM_OK) {
        sim_node_tree_free(tree);
        return "OK";
    }
    assert_null(tree);
    assert_int_equal(rc, SIM_EINPUT);
    return fmt_err(&err);
}

#define ASSERT_LOAD(text, expected) assert_string_equal(load_msg(text, "x.yaml"), expected)

static sim_node *must_load(const char *text, sim_node_tree **tree)
{
    sim_node *root = NULL;
    struct sim_error err;
    sim_error_clear(&err);
    int rc = sim_yaml_load_string(text, "x.yaml", tree, &root, &err);
    if (rc != SIM_OK)
        fail_msg("load failed: %s", fmt_err(&err));
    return root;
}

/* Read `value` (as the text of key v) with sim_node_number(min, max); message or "OK". */
static const char *number_msg(const char *value, double min, double max, double *out)
{
    char text[512];
    snprintf(text, sizeof text, "v: %s\n", value);
    sim_node_tree *tree;
    sim_node *root = must_load(text, &tree);
    struct sim_error err;
    sim_error_clear(&err);
    double x = NAN;
    int rc = sim_node_number(root, "v", min, max, &x, &err);
    sim_node_tree_free(tree);
    if (out)
        *out = x;
    if (rc == SIM_OK)
        return "OK";
    assert_int_equal(rc, SIM_EINPUT);
    return fmt_err(&err);
}

static const char *int_msg(const char *value, long min, long max, long *out)
{
    char text[512];
    snprintf(text, sizeof text, "v: %s\n", value);
    sim_node_tree *tree;
    sim_node *root = must_load(text, &tree);
    struct sim_error err;
    sim_error_clear(&err);
    int rc = sim_node_int(root, "v", min, max, out, &err);
    sim_node_tree_free(tree);
    return rc == SIM_OK ? "OK" : fmt_err(&err);
}

static const char *fraction_msg(const char *value, double *out)
{
    char text[512];
    snprintf(text, sizeof text, "v: %s\n", value);
    sim_node_tree *tree;
    sim_node *root = must_load(text, &tree);
    struct sim_error err;
    sim_error_clear(&err);
    int rc = sim_node_fraction(root, "v", 0, 1, out, &err);
    sim_node_tree_free(tree);
    return rc == SIM_OK ? "OK" : fmt_err(&err);
}

/* ---- structure errors ------------------------------------------------------------------ */

static void test_bad_documents(void **state)
{
    (void)state;
    ASSERT_LOAD("", "x.yaml: the scenario is empty");
    ASSERT_LOAD("# only a comment\n\n", "x.yaml: the scenario is empty");
    ASSERT_LOAD("---\n", "x.yaml: the scenario is empty");
    ASSERT_LOAD("- a\n- b\n",
                "x.yaml:1:1: expected a map of keys at the top level, got a sequence");
    ASSERT_LOAD("just text\n", "x.yaml:1:1: expected a map of keys at the top level, got a scalar");
    ASSERT_LOAD("a: 1\n---\nb: 2\n",
                "x.yaml:2:1: more than one document in the file (a scenario file holds one)");
    ASSERT_LOAD("name: a\nhorizon_days: 3\nname: b\n",
                "x.yaml:3:1: name: duplicate key \"name\" (first at line 1)");
    ASSERT_LOAD("trusts:\n  - name: A\n    beds: 3\n    beds: 4\n",
                "x.yaml:4:5: trusts[0].beds: duplicate key \"beds\" (first at line 3)");
    ASSERT_LOAD("a: {x: 1, y: 2, x: 3}\n",
                "x.yaml:1:17: a.x: duplicate key \"x\" (first at line 1)");
    ASSERT_LOAD("base: &b {x: 1}\n",
                "x.yaml:1:7: base: anchor \"&b\" is not supported (write the value out, or use extends)");
    ASSERT_LOAD("a: 1\nb: *a\n",
                "x.yaml:2:4: b: alias \"*a\" is not supported (write the value out, or use extends)");
    ASSERT_LOAD("a: !!str 12\n",
                "x.yaml:1:4: a: tag \"tag:yaml.org,2002:str\" is not supported (quote the value to make it a string)");
    ASSERT_LOAD("a: !custom\n  x: 1\n",
                "x.yaml:1:4: a: tag \"!custom\" is not supported (quote the value to make it a string)");
    ASSERT_LOAD("? [a, b]\n: 1\n", "x.yaml:1:3: expected a key (a scalar), got a sequence");
    ASSERT_LOAD("m: {{a: 1}: 2}\n", "x.yaml:1:5: m: expected a key (a scalar), got a map");
    ASSERT_LOAD("\"\": 1\n", "x.yaml:1:1: a key cannot be empty");
    ASSERT_LOAD("a: \"x\\0y\"\n", "x.yaml:1:4: a: a value cannot contain a NUL character");
    /* libyaml's own syntax messages at its positions. */
    ASSERT_LOAD("a: b: c\n", "x.yaml:1:5: mapping values are not allowed in this context");
    ASSERT_LOAD("a: [1, 2\nb: 3\n",
                "x.yaml:2:2: did not find expected ',' or ']' "
                "(while parsing a flow sequence at line 1, column 4)");
    ASSERT_LOAD("a:\n  b: 1\n c: 2\n",
                "x.yaml:3:2: did not find expected key "
                "(while parsing a block mapping at line 1, column 1)");
    ASSERT_LOAD("a: 'open\n",
                "x.yaml:2:1: found unexpected end of stream "
                "(while scanning a quoted scalar at line 1, column 4)");
    ASSERT_LOAD("a:\n\tb: 1\n",
                "x.yaml:2:1: found character that cannot start any token "
                "(while scanning for the next token at line 2, column 1)");
    ASSERT_LOAD("a: \x01\n", "x.yaml:1:4: control characters are not allowed (#x01)");
    ASSERT_LOAD("a: \xff\n", "x.yaml:1:4: invalid leading UTF-8 octet (#xFF)");
}

static void test_deep_nesting(void **state)
{
    (void)state;
    size_t depth = 300;
    char *text = malloc(depth * 2 + 16);
    size_t n = 0;
    n += (size_t)sprintf(text, "a: ");
    for (size_t i = 0; i < depth; i++)
        text[n++] = '[';
    for (size_t i = 0; i < depth; i++)
        text[n++] = ']';
    text[n++] = '\n';
    text[n] = '\0';
    const char *msg = load_msg(text, "x.yaml");
    free(text);
    assert_non_null(strstr(msg, "nesting is deeper than 200 levels"));
    assert_int_equal(strncmp(msg, "x.yaml:1:204: a[0][0]", 21), 0);
}

static void test_missing_file(void **state)
{
    (void)state;
    sim_node_tree *tree = (sim_node_tree *)&tree;
    sim_node *root = NULL;
    struct sim_error err;
    const char *dir = tu_tmpdir("yaml_missing");
    char path[4200];
    snprintf(path, sizeof path, "%s/nope.yaml", dir);
    int rc = sim_yaml_load(path, &tree, &root, &err);
    assert_int_equal(rc, SIM_EIO);
    assert_null(tree);
    char expected[4400];
    snprintf(expected, sizeof expected, "%s: cannot open: No such file or directory", path);
    assert_string_equal(fmt_err(&err), expected);

    rc = sim_yaml_load(dir, &tree, &root, &err);
    assert_int_equal(rc, SIM_EIO);
    snprintf(expected, sizeof expected, "%s: cannot read: Is a directory", dir);
    assert_string_equal(fmt_err(&err), expected);
}

/* ---- positions and paths ----------------------------------------------------------------- */

static void test_positions(void **state)
{
    (void)state;
    sim_node_tree *tree;
    sim_node *root = must_load("# comment\n"
                               "name: test\n"
                               "trusts:\n"
                               "  - name: WSFT\n"
                               "    theatres: {sessions_per_week: 12, list: [1,  2]}\n"
                               "  - name: ESNEFT\n"
                               "    theatres:\n"
                               "      sessions_per_week:   -3\n"
                               "specialties:\n"
                               "  - backlog: {WSFT: {total: 5}, 0-18: 0.5}\n",
                               &tree);
    sim_node *n = sim_node_at(root, "name");
    assert_int_equal(n->line, 2);
    assert_int_equal(n->column, 7);
    assert_int_equal(n->key_line, 2);
    assert_int_equal(n->key_column, 1);
    assert_string_equal(n->path, "name");
    assert_string_equal(n->file, "x.yaml");

    n = sim_node_at(root, "trusts[0].theatres.sessions_per_week");
    assert_non_null(n);
    assert_int_equal(n->line, 5);
    assert_int_equal(n->column, 35);
    assert_int_equal(n->key_column, 16);
    assert_string_equal(n->path, "trusts[0].theatres.sessions_per_week");
    n = sim_node_at(root, "trusts[0].theatres.list[1]");
    assert_int_equal(n->line, 5);
    assert_int_equal(n->column, 50);
    assert_string_equal(n->path, "trusts[0].theatres.list[1]");
    n = sim_node_at(root, "trusts[1]");
    assert_int_equal(n->kind, SIM_NODE_MAP);
    assert_int_equal(n->line, 6);
    assert_int_equal(n->column, 5);
    n = sim_node_at(root, "trusts[1].theatres.sessions_per_week");
    assert_int_equal(n->line, 8);
    assert_int_equal(n->column, 28);
    n = sim_node_at(root, "specialties[0].backlog.WSFT.total");
    assert_string_equal(n->path, "specialties[0].backlog.WSFT.total");
    assert_string_equal(sim_node_at(root, "specialties[0].backlog.0-18")->text, "0.5");
    assert_null(sim_node_at(root, "trusts[2]"));
    assert_null(sim_node_at(root, "trusts.name"));
    assert_null(sim_node_at(root, "name[0]"));
    assert_null(sim_node_at(root, "nothing"));

    /* The design's example message, exactly. */
    struct sim_error err;
    sim_node *trusts, *t1, *th;
    double x;
    assert_int_equal(sim_node_seq(root, "trusts", &trusts, &err), SIM_OK);
    t1 = trusts->items[1];
    assert_int_equal(sim_node_map(t1, "theatres", &th, &err), SIM_OK);
    assert_int_equal(sim_node_number(th, "sessions_per_week", 0, INFINITY, &x, &err),
                     SIM_EINPUT);
    assert_string_equal(fmt_err(&err), "x.yaml:8:28: trusts[1].theatres.sessions_per_week: "
                                       "expected a number >= 0, got \"-3\"");
    sim_node_tree_free(tree);
}

/* ---- strict numbers ------------------------------------------------------------------- */

static void test_numbers(void **state)
{
    (void)state;
    double x;
    const double inf = INFINITY;
    struct {
        const char *text;
        double value;
    } good[] = {{"0", 0},        {"12", 12},     {"-3", -3},        {"+4", 4},
                {"0.5", 0.5},    {"-0.25", -0.25}, {"1.5e3", 1500}, {"2E-2", 0.02},
                {"1e+2", 100},   {"0e5", 0},     {"-0", 0},         {"1e-400", 0}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_string_equal(number_msg(good[i].text, -inf, inf, &x), "OK");
        assert_true(x == good[i].value);
    }
    struct {
        const char *text, *msg;
    } bad[] = {
        {"08", "x.yaml:1:4: v: expected a number, got \"08\""},
        {"010", "x.yaml:1:4: v: expected a number, got \"010\""},
        {"-07", "x.yaml:1:4: v: expected a number, got \"-07\""},
        {"00", "x.yaml:1:4: v: expected a number, got \"00\""},
        {"0x1A", "x.yaml:1:4: v: expected a number, got \"0x1A\""},
        {"0o17", "x.yaml:1:4: v: expected a number, got \"0o17\""},
        {"0b101", "x.yaml:1:4: v: expected a number, got \"0b101\""},
        {"12beds", "x.yaml:1:4: v: expected a number, got \"12beds\""},
        {"1e400", "x.yaml:1:4: v: number out of range: \"1e400\""},
        {"-1e400", "x.yaml:1:4: v: number out of range: \"-1e400\""},
        {"nan", "x.yaml:1:4: v: expected a number, got \"nan\""},
        {".nan", "x.yaml:1:4: v: expected a number, got \".nan\""},
        {"inf", "x.yaml:1:4: v: expected a number, got \"inf\""},
        {".inf", "x.yaml:1:4: v: expected a number, got \".inf\""},
        {"-.inf", "x.yaml:1:4: v: expected a number, got \"-.inf\""},
        {"", "x.yaml:1:3: v: expected a number, got nothing"},
        {"1_000", "x.yaml:1:4: v: expected a number, got \"1_000\""},
        {"\"12\"", "x.yaml:1:4: v: expected a number, got the string \"12\""},
        {"'12'", "x.yaml:1:4: v: expected a number, got the string \"12\""},
        {".5", "x.yaml:1:4: v: expected a number, got \".5\""},
        {"5.", "x.yaml:1:4: v: expected a number, got \"5.\""},
        {"1e", "x.yaml:1:4: v: expected a number, got \"1e\""},
        {"1,5", "x.yaml:1:4: v: expected a number, got \"1,5\""},
        {"12 beds", "x.yaml:1:4: v: expected a number, got \"12 beds\""},
        {"[1]", "x.yaml:1:4: v: expected a number, got a sequence"},
        {"{a: 1}", "x.yaml:1:4: v: expected a number, got a map"},
        {"true", "x.yaml:1:4: v: expected a number, got \"true\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_string_equal(number_msg(bad[i].text, -inf, inf, &x), bad[i].msg);
}

static void test_number_ranges(void **state)
{
    (void)state;
    double x;
    const double inf = INFINITY;
    assert_string_equal(number_msg("-3", 0, inf, &x),
                        "x.yaml:1:4: v: expected a number >= 0, got \"-3\"");
    assert_string_equal(number_msg("1.5", 0, 1, &x),
                        "x.yaml:1:4: v: expected a number between 0 and 1, got \"1.5\"");
    assert_string_equal(number_msg("1", 0, 1, &x), "OK");
    assert_string_equal(number_msg("0", 0, 1, &x), "OK");
    assert_string_equal(number_msg("101", -inf, 100, &x),
                        "x.yaml:1:4: v: expected a number <= 100, got \"101\"");
    assert_string_equal(number_msg("0.05", 0.1, 2.5, &x),
                        "x.yaml:1:4: v: expected a number between 0.1 and 2.5, got \"0.05\"");
    assert_string_equal(number_msg("2e6", -inf, 1e6, &x),
                        "x.yaml:1:4: v: expected a number <= 1000000, got \"2e6\"");

    /* Exclusive bounds through sim_node_number_ex. */
    sim_node_tree *tree;
    sim_node *root = must_load("zero: 0\none: 1\nhalf: 0.5\n", &tree);
    struct sim_error err;
    assert_int_equal(sim_node_number_ex(root, "zero", 0, inf, SIM_NODE_GT_MIN, &x, &err),
                     SIM_EINPUT);
    assert_string_equal(fmt_err(&err), "x.yaml:1:7: zero: expected a number > 0, got \"0\"");
    assert_int_equal(sim_node_number_ex(root, "one", 0, 1, SIM_NODE_GT_MIN | SIM_NODE_LT_MAX,
                                        &x, &err),
                     SIM_EINPUT);
    assert_string_equal(fmt_err(&err),
                        "x.yaml:2:6: one: expected a number > 0 and < 1, got \"1\"");
    assert_int_equal(sim_node_number_ex(root, "one", 0, 1, SIM_NODE_LT_MAX, &x, &err),
                     SIM_EINPUT);
    assert_string_equal(fmt_err(&err),
                        "x.yaml:2:6: one: expected a number >= 0 and < 1, got \"1\"");
    assert_int_equal(sim_node_number_ex(root, "one", -inf, 1, SIM_NODE_LT_MAX, &x, &err),
                     SIM_EINPUT);
    assert_string_equal(fmt_err(&err), "x.yaml:2:6: one: expected a number < 1, got \"1\"");
    x = 7;
    assert_int_equal(sim_node_number_ex(root, "half", 0, 1, SIM_NODE_GT_MIN | SIM_NODE_LT_MAX,
                                        &x, &err),
                     SIM_OK);
    assert_true(x == 0.5);
    x = 7;
    assert_int_equal(sim_node_number_ex(root, "absent", 0, 1, SIM_NODE_OPTIONAL, &x, &err),
                     SIM_OK);
    assert_true(x == 7);
    sim_node_tree_free(tree);
}

static void test_integers(void **state)
{
    (void)state;
    long v = 0;
    assert_string_equal(int_msg("42", LONG_MIN, LONG_MAX, &v), "OK");
    assert_int_equal(v, 42);
    assert_string_equal(int_msg("2.0", LONG_MIN, LONG_MAX, &v), "OK");
    assert_int_equal(v, 2);
    assert_string_equal(int_msg("1e3", LONG_MIN, LONG_MAX, &v), "OK");
    assert_int_equal(v, 1000);
    assert_string_equal(int_msg("9223372036854775807", LONG_MIN, LONG_MAX, &v), "OK");
    assert_true(v == LONG_MAX);
    assert_string_equal(int_msg("2.5", LONG_MIN, LONG_MAX, &v),
                        "x.yaml:1:4: v: expected a whole number, got \"2.5\"");
    assert_string_equal(int_msg("9223372036854775808", LONG_MIN, LONG_MAX, &v),
                        "x.yaml:1:4: v: number out of range: \"9223372036854775808\"");
    assert_string_equal(int_msg("1e19", LONG_MIN, LONG_MAX, &v),
                        "x.yaml:1:4: v: number out of range: \"1e19\"");
    assert_string_equal(int_msg("0", 1, LONG_MAX, &v),
                        "x.yaml:1:4: v: expected a whole number >= 1, got \"0\"");
    assert_string_equal(int_msg("11", 1, 10, &v),
                        "x.yaml:1:4: v: expected a whole number between 1 and 10, got \"11\"");
    assert_string_equal(int_msg("08", 0, 100, &v),
                        "x.yaml:1:4: v: expected a whole number between 0 and 100, got \"08\"");
    assert_string_equal(int_msg("'3'", LONG_MIN, 5, &v),
                        "x.yaml:1:4: v: expected a whole number <= 5, got the string \"3\"");
}

static void test_fractions(void **state)
{
    (void)state;
    double x;
    assert_string_equal(fraction_msg("0.05", &x), "OK");
    assert_true(x == 0.05);
    assert_string_equal(fraction_msg("5%", &x), "OK");
    assert_true(fabs(x - 0.05) < 1e-15);
    assert_string_equal(fraction_msg("100%", &x), "OK");
    assert_true(x == 1);
    assert_string_equal(fraction_msg("1.122%", &x), "OK");
    assert_true(fabs(x - 0.01122) < 1e-15);
    assert_string_equal(fraction_msg("150%", &x),
                        "x.yaml:1:4: v: expected a fraction between 0 and 1, got \"150%\"");
    assert_string_equal(fraction_msg("1.5", &x),
                        "x.yaml:1:4: v: expected a fraction between 0 and 1, got \"1.5\"");
    assert_string_equal(fraction_msg("5 %", &x),
                        "x.yaml:1:4: v: expected a fraction between 0 and 1, got \"5 %\"");
    assert_string_equal(fraction_msg("x%", &x),
                        "x.yaml:1:4: v: expected a fraction between 0 and 1, got \"x%\"");
    assert_string_equal(fraction_msg("05%", &x),
                        "x.yaml:1:4: v: expected a fraction between 0 and 1, got \"05%\"");
    assert_string_equal(fraction_msg("\"5%\"", &x),
                        "x.yaml:1:4: v: expected a fraction between 0 and 1, got the string \"5%\"");
}

static void test_bools_dates_strings_enums(void **state)
{
    (void)state;
    sim_node_tree *tree;
    sim_node *root = must_load("t: true\nf: false\ny: yes\non: on\nq: \"true\"\n"
                               "d: 2024-02-29\nbad_d: 2023-02-29\nqd: '2023-04-01'\n"
                               "s: hello\nnum: 12\nempty:\nqe: ''\nm: {a: 1}\n"
                               "p: poold\nw: xyz\n",
                               &tree);
    struct sim_error err;
    bool b = false;
    assert_int_equal(sim_node_bool(root, "t", &b, &err), SIM_OK);
    assert_true(b);
    assert_int_equal(sim_node_bool(root, "f", &b, &err), SIM_OK);
    assert_false(b);
    assert_int_equal(sim_node_bool(root, "y", &b, &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err), "x.yaml:3:4: y: expected true or false, got \"yes\"");
    assert_int_equal(sim_node_bool(root, "on", &b, &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err), "x.yaml:4:5: on: expected true or false, got \"on\"");
    assert_int_equal(sim_node_bool(root, "q", &b, &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err),
                        "x.yaml:5:4: q: expected true or false, got the string \"true\"");

    sim_date d = {0, 0, 0};
    assert_int_equal(sim_node_date(root, "d", &d, &err), SIM_OK);
    assert_int_equal(d.year, 2024);
    assert_int_equal(d.month, 2);
    assert_int_equal(d.day, 29);
    assert_int_equal(sim_node_date(root, "bad_d", &d, &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err),
                        "x.yaml:7:8: bad_d: expected a date (YYYY-MM-DD), got \"2023-02-29\": that day "
                        "does not exist (February 2023 has 28 days)");
    assert_int_equal(sim_node_date(root, "qd", &d, &err), SIM_OK);
    assert_int_equal(d.month, 4);
    assert_int_equal(sim_node_date(root, "s", &d, &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err),
                        "x.yaml:9:4: s: expected a date (YYYY-MM-DD), got \"hello\"");
    d.year = 1;
    assert_int_equal(sim_node_opt_date(root, "absent", &d, &err), SIM_OK);
    assert_int_equal(d.year, 1);

    const char *s = NULL;
    assert_int_equal(sim_node_string(root, "num", &s, &err), SIM_OK);
    assert_string_equal(s, "12");
    assert_int_equal(sim_node_string(root, "qe", &s, &err), SIM_OK);
    assert_string_equal(s, "");
    assert_int_equal(sim_node_string(root, "empty", &s, &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err), "x.yaml:11:7: empty: expected a string, got nothing");
    assert_int_equal(sim_node_string(root, "m", &s, &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err), "x.yaml:13:4: m: expected a string, got a map");
    assert_int_equal(sim_node_string(root, "missing", &s, &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err), "x.yaml:1:1: missing: missing required key \"missing\"");

    static const char *const policies[] = {"separate", "pooled", "mutual_aid", NULL};
    int e = -1;
    assert_int_equal(sim_node_enum(root, "p", policies, &e, &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err),
                        "x.yaml:14:4: p: expected one of \"separate\", \"pooled\", "
                        "\"mutual_aid\", got \"poold\" (did you mean \"pooled\"?)");
    assert_int_equal(sim_node_enum(root, "w", policies, &e, &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err),
                        "x.yaml:15:4: w: expected one of \"separate\", \"pooled\", "
                        "\"mutual_aid\", got \"xyz\"");
    sim_node *p = sim_node_get(root, "p");
    free(p->text);
    p->text = strdup("mutual_aid");
    assert_int_equal(sim_node_enum(root, "p", policies, &e, &err), SIM_OK);
    assert_int_equal(e, 2);
    sim_node_tree_free(tree);
}

static void test_kinds_and_missing(void **state)
{
    (void)state;
    sim_node_tree *tree;
    sim_node *root = must_load("name: x\n"
                               "trusts:\n"
                               "  - name: A\n"
                               "    theatres:\n"
                               "      count: 2\n"
                               "list: [a, b]\n"
                               "scalar: 3\n",
                               &tree);
    struct sim_error err;
    sim_node *node;
    double x;
    assert_int_equal(sim_node_map(root, "list", &node, &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err), "x.yaml:6:7: list: expected a map, got a sequence");
    assert_int_equal(sim_node_seq(root, "scalar", &node, &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err), "x.yaml:7:9: scalar: expected a sequence, got \"3\"");
    assert_int_equal(sim_node_number(root, "horizon_days", 1, INFINITY, &x, &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err),
                        "x.yaml:1:1: horizon_days: missing required key \"horizon_days\"");
    sim_node *th = sim_node_at(root, "trusts[0].theatres");
    assert_int_equal(sim_node_number(th, "sessions_per_week", 0, INFINITY, &x, &err),
                     SIM_EINPUT);
    assert_string_equal(fmt_err(&err), "x.yaml:4:5: trusts[0].theatres.sessions_per_week: "
                                       "missing required key \"sessions_per_week\"");
    /* Reading with key NULL reads the node itself. */
    sim_node *seq = sim_node_at(root, "list");
    assert_int_equal(sim_node_number(seq->items[1], NULL, 0, 1, &x, &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err), "x.yaml:6:11: list[1]: expected a number between 0 and 1, got \"b\"");
    assert_int_equal(sim_node_number(seq, "k", 0, 1, &x, &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err), "x.yaml:6:7: list: expected a map, got a sequence");
    sim_node_tree_free(tree);
}

/* ---- unknown keys ----------------------------------------------------------------------- */

static void test_closest_word(void **state)
{
    (void)state;
    static const char *const words[] = {"sessions_per_week", "session_hours", "site",
                                        "specialty", "mon", "tue", NULL};
    assert_string_equal(sim_closest_word("sesions_per_week", words), "sessions_per_week");
    assert_string_equal(sim_closest_word("sessions_per_wek", words), "sessions_per_week");
    assert_string_equal(sim_closest_word("sessoins_per_week", words), "sessions_per_week");
    assert_string_equal(sim_closest_word("session_hour", words), "session_hours");
    assert_string_equal(sim_closest_word("speciality", words), "specialty");
    assert_string_equal(sim_closest_word("sit", words), "site");
    assert_string_equal(sim_closest_word("mno", words), "mon");
    assert_null(sim_closest_word("wed", words));
    assert_string_equal(sim_closest_word("stie", words), "site"); /* a swap is one edit */
    assert_null(sim_closest_word("sessions", words));
    assert_null(sim_closest_word("xyzzy", words));
    assert_null(sim_closest_word("mo", (const char *const[]){"tue", NULL}));
}

static void test_unused_keys(void **state)
{
    (void)state;
    sim_node_tree *tree;
    sim_node *root = must_load("name: x\n"
                               "theatres:\n"
                               "  sesions_per_week: 10\n"
                               "  hours: 4\n"
                               "list: [1, 2, 3]\n",
                               &tree);
    struct sim_error err;
    const char *name;
    sim_node *th, *list;
    double x = 5;
    assert_int_equal(sim_node_string(root, "name", &name, &err), SIM_OK);
    assert_int_equal(sim_node_map(root, "theatres", &th, &err), SIM_OK);
    assert_int_equal(sim_node_opt_number(th, "sessions_per_week", 0, INFINITY, &x, &err),
                     SIM_OK);
    assert_true(x == 5);
    assert_int_equal(sim_node_number(th, "hours", 0, 24, &x, &err), SIM_OK);
    assert_int_equal(sim_node_check_unused(root, &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err),
                        "x.yaml:3:3: theatres.sesions_per_week: unknown key "
                        "\"sesions_per_week\" (did you mean \"sessions_per_week\"?)");
    sim_node_mark_used(sim_node_get(th, "sesions_per_week"), false);
    assert_int_equal(sim_node_check_unused(root, &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err), "x.yaml:5:1: list: unknown key \"list\"");
    assert_int_equal(sim_node_seq(root, "list", &list, &err), SIM_OK);
    assert_int_equal(sim_node_number(list->items[0], NULL, 0, 9, &x, &err), SIM_OK);
    assert_int_equal(sim_node_check_unused(root, &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err), "x.yaml:5:11: list[1]: unexpected item (nothing reads it)");
    sim_node_mark_used(list, true);
    assert_int_equal(sim_node_check_unused(root, &err), SIM_OK);

    /* A suggestion from a sibling key that was read. */
    sim_node_tree_free(tree);
    root = must_load("hours: 4\nhuors: 5\n", &tree);
    assert_int_equal(sim_node_number(root, "hours", 0, 24, &x, &err), SIM_OK);
    assert_int_equal(sim_node_check_unused(root, &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err),
                        "x.yaml:2:1: huors: unknown key \"huors\" (did you mean \"hours\"?)");

    static const char *const allowed[] = {"hours", "count", NULL};
    assert_int_equal(sim_node_check_keys(root, allowed, &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err),
                        "x.yaml:2:1: huors: unknown key \"huors\" (did you mean \"hours\"?)");
    static const char *const allowed2[] = {"hours", "huors", NULL};
    assert_int_equal(sim_node_check_keys(root, allowed2, &err), SIM_OK);
    sim_node_tree_free(tree);
}

/* ---- extends ---------------------------------------------------------------------------- */

static const char *write_in(const char *dir, const char *name, const char *text)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    tu_write_file(path, text);
    return path;
}

static const char *load_file_msg(const char *path, int want_rc)
{
    sim_node_tree *tree;
    sim_node *root;
    struct sim_error err;
    sim_error_clear(&err);
    int rc = sim_yaml_load(path, &tree, &root, &err);
    assert_int_equal(rc, want_rc);
    if (rc == SIM_OK) {
        sim_node_tree_free(tree);
        return "OK";
    }
    return fmt_err(&err);
}

static void test_extends(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("yaml_extends");
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/base", dir);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", sub);
    assert_int_equal(system(cmd), 0);
    write_in(dir, "base/root.yaml",
             "name: root\n"
             "horizon_days: 365\n"
             "trusts:\n"
             "  - name: A\n"
             "theatres:\n"
             "  sessions: 10\n"
             "  hours: 4\n"
             "  days: {mon: 1, tue: 2}\n");
    write_in(dir, "base/mid.yaml",
             "extends: root.yaml\n"
             "name: mid\n"
             "theatres:\n"
             "  hours: 5\n"
             "  days: {tue: 3, wed: 4}\n");
    char top[4200];
    snprintf(top, sizeof top, "%s", write_in(dir, "top.yaml",
                                             "name: top\n"
                                             "extends: base/mid.yaml\n"
                                             "trusts:\n"
                                             "  - name: B\n"
                                             "  - name: C\n"
                                             "extra: 1\n"));
    sim_node_tree *tree;
    sim_node *root;
    struct sim_error err;
    assert_int_equal(sim_yaml_load(top, &tree, &root, &err), SIM_OK);
    assert_null(sim_node_get(root, "extends"));
    assert_string_equal(sim_node_at(root, "name")->text, "top");
    assert_string_equal(sim_node_at(root, "horizon_days")->text, "365");
    /* Sequences replace. */
    assert_int_equal(sim_node_at(root, "trusts")->n, 2);
    assert_string_equal(sim_node_at(root, "trusts[0].name")->text, "B");
    /* Maps merge key by key, recursively. */
    assert_string_equal(sim_node_at(root, "theatres.sessions")->text, "10");
    assert_string_equal(sim_node_at(root, "theatres.hours")->text, "5");
    assert_string_equal(sim_node_at(root, "theatres.days.mon")->text, "1");
    assert_string_equal(sim_node_at(root, "theatres.days.tue")->text, "3");
    assert_string_equal(sim_node_at(root, "theatres.days.wed")->text, "4");
    assert_string_equal(sim_node_at(root, "extra")->text, "1");
    /* Nodes name the file they came from, so errors in a base point at the base. */
    char expect[4400];
    sim_node *sessions = sim_node_at(root, "theatres.sessions");
    snprintf(expect, sizeof expect, "%s/base/root.yaml", dir);
    assert_string_equal(sessions->file, expect);
    assert_int_equal(sessions->line, 6);
    double x;
    assert_int_equal(sim_node_number(sim_node_at(root, "theatres"), "sessions", 20, 30, &x,
                                     &err),
                     SIM_EINPUT);
    snprintf(expect, sizeof expect,
             "%s/base/root.yaml:6:13: theatres.sessions: expected a number between 20 and 30, "
             "got \"10\"",
             dir);
    assert_string_equal(fmt_err(&err), expect);
    snprintf(expect, sizeof expect, "%s/base/mid.yaml", dir);
    assert_string_equal(sim_node_at(root, "theatres.hours")->file, expect);
    assert_string_equal(root->file, top);
    /* Key order: the base's, then new keys. */
    const char *order[] = {"name", "horizon_days", "trusts", "theatres", "extra"};
    assert_int_equal(root->n, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(root->keys[i], order[i]);
    /* extends is not emitted. */
    char *text = sim_node_emit(root);
    assert_null(strstr(text, "extends"));
    free(text);
    sim_node_tree_free(tree);
}

static void test_extends_errors(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("yaml_extends_err");
    char a[4200], expect[9000];
    write_in(dir, "b.yaml", "extends: a.yaml\nx: 1\n");
    snprintf(a, sizeof a, "%s", write_in(dir, "a.yaml", "x: 0\nextends: b.yaml\n"));
    snprintf(expect, sizeof expect,
             "%s/b.yaml:1:10: extends: extends cycle: %s/a.yaml -> %s/b.yaml -> %s/a.yaml", dir,
             dir, dir, dir);
    assert_string_equal(load_file_msg(a, SIM_EINPUT), expect);

    snprintf(a, sizeof a, "%s", write_in(dir, "self.yaml", "extends: self.yaml\n"));
    snprintf(expect, sizeof expect,
             "%s/self.yaml:1:10: extends: extends cycle: %s/self.yaml -> %s/self.yaml", dir, dir,
             dir);
    assert_string_equal(load_file_msg(a, SIM_EINPUT), expect);

    snprintf(a, sizeof a, "%s", write_in(dir, "m.yaml", "name: m\nextends: 'nope.yaml'\n"));
    snprintf(expect, sizeof expect,
             "%s/m.yaml:2:10: extends: cannot open \"%s/nope.yaml\": No such file or directory",
             dir, dir);
    assert_string_equal(load_file_msg(a, SIM_EIO), expect);

    snprintf(a, sizeof a, "%s", write_in(dir, "k.yaml", "extends: [a.yaml]\n"));
    snprintf(expect, sizeof expect, "%s/k.yaml:1:10: extends: expected a file name, got a sequence",
             dir);
    assert_string_equal(load_file_msg(a, SIM_EINPUT), expect);

    /* A syntax error in a base names the base. */
    write_in(dir, "broken.yaml", "a: [1\n");
    snprintf(a, sizeof a, "%s", write_in(dir, "uses_broken.yaml", "extends: broken.yaml\n"));
    snprintf(expect, sizeof expect,
             "%s/broken.yaml:2:1: did not find expected ',' or ']' (while parsing a flow "
             "sequence at line 1, column 4)",
             dir);
    assert_string_equal(load_file_msg(a, SIM_EINPUT), expect);

    /* extends deeper than the top level is an ordinary key. */
    sim_node_tree *tree;
    sim_node *root = must_load("a:\n  extends: b.yaml\n", &tree);
    assert_string_equal(sim_node_at(root, "a.extends")->text, "b.yaml");
    sim_node_tree_free(tree);

    /* From a string, extends is relative to the name's directory. */
    write_in(dir, "base.yaml", "x: 1\ny: 2\n");
    char name[4200];
    snprintf(name, sizeof name, "%s/virtual.yaml", dir);
    struct sim_error err;
    assert_int_equal(sim_yaml_load_string("extends: base.yaml\ny: 3\n", name, &tree, &root,
                                          &err),
                     SIM_OK);
    assert_string_equal(sim_node_at(root, "x")->text, "1");
    assert_string_equal(sim_node_at(root, "y")->text, "3");
    sim_node_tree_free(tree);
}

/* ---- set_path and emit -------------------------------------------------------------------- */

static bool same_tree(const sim_node *a, const sim_node *b)
{
    if (a->kind != b->kind || a->n != b->n)
        return false;
    if (a->kind == SIM_NODE_SCALAR)
        return strcmp(a->text, b->text) == 0 && a->quoted == b->quoted;
    for (size_t i = 0; i < a->n; i++) {
        if (a->kind == SIM_NODE_MAP && strcmp(a->keys[i], b->keys[i]) != 0)
            return false;
        if (!same_tree(a->items[i], b->items[i]))
            return false;
        if (strcmp(a->items[i]->path, b->items[i]->path) != 0)
            return false;
    }
    return true;
}

static void test_set_path(void **state)
{
    (void)state;
    sim_node_tree *tree;
    sim_node *root = must_load("name: x\n"
                               "specialties:\n"
                               "  - name: ortho\n"
                               "    admitted_share: 0.2\n"
                               "theatres: [{site: A}, {site: B}]\n",
                               &tree);
    struct sim_error err;
    assert_int_equal(sim_node_set_path(root, "specialties[0].admitted_share", "0.3", "--set",
                                       &err),
                     SIM_OK);
    sim_node *v = sim_node_at(root, "specialties[0].admitted_share");
    assert_string_equal(v->text, "0.3");
    assert_string_equal(v->file, "--set");
    assert_string_equal(v->path, "specialties[0].admitted_share");
    assert_int_equal(v->key_line, 4);
    assert_int_equal(sim_node_set_path(root, "theatres[1].cancel_on_day", "5%", "batch.yaml",
                                       &err),
                     SIM_OK);
    assert_string_equal(sim_node_at(root, "theatres[1].cancel_on_day")->text, "5%");
    assert_int_equal(sim_node_set_path(root, "los_days", "{mean: 5, sd: [1, 2]}", "--set", &err),
                     SIM_OK);
    v = sim_node_at(root, "los_days.sd[1]");
    assert_string_equal(v->text, "2");
    assert_string_equal(v->path, "los_days.sd[1]");
    assert_int_equal(v->line, 1);
    assert_int_equal(v->column, 19);
    /* Missing maps on the way are created. */
    assert_int_equal(sim_node_set_path(root, "a.b.c", "'q'", "--set", &err), SIM_OK);
    v = sim_node_at(root, "a.b.c");
    assert_true(v->quoted);
    assert_string_equal(sim_node_at(root, "a.b")->path, "a.b");
    /* Errors. */
    assert_int_equal(sim_node_set_path(root, "theatres[2].site", "C", "--set", &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err),
                        "--set: theatres[2].site: index 2 is out of range (\"theatres\" has 2 items)");
    assert_int_equal(sim_node_set_path(root, "name.first", "C", "--set", &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err), "--set: name.first: expected a map at \"name\", got a scalar");
    assert_int_equal(sim_node_set_path(root, "specialties.name", "C", "--set", &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err),
                        "--set: specialties.name: expected a map at \"specialties\", got a sequence");
    assert_int_equal(sim_node_set_path(root, "name[0]", "C", "--set", &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err), "--set: name[0]: expected a sequence at \"name\", got a scalar");
    assert_int_equal(sim_node_set_path(root, "zz[0]", "C", "--set", &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err), "--set: zz[0]: index 0 is out of range (\"zz\" does not exist)");
    assert_int_equal(sim_node_set_path(root, "extends", "b.yaml", "--set", &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err), "--set: extends: extends can only be set in a scenario file");
    const char *bad_paths[] = {"",    "a..b", ".a",  "a.",     "[0]",       "a[x]",
                               "a[1", "a]b",  "a[0]b", "a\tb", "bad\xff.utf8"};
    for (size_t i = 0; i < sizeof bad_paths / sizeof bad_paths[0]; i++) {
        assert_int_equal(sim_node_set_path(root, bad_paths[i], "1", "--set", &err), SIM_EINPUT);
        char expect[100];
        snprintf(expect, sizeof expect, "--set: bad key path \"%s\"", bad_paths[i]);
        assert_string_equal(fmt_err(&err), expect);
    }
    assert_int_equal(sim_node_set_path(root, "name", "[1, 2", "--set", &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err),
                        "--set:2:1: name: did not find expected ',' or ']' "
                        "(while parsing a flow sequence at line 1, column 1)");
    assert_int_equal(sim_node_set_path(root, "name", "&a 1", "--set", &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err),
                        "--set:1:1: name: anchor \"&a\" is not supported (write the value out, or use extends)");
    /* Overrides cannot nest deeper than files can. */
    char deep[1000] = "";
    for (int i = 0; i < 201; i++)
        strcat(deep, i ? ".d" : "d");
    assert_int_equal(sim_node_set_path(root, deep, "1", "--set", &err), SIM_EINPUT);
    assert_string_equal(fmt_err(&err), "--set: key path is deeper than 200 levels");
    deep[strlen(deep) - 2] = '\0';
    assert_int_equal(sim_node_set_path(root, deep, "[1]", "--set", &err), SIM_EINPUT);
    assert_non_null(strstr(fmt_err(&err), "--set:1:2: d.d.d."));
    assert_non_null(strstr(fmt_err(&err), ": nesting is deeper than 200 levels"));
    assert_null(sim_node_at(root, "d"));
    /* A failed set changes nothing. */
    assert_string_equal(sim_node_at(root, "name")->text, "x");
    assert_null(sim_node_at(root, "zz"));
    sim_node_tree_free(tree);
}

static void round_trip(const char *text)
{
    sim_node_tree *t1, *t2;
    sim_node *r1 = must_load(text, &t1);
    char *out = sim_node_emit(r1);
    assert_non_null(out);
    struct sim_error err;
    sim_node *r2;
    if (sim_yaml_load_string(out, "emitted.yaml", &t2, &r2, &err) != SIM_OK)
        fail_msg("re-reading failed: %s\n%s", fmt_err(&err), out);
    if (!same_tree(r1, r2))
        fail_msg("round trip differs:\n%s\n---\n%s", text, out);
    /* Deterministic: emitting the re-read tree gives the same text. */
    char *again = sim_node_emit(r2);
    assert_string_equal(out, again);
    free(again);
    free(out);
    sim_node_tree_free(t1);
    sim_node_tree_free(t2);
}

static void test_emit(void **state)
{
    (void)state;
    sim_node_tree *tree;
    sim_node *root = must_load("name: snee\n"
                               "growth: 1.122%\n"
                               "quoted: \"12\"\n"
                               "trusts:\n"
                               "  - {name: WSFT, sites: [{name: West Suffolk Hospital, code: WSH}]}\n"
                               "weeks: {0-18: 0.52, 78+: 0.01}\n"
                               "empty_map: {}\n"
                               "empty_seq: []\n"
                               "nothing:\n",
                               &tree);
    char *text = sim_node_emit(root);
    assert_string_equal(text, "name: snee\n"
                              "growth: 1.122%\n"
                              "quoted: \"12\"\n"
                              "trusts:\n"
                              "- name: WSFT\n"
                              "  sites:\n"
                              "  - name: West Suffolk Hospital\n"
                              "    code: WSH\n"
                              "weeks:\n"
                              "  0-18: 0.52\n"
                              "  78+: 0.01\n"
                              "empty_map: {}\n"
                              "empty_seq: []\n"
                              "nothing:\n");
    free(text);
    sim_node_tree_free(tree);

    /* The one documented change: a plain text libyaml will not write plain comes back quoted. */
    root = must_load("k: ---x\n", &tree);
    text = sim_node_emit(root);
    assert_string_equal(text, "k: '---x'\n");
    free(text);
    sim_node_tree_free(tree);

    round_trip("a: 1\n");
    round_trip("name: snee\nlist: [1, '2', \"three\", yes, null, ~, '']\n");
    round_trip("s: 'it''s: # not a comment'\nt: \"tab\\there\\nnewline\"\nu: \"é ü 東京\"\n");
    round_trip("'key with: colon': 1\n\"#hash\": 2\n'- dash': 3\n'[x]': 4\n? long\n: 5\n");
    round_trip("a:\n  - - 1\n    - 2\n  - []\n  - {}\n  - x: {y: {z: [a, {b: c}]}}\n");
    round_trip("text: |\n  line one\n  line two\nfolded: >\n  a\n  b\n");
    round_trip("plain: a b   c\nspaces: '  lead'\ntrail: 'trail  '\nstar: '*x'\namp: '&y'\n");
    round_trip("k: \"\\x01\\u2028\"\nlong: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
               "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n");
}

static void test_load_file_ok(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("yaml_file");
    char path[4200];
    snprintf(path, sizeof path, "%s", write_in(dir, "s.yaml", "name: s\nhorizon_days: 10\n"));
    sim_node_tree *tree;
    sim_node *root;
    struct sim_error err;
    assert_int_equal(sim_yaml_load(path, &tree, &root, &err), SIM_OK);
    long h;
    assert_int_equal(sim_node_int(root, "horizon_days", 1, LONG_MAX, &h, &err), SIM_OK);
    assert_int_equal(h, 10);
    assert_string_equal(root->file, path);
    sim_node_tree_free(tree);
    sim_node_tree_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_documents),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_number_ranges),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_fractions),
        cmocka_unit_test(test_bools_dates_strings_enums),
        cmocka_unit_test(test_kinds_and_missing),
        cmocka_unit_test(test_closest_word),
        cmocka_unit_test(test_unused_keys),
        cmocka_unit_test(test_extends),
        cmocka_unit_test(test_extends_errors),
        cmocka_unit_test(test_set_path),
        cmocka_unit_test(test_emit),
        cmocka_unit_test(test_load_file_ok),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
