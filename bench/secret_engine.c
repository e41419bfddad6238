/* secret_engine.c - throughput of the secret scanner on real text.
 *
 * Loads the text files under the given directories (default: /usr/share/perl5
 * /usr/lib/python3 /usr/share/doc /etc) into memory, up to a total size,
 * then scans all of them with each prefilter (Trivy-style keywords+memmem,
 * Vectorscan prefilter of every regex, Vectorscan keyword set = the default)
 * on one core and prints MB/s, findings, and engine build time. Files are
 * scanned under neutral paths ("corpus/N") so the built-in allow rules skip
 * nothing and every byte is really scanned. With -v, prints each finding.
 *   usage: bench_secret_engine [-v] [-m MiB] [-s SECONDS] [-p trivy|regex|keywords] [DIR...] */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "secret/secret.h"

typedef struct file {
    char *path;
    uint8_t *data;
    size_t len;
} file;

static file *files;
static size_t nfiles, capfiles, total, limit = 256u << 20;

static double clock_of(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wall time, and the CPU time of this thread: the machine may be shared, and
 * "MB/s on one core" is bytes per second of CPU the scanner got. */
static double now(void) { return clock_of(CLOCK_MONOTONIC); }
static double cpu(void) { return clock_of(CLOCK_THREAD_CPUTIME_ID); }

static void add_file(const char *path, off_t size)
{
    if (size < 10 || size > (10 << 20) || total + (size_t)size > limit)
        return;
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    uint8_t *buf = malloc((size_t)size);
    size_t n = buf ? fread(buf, 1, (size_t)size, f) : 0;
    fclose(f);
    if (n != (size_t)size || memchr(buf, 0, n < 8192 ? n : 8192)) { /* binary: not text */
        free(buf);
        return;
    }
    if (nfiles == capfiles) {
        capfiles = capfiles ? capfiles * 2 : 1024;
        files = realloc(files, capfiles * sizeof *files);
    }
    files[nfiles++] = (file){ strdup(path), buf, n };
    total += n;
}

static void walk(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d || depth > 32) {
        if (d)
            closedir(d);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) && total < limit) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(path, &st))
            continue;
        if (S_ISDIR(st.st_mode))
            walk(path, depth + 1);
        else if (S_ISREG(st.st_mode))
            add_file(path, st.st_size);
    }
    closedir(d);
}

typedef struct count {
    size_t findings;
    int verbose;
    const char *path;
} count;

static int on_match(void *ud, const comb_secret_match *m)
{
    count *c = ud;
    c->findings++;
    if (c->verbose)
        printf("  %s:%u:%u %s %s | %s\n", c->path, m->line, m->col, m->rule_id, m->redacted_match,
               m->redacted_line);
    return 0;
}

static void run(const char *name, comb_secret_prefilter mode, double secs, int verbose)
{
    comb_secret_opts o = { .prefilter = mode };
    comb_secret_engine *e;
    comb_err err;
    double t0 = now();
    if (comb_secret_engine_new(&o, &e, &err)) {
        printf("%-28s build failed: %s\n", name, err.msg);
        return;
    }
    double build = now() - t0;
    count c = { 0, verbose, NULL };
    size_t bytes = 0, rounds = 0;
    double start = now(), start_cpu = cpu(), el;
    do {
        for (size_t i = 0; i < nfiles; i++) {
            char path[64];
            snprintf(path, sizeof path, "corpus/%zu", i);
            c.path = files[i].path;
            if (comb_secret_scan(e, path, files[i].data, files[i].len, on_match, &c, &err))
                printf("scan %s: %s\n", files[i].path, err.msg);
            bytes += files[i].len;
        }
        c.verbose = 0;
        rounds++;
        el = now() - start;
    } while (cpu() - start_cpu < secs);
    double el_cpu = cpu() - start_cpu;
    printf("%-28s %6.0f MB/s per CPU-second (%6.0f MB/s wall)  %3zu findings/round  build %.3f s  "
           "(%zu rules, %zu rounds)\n",
           name, (double)bytes / el_cpu / 1e6, (double)bytes / el / 1e6, c.findings / rounds, build,
           comb_secret_rule_count(e), rounds);
    comb_secret_engine_free(e);
}

int main(int argc, char **argv)
{
    int verbose = 0, ndirs = 0;
    const char *only = NULL;
    double secs = 3;
    const char *dirs[64];
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v"))
            verbose = 1;
        else if (!strcmp(argv[i], "-m") && i + 1 < argc)
            limit = (size_t)atol(argv[++i]) << 20;
        else if (!strcmp(argv[i], "-p") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            secs = atof(argv[++i]);
        else if (ndirs < 64)
            dirs[ndirs++] = argv[i];
    }
    if (!ndirs) {
        static const char *const def[] = { "/usr/share/perl5", "/usr/lib/python3", "/usr/share/doc",
                                           "/etc" };
        for (int i = 0; i < 4; i++)
            dirs[ndirs++] = def[i];
    }
    for (int i = 0; i < ndirs; i++)
        walk(dirs[i], 0);
    printf("corpus: %zu text files, %.1f MB\n", nfiles, (double)total / 1e6);
    if (!only || !strcmp(only, "trivy"))
        run("trivy-style (memmem+pcre2)", COMB_SECRET_PREFILTER_TRIVY, secs, 0);
    if (!only || !strcmp(only, "regex"))
        run("vectorscan regex prefilter", COMB_SECRET_PREFILTER_REGEX, secs, 0);
    if (!only || !strcmp(only, "keywords"))
        run("vectorscan keywords [chosen]", COMB_SECRET_PREFILTER_KEYWORDS, secs, verbose);
    for (size_t i = 0; i < nfiles; i++) {
        free(files[i].path);
        free(files[i].data);
    }
    free(files);
    return 0;
}
