/* test_elf.c - the ELF analyzer against real Go binaries (oracle: `go version -m`)
 * and a cargo-auditable .dep-v0 section added with objcopy. */
#include "analyze/records.h"
#include "analyze/gobuildinfo.h"
#include "test.h"

#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

extern const comb_analyzer comb_analyzer_elf;

static char tmpdir[256];
static const char *go_cmd;

/* --- readers: odd-sized chunks to exercise the sliding window ------------ */

typedef struct memsrc {
    const uint8_t *p;
    size_t len, off, chunk;
    size_t total_read;
} memsrc;

static ssize_t mem_read(void *opaque, void *buf, size_t len)
{
    memsrc *m = opaque;
    size_t n = m->len - m->off;
    if (n > len)
        n = len;
    if (n > m->chunk)
        n = m->chunk;
    memcpy(buf, m->p + m->off, n);
    m->off += n;
    m->total_read += n;
    return (ssize_t)n;
}

static ssize_t fail_read(void *opaque, void *buf, size_t len)
{
    memsrc *m = opaque;
    if (m->off >= m->len)
        return -1; /* error instead of EOF */
    return mem_read(opaque, buf, len);
}

typedef struct result {
    comb_arena arena;
    comb_recset set;
    comb_code rc;
    comb_err err;
    size_t bytes_read;
} result;

static void run_mem(result *res, const char *path, const uint8_t *p, size_t len, size_t chunk,
                    int failing)
{
    comb_arena_init(&res->arena);
    comb_recset_init(&res->set, &res->arena);
    comb_err_clear(&res->err);
    comb_emit out;
    comb_emit_init(&out, &res->set, 0, path, "layer 0");
    memsrc m = { .p = p, .len = len, .chunk = chunk };
    comb_reader r = { .read = failing ? fail_read : mem_read, .opaque = &m };
    comb_entry e = { .path = path, .mode = 0100755, .size = (int64_t)len };
    res->rc = comb_analyzer_elf.on_stream(&out, &e, &r, &res->err);
    res->bytes_read = m.total_read;
}

static void run_free(result *res)
{
    comb_recset_free(&res->set);
    comb_arena_free(&res->arena);
}

static size_t count_type(result *res, comb_pkg_type t)
{
    size_t n = 0;
    for (size_t i = 0; i < res->set.n; i++)
        if (res->set.v[i]->kind == COMB_REC_PKG && res->set.v[i]->u.pkg.type == t)
            n++;
    return n;
}

