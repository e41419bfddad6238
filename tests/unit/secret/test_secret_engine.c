/* test_secret_engine.c - the secret engine around the rules: file
 * selection (wants, size, binary), entropy, allow rules, user configs and
 * their errors, redaction, line numbers, long lines and many matches. */
#include <unistd.h>

#include "secret/secret_internal.h"
#include "secret_helpers.h"
#include "test.h"

static const char GHP[] = "ghp_R7mXq2VbN8kT4wZy6PcL1sDf9GhJ3aQeU5oI"; /* fake, pattern-valid */
static const char GHP2[] = "ghp_Zx9Wv8Ut7Sr6Qp5On4Ml3Kj2Ih1Gf0EdCbA9";
static const char AWS_SECRET[] = "q7Lm2Xv9Rt4Kp8Wz1Nb6Yc3Hd5Jf0Gs2Ae7Ui9Oo"; /* 40 chars */

static comb_secret_engine *builtin;

static char *write_config(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/comb-secret-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    size_t n = strlen(text);
    if (write(fd, text, n) != (ssize_t)n) {
        close(fd);
        return NULL;
    }
    close(fd);
    return path;
}

/* Build an engine from config text; returns the code and keeps the message. */
static comb_code engine_from(const char *yaml, comb_secret_engine **e, comb_err *err)
{
    char *path = write_config(yaml);
    CHECK(path != NULL);
    comb_secret_opts o = { .config_path = path };
    comb_err_clear(err);
    comb_code rc = comb_secret_engine_new(&o, e, err);
    unlink(path);
    return rc;
}

static void test_builtin(void)
{
    comb_err err;
    CHECK_INT(comb_secret_engine_new(NULL, &builtin, &err), COMB_OK);
    CHECK(comb_secret_rule_count(builtin) >= 100);
    /* categories: the families the issue asks for are all there */
    static const char *const families[] = { "AWS", "Google", "Azure", "GitHub", "GitLab", "Slack",
                                            "Npm", "Docker", "Maven", "Kubernetes", "Database",
                                            "AsymmetricPrivateKey", "JWT", "OpenAI", "Anthropic" };
    for (size_t f = 0; f < sizeof families / sizeof *families; f++) {
        int found = 0;
        for (size_t i = 0; i < comb_secret_rule_count(builtin); i++) {
            comb_secret_rule_info ri;
            comb_secret_rule_at(builtin, i, &ri);
            found |= !strcmp(ri.category, families[f]);
        }
        CHECK(found);
    }
}

static void test_wants(void)
{
    CHECK(comb_secret_wants(builtin, "app/.env", 100));
    CHECK(comb_secret_wants(builtin, "app/.env", -1));
    CHECK(!comb_secret_wants(builtin, "app/.env", 5));                /* tiny */
    CHECK(!comb_secret_wants(builtin, "app/.env", (int64_t)COMB_SECRET_DEFAULT_MAX_SIZE + 1));
    CHECK(!comb_secret_wants(builtin, "app/logo.png", 100));          /* binary extension */
    CHECK(!comb_secret_wants(builtin, "usr/share/doc/x/README", 100)); /* built-in allow path */
    CHECK(!comb_secret_wants(builtin, "app/docs/README.md", 100));
    CHECK(comb_secret_wants(builtin, "app/cert.p12", 100));           /* pkcs12-file */
    comb_secret_opts o = { .max_file_size = 1000, .scan_binaries = 1 };
    comb_secret_engine *e;
    comb_err err;
    CHECK_INT(comb_secret_engine_new(&o, &e, &err), COMB_OK);
    CHECK(!comb_secret_wants(e, "app/.env", 1001));
    CHECK(comb_secret_wants(e, "app/logo.png", 100));
    comb_secret_engine_free(e);
    o.max_file_size = (uint64_t)COMB_SECRET_MAX_SIZE_LIMIT + 1;
    CHECK_INT(comb_secret_engine_new(&o, &e, &err), COMB_EINVAL);
}

