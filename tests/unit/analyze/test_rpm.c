/* test_rpm.c - the rpm analyzer against real databases and hostile input.
 *
 * Berkeley DB and SQLite results are compared with Debian's rpm reading a
 * copy of the same database (rpm -qa --dbpath); NDB, which that rpm cannot
 * read, with the expected list in the shared data. Hostile cases: truncated
 * and bit-flipped databases, empty buffers, crafted headers with huge counts,
 * a Berkeley DB overflow cycle; each must end in an error or a partial result.
 */
#include "test.h"

#include "analyze/records.h"
#include "analyze/rpm_header.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <unistd.h>

extern const comb_analyzer comb_analyzer_rpm;

#define QF_MAIN "%{EPOCH}\\t%{NAME}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}"
#define QF_META "\\t%{LICENSE}\\t%|VENDOR?{%{VENDOR}}:{%{PACKAGER}}|\\t%{MODULARITYLABEL}"

/* --- string lists ----------------------------------------------------------- */

typedef struct strlist {
    char **v;
    size_t n, cap;
} strlist;

static void sl_add(strlist *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = strdup(s);
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sl_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Compare two lists as sorted multisets; print the first differences. */
static void check_same(strlist *got, strlist *want, const char *what)
{
    qsort(got->v, got->n, sizeof *got->v, cmpstr);
    qsort(want->v, want->n, sizeof *want->v, cmpstr);
    CHECK(want->n > 0);
    CHECK_INT(got->n, want->n);
    size_t i = 0, j = 0, shown = 0;
    while ((i < got->n || j < want->n) && shown < 10) {
        int c = i >= got->n ? 1 : j >= want->n ? -1 : strcmp(got->v[i], want->v[j]);
        if (c == 0) {
            i++, j++;
            continue;
        }
        test_failures++;
        shown++;
        if (c < 0)
            fprintf(stderr, "  %s: unexpected: %s\n", what, got->v[i++]);
        else
            fprintf(stderr, "  %s: missing:    %s\n", what, want->v[j++]);
    }
    test_checks++;
}

/* --- running the analyzer ---------------------------------------------------- */

typedef struct run {
    comb_arena arena;
    comb_recset set;
    comb_err err;
    comb_code rc;
} run;

static void run_rpm(run *r, const char *path, const uint8_t *data, size_t len)
{
    comb_arena_init(&r->arena);
    comb_recset_init(&r->set, &r->arena);
    comb_err_clear(&r->err);
    r->rc = comb_analyze_buffer(&comb_analyzer_rpm, &r->set, path, data, len, &r->err);
}

static void run_free(run *r)
{
    comb_recset_free(&r->set);
    comb_arena_free(&r->arena);
}

static size_t npkgs(const run *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->set.n; i++)
        n += r->set.v[i]->kind == COMB_REC_PKG;
    return n;
}

static const comb_pkg *find_pkg(const run *r, const char *name)
{
    for (size_t i = 0; i < r->set.n; i++)
        if (r->set.v[i]->kind == COMB_REC_PKG && strcmp(r->set.v[i]->u.pkg.name, name) == 0)
            return &r->set.v[i]->u.pkg;
    return NULL;
}

static int has_file(const comb_pkg *p, const char *f)
{
    for (size_t i = 0; p && i < p->nfiles; i++)
        if (strcmp(p->files[i], f) == 0)
            return 1;
    return 0;
}

#define NONE(s) ((s) ? (s) : "(none)")

/* Our packages as rpm --qf lines (QF_MAIN, plus QF_META when meta). */
static void our_lines(const run *r, strlist *pk, strlist *files, int meta)
{
    char line[8192], srpm[2048], epoch[16];
    for (size_t i = 0; i < r->set.n; i++) {
        if (r->set.v[i]->kind != COMB_REC_PKG)
            continue;
        const comb_pkg *p = &r->set.v[i]->u.pkg;
        CHECK(p->type == COMB_PKG_RPM);
        CHECK_STR(r->set.v[i]->path, p->found_in);
        if (p->epoch < 0)
            snprintf(epoch, sizeof epoch, "(none)");
        else
            snprintf(epoch, sizeof epoch, "%d", p->epoch);
        if (p->src_name && p->src_version)
            snprintf(srpm, sizeof srpm, "%s-%s.src.rpm", p->src_name, p->src_version);
        else
            snprintf(srpm, sizeof srpm, "(none)");
        /* version must be exactly "version-release" */
        char vr[1024];
        snprintf(vr, sizeof vr, "%s-%s", NONE(p->rpm_version), NONE(p->rpm_release));
        CHECK_STR(p->version, vr);
        int n = snprintf(line, sizeof line, "%s\t%s\t%s\t%s\t%s\t%s", epoch, p->name,
                         NONE(p->rpm_version), NONE(p->rpm_release), NONE(p->arch), srpm);
        if (meta)
            snprintf(line + n, sizeof line - (size_t)n, "\t%s\t%s\t%s", NONE(p->license),
                     NONE(p->maintainer), NONE(p->modularity));
        sl_add(pk, line);
        for (size_t k = 0; files && k < p->nfiles; k++) {
            snprintf(line, sizeof line, "%s\t%s", p->name, p->files[k]);
            sl_add(files, line);
        }
    }
}

