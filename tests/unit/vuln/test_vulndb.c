/* test_vulndb.c - the vulnerability database and its importers.
 *
 * Imports the real advisories of ../shared/data (Go and crates OSV JSON,
 * PyPI OSV YAML, Alpine secdb YAML) and checks the counts against an
 * independent count made with python3 (json/yaml modules), spot-checks known
 * records, re-imports for idempotence, and feeds a directory of malformed
 * inputs written here (plus a Debian security tracker fixture). */
#include <archive.h>
#include <archive_entry.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "vuln/import/import.h"
#include "vuln/vulndb.h"

static char tmpdir[256];

static void write_file(const char *rel, const char *text, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return;
    }
    fwrite(text, 1, len, f);
    fclose(f);
}
#define WRITE(rel, text) write_file(rel, text, strlen(text))

static long long sql_count(const char *dbpath, const char *q)
{
    sqlite3 *h;
    long long n = -1;
    if (sqlite3_open_v2(dbpath, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(h, q, -1, &s, NULL) == SQLITE_OK) {
            if (sqlite3_step(s) == SQLITE_ROW)
                n = sqlite3_column_int64(s, 0);
            sqlite3_finalize(s);
        } else {
            fprintf(stderr, "sql: %s: %s\n", q, sqlite3_errmsg(h));
        }
    }
    sqlite3_close(h);
    return n;
}

/* --- collecting lookups --------------------------------------------------- */

typedef struct found {
    int n;
    char id[8][64];
    char events[8][512];   /* "i0 f1.6.0" */
    int semver[8], state[8], scheme[8];
    size_t nversions[8];
    char first_version[8][64];
    char severity[8][32];
    char source[8][32];
} found;

static int collect(void *ud, const comb_affected *a)
{
    found *f = ud;
    if (f->n >= 8)
        return 1;
    int i = f->n++;
    snprintf(f->id[i], sizeof f->id[i], "%s", a->vuln_id);
    f->events[i][0] = '\0';
    for (size_t k = 0; k < a->nevents; k++) {
        size_t l = strlen(f->events[i]);
        snprintf(f->events[i] + l, sizeof f->events[i] - l, "%s%c%s", k ? " " : "",
                 "iflm"[a->events[k].kind], a->events[k].version);
    }
    f->semver[i] = a->semver_ranges;
    f->state[i] = a->state;
    f->scheme[i] = a->scheme;
    f->nversions[i] = a->nversions;
    snprintf(f->first_version[i], 64, "%s", a->nversions ? a->versions[0] : "");
    snprintf(f->severity[i], 32, "%s", a->severity ? a->severity : "");
    snprintf(f->source[i], 32, "%s", a->source ? a->source : "");
    return 0;
}

/* index of id in f, or -1 */
static int find_id(const found *f, const char *id)
{
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->id[i], id))
            return i;
    return -1;
}

static found lookup(comb_vulndb *db, const char *eco, const char *pkg)
{
    found f;
    memset(&f, 0, sizeof f);
    comb_err err;
    comb_code rc = comb_vulndb_lookup(db, eco, pkg, collect, &f, &err);
    CHECK_INT(rc, COMB_OK);
    return f;
}

/* --- warnings ------------------------------------------------------------- */

typedef struct warns {
    int n;
    char text[64][512];
} warns;

static void on_warn(void *ud, const char *file, const char *msg)
{
    warns *w = ud;
    if (w->n < 64)
        snprintf(w->text[w->n], sizeof w->text[0], "%s: %s", file, msg);
    w->n++;
}

static int warned(const warns *w, const char *file_part, const char *msg_part)
{
    for (int i = 0; i < w->n && i < 64; i++)
        if (strstr(w->text[i], file_part) && (!msg_part || strstr(w->text[i], msg_part)))
            return 1;
    return 0;
}

/* --- independent counts with python3 ------------------------------------- */

static const char pyscript[] =
    "import json, os, re, sys, yaml\n"
    "root = sys.argv[1]\n"
    "osv_ids = set(); withdrawn = 0; n = {'go': 0, 'crates': 0, 'pypi': 0}\n"
    "def rec(kind, d):\n"
    "    global withdrawn\n"
    "    if d.get('withdrawn'):\n"
    "        withdrawn += 1; return\n"
    "    n[kind] += 1; osv_ids.add(d['id'])\n"
    "for kind, sub in (('go', 'osv/go'), ('crates', 'osv/crates')):\n"
    "    for f in os.listdir(os.path.join(root, sub)):\n"
    "        if f.endswith('.json'): rec(kind, json.load(open(os.path.join(root, sub, f))))\n"
    "for dp, dn, fn in os.walk(os.path.join(root, 'advisories/pypi')):\n"
    "    for f in fn:\n"
    "        if f.endswith('.yaml') and not f.startswith('.'):\n"
    "            rec('pypi', yaml.safe_load(open(os.path.join(dp, f))))\n"
    "tuples = set(); secdb_ids = set()\n"
    "sd = os.path.join(root, 'advisories/alpine-secdb')\n"
    "for rel in os.listdir(sd):\n"
    "    for repo in os.listdir(os.path.join(sd, rel)):\n"
    "        d = yaml.safe_load(open(os.path.join(sd, rel, repo)))\n"
    "        for p in d.get('packages') or []:\n"
    "            p = p['pkg']\n"
    "            for ver, ids in (p.get('secfixes') or {}).items():\n"
    "                for s in ids or []:\n"
    "                    s = re.sub(r'CVE[ _]', 'CVE-', str(s).split('(')[0])\n"
    "                    got = set('CVE-%s-%s' % m for m in re.findall(r'CVE-(\\d{4})-(\\d{4,})', s))\n"
    "                    for t in s.split():\n"
    "                        if not t.upper().startswith('CVE') and t[-1].isdigit() and "
    "re.fullmatch(r'[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)+', t): got.add(t)\n"
    "                    for i in got:\n"
    "                        tuples.add((rel, p['name'], str(ver), i)); secdb_ids.add(i)\n"
    "print('go', n['go']); print('crates', n['crates']); print('pypi', n['pypi'])\n"
    "print('withdrawn', withdrawn); print('secdb', len(tuples))\n"
    "print('vulns', len(osv_ids | secdb_ids))\n";

