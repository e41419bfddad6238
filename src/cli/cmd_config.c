/* cmd_config.c - `comb config`: configuration checks of Dockerfiles and of
 * image configurations (misconfig/). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "misconfig/dockerfile.h"
#include "misconfig/misconfig.h"
#include "misconfig/report.h"
#include "sbom/inventory.h"

int cmd_config(int argc, char **argv);
void help_config(void);

void help_config(void)
{
    fputs("usage: comb config [options] PATH...\n"
          "       comb config [options] --image TARGET\n"
          "\n"
          "Check Dockerfiles and image configurations for security misconfigurations:\n"
          "running as root, secrets in ENV/ARG/labels, remote ADD, curl | sh, missing\n"
          "HEALTHCHECK, sensitive ports, unpinned or latest base images, image age,\n"
          "end-of-life base OS releases, and Dockerfile best practices. Every finding\n"
          "has a check id, a severity and the fix (see 'comb config --list-checks').\n"
          "\n"
          "PATH is a Dockerfile, or a directory holding Dockerfile, Containerfile,\n"
          "*.Dockerfile or Dockerfile.* files. A PATH that is an image archive or an OCI\n"
          "layout is checked as an image, like --image.\n"
          "\n"
          "Options:\n"
          "      --image TARGET       check the configuration and history of an image\n"
          "                           (anything 'comb sbom' takes; repeatable)\n"
          "  -f, --format FORMAT      table (default), json, sarif\n"
          "  -o, --output FILE        write to FILE instead of standard output\n"
          "      --severity LIST      report only these severities (comma-separated:\n"
          "                           INFO,LOW,MEDIUM,HIGH,CRITICAL)\n"
          "      --skip ID[,ID...]    leave out these checks (repeatable)\n"
          "      --exit-code N        exit with N when findings are reported (default: 0)\n"
          "      --max-age DAYS       report images built more than DAYS ago (default 365)\n"
          "      --platform OS/ARCH[/VARIANT]\n"
          "                           pick an image from a multi-platform index\n"
          "      --no-cache           read every layer of an image, even those in the layer\n"
          "                           cache (see 'comb help sbom')\n"
          "      --list-checks        list every check and exit\n"
          "  -q, --quiet              no warnings on stderr\n"
          "  -h, --help               this help\n"
          "\n"
          "Exit codes: 0 success (or findings without --exit-code), N findings with\n"
          "--exit-code N, 1 a PATH could not be read or parsed, 2 usage error, 3 a limit\n"
          "was exceeded, 4 digest mismatch, 5 internal error.\n",
          stdout);
}

#define MAX_SKIP 128
#define MAX_TARGETS 256

typedef struct run_opts {
    comb_mc_image_ctx ictx;
    comb_sbom_opts sbo;
    int quiet;
} run_opts;

typedef struct target {
    char *name;
    const char *kind;
    int is_file;
    comb_mc_list findings;
} target;

typedef struct targets {
    target items[MAX_TARGETS];
    size_t n;
} targets;

static int parse_severities(const char *s, unsigned *mask)
{
    char buf[256];
    if (strlen(s) >= sizeof buf)
        return -1;
    strcpy(buf, s);
    *mask = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        comb_mc_severity sv;
        if (comb_mc_severity_parse(tok, &sv) != 0)
            return -1;
        *mask |= 1u << sv;
    }
    return *mask ? 0 : -1;
}

static int add_skips(char *s, const char **skip, size_t *nskip)
{
    for (char *save = NULL, *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        const comb_mc_check *c = comb_misconfig_check_find(tok);
        if (!c) {
            cli_error("--skip: \"%s\" is not a check id; see 'comb config --list-checks'", tok);
            return -1;
        }
        if (*nskip == MAX_SKIP) {
            cli_error("--skip: more than %d checks", MAX_SKIP);
            return -1;
        }
        skip[(*nskip)++] = c->id;
    }
    return 0;
}

static void list_checks(void)
{
    size_t n;
    const comb_mc_check *c = comb_misconfig_checks(&n);
    printf("%-12s %-8s %-18s %s\n", "ID", "SEVERITY", "APPLIES TO", "TITLE");
    for (size_t i = 0; i < n; i++) {
        char applies[32] = "";
        if (c[i].applies & COMB_MC_ON_IMAGE)
            strcat(applies, "image,");
        if (c[i].applies & COMB_MC_ON_DOCKERFILE)
            strcat(applies, "dockerfile,");
        if (c[i].applies & COMB_MC_ON_FILES)
            strcat(applies, "files,");
        applies[strlen(applies) - 1] = '\0';
        printf("%-12s %-8s %-18s %s\n", c[i].id, comb_mc_severity_name(c[i].severity), applies,
               c[i].title);
        printf("%-12s fix: %s\n", "", c[i].fix);
    }
}

static target *new_target(targets *ts, const char *name, const char *kind, int is_file)
{
    if (ts->n == MAX_TARGETS) {
        cli_error("more than %d Dockerfiles and images in one run", MAX_TARGETS);
        return NULL;
    }
    target *t = &ts->items[ts->n];
    if (!(t->name = strdup(name))) {
        cli_error("out of memory");
        return NULL;
    }
    t->kind = kind;
    t->is_file = is_file;
    comb_mc_list_init(&t->findings);
    ts->n++;
    return t;
}

/* Read a Dockerfile whole (bounded); returns an exit code. */
static int check_dockerfile(targets *ts, const char *path)
{
    /* O_NONBLOCK: a FIFO named Dockerfile must not hang us (fstat rejects it) */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        cli_error("%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return EXIT_INPUT;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > (off_t)COMB_DF_MAX_SIZE) {
        if (S_ISREG(st.st_mode))
            cli_error("%s: larger than %u bytes", path, COMB_DF_MAX_SIZE);
        else
            cli_error("%s: not a regular file", path);
        close(fd);
        return S_ISREG(st.st_mode) ? EXIT_LIMIT : EXIT_INPUT;
    }
    size_t len = (size_t)st.st_size, got = 0;
    char *text = malloc(len + 1);
    if (!text) {
        close(fd);
        cli_error("out of memory");
        return EXIT_INTERNAL;
    }
    while (got < len) {
        ssize_t r = read(fd, text + got, len - got);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r < 0) {
            cli_error("%s: %s", path, strerror(errno));
            free(text);
            close(fd);
            return EXIT_INPUT;
        }
        if (r == 0)
            break; /* the file shrank: check what is there */
        got += (size_t)r;
    }
    close(fd);
    target *t = new_target(ts, path, "dockerfile", 1);
    if (!t) {
        free(text);
        return EXIT_INTERNAL;
    }
    comb_err err;
    comb_err_clear(&err);
    comb_dockerfile *df = NULL;
    comb_code rc = comb_dockerfile_parse(path, text, got, &df, &err);
    if (!rc)
        rc = comb_misconfig_dockerfile(df, &t->findings, &err);
    comb_dockerfile_free(df);
    free(text);
    if (rc) {
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    return EXIT_OK;
}