static void test_binary_and_size(void)
{
    char buf[256];
    int n = snprintf(buf, sizeof buf, "x%cy\nGITHUB_TOKEN=%s\n", 0, GHP);
    hits hs;
    CHECK_INT(scan_text(builtin, "app/blob", buf, (size_t)n, &hs), COMB_OK);
    CHECK_INT(hs.total, 0);
    comb_secret_opts o = { .scan_binaries = 1 };
    comb_secret_engine *e;
    comb_err err;
    CHECK_INT(comb_secret_engine_new(&o, &e, &err), COMB_OK);
    CHECK_INT(scan_text(e, "app/blob", buf, (size_t)n, &hs), COMB_OK);
    CHECK(find_rule(&hs, "github-pat") != NULL);
    comb_secret_engine_free(e);
    /* a NUL after the first 8 KiB does not make a file binary */
    size_t big = 9000 + sizeof GHP;
    char *text = malloc(big + 32);
    memset(text, ' ', big + 32);
    memcpy(text + 100, GHP, sizeof GHP - 1);
    text[big] = '\0';
    CHECK_INT(scan_text(builtin, "app/log", text, big + 32, &hs), COMB_OK);
    CHECK(find_rule(&hs, "github-pat") != NULL);
    free(text);
    /* too small, too large */
    CHECK_INT(scan_text(builtin, "app/x", "ghp_", 4, &hs), COMB_OK);
    CHECK_INT(hs.total, 0);
    o = (comb_secret_opts){ .max_file_size = 20 };
    CHECK_INT(comb_secret_engine_new(&o, &e, &err), COMB_OK);
    n = snprintf(buf, sizeof buf, "GITHUB_TOKEN=%s\n", GHP);
    CHECK_INT(scan_text(e, "app/.env", buf, (size_t)n, &hs), COMB_OK);
    CHECK_INT(hs.total, 0);
    comb_secret_engine_free(e);
}

static void test_pkcs12_binary_rule(void)
{
    unsigned char der[64] = { 0x30, 0x82, 0x0a, 0x49, 0x02, 0x01, 0x03, 0x30, 0x82, 0x0a, 0x0f, 0x06 };
    hits hs;
    CHECK_INT(scan_text(builtin, "app/client.p12", (const char *)der, sizeof der, &hs), COMB_OK);
    CHECK(find_rule(&hs, "pkcs12-file") != NULL);
    CHECK_INT(hs.total, 1);
    CHECK_INT(scan_text(builtin, "app/client.bin", (const char *)der, sizeof der, &hs), COMB_OK);
    CHECK_INT(hs.total, 0);
    der[6] = 0x04; /* not version 3: not PKCS#12 */
    CHECK_INT(scan_text(builtin, "app/client.p12", (const char *)der, sizeof der, &hs), COMB_OK);
    CHECK_INT(hs.total, 0);
}

static void test_entropy(void)
{
    CHECK(secret_entropy((const uint8_t *)"aaaa", 4) == 0);
    double h = secret_entropy((const uint8_t *)"abcd", 4);
    CHECK(h > 1.9999 && h < 2.0001);
    uint8_t all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    h = secret_entropy(all, 256);
    CHECK(h > 7.9999 && h < 8.0001);
    /* aws-secret-access-key needs entropy >= 3.5: a repetitive value is no secret */
    char buf[200];
    hits hs;
    snprintf(buf, sizeof buf, "aws_secret_access_key = %s\n", "abababababababababababababababababababab");
    CHECK_INT(scan_text(builtin, "app/creds", buf, strlen(buf), &hs), COMB_OK);
    CHECK(find_rule(&hs, "aws-secret-access-key") == NULL);
    snprintf(buf, sizeof buf, "aws_secret_access_key = %s\n", AWS_SECRET);
    CHECK_INT(scan_text(builtin, "app/creds", buf, strlen(buf), &hs), COMB_OK);
    CHECK(find_rule(&hs, "aws-secret-access-key") != NULL);
    /* and a user rule's entropy threshold */
    comb_secret_engine *e;
    comb_err err;
    CHECK_INT(engine_from("builtin-rules: false\n"
                          "rules:\n"
                          "  - id: hexish\n"
                          "    regex: 'tok_(?P<secret>[a-z0-9]{16})'\n"
                          "    keywords: [tok_]\n"
                          "    entropy: 3.5\n",
                          &e, &err),
              COMB_OK);
    CHECK_INT(scan_text(e, "a/b", "x tok_aaaaaaaabbbbbbbb y", 24, &hs), COMB_OK);
    CHECK_INT(hs.total, 0);
    CHECK_INT(scan_text(e, "a/b", "x tok_k3j9x0q2m7v5z8w1 y", 24, &hs), COMB_OK);
    CHECK_INT(hs.total, 1);
    comb_secret_engine_free(e);
}

