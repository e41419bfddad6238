/* cmd_db.c - `comb db import` and `comb db status`. */
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "vuln/import/import.h"
#include "vuln/update.h"
#include "vuln/vulndb.h"

void help_db(void)
{
    fputs("usage: comb db import [--db PATH] [-q] PATH...\n"
          "       comb db update [--db PATH] [--source NAME=URL]... [--sources FILE] [-q]\n"
          "       comb db status [--db PATH] [--format table|json]\n"
          "\n"
          "Manage the local vulnerability database (SQLite).\n"
          "\n"
          "import   load advisories from files, directories (recursively) and zip or tar\n"
          "         archives: OSV records (JSON or YAML; Debian, Ubuntu, Alpine, Red Hat,\n"
          "         Rocky, AlmaLinux, SUSE, PyPI, npm, Go, crates.io, Maven, RubyGems,\n"
          "         Packagist, NuGet), Alpine secdb files (YAML or JSON) and the Debian\n"
          "         security tracker JSON. Malformed records are rejected one by one with\n"
          "         a warning; the rest is imported. Re-importing replaces, never\n"
          "         duplicates.\n"
          "update   download the configured sources (https; conditional requests, so an\n"
          "         unchanged source costs a 304; retries with backoff; optional SHA-256)\n"
          "         and rebuild the database beside the old one, replacing it only when\n"
          "         complete: a failed or interrupted update leaves it intact. Sources:\n"
          "         --source NAME=URL options, else --sources FILE, else\n"
          "         $XDG_CONFIG_HOME/comb/sources (lines: NAME URL [SHA256]). Plain\n"
          "         http is accepted only for loopback addresses with --allow-loopback-http.\n"
          "status   show the database path, size, build time, record counts and sources.\n"
          "\n"
          "Options:\n"
          "      --db PATH            the database (default $XDG_DATA_HOME/comb/vuln.db,\n"
          "                           else ~/.local/share/comb/vuln.db)\n"
          "  -f, --format FORMAT      status output: table (default) or json\n"
          "  -q, --quiet              no warnings or progress on stderr\n"
          "  -h, --help               this help\n"
          "\n"
          "Exit codes: 0 success (also when some records were rejected), 1 a path or the\n"
          "database could not be read or written, 2 usage error, 5 internal error.\n",
          stdout);
}

typedef struct import_ui {
    int quiet, tty, shown;
    uint64_t warnings;
} import_ui;

#define MAX_SHOWN_WARNINGS 50

static void on_warn(void *ud, const char *file, const char *msg)
{
    import_ui *ui = ud;
    ui->warnings++;
    if (ui->quiet || ui->warnings > MAX_SHOWN_WARNINGS)
        return;
    if (ui->shown) {
        fputs("\r\033[K", stderr);
        ui->shown = 0;
    }
    cli_warning("%s: %s", file, msg);
}

static void on_progress(void *ud, const char *file, uint64_t done)
{
    import_ui *ui = ud;
    (void)file;
    if (ui->quiet || !ui->tty || done % 100)
        return;
    fprintf(stderr, "\rimporting: %llu files   ", (unsigned long long)done);
    ui->shown = 1;
}

