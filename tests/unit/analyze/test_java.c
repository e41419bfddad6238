/* test_java.c - the Java archive analyzer against Debian's jars (oracle: the
 * pom.properties read with unzip) and generated wars, nesting bombs and
 * corrupt zips. */
#include "analyze/records.h"
#include "test.h"

#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

extern const comb_analyzer comb_analyzer_java;

static char tmpdir[256];

typedef struct memsrc {
    const uint8_t *p;
    size_t len, off, chunk;
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
    return (ssize_t)n;
}

typedef struct result {
    comb_arena arena;
    comb_recset set;
    comb_code rc;
    comb_err err;
} result;

static void run_mem(result *res, const char *path, const uint8_t *p, size_t len, size_t chunk)
{
    comb_arena_init(&res->arena);
    comb_recset_init(&res->set, &res->arena);
    comb_err_clear(&res->err);
    comb_emit out;
    comb_emit_init(&out, &res->set, 0, path, "layer 0");
    memsrc m = { .p = p, .len = len, .chunk = chunk };
    comb_reader r = { .read = mem_read, .opaque = &m };
    comb_entry e = { .path = path, .mode = 0100644, .size = (int64_t)len };
    res->rc = comb_analyzer_java.on_stream(&out, &e, &r, &res->err);
}

static int run_file(result *res, const char *file, const char *path)
{
    size_t len;
    unsigned char *data = test_slurp(file, &len);
    if (!data)
        return -1;
    run_mem(res, path, data, len, 4093);
    free(data);
    return 0;
}

static void run_free(result *res)
{
    comb_recset_free(&res->set);
    comb_arena_free(&res->arena);
}

static size_t npkgs(result *res)
{
    size_t n = 0;
    for (size_t i = 0; i < res->set.n; i++)
        n += res->set.v[i]->kind == COMB_REC_PKG;
    return n;
}