/* Lines of `rpm -qa --dbpath <copy> --qf <qf>`, gpg-pubkey and file-less
 * "(none)" lines filtered out. */
static void rpm_lines(const char *db, const char *dbname, const char *qf, int name_col,
                      strlist *out)
{
    char dir[] = "/tmp/comb-test-rpm-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s/%s'", db, dir, dbname);
    CHECK(system(cmd) == 0);
    snprintf(cmd, sizeof cmd, "rpm -qa --dbpath '%s' --qf '%s\\n' 2>/dev/null", dir, qf);
    FILE *f = popen(cmd, "r");
    CHECK(f != NULL);
    char line[8192];
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        /* the name is column name_col (0-based, tab-separated) */
        const char *s = line;
        for (int c = 0; c < name_col && s; c++) {
            s = strchr(s, '\t');
            if (s)
                s++;
        }
        if (s && strncmp(s, "gpg-pubkey\t", 11) == 0)
            continue;
        size_t n = strlen(line);
        if (n >= 7 && strcmp(line + n - 7, "\t(none)") == 0 && name_col == 0)
            continue; /* file list query of a package without files */
        sl_add(out, line);
    }
    if (f)
        CHECK(pclose(f) == 0);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

/* Full comparison with rpm for a database that Debian's rpm can read. */
static void compare_with_rpm(const char *rel, const char *dbname, const char *imgpath)
{
    size_t len;
    uint8_t *data = test_slurp(test_shared(rel), &len);
    CHECK(data != NULL);
    if (!data)
        return;
    char db[4096];
    snprintf(db, sizeof db, "%s", test_shared(rel));
    run r;
    run_rpm(&r, imgpath, data, len);
    CHECK_INT(r.rc, COMB_OK);
    if (r.rc)
        fprintf(stderr, "  error: %s\n", r.err.msg);
    CHECK_INT(r.set.nwarnings, 0);
    for (size_t i = 0; i < r.set.nwarnings; i++)
        fprintf(stderr, "  warning: %s\n", r.set.warnings[i]);

    strlist got = { 0 }, want = { 0 }, gotf = { 0 }, wantf = { 0 };
    our_lines(&r, &got, &gotf, 1);
    rpm_lines(db, dbname, QF_MAIN QF_META, 1, &want);
    check_same(&got, &want, rel);
    rpm_lines(db, dbname, "[%{=NAME}\\t%{FILENAMES}\\n]", 0, &wantf);
    /* the [...] form already ends lines; drop the empty ones */
    strlist wf = { 0 };
    for (size_t i = 0; i < wantf.n; i++)
        if (wantf.v[i][0])
            sl_add(&wf, wantf.v[i]);
    check_same(&gotf, &wf, "files");
    sl_free(&got), sl_free(&want), sl_free(&gotf), sl_free(&wantf), sl_free(&wf);
    run_free(&r);
    free(data);
}

static void test_bdb_matches_rpm(void)
{
    compare_with_rpm("data/rpmdb/libuuid/Packages", "Packages", "var/lib/rpm/Packages");
    size_t len;
    uint8_t *data = test_slurp(test_shared("data/rpmdb/libuuid/Packages"), &len);
    run r;
    run_rpm(&r, "var/lib/rpm/Packages", data, len);
    const comb_pkg *p = find_pkg(&r, "libuuid");
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(p->version, "2.32.1-42.el8_8");
        CHECK_STR(p->src_name, "util-linux");
        CHECK_STR(p->src_version, "2.32.1-42.el8_8");
        CHECK_STR(p->license, "BSD");
        CHECK_STR(p->maintainer, "Red Hat, Inc.");
        CHECK_INT(p->epoch, -1);
        CHECK(p->modularity == NULL);
        CHECK_INT(p->nfiles, 7);
        CHECK(has_file(p, "/usr/lib64/libuuid.so.1.3.0"));
        CHECK(has_file(p, "/usr/share/licenses/libuuid/COPYING.BSD-3"));
    }
    run_free(&r);
    free(data);
}

