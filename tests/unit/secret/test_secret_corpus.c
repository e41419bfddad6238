/* test_secret_corpus.c - no false positives on real text: every text file
 * under /usr/share/doc, /usr/lib/python3, /usr/share/perl5 and /etc of this
 * host is scanned under a neutral path (so no allow rule skips it). The
 * only findings allowed are the real keys and tokens examined and listed
 * below (test fixtures and documentation that ship genuine credentials);
 * anything else is a false positive to fix in rules/secrets/builtin.yaml. */
#include <dirent.h>
#include <sys/stat.h>

#include "secret_helpers.h"
#include "test.h"

#define CORPUS_LIMIT (128u << 20)

/* Real credentials in Debian packages: (path fragment, rule). */
static const char *const known[][2] = {
    /* python3-future's SSL test keys */
    { "/future/backports/test/", "private-key-rsa" },
    { "/future/backports/test/", "private-key-pkcs8" },
    /* xmlsec's example RSA key */
    { "/libxmlsec1-dev/examples/", "private-key-rsa" },
    /* PyJWT's README shows a real HS256 token (key "secret") */
    { "PyJWT", "jwt-token" },
    { "/python3-jwt/", "jwt-token" },
    /* Net::SSLeay's and IO::Socket::SSL's example server keys (perl modules
     * that PostgreSQL's packages bring) */
    { "/libnet-ssleay-perl/examples/", "private-key-rsa" },
    { "/libio-socket-ssl-perl/examples/", "private-key-pkcs8" },
    /* the Google API key Debian's chromium (the console's browser tests) ships */
    { "/etc/chromium.d/apikeys", "gcp-api-key" },
};

static comb_secret_engine *engine;
static size_t corpus_bytes, corpus_files, unexplained, explained;

typedef struct ctx {
    const char *path;
} ctx;

static int on_finding(void *ud, const comb_secret_match *m)
{
    const ctx *c = ud;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strstr(c->path, known[i][0]) && !strcmp(m->rule_id, known[i][1])) {
            explained++;
            return 0;
        }
    unexplained++;
    fprintf(stderr, "false positive? %s:%u %s: %s\n", c->path, m->line, m->rule_id,
            m->redacted_line);
    return 0;
}

static void scan_file(const char *path, off_t size)
{
    if (size < COMB_SECRET_MIN_SIZE || size > (off_t)COMB_SECRET_DEFAULT_MAX_SIZE ||
        corpus_bytes + (size_t)size > CORPUS_LIMIT)
        return;
    size_t len = 0;
    unsigned char *data = test_slurp(path, &len);
    if (!data)
        return;
    ctx c = { path };
    comb_err err;
    /* a neutral path: the built-in path allow rules (usr/share, tests, ...) stay out */
    CHECK_INT(comb_secret_scan(engine, "corpus/file", data, len, on_finding, &c, &err), COMB_OK);
    if (!memchr(data, 0, len < 8192 ? len : 8192)) {
        corpus_bytes += len;
        corpus_files++;
    }
    free(data);
}

static void walk(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) && corpus_bytes < CORPUS_LIMIT) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(path, &st))
            continue;
        if (S_ISDIR(st.st_mode) && depth < 32)
            walk(path, depth + 1);
        else if (S_ISREG(st.st_mode))
            scan_file(path, st.st_size);
    }
    closedir(d);
}

static void test_clean_corpus(void)
{
    comb_err err;
    CHECK_INT(comb_secret_engine_new(NULL, &engine, &err), COMB_OK);
    if (!engine)
        return;
    static const char *const dirs[] = { "/usr/share/doc", "/usr/lib/python3", "/usr/share/perl5",
                                        "/etc" };
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
        walk(dirs[i], 0);
    fprintf(stderr, "corpus: %zu text files, %zu bytes, %zu known real credentials\n",
            corpus_files, corpus_bytes, explained);
    CHECK(corpus_bytes > (10u << 20)); /* the corpus is there */
    CHECK_INT(unexplained, 0);
    comb_secret_engine_free(engine);
}

int main(void)
{
    RUN(test_clean_corpus);
    return test_summary();
}