static const comb_pkg *find(result *res, const char *g, const char *a, const char *v)
{
    for (size_t i = 0; i < res->set.n; i++) {
        const comb_pkg *p = &res->set.v[i]->u.pkg;
        if (res->set.v[i]->kind != COMB_REC_PKG || p->type != COMB_PKG_MAVEN)
            continue;
        if (strcmp(p->name, a) == 0 && strcmp(p->version, v) == 0 &&
            strcmp(p->namespace_ ? p->namespace_ : "", g ? g : "") == 0)
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

/* --- oracle: unzip ----------------------------------------------------------- */

typedef struct gav {
    char g[256], a[256], v[128];
} gav;

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
    return s;
}

/* The distinct (g, a, v) of every META-INF/maven/x/y/pom.properties. */
static int oracle(const char *jar, gav *out, int max)
{
    char cmd[20480], line[1024];
    snprintf(cmd, sizeof cmd, "unzip -Z1 '%s' 2>/dev/null", jar);
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    char paths[32][512];
    int np = 0;
    while (fgets(line, sizeof line, f)) {
        char *l = trim(line);
        int slashes = 0;
        for (char *c = l; *c; c++)
            slashes += *c == '/';
        size_t n = strlen(l);
        if (strncmp(l, "META-INF/maven/", 15) == 0 && slashes == 4 && n > 15 &&
            strcmp(l + n - 15, "/pom.properties") == 0 && np < 32)
            snprintf(paths[np++], sizeof paths[0], "%s", l);
    }
    if (pclose(f) != 0)
        return -1;
    int n = 0;
    for (int i = 0; i < np && n < max; i++) {
        snprintf(cmd, sizeof cmd, "unzip -p '%s' '%s'", jar, paths[i]);
        f = popen(cmd, "r");
        if (!f)
            return -1;
        gav x;
        memset(&x, 0, sizeof x);
        while (fgets(line, sizeof line, f)) {
            char *l = trim(line);
            char *eq = strchr(l, '=');
            if (*l == '#' || !eq)
                continue;
            *eq = '\0';
            char *k = trim(l), *v = trim(eq + 1);
            if (strcmp(k, "groupId") == 0)
                snprintf(x.g, sizeof x.g, "%s", v);
            else if (strcmp(k, "artifactId") == 0)
                snprintf(x.a, sizeof x.a, "%s", v);
            else if (strcmp(k, "version") == 0)
                snprintf(x.v, sizeof x.v, "%s", v);
        }
        pclose(f);
        int dup = 0;
        for (int k = 0; k < n; k++)
            dup |= !strcmp(out[k].g, x.g) && !strcmp(out[k].a, x.a) && !strcmp(out[k].v, x.v);
        if (!dup && x.a[0] && x.v[0])
            out[n++] = x;
    }
    return n;
}

static void test_debian_jars(void)
{
    DIR *d = opendir("/usr/share/java");
    CHECK(d != NULL);
    if (!d)
        return;
    int checked = 0, with_pom = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (n < 5 || strcmp(de->d_name + n - 4, ".jar") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "/usr/share/java/%s", de->d_name);
        struct stat st;
        if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue; /* versioned symlinks */
        gav exp[32];
        int ne = oracle(path, exp, 32);
        CHECK(ne >= 0);
        result res;
        CHECK(run_file(&res, path, path + 1) == 0);
        CHECK_INT(res.rc, COMB_OK);
        if (ne > 0) {
            with_pom++;
            CHECK_INT(npkgs(&res), ne);
            for (int i = 0; i < ne; i++) {
                const comb_pkg *p = find(&res, exp[i].g, exp[i].a, exp[i].v);
                if (!p)
                    fprintf(stderr, "  %s: missing %s:%s:%s\n", path, exp[i].g, exp[i].a,
                            exp[i].v);
                CHECK(p != NULL);
            }
        } else {
            CHECK(npkgs(&res) <= 1);
        }
        checked++;
        run_free(&res);
    }
    closedir(d);
    fprintf(stderr, "  %d jars, %d with pom.properties\n", checked, with_pom);
    CHECK(with_pom >= 1);

    /* identity: the archive's own pom.properties has no inner path */
    result res;
    CHECK(run_file(&res, "/usr/share/java/commons-lang3-3.12.0.jar",
                   "usr/share/java/commons-lang3-3.12.0.jar") == 0);
    const comb_pkg *p = find(&res, "org.apache.commons", "commons-lang3", "3.12.0");
    CHECK(p && p->inner_path == NULL);
    CHECK(p && strcmp(p->found_in, "usr/share/java/commons-lang3-3.12.0.jar") == 0);
    run_free(&res);
    /* no pom.properties, no version in the manifest: the file name */
    if (access("/usr/share/java/aopalliance-1.0.jar", R_OK) == 0) {
        CHECK(run_file(&res, "/usr/share/java/aopalliance-1.0.jar", "aopalliance-1.0.jar") == 0);
        CHECK(find(&res, NULL, "aopalliance", "1.0") != NULL);
        CHECK_INT(npkgs(&res), 1);
        run_free(&res);
    }
}

