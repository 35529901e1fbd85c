/* app/cmd_merge.c: `capsim merge`: joins shard files (the batch engine provides it). */
#include <stdio.h>

#include "cli.h"

int capsim_cmd_merge(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "capsim merge: shards come with the batch engine; this build has none\n");
    return CAPSIM_EXIT_USAGE;
}