typedef struct expected {
    long long go, crates, pypi, withdrawn, secdb, vulns;
} expected;

static int python_counts(expected *e)
{
    char script[512], cmd[2048];
    snprintf(script, sizeof script, "%s/count.py", tmpdir);
    FILE *f = fopen(script, "w");
    if (!f)
        return -1;
    fputs(pyscript, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "python3 %s %s", script, test_shared("data"));
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    char key[32];
    long long v;
    int got = 0;
    while (fscanf(p, "%31s %lld", key, &v) == 2) {
        got++;
        if (!strcmp(key, "go")) e->go = v;
        else if (!strcmp(key, "crates")) e->crates = v;
        else if (!strcmp(key, "pypi")) e->pypi = v;
        else if (!strcmp(key, "withdrawn")) e->withdrawn = v;
        else if (!strcmp(key, "secdb")) e->secdb = v;
        else if (!strcmp(key, "vulns")) e->vulns = v;
    }
    return pclose(p) == 0 && got == 6 ? 0 : -1;
}

/* --- tests ---------------------------------------------------------------- */

static char shared_db[600];

static void test_import_shared(void)
{
    expected e = { 0 };
    CHECK(python_counts(&e) == 0);
    fprintf(stderr, "  python: go %lld crates %lld pypi %lld withdrawn %lld secdb %lld vulns %lld\n",
            e.go, e.crates, e.pypi, e.withdrawn, e.secdb, e.vulns);
    snprintf(shared_db, sizeof shared_db, "%s/sub/dir/vuln.db", tmpdir); /* dirs created */
    comb_vulndb *db;
    comb_err err;
    CHECK_INT(comb_vulndb_open(shared_db, 1, &db, &err), COMB_OK);
    if (!db)
        return;
    char p1[512], p2[512], p3[512], p4[512];
    snprintf(p1, sizeof p1, "%s", test_shared("data/osv/go"));
    snprintf(p2, sizeof p2, "%s", test_shared("data/osv/crates"));
    snprintf(p3, sizeof p3, "%s", test_shared("data/advisories/pypi"));
    snprintf(p4, sizeof p4, "%s", test_shared("data/advisories/alpine-secdb"));
    const char *paths[] = { p1, p2, p3, p4 };
    warns w = { 0 };
    comb_import_opts o = { .warn = on_warn, .ud = &w };
    comb_import_stats st;
    CHECK_INT(comb_import_paths(db, paths, 4, &o, &st, &err), COMB_OK);
    for (int i = 0; i < w.n && i < 5; i++)
        fprintf(stderr, "  warning: %s\n", w.text[i]);
    CHECK_INT(st.rejected, 0);
    CHECK_INT(st.records[COMB_IMPORT_OSV], e.go + e.crates + e.pypi);
    CHECK_INT(st.withdrawn, e.withdrawn);
    CHECK_INT(st.records[COMB_IMPORT_SECDB], e.secdb);
    CHECK_INT(st.records[COMB_IMPORT_DEBIAN], 0);
    CHECK(e.go > 4000 && e.crates > 1000 && e.pypi > 2500 && e.secdb > 10000);
    comb_vulndb_close(db);

    CHECK_INT(sql_count(shared_db, "SELECT count(*) FROM affected WHERE source='alpine-secdb'"),
              e.secdb);
    CHECK_INT(sql_count(shared_db, "SELECT count(*) FROM vuln"), e.vulns);
    CHECK_INT(sql_count(shared_db, "SELECT count(DISTINCT vuln_id) FROM affected WHERE "
                                   "source='osv' AND ecosystem='go'"),
              sql_count(shared_db, "SELECT count(*) FROM vuln WHERE id LIKE 'GO-%'"));
    CHECK_INT(sql_count(shared_db, "SELECT count(*) FROM vuln WHERE id LIKE 'GO-%'"), e.go);
    CHECK_INT(sql_count(shared_db, "SELECT count(*) FROM vuln WHERE id LIKE 'RUSTSEC-%'"), e.crates);
    CHECK_INT(sql_count(shared_db, "SELECT count(*) FROM vuln WHERE id LIKE 'PYSEC-%'"), e.pypi);
    struct stat sb;
    if (stat(shared_db, &sb) == 0)
        fprintf(stderr, "  database: %lld bytes, %lld affected rows\n", (long long)sb.st_size,
                sql_count(shared_db, "SELECT count(*) FROM affected"));

    /* read-only lookups */
    CHECK_INT(comb_vulndb_open(shared_db, 0, &db, &err), COMB_OK);
    if (!db)
        return;
    found f = lookup(db, "go", "github.com/gin-gonic/gin");
    int i = find_id(&f, "GO-2020-0001");
    CHECK(i >= 0);
    if (i >= 0) {
        CHECK_STR(f.events[i], "i0 f1.6.0");
        CHECK_INT(f.semver[i], 1);
        CHECK_INT(f.scheme[i], COMB_VS_GO);
        CHECK_INT(f.state[i], COMB_FIX_FIXED);
        CHECK_STR(f.source[i], "osv");
    }
    comb_arena a;
    comb_arena_init(&a);
    comb_vuln_info v;
    CHECK_INT(comb_vulndb_vuln(db, "GO-2020-0001", &a, &v, &err), COMB_OK);
    CHECK_INT(v.naliases, 2);
    if (v.naliases == 2) {
        CHECK_STR(v.aliases[0], "CVE-2020-36567");
        CHECK_STR(v.aliases[1], "GHSA-6vm3-jj99-7229");
    }
    CHECK_STR(v.url, "https://pkg.go.dev/vuln/GO-2020-0001");
    CHECK_STR(v.summary, "Arbitrary log line injection in github.com/gin-gonic/gin");
    CHECK_STR(v.published, "2021-04-14T20:04:52Z");

    f = lookup(db, "pypi", "requests");
    i = find_id(&f, "PYSEC-2014-13");
    CHECK(i >= 0);
    if (i >= 0) {
        CHECK_STR(f.events[i], "i0 f2.3.0");
        CHECK_INT(f.semver[i], 0);
        CHECK_INT(f.scheme[i], COMB_VS_PEP440);
        CHECK_INT(f.nversions[i], 84); /* python3 yaml: 84 */
        CHECK_STR(f.first_version[i], "0.0.1");
    }
    CHECK_INT(f.n, 5); /* five PYSEC files for requests */
    CHECK_INT(comb_vulndb_vuln(db, "PYSEC-2014-13", &a, &v, &err), COMB_OK);
    CHECK(v.naliases == 2 && !strcmp(v.aliases[0], "CVE-2014-1829"));
    /* PEP 503 names: jw.util is stored as jw-util */
    f = lookup(db, "pypi", "jw-util");
    CHECK(find_id(&f, "PYSEC-2020-341") >= 0);
    f = lookup(db, "pypi", "jw.util");
    CHECK_INT(f.n, 0);

    CHECK_INT(comb_vulndb_vuln(db, "RUSTSEC-2016-0001", &a, &v, &err), COMB_OK);
    CHECK_STR(v.cvss_v3, "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H");
    f = lookup(db, "crates.io", "openssl");
    i = find_id(&f, "RUSTSEC-2016-0001");
    CHECK(i >= 0 && !strcmp(f.events[i], "i0.0.0-0 f0.9.0") && f.scheme[i] == COMB_VS_SEMVER);

    /* withdrawn records are dropped */
    CHECK_INT(comb_vulndb_vuln(db, "GO-2022-0617", &a, &v, &err), COMB_ENOTFOUND);
    CHECK_INT(comb_vulndb_vuln(db, "PYSEC-2023-73", &a, &v, &err), COMB_ENOTFOUND);

    /* Alpine secdb: v3.10 ansible 2.8.4-r0 fixes CVE-2019-10206 */
    f = lookup(db, "alpine:3.10", "ansible");
    i = find_id(&f, "CVE-2019-10206");
    CHECK(i >= 0);
    if (i >= 0) {
        CHECK_STR(f.events[i], "i0 f2.8.4-r0");
        CHECK_INT(f.scheme[i], COMB_VS_APK);
        CHECK_INT(f.state[i], COMB_FIX_FIXED);
        CHECK_STR(f.source[i], "alpine-secdb");
    }
    comb_vulndb_close(db);
    comb_arena_free(&a);
    /* id splitting on the real file: "CVE-2017-8904 XSA-214" (xen), "CVE_2019-2426" */
    CHECK_INT(sql_count(shared_db, "SELECT count(*) FROM affected WHERE ecosystem='alpine:3.10' "
                                   "AND package='xen' AND vuln_id IN ('CVE-2017-8904','XSA-214')"),
              2);
    CHECK(sql_count(shared_db, "SELECT count(*) FROM affected WHERE ecosystem='alpine:3.10' AND "
                               "vuln_id='CVE-2019-2426'") >= 1);
    CHECK_INT(sql_count(shared_db, "SELECT count(*) FROM affected WHERE vuln_id LIKE '%(%' OR "
                                   "vuln_id LIKE '% %' OR vuln_id LIKE '%.patch'"),
              0);
}

