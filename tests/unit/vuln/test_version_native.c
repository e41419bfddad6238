/* test_version_native.c - differential test of comb's version ordering
 * against each ecosystem's own implementation, run once in bulk:
 *   dpkg   perl Dpkg::Version (package libdpkg-perl)
 *   pep440 Python "packaging" (python3-packaging, or pip's vendored copy)
 *   semver npm's node-semver (nodejs + npm; installed on first use into
 *          $HOME/.cache/comb-test-npm)
 *   rpm    rpm.vercmp() in rpm's embedded Lua (package rpm)
 * For each, 100,000 pairs are generated from a fixed seed by mutating and
 * recombining the tokens of real versions (the osv-scalibr oracle files),
 * written to a file, and compared by ONE tool process. Every pair the tool
 * orders must be ordered the same way by comb, and validity must agree.
 * A missing tool fails the test, naming the package to install. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "vuln/version.h"
#include "vuln/version/schemes.h"

#define NPAIRS 100000
#define VMAX 200

/* ---- deterministic generator ---- */

static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}
static size_t rn(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

typedef struct pool {
    char **v;
    size_t n, cap;
} pool;

static void pool_add(pool *p, const char *s)
{
    if (strlen(s) > VMAX)
        return;
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 1024;
        p->v = realloc(p->v, p->cap * sizeof *p->v);
    }
    p->v[p->n++] = strdup(s);
}

static void pool_load(pool *p, const char *file)
{
    char rel[256];
    snprintf(rel, sizeof rel, "data/versions/%s", file);
    FILE *f = fopen(test_shared(rel), "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", test_shared(rel));
        return;
    }
    char buf[4096];
    while (fgets(buf, sizeof buf, f)) {
        buf[strcspn(buf, "\r\n")] = '\0';
        if (!buf[0] || buf[0] == '#' || (buf[0] == '/' && buf[1] == '/'))
            continue;
        char *a = strtok(buf, " "), *op = strtok(NULL, " "), *b = strtok(NULL, " ");
        if (a && op && b) {
            pool_add(p, a);
            pool_add(p, b);
        }
    }
    fclose(f);
}

static void pool_free(pool *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i]);
    free(p->v);
}

/* The k-th token of s (digit run, letter run or single other byte). */
static int token(const char *s, size_t k, size_t *off, size_t *len)
{
    size_t i = 0, idx = 0;
    while (s[i]) {
        size_t st = i;
        if (vs_isdigit(s[i]))
            while (vs_isdigit(s[i])) i++;
        else if (vs_isalpha(s[i]))
            while (vs_isalpha(s[i])) i++;
        else
            i++;
        if (idx++ == k) {
            *off = st;
            *len = i - st;
            return 1;
        }
    }
    return 0;
}

static size_t ntokens(const char *s)
{
    size_t o, l, n = 0;
    while (token(s, n, &o, &l))
        n++;
    return n;
}

/* Replace s[off, off+len) with r (bounded). */
static void splice(char *s, size_t off, size_t len, const char *r, size_t rl)
{
    size_t sl = strlen(s);
    if (sl - len + rl > VMAX)
        return;
    memmove(s + off + rl, s + off + len, sl - off - len + 1);
    memcpy(s + off, r, rl);
}