static const comb_pkg *find_pkg(result *res, comb_pkg_type t, const char *name)
{
    for (size_t i = 0; i < res->set.n; i++) {
        const comb_pkg *p = &res->set.v[i]->u.pkg;
        if (res->set.v[i]->kind == COMB_REC_PKG && p->type == t && strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

static int has_warning(result *res, const char *needle)
{
    for (size_t i = 0; i < res->set.nwarnings; i++)
        if (strstr(res->set.warnings[i], needle))
            return 1;
    return 0;
}

/* --- the oracle: go version -m ------------------------------------------- */

typedef struct expect {
    comb_pkg_type type;
    char name[512], version[256];
} expect;

typedef struct oracle {
    char gover[128];
    expect v[4096];
    size_t n;
    int main_devel; /* index+1 of a main module whose version is (devel) */
} oracle;

/* Split a tab-separated line in place. */
static int tabs(char *s, char **f, int max)
{
    int n = 0;
    while (n < max) {
        f[n++] = s;
        char *t = strchr(s, '\t');
        if (!t)
            break;
        *t = '\0';
        s = t + 1;
    }
    return n;
}

static int run_oracle(const char *bin, oracle *o)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' version -m '%s' 2>/dev/null", go_cmd, bin);
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    memset(o, 0, sizeof *o);
    char line[8192];
    expect *last = NULL;
    char origname[512] = "", origver[256] = "";
    int first = 1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (first) {
            first = 0;
            char *c = strstr(line, ": go");
            if (!c)
                break;
            snprintf(o->gover, sizeof o->gover, "%s", c + 4);
            o->gover[strcspn(o->gover, " ")] = '\0';
            expect *e = &o->v[o->n++];
            e->type = COMB_PKG_GO_STDLIB;
            strcpy(e->name, "stdlib");
            memcpy(e->version, o->gover, sizeof o->gover);
            continue;
        }
        if (line[0] != '\t')
            continue;
        char *fl[6];
        int nf = tabs(line + 1, fl, 6);
        if (nf >= 3 && (strcmp(fl[0], "mod") == 0 || strcmp(fl[0], "dep") == 0)) {
            if (o->n >= 4096)
                break;
            last = &o->v[o->n++];
            last->type = COMB_PKG_GO;
            snprintf(last->name, sizeof last->name, "%s", fl[1]);
            snprintf(last->version, sizeof last->version, "%s", fl[2]);
            snprintf(origname, sizeof origname, "%s", fl[1]);
            snprintf(origver, sizeof origver, "%s", fl[2]);
            if (strcmp(fl[0], "mod") == 0 && strcmp(fl[2], "(devel)") == 0)
                o->main_devel = (int)o->n;
        } else if (nf >= 2 && strcmp(fl[0], "=>") == 0 && last) {
            /* a local directory replacement keeps the module's identity */
            if (fl[1][0] != '.' && fl[1][0] != '/') {
                snprintf(last->name, sizeof last->name, "%s", fl[1]);
                if (nf >= 3 && fl[2][0])
                    snprintf(last->version, sizeof last->version, "%s", fl[2]);
            }
            last = NULL;
        } else {
            last = NULL;
        }
    }
    (void)origname;
    (void)origver;
    int st = pclose(f);
    return st == 0 && o->gover[0] ? 0 : -1;
}

/* Every expected package is emitted, nothing else. main_version overrides the
 * expected version of a (devel) main module (NULL: accept any). */
static void compare(result *res, const oracle *o, const char *main_version, const char *bin)
{
    size_t npk = count_type(res, COMB_PKG_GO) + count_type(res, COMB_PKG_GO_STDLIB);
    CHECK_INT(npk, o->n);
    char used[4096] = { 0 };
    for (size_t i = 0; i < o->n; i++) {
        const expect *e = &o->v[i];
        int devel_main = o->main_devel == (int)i + 1;
        int found = 0;
        for (size_t k = 0; k < res->set.n && k < sizeof used && !found; k++) {
            const comb_pkg *p = &res->set.v[k]->u.pkg;
            if (used[k] || res->set.v[k]->kind != COMB_REC_PKG || p->type != e->type ||
                strcmp(p->name, e->name) != 0)
                continue;
            if (devel_main ? (main_version && strcmp(p->version, main_version) != 0)
                           : strcmp(p->version, e->version) != 0)
                continue;
            used[k] = 1;
            found = 1;
        }
        if (!found)
            fprintf(stderr, "  %s: missing %s %s\n", bin, e->name, e->version);
        CHECK(found);
    }
}

static void check_binary(const char *bin, const char *main_version, size_t min_deps)
{
    size_t len;
    unsigned char *data = test_slurp(bin, &len);
    CHECK(data != NULL);
    if (!data)
        return;
    oracle *o = calloc(1, sizeof *o);
    CHECK(run_oracle(bin, o) == 0);
    result res;
    run_mem(&res, bin + 1, data, len, 4093, 0);
    CHECK_INT(res.rc, COMB_OK);
    CHECK(o->n >= 1 + min_deps);
    compare(&res, o, main_version, bin);
    CHECK_INT(res.bytes_read, len); /* read through, once */
    fprintf(stderr, "  %s: go %s, %zu packages\n", bin, o->gover, o->n);
    run_free(&res);
    free(o);
    free(data);
}

/* --- tests ----------------------------------------------------------------- */

static void test_debian_binaries(void)
{
    /* Debian builds (GOPATH mode: path and build lines only, no modules). */
    check_binary("/usr/sbin/runc", NULL, 0);
    check_binary("/usr/bin/skopeo", NULL, 0);
    /* cmd/go imports debug/buildinfo: the magic also occurs in its rodata. */
    check_binary("/usr/lib/go-1.19/bin/go", NULL, 0);
    /* Module-mode binaries with many deps, when this machine has them. */
    const char *more[] = { "/usr/lib/google-cloud-sdk/bin/kubectl", "/usr/local/bin/docker",
                           "/usr/local/bin/terraform" };
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        if (access(more[i], R_OK) == 0)
            check_binary(more[i], NULL, 0);
}

static int build_go_programs(void)
{
    char script[8192];
    snprintf(script, sizeof script,
             "set -e; T='%s'; GO='%s'; cd \"$T\"\n"
             "mkdir -p proxy/example.com/lib/@v proxy/example.com/libfork/@v lib local hello\n"
             "printf 'module example.com/lib\\n\\ngo 1.18\\n' > lib/go.mod\n"
             "printf 'package lib\\n\\nfunc Hello() string { return \"hi\" }\\n' > lib/lib.go\n"
             "python3 - <<'EOF'\n"
             "import zipfile\n"
             "for mod, ver in (('lib','v1.4.2'),('libfork','v1.5.0')):\n"
             "    d='proxy/example.com/%%s/@v/' %% mod\n"
             "    z=zipfile.ZipFile(d+ver+'.zip','w')\n"
             "    z.writestr('example.com/%%s@%%s/go.mod' %% (mod,ver), open('lib/go.mod').read())\n"
             "    z.writestr('example.com/%%s@%%s/lib.go' %% (mod,ver), open('lib/lib.go').read())\n"
             "    z.close()\n"
             "    open(d+ver+'.mod','w').write(open('lib/go.mod').read())\n"
             "    open(d+ver+'.info','w').write('{\"Version\":\"%%s\",\"Time\":\"2023-01-01T00:00:00Z\"}' %% ver)\n"
             "    open(d+'list','w').write(ver+'\\n')\n"
             "EOF\n"
             "printf 'module example.com/local\\n\\ngo 1.18\\n' > local/go.mod\n"
             "printf 'package local\\n\\nfunc X() int { return 1 }\\n' > local/local.go\n"
             "cat > hello/go.mod <<'EOF'\n"
             "module example.com/hello\n\ngo 1.18\n\n"
             "require example.com/lib v1.4.2\n"
             "require example.com/local v0.0.0-00010101000000-000000000000\n\n"
             "replace example.com/lib => example.com/libfork v1.5.0\n"
             "replace example.com/local => ../local\n"
             "EOF\n"
             "cat > hello/main.go <<'EOF'\n"
             "package main\n\nimport (\"fmt\"; \"example.com/lib\"; \"example.com/local\")\n\n"
             "var version = \"unset\"\n\n"
             "func main() { fmt.Println(lib.Hello(), local.X(), version) }\n"
             "EOF\n"
             "mkdir -p plain && printf 'module example.com/plain\\n\\ngo 1.18\\n' > plain/go.mod\n"
             "printf 'package main\\n\\nfunc main() {}\\n' > plain/main.go\n"
             "export GOPROXY=file://$T/proxy GOSUMDB=off GOFLAGS=-mod=mod GOPATH=$T/gopath "
             "GOCACHE=$T/cache GOTOOLCHAIN=local CGO_ENABLED=0\n"
             "(cd hello && \"$GO\" build -ldflags '-s -X main.version=2.3.4' -o ../hello.bin .)\n"
             "(cd hello && \"$GO\" build -o ../hello-devel.bin .)\n"
             "(cd plain && \"$GO\" build -o ../plain.bin .)\n"
             "chmod -R u+w gopath\n",
             tmpdir, go_cmd);
    char path[512];
    snprintf(path, sizeof path, "%s/build.sh", tmpdir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(script, f);
    fclose(f);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "bash '%s' >'%s/build.log' 2>&1", path, tmpdir);
    int st = system(cmd);
    if (st != 0) {
        snprintf(cmd, sizeof cmd, "cat '%s/build.log' >&2", tmpdir);
        if (system(cmd)) {}
    }
    return st;
}

static void test_built_programs(void)
{
    CHECK(build_go_programs() == 0);
    char bin[512];
    /* -X main.version for a (devel) main module; a module replaced by another
     * module (path and version of the replacement), and by a local directory */
    snprintf(bin, sizeof bin, "%s/hello.bin", tmpdir);
    check_binary(bin, "2.3.4", 2);
    size_t len;
    unsigned char *data = test_slurp(bin, &len);
    if (data) {
        result res;
        run_mem(&res, "hello.bin", data, len, 1, 0); /* one byte at a time */
        const comb_pkg *p = find_pkg(&res, COMB_PKG_GO, "example.com/libfork");
        CHECK(p && strcmp(p->version, "v1.5.0") == 0);
        p = find_pkg(&res, COMB_PKG_GO, "example.com/local");
        CHECK(p && strcmp(p->version, "v0.0.0-00010101000000-000000000000") == 0);
        p = find_pkg(&res, COMB_PKG_GO, "example.com/hello");
        CHECK(p && strcmp(p->version, "2.3.4") == 0);
        CHECK(find_pkg(&res, COMB_PKG_GO, "example.com/lib") == NULL);
        p = find_pkg(&res, COMB_PKG_GO_STDLIB, "stdlib");
        CHECK(p && strcmp(p->version, "1.19.8") == 0);
        CHECK_INT(res.set.n, 4);
        run_free(&res);
        free(data);
    }
    snprintf(bin, sizeof bin, "%s/hello-devel.bin", tmpdir);
    check_binary(bin, "(devel)", 2);
    snprintf(bin, sizeof bin, "%s/plain.bin", tmpdir);
    check_binary(bin, "(devel)", 0);
}

static void test_not_elf(void)
{
    uint8_t *junk = malloc(1 << 20);
    for (size_t i = 0; i < (1 << 20); i++)
        junk[i] = (uint8_t)(i * 7);
    memcpy(junk, "#!/bin/sh\n", 10);
    memcpy(junk + 4096, COMB_GOBI_MAGIC, COMB_GOBI_MAGIC_LEN); /* must not be looked at */
    result res;
    run_mem(&res, "usr/bin/script", junk, 1 << 20, 4093, 0);
    CHECK_INT(res.rc, COMB_OK);
    CHECK_INT(res.set.n, 0);
    CHECK(res.bytes_read <= 64); /* stopped after the header */
    run_free(&res);
    run_mem(&res, "x", junk, 3, 4093, 0); /* shorter than the magic */
    CHECK_INT(res.rc, COMB_OK);
    CHECK_INT(res.set.n, 0);
    run_free(&res);
    free(junk);
}

static const uint8_t *find_magic(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + COMB_GOBI_MAGIC_LEN <= len; i += 16)
        if (memcmp(p + i, COMB_GOBI_MAGIC, COMB_GOBI_MAGIC_LEN) == 0 && (p[i + 15] & 2))
            return p + i;
    return NULL;
}