static void test_reimport_idempotent(void)
{
    long long v0 = sql_count(shared_db, "SELECT count(*) FROM vuln");
    long long a0 = sql_count(shared_db, "SELECT count(*) FROM affected");
    long long l0 = sql_count(shared_db, "SELECT count(*) FROM alias");
    long long s0 = sql_count(shared_db, "SELECT count(*) FROM source");
    comb_vulndb *db;
    comb_err err;
    CHECK_INT(comb_vulndb_open(shared_db, 1, &db, &err), COMB_OK);
    if (!db)
        return;
    char p1[512], p4[512];
    snprintf(p1, sizeof p1, "%s", test_shared("data/osv/go"));
    snprintf(p4, sizeof p4, "%s", test_shared("data/advisories/alpine-secdb"));
    const char *paths[] = { p1, p4, p1 }; /* twice in the same run too */
    comb_import_stats st;
    CHECK_INT(comb_import_paths(db, paths, 3, NULL, &st, &err), COMB_OK);
    comb_vulndb_close(db);
    CHECK_INT(sql_count(shared_db, "SELECT count(*) FROM vuln"), v0);
    CHECK_INT(sql_count(shared_db, "SELECT count(*) FROM affected"), a0);
    CHECK_INT(sql_count(shared_db, "SELECT count(*) FROM alias"), l0);
    CHECK_INT(sql_count(shared_db, "SELECT count(*) FROM source"), s0);
    CHECK(v0 > 0 && a0 > 0 && l0 > 0);

    /* stats */
    CHECK_INT(comb_vulndb_open(shared_db, 0, &db, &err), COMB_OK);
    if (!db)
        return;
    comb_arena a;
    comb_arena_init(&a);
    comb_vulndb_stats s;
    CHECK_INT(comb_vulndb_stats_get(db, &a, &s, &err), COMB_OK);
    CHECK_INT(s.vulns, v0);
    CHECK_INT(s.affected, a0);
    CHECK_INT(s.nsources, 4);
    CHECK(s.built && strlen(s.built) == 20);
    CHECK(s.nsources > 0 && strstr(s.sources[0], "alpine-secdb:") == s.sources[0]);
    comb_arena_free(&a);
    /* read-only handle refuses writes */
    CHECK(comb_vulndb_begin(db, &err) != COMB_OK);
    comb_vulndb_close(db);
}