static void test_sqlite_matches_rpm(void)
{
    compare_with_rpm("data/rpmdb/cbl-mariner-2.0/rpmdb.sqlite", "rpmdb.sqlite",
                     "var/lib/rpm/rpmdb.sqlite");
    size_t len;
    uint8_t *data = test_slurp(test_shared("data/rpmdb/cbl-mariner-2.0/rpmdb.sqlite"), &len);
    CHECK(data && len > 20 && data[18] == 2); /* the WAL-mode patch is exercised */
    run r;
    run_rpm(&r, "usr/lib/sysimage/rpm/rpmdb.sqlite", data, len);
    const comb_pkg *p = find_pkg(&r, "glibc");
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(p->version, "2.34-2.cm2");
        CHECK_STR(p->arch, "x86_64");
        CHECK_STR(p->maintainer, "Microsoft Corporation");
        CHECK(has_file(p, "/usr/lib64/libc.so.6") || has_file(p, "/lib64/libc.so.6"));
    }
    CHECK(find_pkg(&r, "gpg-pubkey") == NULL);
    /* the caller's buffer is not modified by the WAL patch */
    CHECK(data[18] == 2 && data[19] == 2);
    run_free(&r);
    free(data);
}

static void test_ndb_matches_expected(void)
{
    size_t len, tlen;
    uint8_t *data = test_slurp(test_shared("data/rpmdb/sle15-bci/Packages.db"), &len);
    char *tsv = (char *)test_slurp(test_shared("data/rpmdb/sle15-bci/expected-packages.tsv"),
                                   &tlen);
    CHECK(data && tsv);
    if (!data || !tsv)
        return;
    run r;
    run_rpm(&r, "usr/lib/sysimage/rpm/Packages.db", data, len);
    CHECK_INT(r.rc, COMB_OK);
    CHECK_INT(r.set.nwarnings, 0);
    strlist got = { 0 }, want = { 0 };
    our_lines(&r, &got, NULL, 0);
    tsv = realloc(tsv, tlen + 1);
    tsv[tlen] = 0;
    for (char *save = NULL, *l = strtok_r(tsv, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (l[0] == '#')
            continue;
        char line[4096];
        snprintf(line, sizeof line, "%s%s", l[0] == '\t' ? "(none)" : "", l);
        sl_add(&want, line);
    }
    CHECK_INT(want.n, 35);
    check_same(&got, &want, "sle15-bci");
    const comb_pkg *p = find_pkg(&r, "bash");
    CHECK(p != NULL);
    if (p) {
        CHECK(has_file(p, "/bin/bash") || has_file(p, "/usr/bin/bash"));
        CHECK(p->license && strstr(p->license, "GPL") != NULL);
        CHECK(p->maintainer && strstr(p->maintainer, "SUSE") != NULL);
    }
    sl_free(&got), sl_free(&want);
    run_free(&r);
    free(data);
    free(tsv);
}

static void test_wants(void)
{
    comb_entry e = { .path = "var/lib/rpm/Packages", .mode = 0100644, .size = 10 };
    CHECK_INT(comb_analyzer_rpm.wants(&e), COMB_WANT_BUFFER);
    e.path = "usr/lib/sysimage/rpm/rpmdb.sqlite";
    CHECK_INT(comb_analyzer_rpm.wants(&e), COMB_WANT_BUFFER);
    e.path = "usr/share/rpm/Packages.db";
    CHECK_INT(comb_analyzer_rpm.wants(&e), COMB_WANT_BUFFER);
    e.path = "var/lib/rpm/Packages.bak";
    CHECK_INT(comb_analyzer_rpm.wants(&e), COMB_WANT_NO);
    e.path = "/var/lib/rpm/Packages";
    CHECK_INT(comb_analyzer_rpm.wants(&e), COMB_WANT_NO);
    e.path = "x/var/lib/rpm/Packages";
    CHECK_INT(comb_analyzer_rpm.wants(&e), COMB_WANT_NO);
    e.path = "var/lib/rpm/Name";
    CHECK_INT(comb_analyzer_rpm.wants(&e), COMB_WANT_NO);
    e.path = "var/lib/rpm/Packages";
    e.mode = 0120777; /* symlink */
    CHECK_INT(comb_analyzer_rpm.wants(&e), COMB_WANT_NO);
    CHECK_STR(comb_analyzer_rpm.name, "rpm");
    CHECK(comb_analyzer_rpm.max_size == (size_t)512 << 20);
}

/* --- hostile input ----------------------------------------------------------- */

static const struct {
    const char *rel, *path;
} dbs[] = {
    { "data/rpmdb/libuuid/Packages", "var/lib/rpm/Packages" },
    { "data/rpmdb/sle15-bci/Packages.db", "usr/lib/sysimage/rpm/Packages.db" },
    { "data/rpmdb/cbl-mariner-2.0/rpmdb.sqlite", "var/lib/rpm/rpmdb.sqlite" },
};

static void test_empty_and_wrong_format(void)
{
    for (size_t d = 0; d < 3; d++) {
        run r;
        run_rpm(&r, dbs[d].path, NULL, 0);
        CHECK_INT(r.rc, COMB_EFORMAT);
        CHECK(r.err.msg[0] != 0);
        run_free(&r);
        uint8_t zeros[8192] = { 0 };
        run_rpm(&r, dbs[d].path, zeros, sizeof zeros);
        CHECK_INT(r.rc, COMB_EFORMAT);
        CHECK_INT(npkgs(&r), 0);
        run_free(&r);
    }
    /* a database under another format's name is rejected, not misread */
    size_t len;
    uint8_t *data = test_slurp(test_shared(dbs[2].rel), &len);
    run r;
    run_rpm(&r, "var/lib/rpm/Packages", data, len);
    CHECK_INT(r.rc, COMB_EFORMAT);
    CHECK(strstr(r.err.msg, "Berkeley DB") != NULL);
    run_free(&r);
    run_rpm(&r, "var/lib/rpm/Packages.db", data, len);
    CHECK_INT(r.rc, COMB_EFORMAT);
    CHECK(strstr(r.err.msg, "NDB") != NULL);
    run_free(&r);
    free(data);
}

static void test_truncated(void)
{
    for (size_t d = 0; d < 3; d++) {
        size_t len;
        uint8_t *data = test_slurp(test_shared(dbs[d].rel), &len);
        CHECK(data != NULL);
        if (!data)
            continue;
        run full;
        run_rpm(&full, dbs[d].path, data, len);
        size_t nfull = npkgs(&full);
        CHECK(nfull > 0);
        run_free(&full);
        size_t cuts[] = { 1, 7, 31, 33, 100, 511, 512, 4095, 4096, 4097, 8192, 12345,
                          len / 3, len / 2, len - 4096, len - 1 };
        for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
            if (cuts[c] >= len)
                continue;
            /* exact-size heap copy, so ASan sees any read past the end */
            uint8_t *cut = malloc(cuts[c]);
            memcpy(cut, data, cuts[c]);
            run r;
            run_rpm(&r, dbs[d].path, cut, cuts[c]);
            CHECK(r.rc == COMB_OK || r.rc == COMB_EFORMAT);
            if (r.rc != COMB_OK)
                CHECK(r.err.msg[0] != 0);
            CHECK(npkgs(&r) <= nfull);
            run_free(&r);
            free(cut);
        }
        free(data);
    }
}