static int check_image(targets *ts, const char *ref, const run_opts *o)
{
    comb_err err;
    comb_err_clear(&err);
    comb_inventory *inv = NULL;
    comb_code rc = comb_inventory_build(ref, &o->sbo, &inv, &err);
    if (rc) {
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    target *t = new_target(ts, ref, "image", 0);
    if (!t) {
        comb_inventory_free(inv);
        return EXIT_INTERNAL;
    }
    comb_mc_image_ctx ctx = o->ictx;
    ctx.name = inv->image.name;
    ctx.os_id = inv->os.id;
    ctx.os_version_id = inv->os.version_id;
    if (inv->image.config_json) {
        rc = comb_misconfig_image(inv->image.config_json, inv->image.config_len, &ctx,
                                  &t->findings, &err);
    } else {
        if (!o->quiet)
            cli_warning("%s: no image configuration (a root filesystem): only the OS release "
                        "is checked", ref);
        rc = ctx.os_id ? comb_misconfig_os(ctx.os_id, ctx.os_version_id, ctx.now, "os-release",
                                           &t->findings, &err)
                       : COMB_OK;
    }
    if (!rc && !ctx.os_id && !o->quiet)
        cli_warning("%s: the OS release is unknown: end-of-life not checked", ref);
    comb_inventory_free(inv);
    if (rc) {
        cli_error("%s: %s", ref, err.msg);
        return cli_exit_code(rc);
    }
    return EXIT_OK;
}

static int is_dockerfile_name(const char *n)
{
    size_t len = strlen(n);
    return !strcmp(n, "Dockerfile") || !strcmp(n, "Containerfile") ||
           !strncmp(n, "Dockerfile.", 11) || !strncmp(n, "Containerfile.", 14) ||
           (len > 11 && !strcasecmp(n + len - 11, ".dockerfile"));
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory: an OCI layout is an image; otherwise its Dockerfiles. */
static int check_dir(targets *ts, const char *dir, const run_opts *o)
{
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/oci-layout", dir);
    if (access(probe, F_OK) == 0)
        return check_image(ts, dir, o);
    DIR *d = opendir(dir);
    if (!d) {
        cli_error("%s: %s", dir, strerror(errno));
        return EXIT_INPUT;
    }
    char *names[MAX_TARGETS];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < MAX_TARGETS)
        if (is_dockerfile_name(de->d_name) && (names[n] = strdup(de->d_name)))
            n++;
    closedir(d);
    if (!n) {
        cli_error("%s: no Dockerfile, Containerfile, *.Dockerfile or Dockerfile.* in it", dir);
        return EXIT_INPUT;
    }
    qsort(names, n, sizeof *names, by_name);
    int rc = EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        if (rc == EXIT_OK) {
            char path[4096];
            snprintf(path, sizeof path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
                     names[i]);
            rc = check_dockerfile(ts, path);
        }
        free(names[i]);
    }
    return rc;
}