static const char good_npm[] =
    "{\"id\": \"GHSA-test-good-0001\", \"modified\": \"2024-01-01T00:00:00Z\", "
    "\"aliases\": [\"CVE-2099-0001\"], \"summary\": \"good one\", "
    "\"severity\": [{\"type\": \"CVSS_V3\", \"score\": \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"},"
    "{\"type\": \"CVSS_V4\", \"score\": \"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N\"}],"
    "\"database_specific\": {\"severity\": \"HIGH\"},"
    "\"affected\": [{\"package\": {\"ecosystem\": \"npm\", \"name\": \"left-pad\"},"
    "\"ranges\": [{\"type\": \"SEMVER\", \"events\": [{\"introduced\": \"1.0.0\"}, {\"fixed\": \"1.3.0\"}]},"
    "{\"type\": \"GIT\", \"repo\": \"https://x\", \"events\": [{\"introduced\": \"abc\"}]}]},"
    "{\"package\": {\"ecosystem\": \"Debian:12\", \"name\": \"nodejs\"}, \"ecosystem_specific\": {\"urgency\": \"low\"},"
    "\"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}]}]},"
    "{\"package\": {\"ecosystem\": \"Ubuntu:22.04:LTS\", \"name\": \"nodejs\"},"
    "\"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}, {\"fixed\": \"12.22.9~dfsg-1ubuntu3.1\"}]}]},"
    "{\"package\": {\"ecosystem\": \"Alpine:v3.18\", \"name\": \"nodejs\"},"
    "\"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}, {\"last_affected\": \"18.1.0-r0\"}]}]},"
    "{\"package\": {\"ecosystem\": \"Hex\", \"name\": \"ignored\"},"
    "\"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}]}]},"
    "{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"Foo_Bar.baz\"}, \"versions\": [\"1.0\", \"1.1\"]}]}";

static const char good_yaml[] =
    "id: PYSEC-test-1\n"
    "modified: 2024-01-01T00:00:00Z\n"
    "affected:\n"
    "- package:\n"
    "    name: Django\n"
    "    ecosystem: PyPI\n"
    "  ranges:\n"
    "  - type: ECOSYSTEM\n"
    "    events:\n"
    "    - introduced: 0\n"
    "    - fixed: 4.2\n"
    "aliases: [CVE-2099-0002]\n";

static const char secdb_fixture[] =
    "distroversion: v3.99\n"
    "reponame: main\n"
    "packages:\n"
    "  - pkg:\n"
    "      name: demo\n"
    "      secfixes:\n"
    "        1.0-r0:\n"
    "          - CVE-2020-0001 XSA-1\n"
    "          - CVE_2020-0002\n"
    "          - CVE 2020-0003 (comment, CVE-2020-9999 mentioned)\n"
    "          - CVE-2020-0005.patch\n"
    "          - \"   \"\n"
    "        \"0\":\n"
    "          - CVE-2020-0004\n"
    "        bad version:\n"
    "          - CVE-2020-0006\n"
    "        2.0-r0: notalist\n"
    "  - pkg:\n"
    "      secfixes: {}\n"
    "  - pkg:\n"
    "      name: empty\n";

static const char secdb_json[] =
    "{\"distroversion\": \"v3.98\", \"reponame\": \"community\", \"packages\": ["
    "{\"pkg\": {\"name\": \"jsonpkg\", \"secfixes\": {\"2.0-r1\": [\"CVE-2021-0001\"]}}}]}";