static void test_builtin_allow_rules(void)
{
    char buf[200];
    hits hs;
    int n = snprintf(buf, sizeof buf, "token=%s\n", GHP);
    CHECK_INT(scan_text(builtin, "usr/share/doc/pkg/README", buf, (size_t)n, &hs), COMB_OK);
    CHECK_INT(hs.total, 0);
    CHECK_INT(scan_text(builtin, "srv/app/tests/fixture.env", buf, (size_t)n, &hs), COMB_OK);
    CHECK_INT(hs.total, 0);
    CHECK_INT(scan_text(builtin, "srv/app/settings.env", buf, (size_t)n, &hs), COMB_OK);
    CHECK_INT(hs.total, 1);
    /* AWS's documented example key is allowed by the "example-values" rule */
    const char *doc = "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n";
    CHECK_INT(scan_text(builtin, "srv/app/settings.env", doc, strlen(doc), &hs), COMB_OK);
    CHECK_INT(hs.total, 0);
    /* a stateless ghs_ token embeds a JWT: reported once, as a GitHub App token */
    const char *ghs = "GH=ghs_123456_eyJhbGciOiJSUzI1NiJ9abcdefghij.eyJpc3MiOiIxMjM0NTYiLCJleHAiOjF9.c2lnbmF0dXJlc2lnbmF0dXJlc2ln\n";
    CHECK_INT(scan_text(builtin, "srv/app/settings.env", ghs, strlen(ghs), &hs), COMB_OK);
    CHECK_INT(hs.total, 1);
    CHECK(find_rule(&hs, "github-app-token") != NULL);
    /* a database URL with a templated password is no finding */
    const char *url = "DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app\n"
                      "OTHER=postgres://app:password@db:5432/app\n";
    CHECK_INT(scan_text(builtin, "srv/app/settings.env", url, strlen(url), &hs), COMB_OK);
    CHECK_INT(hs.total, 0);
}

