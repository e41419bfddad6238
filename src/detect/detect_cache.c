/* detect_cache.c - what the content scanners found in a layer, kept beside
 * the layer cache's package records, so that a rescan with the same rules
 * reads no layer it has seen (sbom/layercache.h stores the bytes: atomic,
 * checksummed, bounded).
 *
 * The key names the layer (diff_id) and everything that changes results:
 * comb's version and this format's revision, the selected scanners and size
 * limits, the built-in secret and YARA rules, the user's secret config, YARA
 * rule files and ClamAV database (names, sizes, times). When any of them
 * cannot be read, nothing is cached. Filesystem-check candidates are cached
 * raw: the checks run on the merged result every time.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/embedded.h"
#include "core/wire.h"
#include "detect/detector_internal.h"
#include "sbom/layercache.h"

#ifndef COMB_VERSION
#define COMB_VERSION "0"
#endif

#define CACHE_REVISION 1          /* bump when what is stored or found changes */
#define ENTRY_MAGIC 0x636f6d6264657431ULL /* "combdet1" */
#define MAX_KEYED_FILE (64u << 20)
#define MAX_DIR_FILES 4096
#define MAX_STR 65536

static void hash_str(EVP_MD_CTX *h, const char *s)
{
    uint64_t n = s ? strlen(s) : UINT64_MAX;
    EVP_DigestUpdate(h, &n, sizeof n);
    if (s)
        EVP_DigestUpdate(h, s, strlen(s));
}

/* Content of one file into the hash; -1 when unreadable or too big. */
static int hash_file(EVP_MD_CTX *h, int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > MAX_KEYED_FILE) {
        close(fd);
        return -1;
    }
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        EVP_DigestUpdate(h, buf, (size_t)n);
    close(fd);
    return n < 0 ? -1 : 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's regular files in name order: their content (YARA rules) or
 * only name, size and modification time (a ClamAV database, often large). */
static int hash_dir(EVP_MD_CTX *h, const char *dir, int content)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **names = NULL;
    size_t n = 0;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)) && rc == 0) {
        if (de->d_name[0] == '.')
            continue;
        char **v = n < MAX_DIR_FILES ? realloc(names, (n + 1) * sizeof *v) : NULL;
        if (!v || !(v[n] = strdup(de->d_name))) {
            if (v)
                names = v;
            rc = -1;
            break;
        }
        names = v;
        n++;
    }
    if (rc == 0)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct stat st;
        if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
            continue;
        hash_str(h, names[i]);
        if (content) {
            rc = hash_file(h, dirfd(d), names[i]);
        } else {
            int64_t meta[3] = { st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec };
            EVP_DigestUpdate(h, meta, sizeof meta);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return rc;
}

static int hash_embedded(void *ud, const comb_embedded_file *f)
{
    EVP_MD_CTX *h = ud;
    hash_str(h, f->name);
    EVP_DigestUpdate(h, f->data, f->len);
    return 0;
}

