/* cmd_scan.c - `comb scan`: inventory a target, match it against the local
 * vulnerability database and write the findings. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"
#include "detect/detect.h"
#include "inventory/scanstore.h"
#include "report/scan_report.h"
#include "scan/image_scan.h"
#include "vuln/scan.h"

void help_scan(void)
{
    fputs("usage: comb scan [options] TARGET\n"
          "\n"
          "Find the known vulnerabilities of every package in a container image, and\n"
          "the secrets, malware and risky configuration inside it.\n"
          "\n"
          "TARGET is anything 'comb sbom' takes (see 'comb help sbom'), or an existing\n"
          "CycloneDX 1.x or SPDX 2.3 JSON SBOM (vulnerabilities only).\n"
          "\n"
          "Options:\n"
          "      --scanners LIST      vuln,secret,malware,config (default: all). Every\n"
          "                           layer is scanned, so a file deleted by a later\n"
          "                           layer is still reported (marked removed)\n"
          "      --secret-config FILE extra secret rules, disabled rules and allow rules\n"
          "                           (YAML; see docs/SECRETS.md)\n"
          "      --yara-rules DIR     add the YARA rules in DIR (*.yar, *.yara)\n"
          "      --clamav-db DIR      also scan with ClamAV, signatures from DIR\n"
          "      --max-image-age DAYS config check: image older than DAYS (default 365)\n"
          "      --max-scan-file-size N  secret and malware scanners skip files larger\n"
          "                           than N bytes (K, M, G suffixes; default 10M for\n"
          "                           secrets, 32M for malware); skipped files are counted\n"
          "      --db PATH            vulnerability database (default\n"
          "                           $XDG_DATA_HOME/comb/vuln.db; see 'comb db')\n"
          "  -f, --format FORMAT      table (default), json, sarif, cyclonedx, openvex\n"
          "  -o, --output FILE        write to FILE instead of standard output\n"
          "      --save DIR           also store the JSON result in DIR under the image's\n"
          "                           config digest (DIR/sha256-HEX.json), where 'comb\n"
          "                           inventory' reads it (default there: " COMB_SCANSTORE_DEFAULT ")\n"
          "      --severity LIST      report only these severities (comma-separated:\n"
          "                           UNKNOWN,NEGLIGIBLE,LOW,MEDIUM,HIGH,CRITICAL)\n"
          "      --severity-min SEV   report only SEV and above\n"
          "      --exit-code N        exit with N when unsuppressed findings of a reported\n"
          "                           severity exist (default: 0)\n"
          "      --ignore-unfixed     leave out vulnerabilities without a fixed version\n"
          "      --ignore FILE        ids to ignore: text lines 'ID [exp:YYYY-MM-DD] [reason]'\n"
          "                           or YAML (vulnerabilities: - id, reason, expires, purls)\n"
          "      --vex FILE           OpenVEX or CycloneDX VEX: not_affected / fixed\n"
          "                           statements suppress the matching findings\n"
          "      --platform OS/ARCH[/VARIANT]\n"
          "                           pick an image from a multi-platform index\n"
          "      --no-cache           read every layer, even those whose results are in\n"
          "                           the layer cache (a cached layer is trusted by its\n"
          "                           diff_id; see 'comb help sbom')\n"
          "      --cache-dir DIR      the layer cache (default ~/.cache/comb/layers)\n"
          "  -q, --quiet              no warnings or progress on stderr\n"
          "  -h, --help               this help\n"
          "\n", stdout);
    cli_registry_help(stdout);
    fputs("\n"
          "The database is never refreshed here; a database older than 7 days is\n"
          "used with a warning.\n"
          "\n"
          "Exit codes: 0 success (or findings without --exit-code), N findings with\n"
          "--exit-code N, 1 the target or database could not be read, 2 usage error,\n"
          "3 a limit was exceeded, 4 digest mismatch, 5 internal error,\n"
          "7 a registry refused access (HTTP 401/403).\n",
          stdout);
}

static int parse_severities(const char *s, unsigned *mask)
{
    char buf[256];
    if (strlen(s) >= sizeof buf)
        return -1;
    strcpy(buf, s);
    *mask = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        comb_severity sv;
        if (comb_severity_parse(tok, &sv) != 0)
            return -1;
        *mask |= 1u << sv;
    }
    return *mask ? 0 : -1;
}

/* --save: the JSON result into the store of scan results. */
static int save_result(const comb_scan_result *res, const char *dir)
{
    char *text;
    size_t len;
    comb_err err = { 0 };
    comb_code rc = comb_scanstore_json(res, &text, &len, &err);
    if (!rc)
        rc = comb_scanstore_save(dir, text, len, &err);
    free(text);
    if (rc)
        cli_error("--save: %s", err.msg);
    return rc ? -1 : 0;
}