static void test_byte_flips(void)
{
    srand(12345);
    for (size_t d = 0; d < 3; d++) {
        size_t len;
        uint8_t *data = test_slurp(test_shared(dbs[d].rel), &len);
        if (!data)
            continue;
        uint8_t *mut = malloc(len);
        int rounds = d == 2 ? 40 : 150;
        size_t ok = 0;
        for (int i = 0; i < rounds; i++) {
            memcpy(mut, data, len);
            int flips = 1 + rand() % 32;
            for (int k = 0; k < flips; k++) {
                size_t at = (size_t)rand() % len;
                /* half of the flips hit the first pages, where the structure is */
                if (rand() % 2)
                    at %= len < 16384 ? len : 16384;
                mut[at] ^= (uint8_t)(1u << (rand() % 8));
            }
            run r;
            run_rpm(&r, dbs[d].path, mut, len);
            CHECK(r.rc == COMB_OK || r.rc == COMB_EFORMAT || r.rc == COMB_EUNSUPPORTED);
            ok += r.rc == COMB_OK;
            run_free(&r);
        }
        CHECK(ok > 0); /* most flips leave the database readable */
        free(mut);
        free(data);
    }
}

/* --- crafted headers ------------------------------------------------------------ */

typedef struct hent {
    uint32_t tag, type, count;
    const void *data;
    size_t len;
} hent;

static void put32(uint8_t *p, uint32_t v)
{
    v = htonl(v);
    memcpy(p, &v, 4);
}