static void test_truncated_and_corrupt(void)
{
    char bin[512];
    snprintf(bin, sizeof bin, "%s/hello.bin", tmpdir);
    size_t len;
    unsigned char *data = test_slurp(bin, &len);
    CHECK(data != NULL);
    if (!data)
        return;
    const uint8_t *m = find_magic(data, len);
    CHECK(m != NULL);
    if (!m) {
        free(data);
        return;
    }
    size_t moff = (size_t)(m - data);
    result res;
    /* cut inside the module info: no packages, a warning */
    run_mem(&res, "hello", data, moff + 60, 4093, 0);
    CHECK_INT(res.rc, COMB_OK);
    CHECK_INT(res.set.n, 0);
    CHECK(has_warning(&res, "truncated"));
    run_free(&res);
    /* cut before the build info, and in the ELF header */
    run_mem(&res, "hello", data, moff / 2, 4093, 0);
    CHECK_INT(res.rc, COMB_OK);
    CHECK_INT(res.set.n, 0);
    run_free(&res);
    run_mem(&res, "hello", data, 40, 4093, 0);
    CHECK_INT(res.rc, COMB_OK);
    CHECK_INT(res.set.n, 0);
    run_free(&res);
    /* read error */
    run_mem(&res, "hello", data, moff + 60, 4093, 1);
    CHECK_INT(res.rc, COMB_EIO);
    run_free(&res);

    unsigned char *bad = malloc(len);
    /* pointer size 3: not a build info header */
    memcpy(bad, data, len);
    bad[moff + 14] = 3;
    run_mem(&res, "hello", bad, len, 4093, 0);
    CHECK_INT(res.rc, COMB_OK);
    CHECK_INT(res.set.n, 0);
    run_free(&res);
    /* old pointer format flag: warned, not read */
    memcpy(bad, data, len);
    bad[moff + 15] = 0;
    run_mem(&res, "hello", bad, len, 4093, 0);
    CHECK_INT(res.rc, COMB_OK);
    CHECK_INT(res.set.n, 0);
    CHECK(has_warning(&res, "pre-Go 1.18"));
    run_free(&res);
    /* module info length far beyond the file */
    memcpy(bad, data, len);
    size_t vl = bad[moff + 32];
    bad[moff + 33 + vl] = 0xff;
    bad[moff + 34 + vl] = 0xff;
    bad[moff + 35 + vl] = 0x7f;
    run_mem(&res, "hello", bad, len, 4093, 0);
    CHECK_INT(res.rc, COMB_OK);
    CHECK(count_type(&res, COMB_PKG_GO) == 0);
    run_free(&res);
    /* garbage over the module text: the sentinel check drops it, the version stays */
    memcpy(bad, data, len);
    for (size_t i = moff + 34 + vl; i < moff + 200 && i < len; i++)
        bad[i] = (uint8_t)(i * 31);
    run_mem(&res, "hello", bad, len, 4093, 0);
    CHECK_INT(res.rc, COMB_OK);
    run_free(&res);
    free(bad);
    free(data);
}