int cmd_scan(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'D' },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' },
        { "save", required_argument, NULL, 'W' },
        { "severity", required_argument, NULL, 'S' },
        { "severity-min", required_argument, NULL, 'M' },
        { "exit-code", required_argument, NULL, 'E' },
        { "ignore-unfixed", no_argument, NULL, 'U' },
        { "ignore", required_argument, NULL, 'I' },
        { "vex", required_argument, NULL, 'V' },
        { "platform", required_argument, NULL, 'P' },
        { "no-cache", no_argument, NULL, 'N' },
        { "cache-dir", required_argument, NULL, 'C' },
        { "scanners", required_argument, NULL, 's' },
        { "secret-config", required_argument, NULL, 'K' },
        { "yara-rules", required_argument, NULL, 'Y' },
        { "clamav-db", required_argument, NULL, 'A' },
        { "max-image-age", required_argument, NULL, 'G' },
        { "max-scan-file-size", required_argument, NULL, 'Z' },
        CLI_REGISTRY_LONGOPTS,
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    comb_scan_format fmt = COMB_SFMT_TABLE;
    const char *output = NULL, *dbpath = NULL, *save_dir = NULL;
    comb_scan_opts so = { 0 };
    comb_sbom_opts sbo = { .use_cache = 1 }; /* rescans read only new layers */
    comb_detect_opts dopts = { .scanners = COMB_SCANNER_ALL };
    int quiet = 0, exit_code = 0, have_min = 0;
    cli_registry reg = { 0 };
    comb_severity min = COMB_SEV_UNKNOWN;
    unsigned list = 0;
    comb_err err;
    comb_err_clear(&err);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":f:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'D': dbpath = optarg; break;
        case 'f':
            if (comb_scan_format_parse(optarg, &fmt, &err)) {
                cli_error("%s", err.msg);
                return EXIT_USAGE;
            }
            break;
        case 'o': output = optarg; break;
        case 'W': save_dir = optarg; break;
        case 'S':
            if (parse_severities(optarg, &list)) {
                cli_error("--severity: \"%s\" is not a list of UNKNOWN, NEGLIGIBLE, LOW, MEDIUM, "
                          "HIGH, CRITICAL", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'M':
            if (comb_severity_parse(optarg, &min)) {
                cli_error("--severity-min: \"%s\" is not a severity", optarg);
                return EXIT_USAGE;
            }
            have_min = 1;
            break;
        case 'E': {
            long v;
            if (cli_parse_int("--exit-code", optarg, 0, 255, &v))
                return EXIT_USAGE;
            exit_code = (int)v;
            break;
        }
        case 'U': so.ignore_unfixed = 1; break;
        case 'I': so.ignore_file = optarg; break;
        case 'V': so.vex_file = optarg; break;
        case 'P': sbo.platform = optarg; break;
        case 'N': sbo.use_cache = 0; break;
        case 'C': sbo.cache_dir = optarg; break;
        case 's':
            if (comb_scanners_parse(optarg, &dopts.scanners, &err)) {
                cli_error("--scanners: %s", err.msg);
                return EXIT_USAGE;
            }
            break;
        case 'K': dopts.secret_config = optarg; break;
        case 'Y': dopts.yara_rules = optarg; break;
        case 'A': dopts.clamav_db = optarg; break;
        case 'G': {
            long v;
            if (cli_parse_int("--max-image-age", optarg, 1, 36500, &v))
                return EXIT_USAGE;
            dopts.max_age_days = (int)v;
            break;
        }
        case 'Z':
            if (cli_parse_size(optarg, &dopts.secret_max_file_size)) {
                cli_error("--max-scan-file-size: \"%s\" is not a size", optarg);
                return EXIT_USAGE;
            }
            dopts.malware_max_file_size = dopts.secret_max_file_size;
            break;
        case 'q': quiet = 1; break;
        case 'h': help_scan(); return EXIT_OK;
        default: {
            int r = cli_registry_option(&reg, c, optarg);
            if (r < 0)
                return EXIT_USAGE;
            if (r == 0)
                return cli_bad_option(c, argv, "scan");
        }
        }
    }
    if (optind != argc - 1) {
        cli_error(optind >= argc ? "no target given; see 'comb help scan'"
                                 : "one target at a time; see 'comb help scan'");
        return EXIT_USAGE;
    }
    int rr = cli_registry_finish(&reg);
    if (rr)
        return rr;
    sbo.registry = &reg.opts;
    if (list && have_min) {
        cli_error("--severity and --severity-min exclude each other");
        return EXIT_USAGE;
    }
    if (have_min)
        for (int s = min; s <= COMB_SEV_CRITICAL; s++)
            so.severities |= 1u << s;
    else
        so.severities = list;
    comb_vulndb *db = NULL;
    comb_code rc;
    if (dopts.scanners & COMB_SCANNER_VULN) {
        char defpath[PATH_MAX];
        if (!dbpath && !(dbpath = comb_vulndb_default_path(defpath, sizeof defpath))) {
            cli_error("no database path: set --db, XDG_DATA_HOME or HOME");
            return EXIT_USAGE;
        }
        if (access(dbpath, R_OK) != 0) {
            cli_error("%s: %s; create it with 'comb db import' or 'comb db update', or leave "
                      "vulnerabilities out with --scanners secret,malware,config", dbpath,
                      strerror(errno));
            return EXIT_INPUT;
        }
        so.db_path = dbpath;
        rc = comb_vulndb_open(dbpath, 0, &db, &err);
        if (rc) {
            cli_error("%s", err.msg);
            return cli_exit_code(rc);
        }
    }
    comb_scan_result *res = NULL;
    rc = comb_image_scan(argv[optind], &sbo, db, &so, &dopts, &res, &err);
    comb_vulndb_close(db);
    if (rc) {
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    if (!quiet && sbo.use_cache && res->inv->layers_read + res->inv->layers_cached)
        fprintf(stderr, "comb: %u layers read, %u from the layer cache\n", res->inv->layers_read,
                res->inv->layers_cached);
    if (!quiet) {
        for (size_t i = 0; i < res->inv->nwarnings; i++)
            cli_warning("%s", res->inv->warnings[i]);
        if (res->inv->warnings_dropped)
            cli_warning("%zu more warnings not shown", res->inv->warnings_dropped);
        for (size_t i = 0; i < res->nwarnings; i++)
            cli_warning("%s", res->warnings[i]);
        if (res->db_stale)
            cli_warning("the vulnerability database was built %s, more than 7 days ago; "
                        "results may miss recent vulnerabilities ('comb db update')",
                        res->db_built ? res->db_built : "long ago");
    }
    if (save_dir && save_result(res, save_dir)) {
        comb_scan_result_free(res);
        return EXIT_INPUT;
    }
    FILE *out = stdout;
    if (output && !(out = fopen(output, "w"))) {
        cli_error("%s: %s", output, strerror(errno));
        comb_scan_result_free(res);
        return EXIT_INPUT;
    }
    comb_report_opts ro = { .color = !output && isatty(STDOUT_FILENO) && !getenv("NO_COLOR") };
    rc = comb_report_scan_write(res, fmt, &ro, out, &err);
    if (output && fclose(out) != 0 && rc == COMB_OK)
        rc = comb_fail(&err, COMB_EIO, "%s: %s", output, strerror(errno));
    size_t hits = comb_scan_count_at_least(res, COMB_SEV_UNKNOWN) + res->ndetections;
    comb_scan_result_free(res);
    if (rc) {
        cli_error("%s", err.msg);
        return rc == COMB_EIO ? EXIT_INPUT : cli_exit_code(rc);
    }
    /* findings are already filtered to the chosen severities */
    return hits && exit_code ? exit_code : EXIT_OK;
}