/* Does the file start like an image archive (tar, gzip, zstd, xz, bzip2)? */
static int looks_like_archive(const char *path)
{
    unsigned char h[512];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, h, sizeof h);
    close(fd);
    if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b)
        return 1;
    if (n >= 4 && !memcmp(h, "\x28\xb5\x2f\xfd", 4))
        return 1;
    if (n >= 6 && !memcmp(h, "\xfd" "7zXZ", 5))
        return 1;
    if (n >= 3 && !memcmp(h, "BZh", 3))
        return 1;
    return n >= 262 && !memcmp(h + 257, "ustar", 5);
}

static int check_path(targets *ts, const char *path, const run_opts *o)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        cli_error("%s: %s", path, strerror(errno));
        return EXIT_INPUT;
    }
    if (S_ISDIR(st.st_mode))
        return check_dir(ts, path, o);
    if (S_ISREG(st.st_mode) && looks_like_archive(path))
        return check_image(ts, path, o);
    return check_dockerfile(ts, path);
}

int cmd_config(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "image", required_argument, NULL, 'I' },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' },
        { "severity", required_argument, NULL, 'S' },
        { "skip", required_argument, NULL, 'K' },
        { "exit-code", required_argument, NULL, 'E' },
        { "max-age", required_argument, NULL, 'A' },
        { "platform", required_argument, NULL, 'P' },
        { "list-checks", no_argument, NULL, 'L' },
        { "no-cache", no_argument, NULL, 'N' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    comb_mc_format fmt = COMB_MC_FMT_TABLE;
    const char *output = NULL;
    const char *images[MAX_TARGETS];
    size_t nimages = 0;
    const char *skip[MAX_SKIP];
    size_t nskip = 0;
    unsigned severities = 0;
    int exit_code = 0;
    run_opts o = { .sbo = { .use_cache = 1 } };
    comb_err err;
    comb_err_clear(&err);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":f:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'I':
            if (nimages == MAX_TARGETS) {
                cli_error("--image: more than %d images", MAX_TARGETS);
                return EXIT_USAGE;
            }
            images[nimages++] = optarg;
            break;
        case 'f':
            if (comb_mc_format_parse(optarg, &fmt, &err)) {
                cli_error("%s", err.msg);
                return EXIT_USAGE;
            }
            break;
        case 'o': output = optarg; break;
        case 'S':
            if (parse_severities(optarg, &severities)) {
                cli_error("--severity: \"%s\" is not a list of INFO, LOW, MEDIUM, HIGH, CRITICAL",
                          optarg);
                return EXIT_USAGE;
            }
            break;
        case 'K':
            if (add_skips(optarg, skip, &nskip))
                return EXIT_USAGE;
            break;
        case 'E':
        case 'A': {
            long v;
            if (c == 'E' ? cli_parse_int("--exit-code", optarg, 0, 255, &v)
                         : cli_parse_int("--max-age", optarg, 1, 36500, &v))
                return EXIT_USAGE;
            if (c == 'E')
                exit_code = (int)v;
            else
                o.ictx.max_age_days = (unsigned)v;
            break;
        }
        case 'P': o.sbo.platform = optarg; break;
        case 'N': o.sbo.use_cache = 0; break;
        case 'L': list_checks(); return EXIT_OK;
        case 'q': o.quiet = 1; break;
        case 'h': help_config(); return EXIT_OK;
        default:
            return cli_bad_option(c, argv, "config");
        }
    }
    if (optind >= argc && !nimages) {
        cli_error("no Dockerfile or image given; see 'comb help config'");
        return EXIT_USAGE;
    }
    targets *ts = calloc(1, sizeof *ts);
    if (!ts) {
        cli_error("out of memory");
        return EXIT_INTERNAL;
    }
    int rc = EXIT_OK;
    for (int i = optind; i < argc && rc == EXIT_OK; i++)
        rc = check_path(ts, argv[i], &o);
    for (size_t i = 0; i < nimages && rc == EXIT_OK; i++)
        rc = check_image(ts, images[i], &o);

    size_t reported = 0;
    comb_mc_target rt[MAX_TARGETS];
    for (size_t i = 0; i < ts->n; i++) {
        comb_mc_filter(&ts->items[i].findings, severities, skip, nskip);
        comb_mc_sort(&ts->items[i].findings);
        reported += ts->items[i].findings.n;
        rt[i] = (comb_mc_target){ .name = ts->items[i].name, .kind = ts->items[i].kind,
                                  .is_file = ts->items[i].is_file,
                                  .findings = &ts->items[i].findings };
    }
    /* the output is opened only when every target was checked: an error
     * leaves no report behind (and never touches an existing file) */
    FILE *out = stdout;
    if (rc == EXIT_OK && output && !(out = fopen(output, "w"))) {
        cli_error("%s: %s", output, strerror(errno));
        rc = EXIT_INPUT;
    }
    if (rc == EXIT_OK) {
        int color = !output && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
        comb_code wc = comb_mc_report_write(rt, ts->n, fmt, color, out, &err);
        if (wc) {
            cli_error("%s%s%s", output ? output : "", output ? ": " : "", err.msg);
            rc = wc == COMB_EIO ? EXIT_INPUT : cli_exit_code(wc);
        }
        if (output && fclose(out) != 0 && rc == EXIT_OK) {
            cli_error("%s: %s", output, strerror(errno));
            rc = EXIT_INPUT;
        }
    }
    for (size_t i = 0; i < ts->n; i++) {
        comb_mc_list_free(&ts->items[i].findings);
        free(ts->items[i].name);
    }
    free(ts);
    if (rc != EXIT_OK)
        return rc;
    return reported && exit_code ? exit_code : EXIT_OK;
}