/* d->cache_key: the hex digest, or "-" when caching is impossible. */
static const char *cache_key(comb_detector *d)
{
    if (d->cache_key[0])
        return d->cache_key[0] == '-' ? NULL : d->cache_key;
    strcpy(d->cache_key, "-");
    EVP_MD_CTX *h = EVP_MD_CTX_new();
    if (!h || EVP_DigestInit_ex(h, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(h);
        return NULL;
    }
    const comb_detect_opts *o = &d->opts;
    uint64_t fixed[4] = { CACHE_REVISION, o->scanners, o->secret_max_file_size,
                          o->malware_max_file_size };
    hash_str(h, COMB_VERSION);
    EVP_DigestUpdate(h, fixed, sizeof fixed);
    comb_embedded_each("secrets/", hash_embedded, h);
    comb_embedded_each("yara/", hash_embedded, h);
    int rc = 0;
    hash_str(h, o->secret_config);
    if (o->secret_config)
        rc |= hash_file(h, AT_FDCWD, o->secret_config);
    hash_str(h, o->yara_rules);
    if (o->yara_rules)
        rc |= hash_dir(h, o->yara_rules, 1);
    hash_str(h, o->clamav_db);
    if (o->clamav_db)
        rc |= hash_dir(h, o->clamav_db, 0);
    unsigned char md[32];
    unsigned int mdlen = 0;
    if (EVP_DigestFinal_ex(h, md, &mdlen) != 1 || mdlen != sizeof md)
        rc = -1;
    EVP_MD_CTX_free(h);
    if (rc)
        return NULL;
    for (int i = 0; i < 32; i++)
        snprintf(d->cache_key + 2 * i, 3, "%02x", md[i]);
    return d->cache_key;
}

/* Entry names live in the layer cache's blob key space. */
static int entry_name(comb_detector *d, const char *diff_id, char *out, size_t n)
{
    const char *key = cache_key(d);
    if (!key || !diff_id)
        return -1;
    int w = snprintf(out, n, "detect/%s/%s", key, diff_id);
    return w < 0 || (size_t)w >= n ? -1 : 0;
}

/* --- encoding ------------------------------------------------------------ */

static void put_det(comb_wbuf *b, const comb_detection *x)
{
    comb_wbuf_i32(b, (int32_t)x->kind);
    comb_wbuf_i32(b, (int32_t)x->severity);
    comb_wbuf_u64(b, x->line);
    comb_wbuf_u64(b, x->col);
    const char *s[] = { x->rule_id, x->title,  x->category, x->engine, x->path,
                        x->location, x->match, x->snippet,  x->message, x->fix };
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        comb_wbuf_str(b, s[i]);
}

static void encode(const comb_detector *d, int blob, comb_wbuf *b)
{
    comb_wbuf_u64(b, ENTRY_MAGIC);
    detect_blob_stats none = { 0 };
    const detect_blob_stats *st = (size_t)blob < d->nstats ? &d->stats[blob] : &none;
    comb_wbuf_u64(b, st->files);
    comb_wbuf_u64(b, st->oversize);
    comb_wbuf_u64(b, (uint64_t)st->oversize_max);
    comb_wbuf_str(b, st->oversize_path);
    uint64_t n = 0;
    for (size_t i = 0; i < d->n; i++)
        n += d->blob_of[i] == blob;
    comb_wbuf_u64(b, n);
    for (size_t i = 0; i < d->n; i++)
        if (d->blob_of[i] == blob)
            put_det(b, d->v[i]);
    n = 0;
    for (size_t i = 0; i < d->nfs; i++)
        n += d->fs[i].blob == blob;
    comb_wbuf_u64(b, n);
    for (size_t i = 0; i < d->nfs; i++) {
        const detect_fs_entry *f = &d->fs[i];
        if (f->blob != blob)
            continue;
        comb_wbuf_str(b, f->path);
        comb_wbuf_u64(b, f->mode);
        comb_wbuf_u64(b, f->uid);
        comb_wbuf_u64(b, f->gid);
        comb_wbuf_u64(b, (uint64_t)f->size);
    }
    n = 0;
    for (size_t i = 0; i < d->nwarn; i++)
        n += d->warn_blob[i] == blob;
    comb_wbuf_u64(b, n);
    for (size_t i = 0; i < d->nwarn; i++)
        if (d->warn_blob[i] == blob)
            comb_wbuf_str(b, d->warn[i]);
}

/* A string of the entry as a NUL-terminated copy in buf (cap > MAX_STR);
 * NULL for a NULL string or a damaged entry (r->bad set). */
static const char *get_str(comb_rbuf *r, char *buf)
{
    size_t len = 0;
    const unsigned char *p = comb_rbuf_bytes(r, MAX_STR, &len);
    if (!p)
        return NULL;
    memcpy(buf, p, len);
    buf[len] = '\0';
    return buf;
}

/* Walk an entry; with apply, add what it holds to the detector. Returns 0
 * when the entry is well formed. */
int detect_cache_decode(comb_detector *d, const unsigned char *p, size_t len, int blob, int apply)
{
    comb_rbuf r = { .p = p, .n = len };
    char (*sbuf)[MAX_STR + 1] = malloc(10 * sizeof *sbuf); /* one per string of a record */
    if (!sbuf)
        return -1;
    if (comb_rbuf_u64(&r) != ENTRY_MAGIC) {
        free(sbuf);
        return -1;
    }
    uint64_t files = comb_rbuf_u64(&r), over = comb_rbuf_u64(&r), omax = comb_rbuf_u64(&r);
    const char *opath = get_str(&r, sbuf[0]);
    detect_blob_stats *st = apply ? detect_blob(d, blob) : NULL;
    if (st) {
        st->files += files;
        st->oversize += over;
        if ((int64_t)omax > st->oversize_max && opath) {
            st->oversize_max = (int64_t)omax;
            st->oversize_path = comb_arena_strdup(&d->arena, opath);
        }
    }
    uint64_t n = comb_rbuf_u64(&r);
    for (uint64_t i = 0; i < n && !r.bad; i++) {
        int32_t kind = comb_rbuf_i32(&r), sev = comb_rbuf_i32(&r);
        uint64_t line = comb_rbuf_u64(&r), col = comb_rbuf_u64(&r);
        const char *s[10];
        for (int k = 0; k < 10; k++)
            s[k] = get_str(&r, sbuf[k]);
        if (kind < COMB_DETECT_SECRET || kind > COMB_DETECT_CONFIG || sev < COMB_SEV_UNKNOWN ||
            sev > COMB_SEV_CRITICAL || line > UINT32_MAX || col > UINT32_MAX || !s[4])
            r.bad = 1;
        if (r.bad || !apply)
            continue;
        detect_at(&d->sink, blob, detect_str(&d->sink, s[4]));
        comb_detection *x = detect_add(&d->sink, (comb_detect_kind)kind);
        if (!x)
            continue;
        x->severity = (comb_severity)sev;
        x->line = (uint32_t)line;
        x->col = (uint32_t)col;
        x->rule_id = detect_str(&d->sink, s[0]);
        x->title = detect_str(&d->sink, s[1]);
        x->category = detect_str(&d->sink, s[2]);
        x->engine = detect_str(&d->sink, s[3]);
        x->location = detect_str(&d->sink, s[5]);
        x->match = detect_str(&d->sink, s[6]);
        x->snippet = detect_str(&d->sink, s[7]);
        x->message = detect_str(&d->sink, s[8]);
        x->fix = detect_str(&d->sink, s[9]);
    }
    n = r.bad ? 0 : comb_rbuf_u64(&r);
    for (uint64_t i = 0; i < n && !r.bad; i++) {
        const char *path = get_str(&r, sbuf[0]);
        uint64_t mode = comb_rbuf_u64(&r), uid = comb_rbuf_u64(&r), gid = comb_rbuf_u64(&r),
                 size = comb_rbuf_u64(&r);
        if (!path || mode > UINT32_MAX || uid > UINT32_MAX || gid > UINT32_MAX)
            r.bad = 1;
        else if (apply)
            detect_fs_push(d, blob, path, (uint32_t)mode, (uint32_t)uid, (uint32_t)gid,
                           (int64_t)size);
    }
    n = r.bad ? 0 : comb_rbuf_u64(&r);
    for (uint64_t i = 0; i < n && !r.bad; i++) {
        const char *w = get_str(&r, sbuf[0]);
        if (!w)
            r.bad = 1;
        else if (apply) {
            detect_at(&d->sink, blob, NULL);
            detect_warn(&d->sink, "%s", w);
            if (d->nwarn)
                d->warn_blob[d->nwarn - 1] = blob;
        }
    }
    detect_at(&d->sink, -1, NULL);
    free(sbuf);
    return r.bad || r.off != r.n ? -1 : 0;
}

/* --- the hooks ----------------------------------------------------------- */

int detect_cache_stage(void *ud, struct comb_layercache *c, int blob, const char *diff_id)
{
    comb_detector *d = ud;
    char name[200];
    free(d->staged);
    d->staged = NULL;
    if (entry_name(d, diff_id, name, sizeof name))
        return 0;
    unsigned char *buf = NULL;
    size_t len = 0;
    if (!comb_layercache_get_blob(c, name, &buf, &len))
        return 0;
    if (detect_cache_decode(d, buf, len, blob, 0) != 0) {
        free(buf);
        return 0;
    }
    d->staged = buf;
    d->staged_len = len;
    d->staged_blob = blob;
    return 1;
}

void detect_cache_commit(void *ud, int use)
{
    comb_detector *d = ud;
    if (use && d->staged)
        detect_cache_decode(d, d->staged, d->staged_len, d->staged_blob, 1);
    free(d->staged);
    d->staged = NULL;
    d->staged_blob = -1;
}

void detect_cache_store(void *ud, struct comb_layercache *c, int blob, const char *diff_id)
{
    comb_detector *d = ud;
    char name[200];
    if (d->oom || blob >= MAX_BLOBS || entry_name(d, diff_id, name, sizeof name))
        return;
    comb_wbuf b = { 0 };
    encode(d, blob, &b);
    if (!b.oom)
        comb_layercache_put_blob(c, name, b.p, b.n);
    free(b.p);
}