/* Build a header blob with an immutable region over all entries. */
static uint8_t *build_header(const hent *e, size_t n, size_t *outlen)
{
    size_t il = n + 1, dl = 0;
    for (size_t i = 0; i < n; i++)
        dl += e[i].len + 4;
    dl += 16;
    uint8_t *b = calloc(1, 8 + il * 16 + dl);
    put32(b, (uint32_t)il);
    uint8_t *idx = b + 8, *data = b + 8 + il * 16;
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        while (e[i].type == RPM_TYPE_INT32 && off % 4)
            off++;
        uint8_t *x = idx + (i + 1) * 16;
        put32(x, e[i].tag);
        put32(x + 4, e[i].type);
        put32(x + 8, (uint32_t)off);
        put32(x + 12, e[i].count);
        memcpy(data + off, e[i].data, e[i].len);
        off += e[i].len;
    }
    put32(idx, RPMTAG_HEADERIMMUTABLE);
    put32(idx + 4, RPM_TYPE_BIN);
    put32(idx + 8, (uint32_t)off);
    put32(idx + 12, 16);
    put32(data + off, RPMTAG_HEADERIMMUTABLE);
    put32(data + off + 4, RPM_TYPE_BIN);
    put32(data + off + 8, (uint32_t)-(int32_t)(il * 16));
    put32(data + off + 12, 16);
    off += 16;
    put32(b + 4, (uint32_t)off);
    *outlen = 8 + il * 16 + off;
    return b;
}

/* An NDB image holding the given blobs (one slot page). */
static uint8_t *build_ndb(uint8_t *const *blobs, const size_t *lens, size_t n, size_t *outlen)
{
    size_t size = 4096;
    for (size_t i = 0; i < n; i++)
        size += (16 + lens[i] + 15) / 16 * 16;
    uint8_t *b = calloc(1, size);
    memcpy(b, "RpmP", 4);
    b[12] = 1; /* one slot page */
    size_t blk = 4096 / 16;
    for (size_t i = 0; i < 254; i++) {
        uint8_t *s = b + 32 + i * 16;
        memcpy(s, "Slot", 4);
        if (i >= n)
            continue;
        uint32_t idx = (uint32_t)i + 1, cnt = (uint32_t)((16 + lens[i] + 15) / 16);
        uint32_t bo = (uint32_t)blk, ln = (uint32_t)lens[i];
        memcpy(s + 4, &idx, 4);
        memcpy(s + 8, &bo, 4);
        memcpy(s + 12, &cnt, 4);
        uint8_t *h = b + blk * 16;
        memcpy(h, "BlbS", 4);
        memcpy(h + 4, &idx, 4);
        memcpy(h + 12, &ln, 4);
        memcpy(h + 16, blobs[i], lens[i]);
        blk += cnt;
    }
    *outlen = size;
    return b;
}

static comb_code run_blobs(run *r, uint8_t *const *blobs, const size_t *lens, size_t n)
{
    size_t len;
    uint8_t *img = build_ndb(blobs, lens, n, &len);
    run_rpm(r, "var/lib/rpm/Packages.db", img, len);
    free(img);
    return r->rc;
}

static const char dirnames[] = "/usr/bin/\0/etc/foo/";
static const char basenames[] = "foo\0foo.conf\0bar";

