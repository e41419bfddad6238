/* access.c - see access.h. */
#include "registry/server/access.h"

#include "core/pwhash.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/digest.h"
#include "registry/ref.h"
#include "trust/trust.h"

#define ISSUER "comb-registry"
#define LOGIN_CACHE 64
#define BUCKETS 1024

typedef struct login_entry {
    char key[72]; /* sha256 of user NUL password under a per-process salt */
    time_t until;
    int sysadmin;
    char user[128];
} login_entry;

typedef struct bucket {
    char key[128];
    double tokens;
    double last;
} bucket;

struct comb_access {
    sqlite3 *db;
    pthread_mutex_t mu;
    EVP_PKEY *key;
    unsigned char salt[16];
    login_entry cache[LOGIN_CACHE];
    bucket buckets[BUCKETS];
};

int comb_role_actions(const char *role)
{
    if (!strcmp(role, "guest"))
        return COMB_ACT_PULL;
    if (!strcmp(role, "developer"))
        return COMB_ACT_PULL | COMB_ACT_PUSH;
    if (!strcmp(role, "maintainer"))
        return COMB_ACT_PULL | COMB_ACT_PUSH | COMB_ACT_DELETE | COMB_ACT_PROMOTE;
    if (!strcmp(role, "admin"))
        return COMB_ACT_ALL;
    return -1;
}

static const char *const act_names[] = {"pull", "push", "delete", "promote", "manage"};

int comb_actions_parse(const char *s)
{
    int bits = 0;
    while (s && *s) {
        size_t n = strcspn(s, ",");
        int found = 0;
        for (int i = 0; i < 5; i++)
            if (strlen(act_names[i]) == n && !strncmp(s, act_names[i], n))
                bits |= 1 << i, found = 1;
        if (n == 1 && *s == '*')
            bits |= COMB_ACT_ALL, found = 1;
        if (!found)
            return -1;
        s += n;
        if (*s == ',')
            s++;
    }
    return bits;
}

void comb_actions_format(int bits, char *out, size_t outsz)
{
    out[0] = '\0';
    for (int i = 0; i < 5; i++)
        if (bits & (1 << i)) {
            size_t l = strlen(out);
            snprintf(out + l, outsz - l, "%s%s", l ? "," : "", act_names[i]);
        }
}

/* ---- storage ---- */

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE IF NOT EXISTS users(name TEXT PRIMARY KEY, kdf TEXT NOT NULL, robot INTEGER NOT NULL,"
    "  sysadmin INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS projects(name TEXT PRIMARY KEY, public INTEGER NOT NULL,"
    "  immutable INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS members(project TEXT NOT NULL, user TEXT NOT NULL,"
    "  actions INTEGER NOT NULL, PRIMARY KEY(project, user));"
    "CREATE TABLE IF NOT EXISTS project_scan(project TEXT PRIMARY KEY, scan_on_push INTEGER NOT NULL,"
    "  block_severity INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS scans(repo TEXT NOT NULL, digest TEXT NOT NULL, time INTEGER NOT NULL,"
    "  worst INTEGER NOT NULL, summary TEXT, PRIMARY KEY(repo, digest));"
    "CREATE TABLE IF NOT EXISTS project_keys(project TEXT NOT NULL, pem TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS audit(id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL,"
    "  client TEXT, user TEXT, action TEXT, target TEXT, decision TEXT, status INTEGER);";

static comb_code load_or_make_key(comb_access *a, const char *root, comb_err *err)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/token.pem", root);
    FILE *f = fopen(p, "r");
    if (f) {
        a->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
        return a->key ? COMB_OK : comb_fail(err, COMB_EFORMAT, "%s: not a PEM private key", p);
    }
    a->key = EVP_EC_gen("P-256");
    if (!a->key)
        return comb_fail(err, COMB_ENOMEM, "cannot generate the token signing key");
    int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || !(f = fdopen(fd, "w")))
        return comb_fail(err, COMB_EIO, "%s: %s", p, strerror(errno));
    int ok = PEM_write_PrivateKey(f, a->key, NULL, NULL, 0, NULL, NULL) == 1;
    ok = fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
    fclose(f);
    return ok ? COMB_OK : comb_fail(err, COMB_EIO, "%s: cannot write", p);
}