static void mutate(char *s, const pool *p, const char *const *extras)
{
    size_t nt = ntokens(s), off = 0, len = 0;
    const char *other = p->v[rn(p->n)];
    char num[64];
    if (nt)
        token(s, rn(nt), &off, &len);
    switch (rn(9)) {
    case 0: /* nudge a number */
        if (nt && vs_isdigit(s[off])) {
            unsigned long long v = strtoull(s + off, NULL, 10);
            switch (rn(4)) {
            case 0: v++; break;
            case 1: v = v ? v - 1 : 0; break;
            case 2: v = rn(12); break;
            default: v = v * 10 + rn(10); break;
            }
            int n = snprintf(num, sizeof num, "%s%llu", rn(6) == 0 ? "0" : "", v);
            splice(s, off, len, num, (size_t)n);
        }
        break;
    case 1: /* drop a token */
        if (nt > 1)
            splice(s, off, len, "", 0);
        break;
    case 2: /* repeat a token */
        if (nt) {
            char t[VMAX + 1];
            memcpy(t, s + off, len);
            splice(s, off, 0, t, len);
        }
        break;
    case 3: /* borrow a token of another version */
    {
        size_t o2, l2, n2 = ntokens(other);
        if (nt && n2 && token(other, rn(n2), &o2, &l2))
            splice(s, off, len, other + o2, l2);
        break;
    }
    case 4: /* append an ecosystem-typical piece */
    case 5:
    {
        size_t ne = 0;
        while (extras[ne])
            ne++;
        const char *e = extras[rn(ne)];
        size_t sl = strlen(s);
        if (rn(3))
            splice(s, sl, 0, e, strlen(e));
        else
            splice(s, nt ? off + len : sl, 0, e, strlen(e));
        break;
    }
    case 6: /* flip the case of a letter run */
        for (size_t i = off; i < off + len; i++)
            if (vs_isalpha(s[i]))
                s[i] ^= 0x20;
        break;
    case 7: /* head of this one, tail of another */
    {
        size_t ol = strlen(other), cut = rn(ol + 1);
        splice(s, nt ? off : 0, strlen(s) - (nt ? off : 0), other + cut, ol - cut);
        break;
    }
    default: /* cut the tail */
        if (nt > 1)
            s[off] = '\0';
        break;
    }
    if (!s[0])
        strcpy(s, "0");
}

/* ---- ecosystems ---- */

typedef struct eco {
    const char *name;
    comb_vscheme scheme;
    const char *files[5];
    const char *extras[40];
    int (*valid)(const char *); /* what the native tool accepts */
    const char *package;        /* what to install when the tool is missing */
    const char *probe;          /* shell command that succeeds when the tool works */
    const char *command;        /* printf format with the pairs file path (%1$s) */
} eco;

static int dpkg_valid(const char *v) { return comb_version_valid(COMB_VS_DPKG, v); }
static int rpm_valid(const char *v) { return comb_version_valid(COMB_VS_RPM, v); }

static const char PY[] =
    "python3 -c '\n"
    "import sys\n"
    "try:\n"
    "    from packaging.version import Version, InvalidVersion\n"
    "except ImportError:\n"
    "    from pip._vendor.packaging.version import Version, InvalidVersion\n"
    "def P(s):\n"
    "    try:\n"
    "        return Version(s)\n"
    "    except InvalidVersion:\n"
    "        return None\n"
    "out = []\n"
    "for line in open(sys.argv[1]):\n"
    "    a, b = line.rstrip(\"\\n\").split(\"\\t\")\n"
    "    x, y = P(a), P(b)\n"
    "    out.append(\"X\" if x is None or y is None else str((x > y) - (x < y)))\n"
    "sys.stdout.write(\"\\n\".join(out) + \"\\n\")\n"
    "' %1$s";

static const char PY_PROBE[] =
    "python3 -c 'try:\n"
    "    import packaging.version\n"
    "except ImportError:\n"
    "    import pip._vendor.packaging.version' 2>/dev/null";

static const char NODE[] =
    "node -e '\n"
    "const semver = require(process.env.HOME + \"/.cache/comb-test-npm/node_modules/semver\");\n"
    "const lines = require(\"fs\").readFileSync(process.argv[1], \"utf8\").split(\"\\n\");\n"
    "const out = [];\n"
    "for (const l of lines) {\n"
    "  if (!l) continue;\n"
    "  const [a, b] = l.split(\"\\t\");\n"
    "  try { out.push(String(semver.compare(a, b))); } catch (e) { out.push(\"X\"); }\n"
    "}\n"
    "process.stdout.write(out.join(\"\\n\") + \"\\n\");\n"
    "' %1$s";

static const char NODE_PROBE[] =
    "command -v node >/dev/null && command -v npm >/dev/null && "
    "{ test -f \"$HOME/.cache/comb-test-npm/node_modules/semver/package.json\" || "
    "npm install --silent --no-audit --no-fund --prefix \"$HOME/.cache/comb-test-npm\" semver "
    ">/dev/null 2>&1; } && test -f \"$HOME/.cache/comb-test-npm/node_modules/semver/package.json\"";

static const char RPM_LUA[] =
    "rpm --eval '%%{lua: local f = io.open(\"%1$s\") "
    "for line in f:lines() do "
    "local a, b = line:match(\"^(.-)\\t(.*)$\") "
    "local ok, r = pcall(rpm.vercmp, a, b) "
    "io.write(ok and tostring(r) or \"X\", \"\\n\") end "
    "f:close()}'";