/* cargo-auditable: /bin/true plus a .dep-v0 section holding zlib'd JSON */
static const char rust_json[] =
    "{\"packages\":[{\"name\":\"myapp\",\"version\":\"0.1.0\",\"source\":\"local\","
    "\"dependencies\":[1,2],\"root\":true},"
    "{\"name\":\"serde\",\"version\":\"1.0.188\",\"source\":\"crates.io\"},"
    "{\"name\":\"cc\",\"version\":\"1.0.83\",\"source\":\"crates.io\",\"kind\":\"build\"},"
    "{\"name\":\"regex\",\"version\":\"1.9.5\",\"source\":\"crates.io\",\"kind\":\"runtime\"}]}";

static int make_rust_fixture(const char *out, const char *section, const char *json)
{
    char zz[512], cmd[2048];
    snprintf(zz, sizeof zz, "%s/dep.zz", tmpdir);
    uLongf clen = compressBound(strlen(json));
    uint8_t *c = malloc(clen);
    if (compress2(c, &clen, (const Bytef *)json, strlen(json), 9) != Z_OK)
        return -1;
    FILE *f = fopen(zz, "wb");
    if (!f)
        return -1;
    fwrite(c, 1, clen, f);
    fclose(f);
    free(c);
    snprintf(cmd, sizeof cmd, "objcopy --add-section %s='%s' /bin/true '%s' 2>&1", section, zz,
             out);
    return system(cmd);
}