static void test_user_config(void)
{
    comb_secret_engine *e;
    comb_err err;
    hits hs;
    char buf[400];
    /* an extra rule with its metadata, next to the built-in ones */
    CHECK_INT(engine_from("rules:\n"
                          "  - id: acme-token\n"
                          "    category: Acme\n"
                          "    title: Acme internal token\n"
                          "    severity: critical\n"
                          "    regex: 'acme_(?P<tok>[0-9a-f]{24})'\n"
                          "    secret-group-name: tok\n"
                          "    keywords: [ACME_]\n",
                          &e, &err),
              COMB_OK);
    CHECK_INT(comb_secret_rule_count(e), comb_secret_rule_count(builtin) + 1);
    int n = snprintf(buf, sizeof buf, "a=acme_0123456789abcdef01234567\nGITHUB_TOKEN=%s\n", GHP);
    CHECK_INT(scan_text(e, "srv/x.conf", buf, (size_t)n, &hs), COMB_OK);
    const hit *h = find_rule(&hs, "acme-token");
    CHECK(h != NULL);
    if (h) {
        CHECK_STR(h->category, "Acme");
        CHECK_STR(h->severity, "CRITICAL");
        CHECK(strstr(h->match, "acme_") != NULL); /* outside the secret group */
        CHECK(!leaks(h->match, "0123456789abcdef01234567"));
        CHECK_INT(h->lineno, 1);
        CHECK_INT(h->col, 8);
    }
    CHECK(find_rule(&hs, "github-pat") != NULL);
    comb_secret_engine_free(e);

    /* disable-rules, allow-rules by path and by regex */
    CHECK_INT(engine_from("disable-rules: [github-pat]\n"
                          "allow-rules:\n"
                          "  - id: ignore-samples\n"
                          "    description: sample data\n"
                          "    path: '^srv/samples/'\n"
                          "  - id: ignore-known\n"
                          "    regex: 'AKIA2222'\n",
                          &e, &err),
              COMB_OK);
    n = snprintf(buf, sizeof buf, "GITHUB_TOKEN=%s\nid=AKIA2222ABCDEFGHIJKL\nid2=AKIA3333ABCDEFGHIJKL\n",
                 GHP);
    CHECK_INT(scan_text(e, "srv/x.conf", buf, (size_t)n, &hs), COMB_OK);
    CHECK(find_rule(&hs, "github-pat") == NULL);
    CHECK_INT(hs.total, 1); /* AKIA3333..., AKIA2222... is allowed */
    CHECK_INT(hs.n ? hs.h[0].lineno : 0, 3);
    CHECK_INT(scan_text(e, "srv/samples/x.conf", buf, (size_t)n, &hs), COMB_OK);
    CHECK_INT(hs.total, 0);
    CHECK(!comb_secret_wants(e, "srv/samples/x.conf", 100));
    comb_secret_engine_free(e);

    /* enable-builtin-rules keeps only the listed built-in rules */
    CHECK_INT(engine_from("enable-builtin-rules: [aws-access-key-id, github-pat]\n", &e, &err),
              COMB_OK);
    CHECK_INT(comb_secret_rule_count(e), 2);
    comb_secret_engine_free(e);

    /* builtin-rules: false; a user rule replacing a built-in id; disable-allow-rules */
    CHECK_INT(engine_from("builtin-rules: false\n"
                          "disable-allow-rules: [usr-dirs]\n"
                          "rules:\n"
                          "  - id: github-pat\n"
                          "    regex: 'ghp_[0-9A-Za-z]{36}'\n"
                          "    keywords: [ghp_]\n",
                          &e, &err),
              COMB_OK);
    CHECK_INT(comb_secret_rule_count(e), 1);
    comb_secret_rule_info ri;
    comb_secret_rule_at(e, 0, &ri);
    CHECK(!ri.builtin);
    CHECK_STR(ri.severity, "MEDIUM"); /* the default */
    n = snprintf(buf, sizeof buf, "token=%s\n", GHP);
    CHECK_INT(scan_text(e, "usr/share/doc/x/README", buf, (size_t)n, &hs), COMB_OK);
    CHECK_INT(hs.total, 1);
    comb_secret_engine_free(e);

    /* a user rule without keywords goes through Vectorscan as a regex */
    CHECK_INT(engine_from("builtin-rules: false\n"
                          "rules:\n"
                          "  - id: numbers\n"
                          "    regex: '\\bPIN-[0-9]{6}\\b'\n",
                          &e, &err),
              COMB_OK);
    CHECK_INT(scan_text(e, "a/b", "code PIN-123456 and PIN-1234567", 31, &hs), COMB_OK);
    CHECK_INT(hs.total, 1);
    comb_secret_engine_free(e);

    /* an empty config changes nothing */
    CHECK_INT(engine_from("", &e, &err), COMB_OK);
    CHECK_INT(comb_secret_rule_count(e), comb_secret_rule_count(builtin));
    comb_secret_engine_free(e);
}

/* Each malformed config fails with COMB_EFORMAT and a message naming the
 * problem (and, where libyaml knows it, the line). */