comb_code comb_access_open(const char *root, comb_access **out, comb_err *err)
{
    comb_access *a = calloc(1, sizeof *a);
    if (!a)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    pthread_mutex_init(&a->mu, NULL);
    char p[4096];
    mkdir(root, 0700);
    snprintf(p, sizeof p, "%s/access.db", root);
    comb_code rc = COMB_OK;
    if (sqlite3_open_v2(p, &a->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK ||
        sqlite3_busy_timeout(a->db, 10000) != SQLITE_OK ||
        sqlite3_exec(a->db, schema, NULL, NULL, NULL) != SQLITE_OK)
        rc = comb_fail(err, COMB_EIO, "%s: %s", p, a->db ? sqlite3_errmsg(a->db) : "cannot open");
    if (rc == COMB_OK)
        rc = load_or_make_key(a, root, err);
    if (rc == COMB_OK && RAND_bytes(a->salt, sizeof a->salt) != 1)
        rc = comb_fail(err, COMB_ENOMEM, "no randomness");
    if (rc != COMB_OK) {
        comb_access_close(a);
        return rc;
    }
    *out = a;
    return COMB_OK;
}

void comb_access_close(comb_access *a)
{
    if (!a)
        return;
    sqlite3_close(a->db);
    EVP_PKEY_free(a->key);
    OPENSSL_cleanse(a->cache, sizeof a->cache);
    pthread_mutex_destroy(&a->mu);
    free(a);
}

static sqlite3_stmt *prep(comb_access *a, const char *sql)
{
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(a->db, sql, -1, &st, NULL);
    return st;
}

static comb_code step_done(comb_access *a, sqlite3_stmt *st, const char *what, comb_err *err)
{
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? COMB_OK
                             : comb_fail(err, COMB_EIO, "access: %s: %s", what, sqlite3_errmsg(a->db));
}

static void project_of(const char *repo, char *out, size_t sz);

/* ---- passwords: scrypt ---- */

static int b64url(const unsigned char *d, size_t n, char *out, size_t outsz);

comb_code comb_access_user_add(comb_access *a, const char *name, const char *password, int robot,
                               int sysadmin, comb_err *err)
{
    if (!name[0] || strlen(name) > 100 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-$+") != strlen(name))
        return comb_fail(err, COMB_EINVAL, "user name %.100s: 1-100 of [a-z0-9._-$+]", name);
    if (strlen(password) < 8)
        return comb_fail(err, COMB_EINVAL, "password for %s: at least 8 characters", name);
    char rec[COMB_PWHASH_MAX];
    if (comb_pw_hash(password, rec))
        return comb_fail(err, COMB_EINVAL, "password for %s: cannot be hashed (too long?)", name);
    sqlite3_stmt *st = prep(a, "INSERT OR REPLACE INTO users(name,kdf,robot,sysadmin) VALUES(?,?,?,?)");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, rec, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, robot);
    sqlite3_bind_int(st, 4, sysadmin);
    return step_done(a, st, "adding a user", err);
}

comb_code comb_access_project_set(comb_access *a, const char *project, int is_public,
                                  int immutable_tags, comb_err *err)
{
    if (!comb_ref_valid_repo(project) || strchr(project, '/'))
        return comb_fail(err, COMB_EINVAL, "project %.100s: one lowercase path component", project);
    sqlite3_stmt *st = prep(a, "INSERT OR REPLACE INTO projects(name,public,immutable) VALUES(?,?,?)");
    sqlite3_bind_text(st, 1, project, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, is_public);
    sqlite3_bind_int(st, 3, immutable_tags);
    return step_done(a, st, "setting a project", err);
}

comb_code comb_access_member_set(comb_access *a, const char *project, const char *user,
                                 int actions, comb_err *err)
{
    sqlite3_stmt *st = prep(a, "SELECT 1 FROM users WHERE name=?");
    sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!found)
        return comb_fail(err, COMB_ENOTFOUND, "user %s: unknown", user);
    st = prep(a, "INSERT OR REPLACE INTO members(project,user,actions) VALUES(?,?,?)");
    sqlite3_bind_text(st, 1, project, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, user, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, actions);
    return step_done(a, st, "setting a member", err);
}

