/* app/cli.c: helpers shared by the subcommands: the command line, option errors. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "scenario/yaml.h"

static char command_line[4096];

void capsim_set_command_line(int argc, char **argv)
{
    size_t used = 0;
    command_line[0] = '\0';
    for (int i = 0; i < argc && used + 1 < sizeof command_line; i++) {
        int n = snprintf(command_line + used, sizeof command_line - used, "%s%s", i ? " " : "",
                         argv[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

const char *capsim_command_line(void)
{
    return command_line;
}

const char *capsim_option_name(int c, int longindex, const struct option *longopts)
{
    static char name[80];
    if (longindex >= 0)
        snprintf(name, sizeof name, "--%s", longopts[longindex].name);
    else
        snprintf(name, sizeof name, "-%c", c);
    return name;
}

/* The option as written, without "=value": "--jobs" of "--jobs=x". */
static void written_name(const char *arg, char *out, size_t size)
{
    size_t n = strcspn(arg, "=");
    snprintf(out, size, "%.*s", (int)n, arg);
}

void capsim_bad_option(const char *prefix, int c, char **argv, const struct option *longopts,
                       bool print)
{
    if (!print)
        return;
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    char name[128];
    /* getopt_long sets optopt to 0 for an unknown or ambiguous long option; a missing
     * value is always in the last argument, so that one is the option. */
    bool is_long = strncmp(arg, "--", 2) == 0 && (c == ':' || optopt == 0);
    if (is_long)
        written_name(arg, name, sizeof name);
    else
        snprintf(name, sizeof name, "-%c", optopt ? optopt : '?');
    if (c == ':') {
        fprintf(stderr, "%s: %s needs a value\n", prefix, name);
        return;
    }
    if (is_long) {
        /* An abbreviation of more than one long option, or none. */
        const char *word = name + 2;
        size_t len = strlen(word), matches = 0;
        char list[512] = "";
        for (const struct option *o = longopts; o->name; o++) {
            if (strncmp(o->name, word, len) != 0)
                continue;
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s--%s", matches ? ", " : "", o->name);
            matches++;
        }
        if (matches > 1) {
            fprintf(stderr, "%s: option \"%s\" is ambiguous (%s)\n", prefix, name, list);
            return;
        }
        const char *names[128];
        size_t n = 0;
        for (const struct option *o = longopts; o->name && n + 1 < 128; o++)
            names[n++] = o->name;
        names[n] = NULL;
        const char *near = len ? sim_closest_word(word, names) : NULL;
        if (near) {
            fprintf(stderr, "%s: unknown option \"%s\" (did you mean \"--%s\"?)\n", prefix, name,
                    near);
            return;
        }
    }
    fprintf(stderr, "%s: unknown option \"%s\"\n", prefix, name);
}

bool capsim_output_name_ok(const char *prefix, const char *output, bool print)
{
    if (output && strcmp(output, "-") == 0) {
        if (print)
            fprintf(stderr,
                    "%s: -o -: results cannot go to standard output (an HDF5 file is written "
                    "under a temporary name and renamed); give a file name\n",
                    prefix);
        return false;
    }
    if (output && output[0] == '\0') {
        if (print)
            fprintf(stderr, "%s: -o needs a file name, got \"\"\n", prefix);
        return false;
    }
    return true;
}
