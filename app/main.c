/* capsim: placeholder until the command line lands (see app/cli.h). */
#include <stdio.h>
int main(void)
{
    fputs("capsim: not built yet\n", stderr);
    return 1;
}