comb_code comb_access_project_keys(comb_access *a, const char *project, const char *pem,
                                   comb_err *err)
{
    sqlite3_stmt *st = prep(a, "DELETE FROM project_keys WHERE project=?");
    sqlite3_bind_text(st, 1, project, -1, SQLITE_TRANSIENT);
    comb_code rc = step_done(a, st, "setting signature keys", err);
    if (rc || !pem)
        return rc;
    st = prep(a, "INSERT INTO project_keys(project,pem) VALUES(?,?)");
    sqlite3_bind_text(st, 1, project, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, pem, -1, SQLITE_TRANSIENT);
    return step_done(a, st, "setting signature keys", err);
}

size_t comb_access_sigkeys(comb_access *a, const char *repo, char **pems, size_t max)
{
    char proj[256];
    project_of(repo, proj, sizeof proj);
    sqlite3_stmt *st = prep(a, "SELECT pem FROM project_keys WHERE project=?");
    sqlite3_bind_text(st, 1, proj, -1, SQLITE_TRANSIENT);
    size_t n = 0;
    while (st && n < max && sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (t && (pems[n] = strdup(t)))
            n++;
    }
    sqlite3_finalize(st);
    return n;
}

comb_code comb_access_project_scan(comb_access *a, const char *project, int scan_on_push,
                                   int block_severity, comb_err *err)
{
    sqlite3_stmt *st = prep(a, "INSERT OR REPLACE INTO project_scan(project,scan_on_push,block_severity) "
                               "VALUES(?,?,?)");
    sqlite3_bind_text(st, 1, project, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, scan_on_push);
    sqlite3_bind_int(st, 3, block_severity);
    return step_done(a, st, "setting the scan policy", err);
}

static void project_pair(comb_access *a, const char *sql, const char *repo, int *x, int *y);

void comb_access_scan_policy(comb_access *a, const char *repo, int *scan_on_push, int *block_severity)
{
    project_pair(a, "SELECT scan_on_push, block_severity FROM project_scan WHERE project=?", repo,
                 scan_on_push, block_severity);
}

void comb_access_scan_record(comb_access *a, const char *repo, const char *digest, int worst,
                             const char *summary)
{
    sqlite3_stmt *st = prep(a, "INSERT OR REPLACE INTO scans(repo,digest,time,worst,summary) VALUES(?,?,?,?,?)");
    if (!st)
        return;
    sqlite3_bind_text(st, 1, repo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, digest, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
    sqlite3_bind_int(st, 4, worst);
    sqlite3_bind_text(st, 5, summary, -1, SQLITE_TRANSIENT);
    sqlite3_step(st);
    sqlite3_finalize(st);
}

comb_code comb_access_scans_list(comb_access *a, char ***repos, char ***digests, size_t *n,
                                 comb_err *err)
{
    *repos = *digests = NULL;
    *n = 0;
    sqlite3_stmt *st = prep(a, "SELECT repo, digest FROM scans ORDER BY repo, digest");
    if (!st)
        return comb_fail(err, COMB_EIO, "scans: %s", sqlite3_errmsg(a->db));
    size_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            char **r = realloc(*repos, cap * sizeof *r), **d = r ? realloc(*digests, cap * sizeof *d) : NULL;
            if (r)
                *repos = r;
            if (!r || !d)
                break;
            *digests = d;
        }
        (*repos)[*n] = strdup((const char *)sqlite3_column_text(st, 0));
        (*digests)[*n] = strdup((const char *)sqlite3_column_text(st, 1));
        (*n)++;
    }
    sqlite3_finalize(st);
    return COMB_OK;
}

int comb_access_scan_worst(comb_access *a, const char *repo, const char *digest)
{
    sqlite3_stmt *st = prep(a, "SELECT worst FROM scans WHERE repo=? AND digest=?");
    sqlite3_bind_text(st, 1, repo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, digest, -1, SQLITE_TRANSIENT);
    int w = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        w = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return w;
}

void comb_identity_clear(comb_identity *id)
{
    free(id->token_access);
    memset(id, 0, sizeof *id);
}

