/* cmd_sbom.c - `comb sbom`: inventory an image and write it out. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "report/report.h"
#include "sbom/inventory.h"

void help_sbom(void)
{
    fputs("usage: comb sbom [options] TARGET\n"
          "\n"
          "List every OS and language package in a container image.\n"
          "\n"
          "TARGET is one of:\n"
          "  IMAGE.tar[.gz]           docker-archive (docker save / podman save)\n"
          "  DIR[:TAG]                OCI image layout (TAG picks a ref name)\n"
          "  IMAGE.tar[:TAG]          OCI archive, or a docker-archive with several images\n"
          "  DIR                      a plain root filesystem (e.g. /)\n"
          "  [REGISTRY/]REPO[:TAG][@sha256:DIGEST]\n"
          "                           an image in a registry (\"alpine\" is\n"
          "                           docker.io/library/alpine:latest); an existing path\n"
          "                           wins over a name; registry://REF forces a registry\n"
          "  docker-archive:PATH, oci:PATH[:TAG], oci-archive:PATH, rootfs:PATH\n"
          "                           force the kind of target\n"
          "\n"
          "Options:\n"
          "  -f, --format FORMAT      table (default), json, cyclonedx (1.6), spdx (2.3)\n"
          "  -o, --output FILE        write to FILE instead of standard output\n"
          "      --platform OS/ARCH[/VARIANT]\n"
          "                           pick an image from a multi-platform index\n"
          "                           (default: this machine's)\n"
          "      --max-layer-size N   refuse layers that decompress to more than N bytes\n"
          "                           (suffixes K, M, G; default 8G)\n"
          "      --max-file-size N    skip package databases larger than N bytes\n"
          "      --cache              keep each layer's results in the layer cache and\n"
          "                           reuse them: a rescan reads only new layers (a\n"
          "                           cached layer is trusted by its diff_id)\n"
          "      --cache-dir DIR      the cache's directory (default ~/.cache/comb/layers)\n"
          "      --cache-max N        bound the cache's size; least recently used entries\n"
          "                           go first (default 1G)\n"
          "  -q, --quiet              no warnings or progress on stderr\n"
          "  -h, --help               this help\n"
          "\n", stdout);
    cli_registry_help(stdout);
    fputs("\n"
          "Exit codes: 0 success, 1 the target could not be read, 2 usage error,\n"
          "3 a limit was exceeded, 4 digest mismatch, 5 internal error,\n"
          "7 a registry refused access (HTTP 401/403).\n",
          stdout);
}

typedef struct progress_state {
    int active;
    uint64_t last;
} progress_state;

static void progress(void *ud, const char *stage, uint64_t done, uint64_t total)
{
    progress_state *ps = ud;
    if (done - ps->last < (4u << 20) && done != total)
        return;
    ps->last = done;
    ps->active = 1;
    if (total)
        fprintf(stderr, "\r%s %llu / %llu MB (%d%%)   ", stage, (unsigned long long)(done >> 20),
                (unsigned long long)(total >> 20), (int)(done * 100 / total));
    else
        fprintf(stderr, "\r%s %llu MB   ", stage, (unsigned long long)(done >> 20));
}

int cmd_sbom(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' },
        { "platform", required_argument, NULL, 'P' },
        { "max-layer-size", required_argument, NULL, 'L' },
        { "max-file-size", required_argument, NULL, 'F' },
        { "cache", no_argument, NULL, 'C' },
        { "cache-dir", required_argument, NULL, 'D' },
        { "cache-max", required_argument, NULL, 'M' },
        CLI_REGISTRY_LONGOPTS,
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    comb_format fmt = COMB_FMT_TABLE;
    const char *output = NULL;
    comb_sbom_opts opts = { 0 };
    int quiet = 0;
    cli_registry reg = { 0 };
    comb_err err;
    comb_err_clear(&err);
    optind = 1;
    opterr = 0; /* report bad options ourselves, in comb's format */
    int c;
    while ((c = getopt_long(argc, argv, ":f:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (comb_format_parse(optarg, &fmt, &err)) {
                cli_error("%s", err.msg);
                return EXIT_USAGE;
            }
            break;
        case 'o': output = optarg; break;
        case 'P': opts.platform = optarg; break;
        case 'L':
            if (cli_parse_size(optarg, &opts.max_layer_size)) {
                cli_error("--max-layer-size: \"%s\" is not a size", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'F':
            if (cli_parse_size(optarg, &opts.max_file_size)) {
                cli_error("--max-file-size: \"%s\" is not a size", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'C': opts.use_cache = 1; break;
        case 'D': opts.use_cache = 1; opts.cache_dir = optarg; break;
        case 'M':
            if (cli_parse_size(optarg, &opts.cache_max)) {
                cli_error("--cache-max: \"%s\" is not a size", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'q': quiet = 1; break;
        case 'h': help_sbom(); return EXIT_OK;
        default: {
            int r = cli_registry_option(&reg, c, optarg);
            if (r < 0)
                return EXIT_USAGE;
            if (r == 0)
                return cli_bad_option(c, argv, "sbom");
        }
        }
    }
    if (optind != argc - 1) {
        cli_error(optind >= argc ? "no target given; see 'comb help sbom'"
                                 : "one target at a time; see 'comb help sbom'");
        return EXIT_USAGE;
    }
    const char *target = argv[optind];
    int rr = cli_registry_finish(&reg);
    if (rr)
        return rr;
    opts.registry = &reg.opts;
    progress_state ps = { 0 };
    if (!quiet && isatty(STDERR_FILENO)) {
        opts.progress = progress;
        opts.progress_ud = &ps;
    }
    comb_inventory *inv = NULL;
    comb_code rc = comb_inventory_build(target, &opts, &inv, &err);
    if (ps.active)
        fputs("\r\033[K", stderr);
    if (rc) {
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    if (!quiet && opts.use_cache)
        fprintf(stderr, "comb: %u layers read, %u from the layer cache\n", inv->layers_read,
                inv->layers_cached);
    if (!quiet) {
        for (size_t i = 0; i < inv->nwarnings; i++)
            cli_warning("%s", inv->warnings[i]);
        if (inv->warnings_dropped)
            cli_warning("%zu more warnings not shown", inv->warnings_dropped);
    }
    FILE *out = stdout;
    if (output) {
        out = fopen(output, "w");
        if (!out) {
            cli_error("%s: %s", output, strerror(errno));
            comb_inventory_free(inv);
            return EXIT_INPUT;
        }
    }
    comb_report_opts ro = { .color = !output && isatty(STDOUT_FILENO) && !getenv("NO_COLOR") };
    rc = comb_report_write(inv, fmt, &ro, out, &err);
    if (output && fclose(out) != 0 && rc == COMB_OK)
        rc = comb_fail(&err, COMB_EIO, "%s: %s", output, strerror(errno));
    comb_inventory_free(inv);
    if (rc) {
        cli_error("%s", err.msg);
        return rc == COMB_EIO ? EXIT_INPUT : cli_exit_code(rc);
    }
    return EXIT_OK;
}