static void test_crafted_header(void)
{
    uint8_t di[12];
    put32(di, 0), put32(di + 4, 1), put32(di + 8, 0);
    uint8_t ep[4];
    put32(ep, 3);
    hent e[] = {
        { RPMTAG_NAME, RPM_TYPE_STRING, 1, "foo", 4 },
        { RPMTAG_VERSION, RPM_TYPE_STRING, 1, "1.2", 4 },
        { RPMTAG_RELEASE, RPM_TYPE_STRING, 1, "3.el9", 6 },
        { RPMTAG_EPOCH, RPM_TYPE_INT32, 1, ep, 4 },
        { RPMTAG_ARCH, RPM_TYPE_STRING, 1, "aarch64", 8 },
        { RPMTAG_SOURCERPM, RPM_TYPE_STRING, 1, "foo-src-1.2-3.el9.src.rpm", 26 },
        { RPMTAG_LICENSE, RPM_TYPE_STRING, 1, "MIT", 4 },
        { RPMTAG_PACKAGER, RPM_TYPE_STRING, 1, "Someone", 8 },
        { RPMTAG_MODULARITYLABEL, RPM_TYPE_STRING, 1, "foo:1:2:abc", 12 },
        { RPMTAG_DIRNAMES, RPM_TYPE_STRING_ARRAY, 2, dirnames, sizeof dirnames },
        { RPMTAG_BASENAMES, RPM_TYPE_STRING_ARRAY, 3, basenames, sizeof basenames },
        { RPMTAG_DIRINDEXES, RPM_TYPE_INT32, 3, di, 12 },
    };
    size_t n = sizeof e / sizeof e[0], blen;
    uint8_t *blob = build_header(e, n, &blen);
    run r;
    CHECK_INT(run_blobs(&r, &blob, &blen, 1), COMB_OK);
    CHECK_INT(r.set.nwarnings, 0);
    const comb_pkg *p = find_pkg(&r, "foo");
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(p->version, "1.2-3.el9");
        CHECK_STR(p->rpm_version, "1.2");
        CHECK_STR(p->rpm_release, "3.el9");
        CHECK_INT(p->epoch, 3);
        CHECK_STR(p->arch, "aarch64");
        CHECK_STR(p->src_name, "foo-src");
        CHECK_STR(p->src_version, "1.2-3.el9");
        CHECK_STR(p->license, "MIT");
        CHECK_STR(p->maintainer, "Someone"); /* PACKAGER when no VENDOR */
        CHECK_STR(p->modularity, "foo:1:2:abc");
        CHECK_INT(p->nfiles, 3);
        if (p->nfiles == 3) {
            CHECK_STR(p->files[0], "/usr/bin/foo");
            CHECK_STR(p->files[1], "/etc/foo/foo.conf");
            CHECK_STR(p->files[2], "/usr/bin/bar");
        }
    }
    run_free(&r);

    /* the same header through the decoder directly */
    rpm_header h;
    const char *why = NULL;
    CHECK_INT(rpm_header_load(&h, blob, blen, &why), 0);
    CHECK_STR(rpm_header_string(&h, RPMTAG_NAME), "foo");
    CHECK(rpm_header_string(&h, RPMTAG_VENDOR) == NULL);
    uint32_t v = 0;
    CHECK_INT(rpm_header_int32(&h, RPMTAG_EPOCH, &v), 0);
    CHECK_INT(v, 3);
    CHECK_INT(rpm_header_int32(&h, RPMTAG_NAME, &v), -1); /* wrong type */
    /* every shorter prefix is rejected */
    for (size_t cut = 0; cut < blen; cut++) {
        uint8_t *c = malloc(cut ? cut : 1);
        memcpy(c, blob, cut);
        CHECK(rpm_header_load(&h, c, cut, &why) == -1);
        free(c);
    }
    free(blob);

    /* gpg-pubkey is not a package */
    hent g[] = { { RPMTAG_NAME, RPM_TYPE_STRING, 1, "gpg-pubkey", 11 },
                 { RPMTAG_VERSION, RPM_TYPE_STRING, 1, "fd431d51", 9 },
                 { RPMTAG_RELEASE, RPM_TYPE_STRING, 1, "4ae0493b", 9 } };
    blob = build_header(g, 3, &blen);
    CHECK_INT(run_blobs(&r, &blob, &blen, 1), COMB_OK);
    CHECK_INT(npkgs(&r), 0);
    run_free(&r);
    free(blob);
}

