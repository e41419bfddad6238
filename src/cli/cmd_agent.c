/* cmd_agent.c - `comb agent` (placeholder until the agent lands). */
#include <stdio.h>

#include "cli/cli.h"

void help_agent(void)
{
    fputs("usage: comb agent (not yet implemented)\n", stdout);
}

int cmd_agent(int argc, char **argv)
{
    (void)argc, (void)argv;
    cli_error("agent: not yet implemented");
    return EXIT_USAGE;
}
