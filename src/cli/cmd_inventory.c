/* cmd_inventory.c - `comb inventory`: the containers, images and processes
 * of a host, as JSON or a table. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "inventory/inventory.h"
#include "inventory/relations.h"
#include "inventory/scanstore.h"
#include "vuln/vulndb.h"

#define MAX_ROOTS 64

void help_inventory(void)
{
    fputs("usage: comb inventory [options]\n"
          "\n"
          "List what runs on this host: the containers of podman, Docker and containerd\n"
          "(read from their state on disk) with their image, state, pid, command, labels,\n"
          "privileges, effective capabilities, mounts, network namespace, addresses,\n"
          "listening ports and processes; the images in the engines' stores; and the\n"
          "host itself. The JSON form is described in docs/INVENTORY.md.\n"
          "\n"
          "Options:\n"
          "  -f, --format FORMAT      table (default) or json\n"
          "  -o, --output FILE        write to FILE instead of standard output\n"
          "      --root DIR           read a mounted host root instead of the live host:\n"
          "                           containers and images only (no processes, ports,\n"
          "                           capabilities or addresses)\n"
          "      --podman-root DIR    another podman storage root (repeatable)\n"
          "      --scan-dir DIR       stored scan results, one per image digest (written\n"
          "                           by 'comb scan --save DIR' and 'comb agent --scan';\n"
          "                           default " COMB_SCANSTORE_DEFAULT ")\n"
          "      --db PATH            vulnerability database: a result made with an older\n"
          "                           build of it is stale (default as 'comb scan')\n"
          "      --segment-db FILE    the relationships learned by 'comb segment' (default\n"
          "                           " COMB_SEGMENT_DB_DEFAULT " when it exists)\n"
          "  -q, --quiet              no warnings on stderr\n"
          "  -h, --help               this help\n"
          "\n"
          "Exit codes: 0 success, 1 the root could not be read, 2 usage error,\n"
          "5 internal error.\n",
          stdout);
}

int cmd_inventory(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' },
        { "root", required_argument, NULL, 'R' },
        { "podman-root", required_argument, NULL, 'P' },
        { "scan-dir", required_argument, NULL, 'S' },
        { "db", required_argument, NULL, 'D' },
        { "segment-db", required_argument, NULL, 'G' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    static const char *roots[MAX_ROOTS];
    comb_inventory_opts io = { .podman_roots = roots };
    const char *output = NULL;
    int json = 0, quiet = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!strcmp(optarg, "json"))
                json = 1;
            else if (!strcmp(optarg, "table"))
                json = 0;
            else {
                cli_error("--format: \"%s\" is not table or json", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'o': output = optarg; break;
        case 'R': io.root = optarg; break;
        case 'P':
            if (io.npodman_roots >= MAX_ROOTS) {
                cli_error("--podman-root: more than %d", MAX_ROOTS);
                return EXIT_USAGE;
            }
            roots[io.npodman_roots++] = optarg;
            break;
        case 'S': io.scan_dir = optarg; break;
        case 'D': io.vuln_db = optarg; break;
        case 'G': io.segment_db = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': help_inventory(); return EXIT_OK;
        default: return cli_bad_option(c, argv, "inventory");
        }
    }
    if (optind < argc) {
        cli_error("unexpected argument '%s'; see 'comb help inventory'", argv[optind]);
        return EXIT_USAGE;
    }
    /* a mounted root's own stores are read only when named */
    char dbpath[PATH_MAX];
    if (!io.root) {
        if (!io.scan_dir)
            io.scan_dir = COMB_SCANSTORE_DEFAULT;
        if (!io.vuln_db)
            io.vuln_db = comb_vulndb_default_path(dbpath, sizeof dbpath);
        if (!io.segment_db && access(COMB_SEGMENT_DB_DEFAULT, F_OK) == 0)
            io.segment_db = COMB_SEGMENT_DB_DEFAULT;
    }
    json_t *doc;
    comb_err err = { 0 };
    comb_code rc = comb_inventory_collect(&io, &doc, &err);
    if (rc) {
        cli_error("inventory: %s", err.msg);
        return cli_exit_code(rc);
    }
    if (!quiet) {
        size_t i;
        json_t *w;
        json_array_foreach(json_object_get(doc, "warnings"), i, w)
            cli_warning("%s", json_string_value(w));
    }
    FILE *out = output ? fopen(output, "w") : stdout;
    if (!out) {
        cli_error("%s: cannot write: %m", output);
        json_decref(doc);
        return EXIT_INPUT;
    }
    int bad = 0;
    if (json)
        bad = json_dumpf(doc, out, JSON_INDENT(2) | JSON_SORT_KEYS) || fputc('\n', out) == EOF;
    else
        comb_inventory_table(doc, out, !output && isatty(fileno(out)) && !getenv("NO_COLOR"));
    json_decref(doc);
    if (fflush(out) || ferror(out))
        bad = 1;
    if (output && fclose(out))
        bad = 1;
    if (bad) {
        cli_error("%s: write failed", output ? output : "standard output");
        return EXIT_INPUT;
    }
    return EXIT_OK;
}