static const eco ECOS[] = {
    {"dpkg", COMB_VS_DPKG,
     {"debian-versions.txt", "debian-versions-generated.txt", NULL},
     {"~rc1", "+deb12u1", "-1", "-0ubuntu1", "1:", "~", "+b1", ".1", "a", "~~", "-", ":", "+", "2:",
      "~beta", "+dfsg", "-1.1", "z", "_", "0", NULL},
     dpkg_valid, "libdpkg-perl", "perl -MDpkg::Version -e 1 2>/dev/null",
     "perl -MDpkg::Version -ne 'chomp; my ($a, $b) = split /\\t/, $_, 2; "
     "if (!version_check($a) || !version_check($b)) { print \"X\\n\" } "
     "else { print version_compare($a, $b), \"\\n\" }' %1$s"},
    {"pep440", COMB_VS_PEP440,
     {"pypi-versions.txt", "pypi-versions-generated.txt", NULL},
     {"a1", "b2", "rc1", ".post1", ".dev0", "+local.1", "-1", "!", "1!", "c", "pre", "preview", "alpha",
      "beta", "rev", "r", ".1", "+ubuntu", "_", "-", ".", "post", "dev", "RC", "v", "+A.b-2", ".0", "0", NULL},
     comb_vs_pep440_strict, "python3-packaging", PY_PROBE, PY},
    {"semver", COMB_VS_SEMVER,
     {"semver-versions.txt", "nuget-versions.txt", "rubygems-versions-generated.txt",
      "packagist-versions-generated.txt", NULL},
     {"-alpha", "-alpha.1", "-0", "-rc.1", "+build.5", "-beta.11", ".0", "v", "-x.7.z.92", "-01", ".",
      "-", "+", "-a-b", ".1", "0", "-A", "+001", NULL},
     comb_vs_semver_strict, "nodejs npm (and network access to the npm registry once)", NODE_PROBE, NODE},
    {"rpm", COMB_VS_RPM,
     {"redhat-versions.txt", "debian-versions-generated.txt", NULL},
     {"~rc1", "^git1", "-1", "-1.el8", ":", "1:", ".", "_", "~", "^", "a", "+", "-", "~~", "^^", ".el9_2",
      "0", "B", NULL},
     rpm_valid, "rpm", "rpm --eval '%{lua: print(io.open and rpm.vercmp and 1)}' 2>/dev/null | grep -q 1",
     RPM_LUA},
};

/* node-semver compares numeric prerelease identifiers as JavaScript
 * numbers; past 2^53 that is not SemVer any more, so such pairs are not
 * compared. */
static int semver_big_prerelease(const char *v)
{
    const char *p = strchr(v, '-');
    if (!p)
        return 0;
    for (p++; *p && *p != '+';) {
        size_t n = strcspn(p, ".+");
        if (n > 15 && vs_digits(p) >= n)
            return 1;
        p += n;
        if (*p == '.')
            p++;
    }
    return 0;
}