static void test_malformed_configs(void)
{
    static const struct {
        const char *yaml, *needle;
    } bad[] = {
        { "rules: [\n  - id: x\n", "line" },
        { "rules:\n  - id: x\n    regex: 'a(b'\n", "line 2: rule \"x\": regex: missing closing parenthesis" },
        { "rules:\n  - id: x\n    regex: 'ab'\n    severity: urgent\n", "severity \"urgent\"" },
        { "rules:\n  - id: x\n    keywords: [a]\n", "regex missing" },
        { "rules:\n  - regex: 'ab'\n", "id missing" },
        { "rules:\n  - id: 'bad id!'\n    regex: 'ab'\n", "rule id \"bad id!\"" },
        { "rules:\n  - id: x\n    regex: 'ab'\n    colour: red\n", "line 4: rule: unknown key \"colour\"" },
        { "rules:\n  - id: x\n    regex: 'ab'\n    secret-group-name: tok\n", "not a named group" },
        { "rules:\n  - id: x\n    regex: 'ab'\n    entropy: lots\n", "rule entropy: expected a number" },
        { "rules:\n  - id: x\n    regex: 'ab'\n  - id: x\n    regex: 'cd'\n", "defined twice" },
        { "disable-rules: [no-such-rule]\n", "unknown rule id \"no-such-rule\"" },
        { "disable-allow-rules: [nope]\n", "unknown allow rule id \"nope\"" },
        { "allow-rules:\n  - id: a\n    description: nothing to match\n", "needs a regex or a path" },
        { "allow-rules:\n  - id: a\n    path: '[z-a]'\n", "allow rule \"a\": path: range out of order" },
        { "builtin-rules: maybe\n", "expected true or false" },
        { "rules: 3\n", "expected a list" },
        { "- just\n- a list\n", "expected a mapping" },
        { "exclude-block:\n  regexes: ['x']\n", "not supported" },
        { "rules:\n  - id: x\n    regex: \"a\\0b\"\n", "NUL" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        comb_secret_engine *e = NULL;
        comb_err err;
        comb_code rc = engine_from(bad[i].yaml, &e, &err);
        CHECK_INT(rc, COMB_EFORMAT);
        if (!strstr(err.msg, bad[i].needle))
            fprintf(stderr, "config %zu: message \"%s\" lacks \"%s\"\n", i, err.msg, bad[i].needle);
        CHECK(strstr(err.msg, bad[i].needle) != NULL);
        CHECK(strstr(err.msg, "/tmp/comb-secret-") != NULL); /* names the file */
        CHECK(e == NULL);
        comb_secret_engine_free(e);
    }
    comb_secret_opts o = { .config_path = "/nonexistent/secret.yaml" };
    comb_secret_engine *e = NULL;
    comb_err err;
    CHECK_INT(comb_secret_engine_new(&o, &e, &err), COMB_EIO);
    CHECK(strstr(err.msg, "/nonexistent/secret.yaml") != NULL);
    /* An alias bomb: 1000 rules, each an alias of one rule whose allow-rules
     * are 1000 aliases of one allow rule, is a few KB of YAML but a million
     * allow rules once expanded. The loader's visit cap stops it. */
    size_t cap = 64 * 1024, n = 0;
    char *bomb = malloc(cap);
    n += (size_t)snprintf(bomb + n, cap - n, "allow-rules: &A\n  - &a {id: a, regex: x}\n");
    for (int i = 0; i < 999; i++)
        n += (size_t)snprintf(bomb + n, cap - n, "  - *a\n");
    n += (size_t)snprintf(bomb + n, cap - n, "rules:\n  - &r {id: r, regex: x, allow-rules: *A}\n");
    for (int i = 0; i < 999; i++)
        n += (size_t)snprintf(bomb + n, cap - n, "  - *r\n");
    CHECK(n < cap);
    CHECK_INT(engine_from(bomb, &e, &err), COMB_EFORMAT);
    CHECK(strstr(err.msg, "deeply aliased") != NULL);
    free(bomb);
}

static int stop(void *ud, const comb_secret_match *m)
{
    (void)m;
    (*(size_t *)ud)++;
    return 1;
}

static void test_redaction_and_positions(void)
{
    char buf[600];
    int n = snprintf(buf, sizeof buf, "# config\n\nA=%s B=%s\r\nkey: \xff\xfe %s\n", GHP, GHP2, GHP);
    hits hs;
    CHECK_INT(scan_text(builtin, "srv/app.env", buf, (size_t)n, &hs), COMB_OK);
    CHECK_INT(hs.total, 3);
    if (hs.n == 3) {
        CHECK_INT(hs.h[0].lineno, 3);
        CHECK_INT(hs.h[0].col, 3);
        CHECK_INT(hs.h[1].lineno, 3);
        CHECK_INT(hs.h[1].col, 3 + (int)strlen(GHP) + 3);
        CHECK_INT(hs.h[2].lineno, 4);
        CHECK_INT(hs.h[2].col, 9); /* byte column: "key: " + 2 bytes + " " */
        CHECK(!strncmp(hs.h[0].match, "ghp_*", 5)); /* the public prefix stays */
        for (int i = 0; i < 3; i++) {
            CHECK(!leaks(hs.h[i].match, GHP) && !leaks(hs.h[i].match, GHP2));
            CHECK(!leaks(hs.h[i].line, GHP) && !leaks(hs.h[i].line, GHP2)); /* both on one line */
            CHECK(strchr(hs.h[i].line, '\r') == NULL);
        }
        CHECK(strstr(hs.h[2].line, "key: ?? ghp_") != NULL); /* invalid UTF-8 becomes '?' */
    }
    /* stop after the first finding */
    comb_err err;
    size_t calls = 0;
    CHECK_INT(comb_secret_scan(builtin, "srv/app.env", (const uint8_t *)buf, (size_t)n, NULL, NULL,
                               &err),
              COMB_OK);
    CHECK_INT(comb_secret_scan(builtin, "srv/app.env", (const uint8_t *)buf, (size_t)n, stop, &calls,
                               &err),
              COMB_OK);
    CHECK_INT(calls, 1);
}

/* One 8 MiB line holding a token every 64 KiB: every token found, the
 * snippet bounded. Nothing here may be quadratic in the line length. */
static void test_huge_line(void)
{
    size_t len = 8u << 20;
    char *buf = malloc(len);
    for (size_t i = 0; i < len; i++)
        buf[i] = "abcdefghij token password "[i % 26];
    size_t planted = 0;
    for (size_t off = 1000; off + 64 < len; off += 64 * 1024, planted++) {
        buf[off - 1] = ' ';
        memcpy(buf + off, GHP, sizeof GHP - 1);
        buf[off + sizeof GHP - 1] = ' ';
    }
    hits hs;
    CHECK_INT(scan_text(builtin, "srv/huge.txt", buf, len, &hs), COMB_OK);
    CHECK_INT(hs.total, planted);
    for (size_t i = 0; i < hs.n; i++) {
        CHECK_INT(hs.h[i].lineno, 1);
        CHECK(strlen(hs.h[i].line) <= COMB_SECRET_SNIPPET_MAX + 6);
        CHECK(!leaks(hs.h[i].line, GHP));
    }
    /* the same with every prefilter */
    for (int m = COMB_SECRET_PREFILTER_REGEX; m <= COMB_SECRET_PREFILTER_TRIVY; m++) {
        comb_secret_opts o = { .prefilter = (comb_secret_prefilter)m };
        comb_secret_engine *e;
        comb_err err;
        CHECK_INT(comb_secret_engine_new(&o, &e, &err), COMB_OK);
        CHECK_INT(scan_text(e, "srv/huge.txt", buf, len, &hs), COMB_OK);
        CHECK_INT(hs.total, planted);
        comb_secret_engine_free(e);
    }
    free(buf);
}

/* A file of many matches is capped at COMB_SECRET_MAX_FINDINGS. */
static void test_many_matches(void)
{
    size_t lines = COMB_SECRET_MAX_FINDINGS + 5000;
    size_t len = lines * 30;
    char *buf = malloc(len + 1), *p = buf;
    for (size_t i = 0; i < lines; i++)
        p += sprintf(p, "id=AKIA%016zu\n", (size_t)(i + 1000000000000000ull)); /* 26 bytes */
    hits hs;
    CHECK_INT(scan_text(builtin, "srv/keys.txt", buf, (size_t)(p - buf), &hs), COMB_OK);
    CHECK_INT(hs.total, COMB_SECRET_MAX_FINDINGS);
    CHECK_INT(hs.h[0].lineno, 1);
    CHECK_INT(hs.h[MAX_HITS - 1].lineno, MAX_HITS);
    /* and many keyword hits without a match: all windows, no findings */
    for (size_t i = 0; i < len; i++)
        buf[i] = "aws ghp_ xoxb- "[i % 15];
    CHECK_INT(scan_text(builtin, "srv/noise.txt", buf, len, &hs), COMB_OK);
    CHECK_INT(hs.total, 0);
    free(buf);
}

int main(void)
{
    RUN(test_builtin);
    if (!builtin)
        return test_summary();
    RUN(test_wants);
    RUN(test_binary_and_size);
    RUN(test_pkcs12_binary_rule);
    RUN(test_entropy);
    RUN(test_builtin_allow_rules);
    RUN(test_user_config);
    RUN(test_malformed_configs);
    RUN(test_redaction_and_positions);
    RUN(test_huge_line);
    RUN(test_many_matches);
    comb_secret_engine_free(builtin);
    return test_summary();
}