static void test_rust_auditable(void)
{
    char bin[512];
    snprintf(bin, sizeof bin, "%s/rust.bin", tmpdir);
    CHECK(make_rust_fixture(bin, ".dep-v0", rust_json) == 0);
    size_t len;
    unsigned char *data = test_slurp(bin, &len);
    CHECK(data != NULL);
    if (!data)
        return;
    size_t chunks[] = { 4093, 1, 300000 };
    for (size_t k = 0; k < 3; k++) {
        result res;
        run_mem(&res, "usr/bin/myapp", data, len, chunks[k], 0);
        CHECK_INT(res.rc, COMB_OK);
        CHECK_INT(count_type(&res, COMB_PKG_CARGO), 3);
        const comb_pkg *p = find_pkg(&res, COMB_PKG_CARGO, "serde");
        CHECK(p && strcmp(p->version, "1.0.188") == 0);
        p = find_pkg(&res, COMB_PKG_CARGO, "myapp");
        CHECK(p && strcmp(p->version, "0.1.0") == 0);
        p = find_pkg(&res, COMB_PKG_CARGO, "regex");
        CHECK(p && strcmp(p->version, "1.9.5") == 0);
        CHECK(find_pkg(&res, COMB_PKG_CARGO, "cc") == NULL); /* build-only */
        CHECK_INT(res.set.nwarnings, 0);
        run_free(&res);
    }
    free(data);

    /* the same data under another section name is not cargo-auditable data */
    snprintf(bin, sizeof bin, "%s/rust-other.bin", tmpdir);
    CHECK(make_rust_fixture(bin, ".other", rust_json) == 0);
    data = test_slurp(bin, &len);
    if (data) {
        result res;
        run_mem(&res, "usr/bin/other", data, len, 4093, 0);
        CHECK_INT(res.rc, COMB_OK);
        CHECK_INT(count_type(&res, COMB_PKG_CARGO), 0);
        run_free(&res);
        free(data);
    }
    /* broken JSON inside a real .dep-v0: a warning, no packages */
    snprintf(bin, sizeof bin, "%s/rust-bad.bin", tmpdir);
    CHECK(make_rust_fixture(bin, ".dep-v0", "{\"packages\":[{\"name\":\"x\",") == 0);
    data = test_slurp(bin, &len);
    if (data) {
        result res;
        run_mem(&res, "usr/bin/bad", data, len, 4093, 0);
        CHECK_INT(res.rc, COMB_OK);
        CHECK_INT(count_type(&res, COMB_PKG_CARGO), 0);
        CHECK(res.set.nwarnings >= 1);
        run_free(&res);
        free(data);
    }
    /* non-Rust binary: nothing */
    data = test_slurp("/bin/true", &len);
    if (data) {
        result res;
        run_mem(&res, "bin/true", data, len, 4093, 0);
        CHECK_INT(res.rc, COMB_OK);
        CHECK_INT(res.set.n, 0);
        CHECK_INT(res.set.nwarnings, 0);
        run_free(&res);
        free(data);
    }
}