static void test_hostile_headers(void)
{
    uint8_t di[4];
    put32(di, 0);
    uint8_t bigdi[4];
    put32(bigdi, 0x7fffffff);
    hent nv[] = { { RPMTAG_NAME, RPM_TYPE_STRING, 1, "x", 2 },
                  { RPMTAG_VERSION, RPM_TYPE_STRING, 1, "1", 2 } };
    uint8_t *blobs[9];
    size_t lens[9], nb = 0;

    /* 1: BASENAMES count 0x7fffffff, DIRINDEXES count 1 */
    hent a[] = { nv[0], nv[1],
                 { RPMTAG_DIRNAMES, RPM_TYPE_STRING_ARRAY, 1, "/a/", 4 },
                 { RPMTAG_BASENAMES, RPM_TYPE_STRING_ARRAY, 0x7fffffff, "b", 2 },
                 { RPMTAG_DIRINDEXES, RPM_TYPE_INT32, 1, di, 4 } };
    blobs[nb] = build_header(a, 5, &lens[nb]), nb++;
    /* 2: DIRINDEXES pointing past DIRNAMES */
    hent b[] = { nv[0], nv[1],
                 { RPMTAG_DIRNAMES, RPM_TYPE_STRING_ARRAY, 1, "/a/", 4 },
                 { RPMTAG_BASENAMES, RPM_TYPE_STRING_ARRAY, 1, "b", 2 },
                 { RPMTAG_DIRINDEXES, RPM_TYPE_INT32, 1, bigdi, 4 } };
    blobs[nb] = build_header(b, 5, &lens[nb]), nb++;
    /* 3: INT32 count 0x40000000 (data far beyond the store) */
    hent c[] = { nv[0], nv[1], { RPMTAG_EPOCH, RPM_TYPE_INT32, 0x40000000, di, 4 } };
    blobs[nb] = build_header(c, 3, &lens[nb]), nb++;
    /* 4: name of the wrong type, DIRNAMES count huge */
    hent d[] = { { RPMTAG_NAME, RPM_TYPE_BIN, 4, "abc", 4 },
                 { RPMTAG_VERSION, RPM_TYPE_STRING, 1, "1", 2 },
                 { RPMTAG_DIRNAMES, RPM_TYPE_STRING_ARRAY, 0xffffffff, "/", 2 } };
    blobs[nb] = build_header(d, 3, &lens[nb]), nb++;
    /* 5: il / dl huge */
    blobs[nb] = calloc(1, 64), lens[nb] = 64;
    put32(blobs[nb], 0xffffffff), put32(blobs[nb] + 4, 0xffffffff), nb++;
    /* 6: region trailer claiming more entries than exist */
    blobs[nb] = build_header(nv, 2, &lens[nb]);
    put32(blobs[nb] + lens[nb] - 8, (uint32_t)-(int32_t)(1000 * 16)), nb++;
    /* 7: legacy header (no region) whose only string is unterminated */
    blobs[nb] = calloc(1, 8 + 16 + 3), lens[nb] = 8 + 16 + 3;
    put32(blobs[nb], 1), put32(blobs[nb] + 4, 3);
    put32(blobs[nb] + 8, RPMTAG_NAME), put32(blobs[nb] + 12, RPM_TYPE_STRING);
    put32(blobs[nb] + 16, 0), put32(blobs[nb] + 20, 1);
    memcpy(blobs[nb] + 24, "abc", 3), nb++;
    /* 8: a good one after all that */
    hent ok[] = { { RPMTAG_NAME, RPM_TYPE_STRING, 1, "good", 5 },
                  { RPMTAG_VERSION, RPM_TYPE_STRING, 1, "1", 2 },
                  { RPMTAG_RELEASE, RPM_TYPE_STRING, 1, "1", 2 } };
    blobs[nb] = build_header(ok, 3, &lens[nb]), nb++;

    run r;
    CHECK_INT(run_blobs(&r, blobs, lens, nb), COMB_OK);
    /* 1 and 2: package kept without files; 3 to 7: skipped; 8: kept */
    CHECK_INT(npkgs(&r), 3);
    const comb_pkg *p = find_pkg(&r, "x");
    CHECK(p && p->nfiles == 0 && p->files == NULL);
    CHECK(find_pkg(&r, "good") != NULL);
    CHECK(find_pkg(&r, "abc") == NULL);
    CHECK(r.set.nwarnings >= 7);
    for (size_t i = 0; i < r.set.nwarnings; i++)
        fprintf(stderr, "  (expected) %s\n", r.set.warnings[i]);
    run_free(&r);
    for (size_t i = 0; i < nb; i++)
        free(blobs[i]);
}

/* A Berkeley DB whose overflow chain loops on itself must terminate. */
static void test_bdb_overflow_cycle(void)
{
    size_t ps = 512, len = ps * 4;
    uint8_t *db = calloc(1, len);
    uint32_t magic = 0x061561, psz = (uint32_t)ps, last = 3;
    memcpy(db + 12, &magic, 4);
    memcpy(db + 20, &psz, 4);
    db[25] = 8;
    memcpy(db + 32, &last, 4);
    /* page 1: hash page with one pair: key 1, data off-page at page 2 */
    uint8_t *p = db + ps;
    p[25] = 13;
    uint16_t nent = 2, koff = (uint16_t)(ps - 5), doff = (uint16_t)(ps - 5 - 12);
    memcpy(p + 20, &nent, 2);
    memcpy(p + 26, &koff, 2);
    memcpy(p + 28, &doff, 2);
    p[koff] = 1;
    p[koff + 1] = 1;
    p[doff] = 3;
    uint32_t pg = 2, tlen = 100000;
    memcpy(p + doff + 4, &pg, 4);
    memcpy(p + doff + 8, &tlen, 4);
    /* pages 2 and 3: overflow pages pointing at each other */
    for (int i = 2; i <= 3; i++) {
        uint8_t *o = db + ps * (size_t)i;
        o[25] = 7;
        uint16_t ovlen = 400;
        uint32_t next = i == 2 ? 3 : 2;
        memcpy(o + 22, &ovlen, 2);
        memcpy(o + 16, &next, 4);
    }
    run r;
    run_rpm(&r, "var/lib/rpm/Packages", db, len);
    CHECK_INT(r.rc, COMB_OK);
    CHECK_INT(npkgs(&r), 0);
    CHECK(r.set.nwarnings >= 1);
    if (r.set.nwarnings)
        CHECK(strstr(r.set.warnings[0], "twice") != NULL);
    run_free(&r);
    free(db);
}