static void run_eco(const eco *e)
{
    fprintf(stderr, "== %s\n", e->name);
    if (system(e->probe) != 0) {
        fprintf(stderr, "%s: the native tool is missing; install %s\n", e->name, e->package);
        CHECK(!"native tool present");
        return;
    }
    pool all = {0}, p = {0};
    for (size_t i = 0; e->files[i]; i++)
        pool_load(&all, e->files[i]);
    /* seeds: the real versions the tool's grammar accepts */
    for (size_t i = 0; i < all.n; i++)
        if (e->valid(all.v[i]))
            pool_add(&p, all.v[i]);
    pool_free(&all);
    CHECK(p.n > 100);
    if (p.n == 0)
        return;

    char path[] = "/tmp/comb-vnative-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) {
        pool_free(&p);
        return;
    }
    FILE *f = fdopen(fd, "w");
    char (*pairs)[2][VMAX + 1] = malloc(sizeof *pairs * NPAIRS);
    for (size_t i = 0; i < NPAIRS; i++) {
        char *a = pairs[i][0], *b = pairs[i][1];
        snprintf(a, VMAX + 1, "%s", p.v[rn(p.n)]);
        switch (rn(6)) {
        case 0: snprintf(b, VMAX + 1, "%s", p.v[rn(p.n)]); break;
        case 1: snprintf(b, VMAX + 1, "%s", a); break;
        default: snprintf(b, VMAX + 1, "%s", a); break;
        }
        size_t m = 1 + rn(3);
        for (size_t k = 0; k < m; k++)
            mutate(rn(4) ? b : a, &p, e->extras);
        /* keep a quarter of the pairs comb deems invalid: enough to check
         * that validity agrees, while most pairs are real comparisons */
        if (!(e->valid(a) && e->valid(b)) && rn(4) != 0) {
            i--;
            continue;
        }
        /* the tools read tab-separated lines */
        for (char *q = a; *q; q++) if (*q == '\t' || *q == '\n') *q = '_';
        for (char *q = b; *q; q++) if (*q == '\t' || *q == '\n') *q = '_';
        fprintf(f, "%s\t%s\n", a, b);
    }
    fclose(f);

    char cmd[4096];
    snprintf(cmd, sizeof cmd, e->command, path);
    FILE *t = popen(cmd, "r");
    CHECK(t != NULL);
    long compared = 0, agreed_invalid = 0, skipped = 0, lax = 0, wrong = 0, lines = 0, shown = 0;
    char line[256];
    for (size_t i = 0; t && i < NPAIRS && fgets(line, sizeof line, t); i++) {
        lines++;
        line[strcspn(line, "\n")] = '\0';
        const char *a = pairs[i][0], *b = pairs[i][1];
        int tool_invalid = strcmp(line, "X") == 0;
        int want = tool_invalid ? 0 : atoi(line);
        want = (want > 0) - (want < 0);
        int comb_valid = e->valid(a) && e->valid(b);
        int got = 9;
        int rc = comb_version_compare(e->scheme, a, b, &got);
        const char *why = NULL;
        if (e->scheme == COMB_VS_SEMVER && (semver_big_prerelease(a) || semver_big_prerelease(b))) {
            skipped++;
            continue;
        }
        if (e->scheme == COMB_VS_DPKG && tool_invalid == 0 && !comb_valid &&
            (strchr(a, ':') || strchr(b, ':'))) {
            /* Dpkg::Version (perl) is laxer than dpkg itself about colons:
             * it takes "1.0-1:" (a ':' in the revision) and "1:" (nothing
             * after the epoch), and epochs past INT_MAX; comb follows dpkg */
            lax++;
            continue;
        }
        if (tool_invalid != !comb_valid)
            why = comb_valid ? "comb accepts what the tool rejects" : "comb rejects what the tool accepts";
        else if (tool_invalid)
            agreed_invalid++;
        else if (rc != 0)
            why = "comb_version_compare failed on a valid pair";
        else if (got != want)
            why = "order differs";
        else
            compared++;
        if (why) {
            wrong++;
            if (shown++ < 10)
                fprintf(stderr, "%s: [%s] [%s]: tool %s, comb %d (%s)\n", e->name, a, b, line,
                        rc ? 9 : got, why);
        }
    }
    int st = t ? pclose(t) : -1;
    unlink(path);
    fprintf(stderr,
            "%s: %ld pairs from the tool; %ld ordered identically, %ld invalid by both, %ld skipped, "
            "%ld disagreements\n",
            e->name, lines, compared, agreed_invalid, skipped, wrong);
    if (lax)
        fprintf(stderr, "%s: %ld pairs accepted by the tool are rejected by comb as dpkg(1) would\n",
                e->name, lax);
    CHECK(lax < NPAIRS / 20);
    CHECK_INT(st, 0);
    CHECK_INT(lines, NPAIRS);
    CHECK_INT(wrong, 0);
    CHECK(compared > NPAIRS / 2); /* most pairs must be real comparisons */
    free(pairs);
    pool_free(&p);
}

static void test_dpkg(void) { run_eco(&ECOS[0]); }
static void test_pep440(void) { run_eco(&ECOS[1]); }
static void test_semver(void) { run_eco(&ECOS[2]); }
static void test_rpm(void) { run_eco(&ECOS[3]); }

int main(void)
{
    rng_state = 0x9e3779b97f4a7c15ULL;
    RUN(test_dpkg);
    RUN(test_pep440);
    RUN(test_semver);
    RUN(test_rpm);
    return test_summary();
}