comb_code comb_access_login(comb_access *a, const char *user, const char *password,
                            comb_identity *id, comb_err *err)
{
    memset(id, 0, sizeof *id);
    /* a short-lived cache keyed by a salted hash of the credentials, so
     * that Basic auth on every request does not cost one scrypt each */
    comb_sha256 h;
    char key[72];
    if (comb_sha256_init(&h))
        return comb_fail(err, COMB_ENOMEM, "sha256");
    comb_sha256_update(&h, a->salt, sizeof a->salt);
    comb_sha256_update(&h, user, strlen(user) + 1);
    comb_sha256_update(&h, password, strlen(password));
    comb_sha256_final(&h, key);
    time_t now = time(NULL);
    pthread_mutex_lock(&a->mu);
    for (int i = 0; i < LOGIN_CACHE; i++)
        if (a->cache[i].until > now && !strcmp(a->cache[i].key, key)) {
            snprintf(id->user, sizeof id->user, "%s", a->cache[i].user);
            id->sysadmin = a->cache[i].sysadmin;
            pthread_mutex_unlock(&a->mu);
            return COMB_OK;
        }
    pthread_mutex_unlock(&a->mu);
    sqlite3_stmt *st = prep(a, "SELECT kdf, sysadmin FROM users WHERE name=?");
    sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
    char rec[COMB_PWHASH_MAX] = "";
    int sysadmin = 0;
    if (st && sqlite3_step(st) == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(st, 0);
        snprintf(rec, sizeof rec, "%s", r ? r : "");
        sysadmin = sqlite3_column_int(st, 1);
    }
    sqlite3_finalize(st);
    int ok;
    if (rec[0]) {
        ok = comb_pw_verify(password, rec);
    } else {
        /* an unknown user costs the same time as a known one */
        char dummy[COMB_PWHASH_MAX];
        comb_pw_hash(password, dummy);
        ok = 0;
    }
    if (!ok)
        return comb_fail(err, COMB_EAUTH, "wrong user name or password for %.100s", user);
    snprintf(id->user, sizeof id->user, "%s", user);
    id->sysadmin = sysadmin;
    pthread_mutex_lock(&a->mu);
    int slot = (unsigned char)key[8] % LOGIN_CACHE;
    snprintf(a->cache[slot].key, sizeof a->cache[slot].key, "%s", key);
    snprintf(a->cache[slot].user, sizeof a->cache[slot].user, "%s", user);
    a->cache[slot].sysadmin = sysadmin;
    a->cache[slot].until = now + 60;
    pthread_mutex_unlock(&a->mu);
    return COMB_OK;
}

static void project_of(const char *repo, char *out, size_t sz)
{
    size_t n = strcspn(repo, "/");
    snprintf(out, sz, "%.*s", (int)(n < sz ? n : sz - 1), repo);
}

/* Two integer settings of repo's project (0 when it has none). */
static void project_pair(comb_access *a, const char *sql, const char *repo, int *x, int *y)
{
    char proj[256];
    project_of(repo, proj, sizeof proj);
    *x = *y = 0;
    sqlite3_stmt *st = prep(a, sql);
    sqlite3_bind_text(st, 1, proj, -1, SQLITE_TRANSIENT);
    if (st && sqlite3_step(st) == SQLITE_ROW) {
        *x = sqlite3_column_int(st, 0);
        *y = sqlite3_column_int(st, 1);
    }
    sqlite3_finalize(st);
}

void comb_access_project(comb_access *a, const char *repo, int *is_public, int *immutable)
{
    project_pair(a, "SELECT public, immutable FROM projects WHERE name=?", repo, is_public, immutable);
}

static int role_allowed(comb_access *a, const char *user, int sysadmin, const char *repo)
{
    int pub, imm, bits = 0;
    comb_access_project(a, repo, &pub, &imm);
    if (pub)
        bits |= COMB_ACT_PULL;
    if (sysadmin)
        return COMB_ACT_ALL;
    if (!user[0])
        return bits;
    char proj[256];
    project_of(repo, proj, sizeof proj);
    sqlite3_stmt *st = prep(a, "SELECT actions FROM members WHERE project=? AND user=?");
    sqlite3_bind_text(st, 1, proj, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, user, -1, SQLITE_TRANSIENT);
    if (st && sqlite3_step(st) == SQLITE_ROW)
        bits |= sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return bits;
}

int comb_access_role(comb_access *a, const comb_identity *id, const char *repo)
{
    return role_allowed(a, id->user, id->sysadmin, repo);
}