static const char tracker_fixture[] =
    "{\n"
    " \"openssl\": {\n"
    "  \"CVE-2023-0286\": {\"description\": \"X.400 address type confusion in X.509 GeneralName\",\n"
    "   \"scope\": \"remote\", \"debianbug\": 1031112,\n"
    "   \"releases\": {\n"
    "    \"bookworm\": {\"status\": \"resolved\", \"repositories\": {\"bookworm\": \"3.0.11-1~deb12u2\"},\n"
    "                 \"fixed_version\": \"3.0.8-1\", \"urgency\": \"high\"},\n"
    "    \"bullseye\": {\"status\": \"resolved\", \"repositories\": {\"bullseye\": \"1.1.1w-0+deb11u1\"},\n"
    "                 \"fixed_version\": \"1.1.1n-0+deb11u4\", \"urgency\": \"high\"},\n"
    "    \"sid\": {\"status\": \"resolved\", \"fixed_version\": \"3.0.8-1\", \"urgency\": \"high\"},\n"
    "    \"hamm\": {\"status\": \"open\", \"urgency\": \"low\"}\n"
    "   }},\n"
    "  \"CVE-2024-0727\": {\"description\": \"PKCS12 NULL dereference\",\n"
    "   \"releases\": {\n"
    "    \"bookworm\": {\"status\": \"open\", \"repositories\": {}, \"urgency\": \"low**\",\n"
    "                 \"nodsa\": \"Minor issue\", \"nodsa_reason\": \"postponed\"},\n"
    "    \"buster\": {\"status\": \"open\", \"urgency\": \"end-of-life\"},\n"
    "    \"bullseye\": {\"status\": \"open\", \"fixed_version\": \"<unfixed>\", \"urgency\": \"unimportant\",\n"
    "                 \"nodsa\": \"Minor\", \"nodsa_reason\": \"ignored\"},\n"
    "    \"trixie\": {\"status\": \"undetermined\", \"urgency\": \"not yet assigned\"},\n"
    "    \"sid\": {\"status\": \"weird\"}\n"
    "   }}\n"
    " },\n"
    " \"linux\": {\n"
    "  \"CVE-2016-0001\": {\"releases\": {\"bookworm\": {\"status\": \"resolved\", \"fixed_version\": \"0\",\n"
    "                    \"urgency\": \"unimportant\"}, \"bullseye\": {\"status\": 7}}},\n"
    "  \"TEMP-0000000-ABCDEF\": {\"releases\": {\"bookworm\": {\"status\": \"resolved\"}}}\n"
    " }\n"
    "}\n";

static void make_zip(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    struct archive *a = archive_write_new();
    archive_write_set_format_zip(a);
    archive_write_open_filename(a, path);
    static const struct { const char *name, *body; } m[] = {
        { "../evil.json", "{\"id\": \"GHSA-zip-evil\", \"modified\": \"x\", \"affected\": []}" },
        { "/abs.json", "{\"id\": \"GHSA-zip-abs\", \"modified\": \"x\", \"affected\": []}" },
        { "inner/ok.json",
          "{\"id\": \"GHSA-zip-ok\", \"modified\": \"x\", \"affected\": [{\"package\": "
          "{\"ecosystem\": \"Go\", \"name\": \"example.com/zip\"}, \"ranges\": [{\"type\": "
          "\"SEMVER\", \"events\": [{\"introduced\": \"0\"}, {\"fixed\": \"1.2.3\"}]}]}]}" },
        { "inner/README.md", "not an advisory" },
    };
    for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, m[i].name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, (la_int64_t)strlen(m[i].body));
        archive_write_header(a, e);
        archive_write_data(a, m[i].body, strlen(m[i].body));
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
}