static int py(const char *script)
{
    char path[512], cmd[1024];
    snprintf(path, sizeof path, "%s/gen.py", tmpdir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(script, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "cd '%s' && python3 gen.py", tmpdir);
    return system(cmd);
}

static const char gen_script[] =
    "import zipfile, io, zlib\n"
    "def jar(files, method=zipfile.ZIP_DEFLATED):\n"
    "    b = io.BytesIO()\n"
    "    with zipfile.ZipFile(b, 'w', method) as z:\n"
    "        for name, data in files:\n"
    "            z.writestr(name, data)\n"
    "    return b.getvalue()\n"
    "def pom(g, a, v):\n"
    "    return '#Generated by Maven\\ngroupId=%s\\nartifactId=%s\\nversion=%s\\n' % (g, a, v)\n"
    "lang = open('/usr/share/java/commons-lang3-3.12.0.jar', 'rb').read()\n"
    "shaded = jar([('META-INF/maven/com.acme/tool/pom.properties', pom('com.acme','tool','2.0')),\n"
    "              ('META-INF/maven/org.shaded/dep/pom.properties', pom('org.shaded','dep','0.9')),\n"
    "              ('com/acme/Tool.class', b'\\xca\\xfe\\xba\\xbe')])\n"
    "mf = jar([('META-INF/MANIFEST.MF', 'Manifest-Version: 1.0\\r\\nImplementation-Title: mf-lib\\r\\n'\n"
    "           'Implementation-Version: 3.1.4-SNAPSHOT-build-with-a-very-long-version-string-that\\r\\n'\n"
    "           ' -wraps\\r\\nImplementation-Vendor-Id: org.mf\\r\\n\\r\\nName: x\\r\\nImplementation-Version: 9\\r\\n')])\n"
    "inner = jar([('META-INF/maven/org.deep/inner/pom.properties', pom('org.deep','inner','1.1')),\n"
    "             ('lib/leaf-0.5.jar', jar([('a.txt', 'x')]))])\n"
    "war = jar([('META-INF/maven/com.acme/webapp/pom.properties', pom('com.acme','webapp','1.0.0')),\n"
    "           ('WEB-INF/lib/commons-lang3-3.12.0.jar', lang),\n"
    "           ('WEB-INF/lib/tool-2.0.jar', shaded),\n"
    "           ('WEB-INF/lib/mf.jar', mf),\n"
    "           ('WEB-INF/lib/inner-1.1.jar', inner),\n"
    "           ('WEB-INF/lib/again.jar', lang),\n"
    "           ('WEB-INF/lib/broken-1.0.jar', b'PK\\x03\\x04garbage' * 10),\n"
    "           ('WEB-INF/web.xml', '<web-app/>')], zipfile.ZIP_STORED)\n"
    "open('webapp.war', 'wb').write(war)\n"
    "# the same, deflated jars inside a deflated war\n"
    "zw = zipfile.ZipFile(io.BytesIO(war))\n"
    "open('webapp-deflated.war', 'wb').write(jar([(i.filename, zw.read(i.filename)) for i in zw.infolist()]))\n"
    "# nesting bomb: level k holds pom lvlk and level k+1\n"
    "data = jar([('META-INF/maven/org.bomb/lvl9/pom.properties', pom('org.bomb','lvl9','9'))])\n"
    "for k in range(8, -1, -1):\n"
    "    data = jar([('META-INF/maven/org.bomb/lvl%d/pom.properties' % k, pom('org.bomb','lvl%d' % k, str(k))),\n"
    "                ('n/lvl%d-%d.jar' % (k+1, k+1), data)])\n"
    "open('lvl0-0.jar', 'wb').write(data)\n"
    "# a zip bomb entry: 200 MB of zeros as a nested 'jar'\n"
    "b = io.BytesIO()\n"
    "with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED) as z:\n"
    "    with z.open('lib/zeros.jar', 'w', force_zip64=True) as w:\n"
    "        chunk = bytes(1 << 20)\n"
    "        for i in range(200): w.write(chunk)\n"
    "    z.writestr('META-INF/maven/org.z/z/pom.properties', pom('org.z','z','1'))\n"
    "open('z-1.jar', 'wb').write(b.getvalue())\n"
    "# a file name only\n"
    "open('plain-lib-2.0.1.jar', 'wb').write(jar([('a/B.class', b'\\xca\\xfe')]))\n";

static void test_war_nesting(void)
{
    CHECK(py(gen_script) == 0);
    const char *wars[] = { "webapp.war", "webapp-deflated.war" };
    for (int w = 0; w < 2; w++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", tmpdir, wars[w]);
        result res;
        CHECK(run_file(&res, path, "app/webapp.war") == 0);
        CHECK_INT(res.rc, COMB_OK);
        const comb_pkg *p = find(&res, "com.acme", "webapp", "1.0.0");
        CHECK(p && p->inner_path == NULL); /* the only pom of the war */
        p = find(&res, "org.apache.commons", "commons-lang3", "3.12.0");
        CHECK(p && p->inner_path && strcmp(p->inner_path, "WEB-INF/lib/commons-lang3-3.12.0.jar") == 0);
        p = find(&res, "com.acme", "tool", "2.0");
        CHECK(p && p->inner_path && strcmp(p->inner_path, "WEB-INF/lib/tool-2.0.jar") == 0);
        p = find(&res, "org.shaded", "dep", "0.9");
        CHECK(p && p->inner_path &&
              strcmp(p->inner_path,
                     "WEB-INF/lib/tool-2.0.jar!META-INF/maven/org.shaded/dep/pom.properties") == 0);
        p = find(&res, "org.mf", "mf-lib",
                 "3.1.4-SNAPSHOT-build-with-a-very-long-version-string-that-wraps");
        CHECK(p && p->inner_path && strcmp(p->inner_path, "WEB-INF/lib/mf.jar") == 0);
        p = find(&res, "org.deep", "inner", "1.1");
        CHECK(p != NULL);
        p = find(&res, NULL, "leaf", "0.5");
        CHECK(p && p->inner_path &&
              strcmp(p->inner_path, "WEB-INF/lib/inner-1.1.jar!lib/leaf-0.5.jar") == 0);
        /* again.jar repeats commons-lang3: reported once */
        CHECK_INT(npkgs(&res), 7);
        CHECK(has_warning(&res, "broken-1.0.jar"));
        run_free(&res);
    }
}

static void test_nesting_bomb(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/lvl0-0.jar", tmpdir);
    result res;
    CHECK(run_file(&res, path, "lvl0-0.jar") == 0);
    CHECK_INT(res.rc, COMB_OK);
    for (int k = 0; k <= 4; k++) {
        char a[16], v[16];
        snprintf(a, sizeof a, "lvl%d", k);
        snprintf(v, sizeof v, "%d", k);
        CHECK(find(&res, "org.bomb", a, v) != NULL);
    }
    CHECK(find(&res, "org.bomb", "lvl5", "5") == NULL);
    CHECK_INT(npkgs(&res), 5);
    CHECK(has_warning(&res, "nested deeper"));
    run_free(&res);

    /* 200 MB of zeros posing as a nested jar: read as a stream, no crash */
    snprintf(path, sizeof path, "%s/z-1.jar", tmpdir);
    CHECK(run_file(&res, path, "z-1.jar") == 0);
    CHECK_INT(res.rc, COMB_OK);
    CHECK(find(&res, "org.z", "z", "1") != NULL);
    CHECK(has_warning(&res, "lib/zeros.jar"));
    run_free(&res);

    snprintf(path, sizeof path, "%s/plain-lib-2.0.1.jar", tmpdir);
    CHECK(run_file(&res, path, "opt/plain-lib-2.0.1.jar") == 0);
    CHECK(find(&res, NULL, "plain-lib", "2.0.1") != NULL);
    CHECK_INT(npkgs(&res), 1);
    run_free(&res);
}

static void test_corrupt(void)
{
    /* garbage */
    uint8_t junk[5000];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 131 + 7);
    result res;
    run_mem(&res, "x.jar", junk, sizeof junk, 4093);
    CHECK(res.rc != COMB_OK);
    CHECK_INT(npkgs(&res), 0);
    run_free(&res);
    run_mem(&res, "empty.jar", junk, 0, 4093);
    CHECK(res.rc != COMB_OK);
    run_free(&res);
    /* a real jar cut short, and one with damage in the middle */
    size_t len;
    unsigned char *data = test_slurp("/usr/share/java/guava-31.1-jre.jar", &len);
    CHECK(data != NULL);
    if (!data)
        return;
    for (size_t cut = 100; cut < len; cut = cut * 3 + 17) {
        run_mem(&res, "guava-31.1-jre.jar", data, cut, 4093);
        CHECK(npkgs(&res) <= 1);
        run_free(&res);
    }
    for (size_t i = len / 3; i < len / 3 + 2000; i++)
        data[i] ^= 0x5a;
    run_mem(&res, "guava-31.1-jre.jar", data, len, 4093);
    CHECK(npkgs(&res) <= 1);
    run_free(&res);
    free(data);
}