int comb_access_allowed(comb_access *a, const comb_identity *id, const char *repo)
{
    int bits = role_allowed(a, id->user, id->sysadmin, repo);
    if (!id->from_token)
        return bits;
    /* a bearer grants at most what it names, and never more than the roles
     * allow now (a revoked membership takes effect before expiry) */
    int granted = 0;
    json_t *acc = id->token_access ? json_loads(id->token_access, 0, NULL) : NULL;
    size_t i;
    json_t *v;
    json_array_foreach(acc, i, v) {
        const char *type = json_string_value(json_object_get(v, "type"));
        const char *name = json_string_value(json_object_get(v, "name"));
        if (!type || !name || strcmp(type, "repository") || strcmp(name, repo))
            continue;
        size_t j;
        json_t *act;
        json_array_foreach(json_object_get(v, "actions"), j, act) {
            const char *s = json_string_value(act);
            int b = s ? comb_actions_parse(s) : -1;
            if (b > 0)
                granted |= b;
        }
    }
    json_decref(acc);
    return bits & granted;
}

/* ---- JWT ---- */

static int b64url(const unsigned char *d, size_t n, char *out, size_t outsz)
{
    char *s = comb_b64_encode(d, n);
    if (!s)
        return -1;
    size_t j = 0;
    for (size_t i = 0; s[i] && s[i] != '=' && j + 1 < outsz; i++)
        out[j++] = s[i] == '+' ? '-' : s[i] == '/' ? '_' : s[i];
    out[j] = '\0';
    int full = s[strcspn(s, "=")] == '\0' ? strlen(s) < outsz : strcspn(s, "=") < outsz;
    free(s);
    return full ? 0 : -1;
}

static unsigned char *b64url_dec(const char *s, size_t n, size_t *outlen)
{
    if (n > 16384)
        return NULL;
    char *t = malloc(n + 4);
    if (!t)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+' || c == '/' || c == '=')
            goto bad;
        t[j++] = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    if (j % 4 == 1)
        goto bad;
    while (j % 4)
        t[j++] = '=';
    t[j] = '\0';
    unsigned char *r = comb_b64_decode(t, j, outlen);
    free(t);
    /* canonical only: the unused low bits of the last character must be
     * zero, so one token has exactly one spelling */
    char re[16400];
    if (r && (b64url(r, *outlen, re, sizeof re) || strlen(re) != n || memcmp(re, s, n))) {
        free(r);
        return NULL;
    }
    return r;
bad:
    free(t);
    return NULL;
}

comb_code comb_jwt_verify(void *key, const char *tok, size_t len, const char *aud,
                          const char *iss, time_t now, void **claims, comb_err *err)
{
    *claims = NULL;
    if (len > 8192)
        return comb_fail(err, COMB_EAUTH, "token longer than 8 KiB");
    const char *d1 = memchr(tok, '.', len);
    const char *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - tok)) : NULL;
    if (!d1 || !d2 || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - tok)))
        return comb_fail(err, COMB_EAUTH, "token is not header.payload.signature");
    size_t hl, pl, sl;
    unsigned char *h = b64url_dec(tok, (size_t)(d1 - tok), &hl);
    unsigned char *p = b64url_dec(d1 + 1, (size_t)(d2 - d1 - 1), &pl);
    unsigned char *s = b64url_dec(d2 + 1, len - (size_t)(d2 + 1 - tok), &sl);
    json_t *hj = h ? json_loadb((const char *)h, hl, JSON_REJECT_DUPLICATES, NULL) : NULL;
    json_t *pj = p ? json_loadb((const char *)p, pl, JSON_REJECT_DUPLICATES, NULL) : NULL;
    comb_code rc = COMB_OK;
    const char *alg = json_string_value(json_object_get(hj, "alg"));
    if (!hj || !json_is_object(pj) || !s) {
        rc = comb_fail(err, COMB_EAUTH, "token: malformed");
    } else if (!alg || strcmp(alg, "ES256") || sl != 64) {
        rc = comb_fail(err, COMB_EAUTH, "token: only ES256 is accepted");
    } else {
        /* raw r||s to DER */
        ECDSA_SIG *sig = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(s, 32, NULL), *ss = BN_bin2bn(s + 32, 32, NULL);
        unsigned char *der = NULL;
        int derlen = -1, ok = 0;
        if (sig && r && ss && ECDSA_SIG_set0(sig, r, ss) == 1) {
            r = ss = NULL;
            derlen = i2d_ECDSA_SIG(sig, &der);
        }
        BN_free(r);
        BN_free(ss);
        ECDSA_SIG_free(sig);
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        if (derlen > 0 && md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
            EVP_DigestVerify(md, der, (size_t)derlen, (const unsigned char *)tok,
                             (size_t)(d2 - tok)) == 1)
            ok = 1;
        EVP_MD_CTX_free(md);
        OPENSSL_free(der);
        json_int_t exp = json_integer_value(json_object_get(pj, "exp"));
        json_int_t nbf = json_integer_value(json_object_get(pj, "nbf"));
        const char *a = json_string_value(json_object_get(pj, "aud"));
        const char *i = json_string_value(json_object_get(pj, "iss"));
        if (!ok)
            rc = comb_fail(err, COMB_EAUTH, "token: bad signature");
        else if (exp <= (json_int_t)now || nbf > (json_int_t)now + 60)
            rc = comb_fail(err, COMB_EAUTH, "token: expired or not yet valid");
        else if (!a || strcmp(a, aud) || !i || strcmp(i, iss))
            rc = comb_fail(err, COMB_EAUTH, "token: for another service or issuer");
    }
    free(h);
    free(p);
    free(s);
    json_decref(hj);
    if (rc == COMB_OK)
        *claims = pj;
    else
        json_decref(pj);
    return rc;
}