static void test_wants(void)
{
    comb_entry e = { .path = "usr/bin/runc", .mode = 0100755, .size = 8 << 20 };
    CHECK_INT(comb_analyzer_elf.wants(&e), COMB_WANT_STREAM);
    e.mode = 0100644;
    CHECK_INT(comb_analyzer_elf.wants(&e), COMB_WANT_NO);
    e.mode = 0100755;
    e.size = 1000;
    CHECK_INT(comb_analyzer_elf.wants(&e), COMB_WANT_NO);
    e.size = 1 << 20;
    e.path = "usr/lib/x86_64-linux-gnu/libc.so.6";
    CHECK_INT(comb_analyzer_elf.wants(&e), COMB_WANT_NO);
    e.path = "usr/lib/libfoo.so";
    CHECK_INT(comb_analyzer_elf.wants(&e), COMB_WANT_NO);
    e.path = "usr/bin/some.sorter";
    CHECK_INT(comb_analyzer_elf.wants(&e), COMB_WANT_STREAM);
    e.mode = 0040755;
    CHECK_INT(comb_analyzer_elf.wants(&e), COMB_WANT_NO);
}

static void test_stdlib_version(void)
{
    comb_arena a;
    comb_arena_init(&a);
    CHECK_STR(comb_gobuildinfo_stdlib_version(&a, "go1.19.8"), "1.19.8");
    CHECK_STR(comb_gobuildinfo_stdlib_version(&a, "go1.21.0 X:boringcrypto"), "1.21.0");
    CHECK_STR(comb_gobuildinfo_stdlib_version(&a, "go1.20.3-X:nocoverageredesign"), "1.20.3");
    CHECK_STR(comb_gobuildinfo_stdlib_version(&a, "go1.22rc1"), "1.22rc1");
    comb_arena_free(&a);
}

int main(void)
{
    const char *cands[] = { "/usr/lib/go-1.19/bin/go", "/usr/lib/go/bin/go", "/usr/bin/go" };
    for (size_t i = 0; i < 3 && !go_cmd; i++)
        if (access(cands[i], X_OK) == 0)
            go_cmd = cands[i];
    if (!go_cmd) {
        fprintf(stderr, "go not found (apt-get install golang-go)\n");
        return 1;
    }
    snprintf(tmpdir, sizeof tmpdir, "/tmp/comb-test-elf-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    RUN(test_wants);
    RUN(test_stdlib_version);
    RUN(test_not_elf);
    RUN(test_debian_binaries);
    RUN(test_built_programs);
    RUN(test_truncated_and_corrupt);
    RUN(test_rust_auditable);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd)) {}
    return test_summary();
}