static void test_wants(void)
{
    comb_entry e = { .path = "app/lib/x.jar", .mode = 0100644, .size = 100 };
    CHECK_INT(comb_analyzer_java.wants(&e), COMB_WANT_STREAM);
    const char *yes[] = { "a.war", "b.EAR", "c.par", "d.jpi", "plugins/e.hpi" };
    for (int i = 0; i < 5; i++) {
        e.path = yes[i];
        CHECK_INT(comb_analyzer_java.wants(&e), COMB_WANT_STREAM);
    }
    e.path = "a.zip";
    CHECK_INT(comb_analyzer_java.wants(&e), COMB_WANT_NO);
    e.path = "jar";
    CHECK_INT(comb_analyzer_java.wants(&e), COMB_WANT_NO);
    e.path = "x.jar";
    e.mode = 0040755;
    CHECK_INT(comb_analyzer_java.wants(&e), COMB_WANT_NO);
}

int main(void)
{
    if (system("unzip -v >/dev/null 2>&1") != 0) {
        fprintf(stderr, "unzip not found (apt-get install unzip)\n");
        return 1;
    }
    snprintf(tmpdir, sizeof tmpdir, "/tmp/comb-test-java-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    RUN(test_wants);
    RUN(test_debian_jars);
    RUN(test_war_nesting);
    RUN(test_nesting_bomb);
    RUN(test_corrupt);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd)) {}
    return test_summary();
}