comb_code comb_access_bearer(comb_access *a, const char *token, const char *service,
                             comb_identity *id, comb_err *err)
{
    memset(id, 0, sizeof *id);
    void *c;
    comb_code rc = comb_jwt_verify(a->key, token, strlen(token), service, ISSUER, time(NULL), &c, err);
    if (rc != COMB_OK)
        return rc;
    json_t *claims = c;
    const char *sub = json_string_value(json_object_get(claims, "sub"));
    snprintf(id->user, sizeof id->user, "%s", sub ? sub : "");
    id->from_token = 1;
    id->token_access = json_dumps(json_object_get(claims, "access"), JSON_COMPACT);
    if (id->user[0]) {
        sqlite3_stmt *st = prep(a, "SELECT sysadmin FROM users WHERE name=?");
        sqlite3_bind_text(st, 1, id->user, -1, SQLITE_TRANSIENT);
        int found = st && sqlite3_step(st) == SQLITE_ROW;
        if (found)
            id->sysadmin = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        if (!found) { /* deleted since */
            comb_identity_clear(id);
            rc = comb_fail(err, COMB_EAUTH, "token: user no longer exists");
        }
    }
    json_decref(claims);
    return rc;
}

comb_code comb_access_token(comb_access *a, const comb_identity *id, const char *service,
                            const char *const *scopes, size_t nscopes, unsigned ttl,
                            char **jwt, comb_err *err)
{
    *jwt = NULL;
    json_t *access = json_array();
    for (size_t i = 0; i < nscopes && i < 32; i++) {
        /* repository:NAME:ACTIONS; NAME has no ':' (no registry part) */
        char buf[512];
        snprintf(buf, sizeof buf, "%s", scopes[i]);
        char *c1 = strchr(buf, ':'), *c2 = c1 ? strrchr(c1 + 1, ':') : NULL;
        if (!c1 || !c2 || c2 == c1)
            continue;
        *c1 = *c2 = '\0';
        if (strcmp(buf, "repository") || !comb_ref_valid_repo(c1 + 1))
            continue;
        int want = comb_actions_parse(c2 + 1);
        if (want < 0)
            continue;
        int have = role_allowed(a, id->user, id->sysadmin, c1 + 1) & want;
        json_t *acts = json_array();
        for (int b = 0; b < 5; b++)
            if (have & (1 << b))
                json_array_append_new(acts, json_string(act_names[b]));
        json_array_append_new(access, json_pack("{s:s,s:s,s:o}", "type", "repository", "name",
                                                c1 + 1, "actions", acts));
    }
    time_t now = time(NULL);
    unsigned char jti[12];
    char jti64[24];
    RAND_bytes(jti, sizeof jti);
    b64url(jti, sizeof jti, jti64, sizeof jti64);
    json_t *claims = json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:s,s:o}", "iss", ISSUER, "sub", id->user,
                               "aud", service, "iat", (json_int_t)now, "nbf", (json_int_t)now - 5,
                               "exp", (json_int_t)(now + ttl), "jti", jti64, "access", access);
    char *payload = json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(claims);
    static const char hdr[] = "{\"alg\":\"ES256\",\"typ\":\"JWT\"}";
    size_t cap = 64 + 2 * (payload ? strlen(payload) : 0) + 200;
    char *out = malloc(cap);
    comb_code rc = COMB_OK;
    if (!payload || !out) {
        rc = comb_fail(err, COMB_ENOMEM, "token: out of memory");
        goto done;
    }
    char h64[64];
    b64url((const unsigned char *)hdr, strlen(hdr), h64, sizeof h64);
    int n = snprintf(out, cap, "%s.", h64);
    if (b64url((const unsigned char *)payload, strlen(payload), out + n, cap - (size_t)n)) {
        rc = comb_fail(err, COMB_ELIMIT, "token: too large");
        goto done;
    }
    size_t signed_len = strlen(out);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char der[128];
    size_t dl = sizeof der;
    int ok = md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, a->key) == 1 &&
             EVP_DigestSign(md, der, &dl, (const unsigned char *)out, signed_len) == 1;
    EVP_MD_CTX_free(md);
    const unsigned char *dp = der;
    ECDSA_SIG *sig = ok ? d2i_ECDSA_SIG(NULL, &dp, (long)dl) : NULL;
    unsigned char raw[64];
    if (!sig || BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32) != 32 ||
        BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32) != 32) {
        ECDSA_SIG_free(sig);
        rc = comb_fail(err, COMB_EIO, "token: signing failed");
        goto done;
    }
    ECDSA_SIG_free(sig);
    out[signed_len] = '.';
    b64url(raw, sizeof raw, out + signed_len + 1, cap - signed_len - 1);
    *jwt = out;
    out = NULL;