static void test_malformed_and_formats(void)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/in", tmpdir);
    mkdir(dir, 0755);
    WRITE("in/good.json", good_npm);
    WRITE("in/good.yaml", good_yaml);
    WRITE("in/bad.json", "{\"id\": \"GHSA-bad\", ");
    WRITE("in/bad.yaml", "id: [unclosed\naffected: {\n");
    WRITE("in/alias.yaml", "a: &x [1]\nb: *x\n");
    WRITE("in/twokeys.json", "{\"id\": \"GHSA-absurd-1\", \"modified\": \"x\", \"affected\": [{\"package\": "
                             "{\"ecosystem\": \"npm\", \"name\": \"x\"}, \"ranges\": [{\"type\": \"SEMVER\", "
                             "\"events\": [{\"introduced\": \"0\", \"fixed\": \"1\"}]}]}]}");
    WRITE("in/nointro.json", "{\"id\": \"GHSA-absurd-2\", \"modified\": \"x\", \"affected\": [{\"package\": "
                             "{\"ecosystem\": \"npm\", \"name\": \"x\"}, \"ranges\": [{\"type\": \"SEMVER\", "
                             "\"events\": [{\"fixed\": \"1\"}]}]}]}");
    WRITE("in/ctrl.json", "{\"id\": \"GHSA-absurd-3\", \"modified\": \"x\", \"affected\": [{\"package\": "
                          "{\"ecosystem\": \"npm\", \"name\": \"x\"}, \"ranges\": [{\"type\": \"SEMVER\", "
                          "\"events\": [{\"introduced\": \"0\"}, {\"fixed\": \"1\\n2\"}]}]}]}");
    WRITE("in/types.json", "{\"id\": \"GHSA-types-1\", \"modified\": \"x\", \"aliases\": \"CVE-1\", \"affected\": []}");
    WRITE("in/types2.json", "{\"id\": \"GHSA-types-2\", \"modified\": \"x\", \"affected\": {}}");
    WRITE("in/types3.json", "{\"id\": 5, \"modified\": \"x\"}");
    WRITE("in/array.json", "[{\"id\": \"GHSA-arr-ok\", \"modified\": \"x\"}, {\"id\": [], \"modified\": \"x\"}]");
    WRITE("in/other.json", "{\"hello\": \"world\"}");
    WRITE("in/notes.txt", "ignored");
    WRITE("in/.hidden.json", "{broken");
    /* 10 MB summary */
    size_t big = 10u << 20;
    char *huge = malloc(big + 200);
    if (huge) {
        int l = snprintf(huge, 200, "{\"id\": \"GHSA-huge\", \"modified\": \"x\", \"summary\": \"");
        memset(huge + l, 'A', big);
        strcpy(huge + l + big, "\"}");
        write_file("in/huge.json", huge, strlen(huge));
        free(huge);
    }
    /* too many events */
    {
        size_t cap = 2000 * 32 + 512, n = 0;
        char *b = malloc(cap);
        n += (size_t)snprintf(b + n, cap - n, "{\"id\": \"GHSA-many\", \"modified\": \"x\", "
                              "\"affected\": [{\"package\": {\"ecosystem\": \"npm\", \"name\": \"x\"},"
                              " \"ranges\": [{\"type\": \"SEMVER\", \"events\": [{\"introduced\": \"0\"}");
        for (int k = 0; k < 2000; k++)
            n += (size_t)snprintf(b + n, cap - n, ",{\"fixed\": \"%d\"}", k);
        snprintf(b + n, cap - n, "]}]}]}");
        write_file("in/many.json", b, strlen(b));
        free(b);
    }
    WRITE("in/secdb.yaml", secdb_fixture);
    WRITE("in/secdb.json", secdb_json);
    WRITE("in/tracker.json", tracker_fixture);
    make_zip("in/bundle.zip");

    char dbpath[600];
    snprintf(dbpath, sizeof dbpath, "%s/malformed.db", tmpdir);
    comb_vulndb *db;
    comb_err err;
    CHECK_INT(comb_vulndb_open(dbpath, 1, &db, &err), COMB_OK);
    if (!db)
        return;
    warns w = { 0 };
    comb_import_opts o = { .warn = on_warn, .ud = &w };
    comb_import_stats st;
    const char *paths[] = { dir };
    CHECK_INT(comb_import_paths(db, paths, 1, &o, &st, &err), COMB_OK);
    for (int i = 0; i < w.n && i < 64; i++)
        fprintf(stderr, "  warning: %s\n", w.text[i]);
    /* every bad thing, one message each */
    CHECK(warned(&w, "in/bad.json", "JSON"));
    CHECK(warned(&w, "in/bad.yaml", "YAML"));
    CHECK(warned(&w, "in/alias.yaml", "aliases"));
    CHECK(warned(&w, "in/twokeys.json", "one field"));
    CHECK(warned(&w, "in/nointro.json", "introduced"));
    CHECK(warned(&w, "in/ctrl.json", "version"));
    CHECK(warned(&w, "in/types.json", "aliases"));
    CHECK(warned(&w, "in/types2.json", "affected"));
    CHECK(warned(&w, "in/types3.json", "id"));
    CHECK(warned(&w, "in/array.json", "record 1"));
    CHECK(warned(&w, "in/other.json", "not an advisory"));
    CHECK(warned(&w, "in/huge.json", "256 KiB"));
    CHECK(warned(&w, "in/many.json", "too many"));
    CHECK(warned(&w, "bundle.zip:../evil.json", "unsafe"));
    CHECK(warned(&w, "bundle.zip:/abs.json", "unsafe"));
    CHECK(warned(&w, "in/secdb.yaml", "bad version"));
    CHECK(warned(&w, "in/secdb.yaml", "not a list"));
    CHECK(warned(&w, "in/secdb.yaml", "no advisory id"));
    CHECK(warned(&w, "in/secdb.yaml", "packages[1]: name"));
    CHECK(warned(&w, "in/tracker.json", "unknown status"));
    CHECK(warned(&w, "in/tracker.json", "wrong type"));
    CHECK(warned(&w, "in/tracker.json", "resolved without"));
    CHECK(!warned(&w, ".hidden", NULL));
    CHECK(!warned(&w, "notes.txt", NULL));
    CHECK(!warned(&w, "README", NULL));
    CHECK_INT(st.rejected, 22);
    CHECK_INT(w.n, 22);
    /* OSV good: good.json, good.yaml, array[0], zip inner/ok.json */
    CHECK_INT(st.records[COMB_IMPORT_OSV], 4);
    comb_vulndb_close(db);

    CHECK_INT(comb_vulndb_open(dbpath, 0, &db, &err), COMB_OK);
    if (!db)
        return;
    comb_arena a;
    comb_arena_init(&a);
    comb_vuln_info v;
    CHECK_INT(comb_vulndb_vuln(db, "GHSA-test-good-0001", &a, &v, &err), COMB_OK);
    CHECK_STR(v.cvss_v3, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    CHECK(v.cvss_v4 && !strncmp(v.cvss_v4, "CVSS:4.0/", 9));
    CHECK_STR(v.severity, "HIGH");
    CHECK(v.naliases == 1 && !strcmp(v.aliases[0], "CVE-2099-0001"));
    CHECK_INT(comb_vulndb_vuln(db, "GHSA-huge", &a, &v, &err), COMB_ENOTFOUND);
    CHECK_INT(comb_vulndb_vuln(db, "GHSA-absurd-1", &a, &v, &err), COMB_ENOTFOUND);
    CHECK_INT(comb_vulndb_vuln(db, "GHSA-zip-evil", &a, &v, &err), COMB_ENOTFOUND);
    CHECK_INT(comb_vulndb_vuln(db, "GHSA-arr-ok", &a, &v, &err), COMB_OK);
    found f = lookup(db, "npm", "left-pad");
    CHECK(f.n == 1 && !strcmp(f.events[0], "i1.0.0 f1.3.0") && f.semver[0] == 1 &&
          f.scheme[0] == COMB_VS_SEMVER);
    f = lookup(db, "debian:12", "nodejs");
    CHECK(f.n == 1 && !strcmp(f.events[0], "i0") && f.state[0] == COMB_FIX_NOT_FIXED &&
          !strcmp(f.severity[0], "low") && f.scheme[0] == COMB_VS_DPKG);
    f = lookup(db, "ubuntu:22.04", "nodejs");
    CHECK(f.n == 1 && !strcmp(f.events[0], "i0 f12.22.9~dfsg-1ubuntu3.1"));
    f = lookup(db, "alpine:3.18", "nodejs");
    CHECK(f.n == 1 && !strcmp(f.events[0], "i0 l18.1.0-r0") && f.scheme[0] == COMB_VS_APK);
    f = lookup(db, "pypi", "foo-bar-baz");
    CHECK(f.n == 1 && f.nversions[0] == 2 && !strcmp(f.first_version[0], "1.0") &&
          !strcmp(f.events[0], "") && f.state[0] == COMB_FIX_UNKNOWN);
    f = lookup(db, "hex", "ignored");
    CHECK_INT(f.n, 0);
    f = lookup(db, "pypi", "django"); /* YAML: plain scalars 0 and 4.2 stay strings */
    CHECK(f.n == 1 && !strcmp(f.id[0], "PYSEC-test-1") && !strcmp(f.events[0], "i0 f4.2"));
    f = lookup(db, "go", "example.com/zip");
    CHECK(f.n == 1 && !strcmp(f.id[0], "GHSA-zip-ok"));

    /* secdb fixture: id splitting and the "0" (never affected) version */
    f = lookup(db, "alpine:3.99", "demo");
    static const char *const want[][2] = {
        { "CVE-2020-0001", "i0 f1.0-r0" }, { "XSA-1", "i0 f1.0-r0" },
        { "CVE-2020-0002", "i0 f1.0-r0" }, { "CVE-2020-0003", "i0 f1.0-r0" },
        { "CVE-2020-0005", "i0 f1.0-r0" }, { "CVE-2020-0004", "i0 f0" },
    };
    CHECK_INT(f.n, 6);
    for (size_t k = 0; k < 6; k++) {
        int i = find_id(&f, want[k][0]);
        CHECK(i >= 0);
        if (i >= 0) {
            CHECK_STR(f.events[i], want[k][1]);
            CHECK_INT(f.scheme[i], COMB_VS_APK);
        }
    }
    CHECK(find_id(&f, "CVE-2020-9999") < 0);
    f = lookup(db, "alpine:3.98", "jsonpkg");
    CHECK(f.n == 1 && !strcmp(f.events[0], "i0 f2.0-r1"));

    /* Debian tracker fixture */
    f = lookup(db, "debian:12", "openssl");
    CHECK_INT(f.n, 2);
    int i = find_id(&f, "CVE-2023-0286");
    CHECK(i >= 0 && !strcmp(f.events[i], "i0 f3.0.8-1") && f.state[i] == COMB_FIX_FIXED &&
          !strcmp(f.severity[i], "high") && !strcmp(f.source[i], "debian-tracker") &&
          f.scheme[i] == COMB_VS_DPKG);
    i = find_id(&f, "CVE-2024-0727");
    CHECK(i >= 0 && !strcmp(f.events[i], "i0") && f.state[i] == COMB_FIX_NOT_FIXED &&
          !strcmp(f.severity[i], "low"));
    f = lookup(db, "debian:11", "openssl");
    i = find_id(&f, "CVE-2024-0727");
    CHECK(i >= 0 && f.state[i] == COMB_FIX_WONT_FIX && !strcmp(f.severity[i], "unimportant"));
    i = find_id(&f, "CVE-2023-0286");
    CHECK(i >= 0 && !strcmp(f.events[i], "i0 f1.1.1n-0+deb11u4"));
    f = lookup(db, "debian:10", "openssl");
    CHECK(f.n == 1 && f.state[0] == COMB_FIX_WONT_FIX);
    f = lookup(db, "debian:13", "openssl");
    CHECK(f.n == 1 && f.state[0] == COMB_FIX_UNKNOWN && !strcmp(f.severity[0], ""));
    f = lookup(db, "debian:sid", "openssl");
    CHECK(f.n == 1 && !strcmp(f.id[0], "CVE-2023-0286"));
    f = lookup(db, "debian:12", "linux");
    CHECK(f.n == 1 && !strcmp(f.events[0], "i0 f0")); /* fixed_version 0: never affected */
    CHECK_INT(comb_vulndb_vuln(db, "CVE-2023-0286", &a, &v, &err), COMB_OK);
    CHECK_STR(v.summary, "X.400 address type confusion in X.509 GeneralName");
    CHECK_INT(st.records[COMB_IMPORT_DEBIAN], 8); /* 3 + 4 + 1 release rows */
    CHECK_INT(st.records[COMB_IMPORT_SECDB], 7);
    comb_vulndb_close(db);
    comb_arena_free(&a);
}

