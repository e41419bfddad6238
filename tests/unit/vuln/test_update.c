/* test_update.c - `comb db update` against a loopback HTTP server serving
 * real advisories from ../shared: first build, 304s leave the database
 * alone, a source cut mid-transfer or with a wrong checksum is reported
 * while the database stays intact and usable, changed content rebuilds,
 * and a failing rebuild leaves the previous database in place. */
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"
#include "test_server.h"
#include "vuln/update.h"
#include "vuln/vulndb.h"

static char dir[] = "/tmp/comb-update-XXXXXX";
static char files[300], dbpath[300];

static test_server srv;

static void sh(const char *fmt, const char *arg)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, fmt, arg, arg, arg);
    if (system(cmd) != 0)
        fprintf(stderr, "command failed: %s\n", cmd);
}

static comb_update_source src(const char *name, const char *path, const char *sum)
{
    comb_update_source s;
    memset(&s, 0, sizeof s);
    snprintf(s.name, sizeof s.name, "%s", name);
    snprintf(s.url, sizeof s.url, "http://127.0.0.1:%d%s", srv.port, path);
    if (sum)
        snprintf(s.sha256, sizeof s.sha256, "%s", sum);
    return s;
}

static int count_cb(void *ud, const comb_affected *a)
{
    (void)a;
    (*(int *)ud)++;
    return 0;
}

static int lookups(const char *eco, const char *pkg)
{
    comb_vulndb *db;
    comb_err err;
    int n = 0;
    if (comb_vulndb_open(dbpath, 0, &db, &err) != COMB_OK)
        return -1;
    if (comb_vulndb_lookup(db, eco, pkg, count_cb, &n, &err) != COMB_OK)
        n = -1;
    comb_vulndb_close(db);
    return n;
}

static ino_t inode(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? st.st_ino : 0;
}

static comb_update_opts opts(const comb_update_source *s, size_t n)
{
    comb_update_opts o = { .sources = s, .nsources = n, .retries = 1, .backoff_ms = 20,
                           .allow_loopback_http = 1 };
    return o;
}

static void test_update_cycle(void)
{
    comb_update_source s[3] = { src("go", "/files/go.zip", NULL), src("alpine", "/files/alpine.yaml", NULL) };
    comb_update_opts o = opts(s, 2);
    comb_update_report rep;
    comb_err err;
    CHECK_INT(comb_vulndb_update(dbpath, &o, &rep, &err), COMB_OK);
    CHECK(rep.rebuilt);
    CHECK_INT(rep.state[0], COMB_SRC_UPDATED);
    CHECK_INT(rep.state[1], COMB_SRC_UPDATED);
    int musl = lookups("alpine:3.10", "musl");
    CHECK(musl > 0);
    CHECK(lookups("go", "stdlib") > 0);
    ino_t before = inode(dbpath);

    /* unchanged sources: two 304s, the database file is the same file */
    CHECK_INT(comb_vulndb_update(dbpath, &o, &rep, &err), COMB_OK);
    CHECK_INT(rep.state[0], COMB_SRC_NOT_MODIFIED);
    CHECK_INT(rep.state[1], COMB_SRC_NOT_MODIFIED);
    CHECK(!rep.rebuilt);
    CHECK(inode(dbpath) == before);

    /* a source cut mid-transfer and one with a wrong checksum: reported;
     * nothing else changed, so the database is left as it is */
    s[2] = src("cut", "/cut", NULL);
    o.nsources = 3;
    CHECK_INT(comb_vulndb_update(dbpath, &o, &rep, &err), COMB_OK);
    CHECK_INT(rep.state[2], COMB_SRC_FAILED);
    CHECK_INT(rep.failed, 1);
    CHECK(strstr(rep.message[2], "/cut") != NULL);
    CHECK(inode(dbpath) == before);
    CHECK_INT(lookups("alpine:3.10", "musl"), musl);
    s[2] = src("sum", "/files/alpine.yaml",
               "sha256:0000000000000000000000000000000000000000000000000000000000000000");
    CHECK_INT(comb_vulndb_update(dbpath, &o, &rep, &err), COMB_OK);
    CHECK_INT(rep.state[2], COMB_SRC_FAILED);
    CHECK(strstr(rep.message[2], "checksum") != NULL);

    /* changed content: downloaded again and rebuilt */
    o.nsources = 2;
    sh("cp %s/alpine.yaml %s/alpine.yaml.old && head -c 2000 %s/alpine.yaml.old > /dev/null", files);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "printf 'distroversion: v3.10\\nreponame: main\\npackages:\\n  - pkg:\\n      name: musl\\n"
             "      secfixes:\\n        1.1.22-r9:\\n          - CVE-2099-0001\\n' > %s/alpine.yaml", files);
    CHECK(system(cmd) == 0);
    CHECK_INT(comb_vulndb_update(dbpath, &o, &rep, &err), COMB_OK);
    CHECK_INT(rep.state[1], COMB_SRC_UPDATED);
    CHECK_INT(rep.state[0], COMB_SRC_NOT_MODIFIED);
    CHECK(rep.rebuilt);
    CHECK_INT(lookups("alpine:3.10", "musl"), 1);

    /* a rebuild that cannot happen leaves the previous database usable */
    snprintf(cmd, sizeof cmd, "cp %s/alpine.yaml.old %s/alpine.yaml && mkdir -p %s.new/x", files,
             files, dbpath);
    CHECK(system(cmd) == 0);
    before = inode(dbpath);
    CHECK(comb_vulndb_update(dbpath, &o, &rep, &err) != COMB_OK);
    if (!strstr(err.msg, "previous database is unchanged"))
        fprintf(stderr, "message: %s\n", err.msg);
    CHECK(strstr(err.msg, "previous database is unchanged") != NULL);
    CHECK(inode(dbpath) == before);
    CHECK_INT(lookups("alpine:3.10", "musl"), 1);
}

