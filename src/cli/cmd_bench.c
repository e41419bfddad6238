/* cmd_bench.c - `comb bench`: compliance checks of a host, its container
 * engines, its Kubernetes node and every container it knows. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "compliance/bench_report.h"

#define MAX_IDS 256

int cmd_bench(int argc, char **argv);
void help_bench(void);

void help_bench(void)
{
    fputs("usage: comb bench [options]\n"
          "                  [docker|containerd|podman|k8s-node|host|containers|images|all]...\n"
          "\n"
          "Check that the host, its container engines, its Kubernetes node and every\n"
          "container it knows are configured safely (CIS Docker Benchmark 1-6 and more;\n"
          "see docs/COMPLIANCE.md). Without a benchmark name, all of them run.\n"
          "\n"
          "Each check gives PASS, FAIL, WARN (manual: a person must judge),\n"
          "NOT-APPLICABLE (the component or file is absent: never a FAIL) or ERROR\n"
          "(could not be evaluated; the reason says why), with the evidence and the fix.\n"
          "\n"
          "Options:\n"
          "      --root DIR           evaluate a mounted host or image root instead of the\n"
          "                           live host: every file is read inside DIR (symlinks\n"
          "                           resolve within it); checks that need the running\n"
          "                           system (processes, /proc/sys) become NOT-APPLICABLE\n"
          "                           and kernel parameters are read from sysctl.d files\n"
          "      --check ID[,ID]      run only these checks (shell patterns: 'docker-2.*')\n"
          "      --skip ID[,ID]       leave these checks out\n"
          "  -f, --format FORMAT      table (default), json, junit, sarif, html\n"
          "  -o, --output FILE        write to FILE instead of standard output\n"
          "      --exit-code N        exit with N when a check FAILs or is in ERROR\n"
          "                           (default: 0)\n"
          "      --podman-root DIR    another podman storage root to look for containers in\n"
          "                           (inside --root when given; repeatable)\n"
          "      --rules DIR          also load the benchmark files (*.yaml) in DIR\n"
          "  -v, --verbose            table: show the evidence of every result that is not\n"
          "                           a PASS\n"
          "  -q, --quiet              no warnings on stderr\n"
          "  -h, --help               this help\n"
          "\n"
          "Exit codes: 0 success (or failed checks without --exit-code), N failed checks\n"
          "with --exit-code N, 1 the root or a rule file could not be read, 2 usage\n"
          "error, 3 a limit was exceeded, 5 internal error.\n",
          stdout);
}

/* Split "a,b" into the list; -1 when it is full. */
static int add_ids(const char **list, size_t *n, char *arg)
{
    for (char *save = NULL, *tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (*n >= MAX_IDS)
            return -1;
        list[(*n)++] = tok;
    }
    return 0;
}

int cmd_bench(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "root", required_argument, NULL, 'R' },
        { "check", required_argument, NULL, 'c' },
        { "skip", required_argument, NULL, 's' },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' },
        { "exit-code", required_argument, NULL, 'E' },
        { "podman-root", required_argument, NULL, 'P' },
        { "rules", required_argument, NULL, 'r' },
        { "verbose", no_argument, NULL, 'v' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    static const char *only[MAX_IDS], *skip[MAX_IDS], *podman[MAX_IDS];
    comb_bench_opts bo = { .only = only, .skip = skip, .podman_roots = podman };
    comb_bench_format fmt = COMB_BFMT_TABLE;
    const char *output = NULL;
    int exit_code = 0, quiet = 0, verbose = 0;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":f:o:vqh", longopts, NULL)) != -1) {
        switch (c) {
        case 'R': bo.root = optarg; break;
        case 'c':
        case 's':
            if (add_ids(c == 'c' ? only : skip, c == 'c' ? &bo.nonly : &bo.nskip, optarg)) {
                cli_error("--%s: more than %d ids", c == 'c' ? "check" : "skip", MAX_IDS);
                return EXIT_USAGE;
            }
            break;
        case 'f':
            if (comb_bench_format_parse(optarg, &fmt)) {
                cli_error("--format: \"%s\" is not table, json, junit, sarif or html", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'o': output = optarg; break;
        case 'E': {
            long v;
            if (cli_parse_int("--exit-code", optarg, 0, 255, &v))
                return EXIT_USAGE;
            exit_code = (int)v;
            break;
        }
        case 'P':
            if (bo.npodman_roots >= MAX_IDS) {
                cli_error("--podman-root: more than %d", MAX_IDS);
                return EXIT_USAGE;
            }
            podman[bo.npodman_roots++] = optarg;
            break;
        case 'r': bo.rules_dir = optarg; break;
        case 'v': verbose = 1; break;
        case 'q': quiet = 1; break;
        case 'h': help_bench(); return EXIT_OK;
        default: return cli_bad_option(c, argv, "bench");
        }
    }
    bo.targets = (const char *const *)argv + optind;
    bo.ntargets = (size_t)(argc - optind);
    for (size_t i = 0; i < bo.ntargets; i++) {
        size_t k;
        for (k = 0; comb_bench_targets[k]; k++)
            if (!strcmp(comb_bench_targets[k], bo.targets[i]))
                break;
        if (!comb_bench_targets[k] && !bo.rules_dir) {
            cli_error("'%s' is not a benchmark: docker, containerd, podman, k8s-node, host, "
                      "containers, images or all; see 'comb help bench'", bo.targets[i]);
            return EXIT_USAGE;
        }
    }
    if (!quiet && geteuid() != 0)
        cli_warning("not running as root: files and containers only root can read look absent "
                    "(NOT-APPLICABLE); run 'comb bench' as root for a complete result");
    comb_err err;
    comb_err_clear(&err);
    comb_bench_report *rep = NULL;
    comb_code rc = comb_bench_run(&bo, &rep, &err);
    if (rc) {
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    if (!quiet)
        for (size_t i = 0; i < rep->nwarnings; i++)
            cli_warning("%s", rep->warnings[i]);
    FILE *out = stdout;
    if (output && !(out = fopen(output, "w"))) {
        cli_error("%s: %s", output, strerror(errno));
        comb_bench_report_free(rep);
        return EXIT_INPUT;
    }
    comb_bench_write_opts wo = { .color = !output && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"),
                                 .verbose = verbose };
    rc = comb_bench_write(rep, fmt, &wo, out, &err);
    if (output && fclose(out) != 0 && rc == COMB_OK)
        rc = comb_fail(&err, COMB_EIO, "%s: %s", output, strerror(errno));
    else if (!output && fflush(out) != 0 && rc == COMB_OK)
        rc = comb_fail(&err, COMB_EIO, "standard output: %s", strerror(errno));
    comb_bench_counts counts = comb_bench_count(rep, NULL, NULL);
    comb_bench_report_free(rep);
    if (rc) {
        cli_error("%s", err.msg);
        return rc == COMB_EIO ? EXIT_INPUT : cli_exit_code(rc);
    }
    return exit_code && (counts.n[COMB_BENCH_FAIL] || counts.n[COMB_BENCH_ERROR]) ? exit_code : EXIT_OK;
}