static comb_code import_text(comb_vulndb *db, const char *text, int yaml)
{
    comb_err err;
    comb_import_stats st;
    memset(&st, 0, sizeof st);
    comb_code rc = comb_vulndb_begin(db, &err);
    if (rc)
        return rc;
    rc = comb_import_buffer(db, "text", text, strlen(text), yaml, COMB_IMPORT_AUTO, NULL, &st,
                            &err);
    if (rc) {
        comb_vulndb_rollback(db);
        return rc;
    }
    return comb_vulndb_commit(db, "test", &err);
}

/* A changed advisory replaces its earlier rows; a withdrawn one removes them. */
static void test_updates_replace(void)
{
    comb_vulndb *db;
    comb_err err;
    CHECK_INT(comb_vulndb_open(":memory:", 1, &db, &err), COMB_OK);
    if (!db)
        return;
    static const char v1[] =
        "{\"id\": \"GO-9999-0001\", \"modified\": \"1\", \"affected\": [{\"package\": {\"ecosystem\": "
        "\"Go\", \"name\": \"example.com/m\"}, \"ranges\": [{\"type\": \"SEMVER\", \"events\": "
        "[{\"introduced\": \"0\"}, {\"fixed\": \"1.0.0\"}]}]}]}";
    static const char v2[] =
        "{\"id\": \"GO-9999-0001\", \"modified\": \"2\", \"affected\": [{\"package\": {\"ecosystem\": "
        "\"Go\", \"name\": \"example.com/m\"}, \"ranges\": [{\"type\": \"SEMVER\", \"events\": "
        "[{\"introduced\": \"0\"}, {\"fixed\": \"2.0.0\"}]}]}]}";
    static const char v3[] = "{\"id\": \"GO-9999-0001\", \"modified\": \"3\", \"withdrawn\": \"3\"}";
    CHECK_INT(import_text(db, v1, 0), COMB_OK);
    found f = lookup(db, "go", "example.com/m");
    CHECK(f.n == 1 && !strcmp(f.events[0], "i0 f1.0.0"));
    CHECK_INT(import_text(db, v2, 0), COMB_OK);
    f = lookup(db, "go", "example.com/m");
    CHECK(f.n == 1 && !strcmp(f.events[0], "i0 f2.0.0"));
    CHECK_INT(import_text(db, v3, 0), COMB_OK);
    f = lookup(db, "go", "example.com/m");
    CHECK_INT(f.n, 0);

    static const char s1[] = "distroversion: v3.50\npackages:\n  - pkg:\n      name: p\n"
                             "      secfixes:\n        1.0-r0: [CVE-2000-0001]\n";
    static const char s2[] = "distroversion: v3.50\npackages:\n  - pkg:\n      name: p\n"
                             "      secfixes:\n        1.1-r0: [CVE-2000-0001]\n        1.2-r0: [CVE-2000-0002]\n";
    CHECK_INT(import_text(db, s1, 1), COMB_OK);
    f = lookup(db, "alpine:3.50", "p");
    CHECK(f.n == 1 && !strcmp(f.events[0], "i0 f1.0-r0"));
    CHECK_INT(import_text(db, s2, 1), COMB_OK);
    f = lookup(db, "alpine:3.50", "p");
    CHECK(f.n == 2 && !strcmp(f.events[0], "i0 f1.1-r0") && !strcmp(f.id[1], "CVE-2000-0002"));

    /* a rolled-back transaction leaves nothing behind */
    CHECK_INT(comb_vulndb_begin(db, &err), COMB_OK);
    comb_import_stats st;
    memset(&st, 0, sizeof st);
    CHECK_INT(comb_import_buffer(db, "x", v1, strlen(v1), 0, COMB_IMPORT_OSV, NULL, &st, &err),
              COMB_OK);
    comb_vulndb_rollback(db);
    f = lookup(db, "go", "example.com/m");
    CHECK_INT(f.n, 0);
    comb_vulndb_close(db);
}