static void test_sources_file(void)
{
    char path[400];
    snprintf(path, sizeof path, "%s/sources", dir);
    FILE *f = fopen(path, "w");
    fputs("# comment\nosv-go https://example.invalid/go.zip\n"
          "secdb https://example.invalid/a.yaml sha256:abcd  # trailing\n\n", f);
    fclose(f);
    comb_update_source s[4];
    size_t n;
    comb_err err;
    CHECK_INT(comb_update_read_sources(path, s, 4, &n, &err), COMB_OK);
    CHECK_INT(n, 2);
    CHECK_STR(s[1].name, "secdb");
    CHECK_STR(s[1].sha256, "sha256:abcd");
    f = fopen(path, "w");
    fputs("bad/name https://x\n", f);
    fclose(f);
    CHECK(comb_update_read_sources(path, s, 4, &n, &err) == COMB_EINVAL);
    CHECK(comb_update_parse_source("x=https://a", &s[0], &err) == COMB_OK);
    CHECK(comb_update_parse_source("nourl", &s[0], &err) == COMB_EINVAL);
    /* plain http is refused unless it is loopback and allowed */
    comb_update_source e = { .name = "e" };
    snprintf(e.url, sizeof e.url, "http://example.invalid/x");
    comb_update_opts o = { .sources = &e, .nsources = 1, .retries = -1, .allow_loopback_http = 1 };
    comb_update_report rep;
    CHECK(comb_vulndb_update(dbpath, &o, &rep, &err) != COMB_OK);
    CHECK(strstr(rep.message[0], "https") != NULL);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (!mkdtemp(dir))
        return 1;
    snprintf(files, sizeof files, "%s/files", dir);
    snprintf(dbpath, sizeof dbpath, "%s/db/vuln.db", dir);
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s && cd %s/data/osv/go && ls | sed -n 1,200p | zip -q %s/go.zip -@ && "
             "cp %s/data/advisories/alpine-secdb/v3.10/main.yaml %s/alpine.yaml",
             files, getenv("COMB_SHARED") ? getenv("COMB_SHARED") : "../shared", files,
             getenv("COMB_SHARED") ? getenv("COMB_SHARED") : "../shared", files);
    if (system(cmd) != 0 || test_server_start(&srv, files) != 0) {
        fprintf(stderr, "cannot set up the fixture server\n");
        return 1;
    }
    RUN(test_update_cycle);
    RUN(test_sources_file);
    test_server_stop(&srv);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cleanup failed\n");
    return test_summary();
}