/* NDB slots that all point at one large blob: the work stays bounded (the
 * header bytes decoded may not exceed the file size by more than one header). */
static void test_reused_blob_bounded(void)
{
    size_t padlen = 1u << 20;
    char *pad = calloc(1, padlen);
    hent e[] = { { RPMTAG_NAME, RPM_TYPE_STRING, 1, "dup", 4 },
                 { RPMTAG_VERSION, RPM_TYPE_STRING, 1, "1", 2 },
                 { RPMTAG_RELEASE, RPM_TYPE_STRING, 1, "1", 2 },
                 { 5000, RPM_TYPE_BIN, (uint32_t)padlen, pad, padlen } };
    size_t blen;
    uint8_t *blob = build_header(e, 4, &blen);
    uint8_t *blobs[1] = { blob };
    size_t lens[1] = { blen }, len;
    uint8_t *img = build_ndb(blobs, lens, 1, &len);
    for (size_t i = 1; i < 254; i++) /* every slot -> the same blob */
        memcpy(img + 32 + i * 16 + 4, (uint32_t[]){ 1 }, 4),
            memcpy(img + 32 + i * 16 + 8, img + 32 + 8, 8);
    run r;
    run_rpm(&r, "var/lib/rpm/Packages.db", img, len);
    CHECK_INT(r.rc, COMB_OK);
    CHECK(npkgs(&r) > 1);
    CHECK(npkgs(&r) < 100); /* (1 MiB + 64 MiB) / 1 MiB */
    int stopped = 0;
    for (size_t i = 0; i < r.set.nwarnings; i++)
        stopped |= strstr(r.set.warnings[i], "stopped reading") != NULL;
    CHECK(stopped);
    run_free(&r);
    free(img);
    free(blob);
    free(pad);
}

static void swap16_at(uint8_t *p)
{
    uint8_t t = p[0];
    p[0] = p[1], p[1] = t;
}

static void swap32_at(uint8_t *p)
{
    uint8_t t = p[0];
    p[0] = p[3], p[3] = t;
    t = p[1], p[1] = p[2], p[2] = t;
}

/* The libuuid database rewritten in big-endian byte order (as written by a
 * big-endian host) reads the same. */
static void test_bdb_big_endian(void)
{
    size_t len;
    uint8_t *db = test_slurp(test_shared("data/rpmdb/libuuid/Packages"), &len);
    CHECK(db != NULL);
    if (!db)
        return;
    uint32_t ps;
    memcpy(&ps, db + 20, 4);
    CHECK_INT(ps, 4096);
    for (size_t pg = 1; pg < len / ps; pg++) {
        uint8_t *p = db + pg * ps;
        if (p[25] == 13) {
            uint16_t n, off;
            memcpy(&n, p + 20, 2);
            for (uint16_t i = 0; i < n; i++) {
                memcpy(&off, p + 26 + 2 * i, 2);
                if (i % 2 && p[off] == 3)
                    swap32_at(p + off + 4), swap32_at(p + off + 8);
                swap16_at(p + 26 + 2 * i);
            }
        }
        swap32_at(p + 8), swap32_at(p + 12), swap32_at(p + 16);
        swap16_at(p + 20), swap16_at(p + 22);
    }
    swap32_at(db + 12), swap32_at(db + 16), swap32_at(db + 20), swap32_at(db + 32);
    run r;
    run_rpm(&r, "var/lib/rpm/Packages", db, len);
    CHECK_INT(r.rc, COMB_OK);
    CHECK_INT(r.set.nwarnings, 0);
    CHECK_INT(npkgs(&r), 1);
    const comb_pkg *p = find_pkg(&r, "libuuid");
    CHECK(p && p->nfiles == 7 && strcmp(p->version, "2.32.1-42.el8_8") == 0);
    run_free(&r);
    free(db);
}

int main(void)
{
    RUN(test_wants);
    RUN(test_bdb_matches_rpm);
    RUN(test_sqlite_matches_rpm);
    RUN(test_ndb_matches_expected);
    RUN(test_empty_and_wrong_format);
    RUN(test_crafted_header);
    RUN(test_hostile_headers);
    RUN(test_bdb_overflow_cycle);
    RUN(test_bdb_big_endian);
    RUN(test_reused_blob_bounded);
    RUN(test_truncated);
    RUN(test_byte_flips);
    return test_summary();
}