done:
    free(payload);
    free(out);
    return rc;
}

/* ---- audit ---- */

void comb_access_audit(comb_access *a, const char *client, const char *user, const char *action,
                       const char *target, const char *decision, int status)
{
    sqlite3_stmt *st = prep(a, "INSERT INTO audit(time,client,user,action,target,decision,status) "
                               "VALUES(?,?,?,?,?,?,?)");
    if (!st)
        return;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
    sqlite3_bind_text(st, 2, client, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, user, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, action, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, target, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, decision, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 7, status);
    sqlite3_step(st);
    sqlite3_finalize(st);
}

comb_code comb_access_audit_list(comb_access *a, long limit,
                                 void (*cb)(void *ctx, const char *line), void *ctx,
                                 comb_err *err)
{
    sqlite3_stmt *st = prep(a, "SELECT * FROM (SELECT id, datetime(time,'unixepoch'), client, user, "
                               "action, target, decision, status FROM audit ORDER BY id DESC LIMIT ?) "
                               "ORDER BY id");
    if (!st)
        return comb_fail(err, COMB_EIO, "audit: %s", sqlite3_errmsg(a->db));
    sqlite3_bind_int64(st, 1, limit);
    while (sqlite3_step(st) == SQLITE_ROW) {
        char line[1024];
#define T(i) ((const char *)sqlite3_column_text(st, i) ? (const char *)sqlite3_column_text(st, i) : "-")
        snprintf(line, sizeof line, "%sZ\t%s\t%s\t%s\t%s\t%s\t%d", T(1), T(2), T(3)[0] ? T(3) : "-",
                 T(4), T(5), T(6), sqlite3_column_int(st, 7));
#undef T
        cb(ctx, line);
    }
    sqlite3_finalize(st);
    return COMB_OK;
}

/* ---- rate limiting ---- */

unsigned comb_access_rate(comb_access *a, const char *key, double rate, double burst)
{
    if (rate <= 0)
        return 0;
    uint32_t h = 2166136261u;
    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    pthread_mutex_lock(&a->mu);
    bucket *b = &a->buckets[h % BUCKETS];
    if (!b->key[0]) { /* clients hashing to one slot share its bucket: stricter, never looser */
        snprintf(b->key, sizeof b->key, "%s", key);
        b->tokens = burst;
        b->last = now;
    }
    b->tokens += (now - b->last) * rate;
    if (b->tokens > burst)
        b->tokens = burst;
    b->last = now;
    unsigned wait = 0;
    if (b->tokens >= 1)
        b->tokens -= 1;
    else
        wait = (unsigned)((1 - b->tokens) / rate) + 1;
    pthread_mutex_unlock(&a->mu);
    return wait;
}