static int db_import(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *path = NULL;
    import_ui ui = { 0 };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': path = optarg; break;
        case 'q': ui.quiet = 1; break;
        case 'h': help_db(); return EXIT_OK;
        default:
            return cli_bad_option(c, argv, "db");
        }
    }
    if (optind >= argc) {
        cli_error("nothing to import; see 'comb help db'");
        return EXIT_USAGE;
    }
    for (int i = optind; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            cli_error("%s: no such file or directory", argv[i]);
            return EXIT_INPUT;
        }
    }
    ui.tty = isatty(STDERR_FILENO);
    comb_err err;
    comb_err_clear(&err);
    comb_vulndb *db;
    comb_code rc = comb_vulndb_open(path, 1, &db, &err);
    if (rc) {
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    comb_import_opts opts = { .warn = on_warn, .progress = on_progress, .ud = &ui };
    comb_import_stats st;
    rc = comb_import_paths(db, (const char *const *)argv + optind, (size_t)(argc - optind),
                           &opts, &st, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (ui.shown)
        fputs("\r\033[K", stderr);
    char dbpath[PATH_MAX];
    snprintf(dbpath, sizeof dbpath, "%s", comb_vulndb_path(db));
    comb_vulndb_close(db);
    if (rc) {
        cli_error("%s (nothing imported)", err.msg);
        return cli_exit_code(rc);
    }
    if (!ui.quiet && ui.warnings > MAX_SHOWN_WARNINGS)
        cli_warning("%llu more warnings not shown",
                    (unsigned long long)(ui.warnings - MAX_SHOWN_WARNINGS));
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("imported into %s in %.1f s\n", dbpath, secs);
    for (int k = COMB_IMPORT_OSV; k < COMB_IMPORT_KINDS; k++)
        printf("  %-15s %llu records\n", comb_import_kind_name((comb_import_kind)k),
               (unsigned long long)st.records[k]);
    printf("  affected rows   %llu\n", (unsigned long long)st.affected);
    printf("  withdrawn       %llu (dropped)\n", (unsigned long long)st.withdrawn);
    printf("  rejected        %llu\n", (unsigned long long)st.rejected);
    printf("  files           %llu read, %llu skipped\n", (unsigned long long)st.files,
           (unsigned long long)st.skipped);
    return EXIT_OK;
}

static void update_progress(void *ud, const char *source, uint64_t done, uint64_t total)
{
    import_ui *ui = ud;
    if (ui->quiet || !ui->tty)
        return;
    if (total)
        fprintf(stderr, "\rdownloading %s: %llu / %llu KB   ", source,
                (unsigned long long)(done >> 10), (unsigned long long)(total >> 10));
    else
        fprintf(stderr, "\rdownloading %s: %llu KB   ", source, (unsigned long long)(done >> 10));
    ui->shown = 1;
}

static int db_update(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' },
        { "source", required_argument, NULL, 's' },
        { "sources", required_argument, NULL, 'S' },
        { "allow-loopback-http", no_argument, NULL, 'L' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    static comb_update_source sources[COMB_UPDATE_MAX_SOURCES];
    size_t nsources = 0;
    const char *path = NULL, *file = NULL;
    import_ui ui = { 0 };
    comb_update_opts o = { 0 };
    comb_err err;
    comb_err_clear(&err);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': path = optarg; break;
        case 's':
            if (nsources == COMB_UPDATE_MAX_SOURCES ||
                comb_update_parse_source(optarg, &sources[nsources], &err)) {
                cli_error("%s", err.msg[0] ? err.msg : "too many sources");
                return EXIT_USAGE;
            }
            nsources++;
            break;
        case 'S': file = optarg; break;
        case 'L': o.allow_loopback_http = 1; break;
        case 'q': ui.quiet = 1; break;
        case 'h': help_db(); return EXIT_OK;
        default:
            return cli_bad_option(c, argv, "db");
        }
    }
    if (optind != argc) {
        cli_error("update takes no paths; see 'comb help db'");
        return EXIT_USAGE;
    }
    char deflt[PATH_MAX];
    if (!nsources) {
        if (!file) {
            const char *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");
            if (x && *x == '/')
                snprintf(deflt, sizeof deflt, "%s/comb/sources", x);
            else
                snprintf(deflt, sizeof deflt, "%s/.config/comb/sources", h ? h : "");
            file = deflt;
        }
        comb_code rc = comb_update_read_sources(file, sources, COMB_UPDATE_MAX_SOURCES, &nsources, &err);
        if (rc || !nsources) {
            cli_error("%s", rc ? err.msg : "no sources: use --source NAME=URL or a sources file");
            return rc == COMB_EINVAL ? EXIT_USAGE : EXIT_INPUT;
        }
    }
    char dbpath[PATH_MAX];
    if (!path)
        path = comb_vulndb_default_path(dbpath, sizeof dbpath);
    ui.tty = isatty(STDERR_FILENO);
    o.sources = sources;
    o.nsources = nsources;
    o.progress = update_progress;
    o.warn = on_warn;
    o.ud = &ui;
    comb_update_report rep;
    comb_code rc = comb_vulndb_update(path, &o, &rep, &err);
    if (ui.shown)
        fputs("\r\033[K", stderr);
    for (size_t i = 0; i < nsources; i++) {
        const char *st = rep.state[i] == COMB_SRC_UPDATED        ? "downloaded"
                         : rep.state[i] == COMB_SRC_NOT_MODIFIED ? "not modified"
                                                                  : "FAILED";
        printf("  %-20s %-13s", sources[i].name, st);
        if (rep.state[i] == COMB_SRC_UPDATED)
            printf(" %llu bytes", (unsigned long long)rep.bytes[i]);
        printf("\n");
        if (rep.state[i] == COMB_SRC_FAILED)
            cli_warning("%s: %s", sources[i].name, rep.message[i]);
    }
    if (rc) {
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    if (rep.rebuilt)
        printf("rebuilt %s: %llu records, %llu affected rows, %llu rejected\n", path,
               (unsigned long long)(rep.stats.records[COMB_IMPORT_OSV] +
                                    rep.stats.records[COMB_IMPORT_SECDB] +
                                    rep.stats.records[COMB_IMPORT_DEBIAN]),
               (unsigned long long)rep.stats.affected, (unsigned long long)rep.stats.rejected);
    else
        printf("%s is up to date\n", path);
    /* some sources failed: the database is usable, but say so in the status */
    return rep.failed ? EXIT_INPUT : EXIT_OK;
}

static int db_status(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' },
        { "format", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *path = NULL;
    int json = 0;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":f:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': path = optarg; break;
        case 'f':
            if (!strcmp(optarg, "json"))
                json = 1;
            else if (strcmp(optarg, "table") != 0) {
                cli_error("--format: \"%s\" is not table or json", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'h': help_db(); return EXIT_OK;
        default:
            return cli_bad_option(c, argv, "db");
        }
    }
    if (optind != argc) {
        cli_error("unexpected argument '%s'; see 'comb help db'", argv[optind]);
        return EXIT_USAGE;
    }
    comb_err err;
    comb_err_clear(&err);
    comb_vulndb *db;
    comb_code rc = comb_vulndb_open(path, 0, &db, &err);
    if (rc) {
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    comb_arena a;
    comb_arena_init(&a);
    comb_vulndb_stats s;
    rc = comb_vulndb_stats_get(db, &a, &s, &err);
    char dbpath[PATH_MAX];
    snprintf(dbpath, sizeof dbpath, "%s", comb_vulndb_path(db));
    comb_vulndb_close(db);
    if (rc) {
        comb_arena_free(&a);
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    struct stat st;
    long long size = stat(dbpath, &st) == 0 ? (long long)st.st_size : -1;
    if (json) {
        json_t *o = json_object();
        json_t *srcs = json_array();
        for (size_t i = 0; i < s.nsources; i++)
            json_array_append_new(srcs, json_string(s.sources[i]));
        json_object_set_new(o, "path", json_string(dbpath));
        json_object_set_new(o, "size", json_integer(size));
        json_object_set_new(o, "built", s.built ? json_string(s.built) : json_null());
        json_object_set_new(o, "vulnerabilities", json_integer((json_int_t)s.vulns));
        json_object_set_new(o, "affected", json_integer((json_int_t)s.affected));
        json_object_set_new(o, "packages", json_integer((json_int_t)s.packages));
        json_object_set_new(o, "sources", srcs);
        char *text = json_dumps(o, JSON_INDENT(2));
        json_decref(o);
        if (!text) {
            comb_arena_free(&a);
            cli_error("out of memory");
            return EXIT_INTERNAL;
        }
        puts(text);
        free(text);
    } else {
        printf("path             %s\n", dbpath);
        printf("size             %lld bytes\n", size);
        printf("built            %s\n", s.built ? s.built : "never");
        printf("vulnerabilities  %llu\n", (unsigned long long)s.vulns);
        printf("affected         %llu\n", (unsigned long long)s.affected);
        printf("packages         %llu\n", (unsigned long long)s.packages);
        printf("sources\n");
        for (size_t i = 0; i < s.nsources; i++)
            printf("  %s\n", s.sources[i]);
    }
    comb_arena_free(&a);
    return EXIT_OK;
}

int cmd_db(int argc, char **argv)
{
    if (argc < 2) {
        cli_error("db needs a subcommand: import, update or status; see 'comb help db'");
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "import"))
        return db_import(argc - 1, argv + 1);
    if (!strcmp(argv[1], "status"))
        return db_status(argc - 1, argv + 1);
    if (!strcmp(argv[1], "update"))
        return db_update(argc - 1, argv + 1);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help_db();
        return EXIT_OK;
    }
    cli_error("'%s' is not a db subcommand (import, update, status); see 'comb help db'", argv[1]);
    return EXIT_USAGE;
}