static void test_default_path_and_open(void)
{
    char buf[512];
    setenv("XDG_DATA_HOME", "/x/data", 1);
    CHECK_STR(comb_vulndb_default_path(buf, sizeof buf), "/x/data/comb/vuln.db");
    unsetenv("XDG_DATA_HOME");
    setenv("HOME", "/home/u", 1);
    CHECK_STR(comb_vulndb_default_path(buf, sizeof buf), "/home/u/.local/share/comb/vuln.db");
    comb_vulndb *db = NULL;
    comb_err err;
    char path[600];
    snprintf(path, sizeof path, "%s/missing.db", tmpdir);
    CHECK_INT(comb_vulndb_open(path, 0, &db, &err), COMB_ENOTFOUND);
    CHECK(db == NULL && strstr(err.msg, "missing.db"));
    snprintf(path, sizeof path, "%s/notadb.db", tmpdir);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs("this is not sqlite, it is text and long enough to be noticed as such.........", f);
        fclose(f);
    }
    CHECK_INT(comb_vulndb_open(path, 0, &db, &err), COMB_EFORMAT);
    CHECK_INT(comb_vulndb_open(path, 1, &db, &err), COMB_EFORMAT);
    CHECK(db == NULL);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/comb-test-vulndb.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_import_shared);
    RUN(test_reimport_idempotent);
    RUN(test_malformed_and_formats);
    RUN(test_updates_replace);
    RUN(test_default_path_and_open);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return test_summary();
}
