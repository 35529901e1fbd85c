/* app/cli.c: helpers shared by the subcommands. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

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
