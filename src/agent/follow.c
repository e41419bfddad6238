/* follow.c - an alert file into the spool, exactly once (see follow.h). */
#include "agent/follow.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent.h"
#include "core/readfile.h"

#define STATE_MAGIC "comb-follow 1"
#define MAX_BATCHES_PER_ROUND 64

int comb_follow_state_format(const comb_follow_state *s, char *out, size_t n)
{
    return snprintf(out, n, STATE_MAGIC " dev=%llu ino=%llu offset=%llu head=%016llx skip=%d pending=%llu end=%llu\n",
                    s->dev, s->ino, s->offset, s->head, s->skipping ? 1 : 0, s->pending_ns, s->pending_end);
}

/* "key=<decimal or hex digits>" at *p: strict, no sign, no overflow. */
static int field(const char **p, const char *key, int base, unsigned long long *v)
{
    size_t k = strlen(key);
    if (strncmp(*p, key, k) || (*p)[k] != '=')
        return -1;
    const char *d = *p + k + 1;
    unsigned long long x = 0;
    size_t nd = 0;
    for (;; d++, nd++) {
        int c = *d, dv;
        if (c >= '0' && c <= '9')
            dv = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            dv = c - 'a' + 10;
        else
            break;
        if (nd >= 20 || x > (~0ULL - (unsigned)dv) / (unsigned)base)
            return -1;
        x = x * (unsigned)base + (unsigned)dv;
    }
    if (!nd || (*d != ' ' && *d != '\n'))
        return -1;
    *v = x;
    *p = d + 1;
    return 0;
}

int comb_follow_state_parse(const char *text, size_t len, comb_follow_state *out)
{
    char buf[COMB_FOLLOW_STATE_MAX];
    if (len == 0 || len >= sizeof buf || memchr(text, '\0', len) || text[len - 1] != '\n')
        return -1;
    memcpy(buf, text, len);
    buf[len] = '\0';
    const char *p = buf;
    comb_follow_state s = { 0 };
    unsigned long long skip;
    if (strncmp(p, STATE_MAGIC " ", sizeof STATE_MAGIC))
        return -1;
    p += sizeof STATE_MAGIC;
    if (field(&p, "dev", 10, &s.dev) || field(&p, "ino", 10, &s.ino) || field(&p, "offset", 10, &s.offset) ||
        field(&p, "head", 16, &s.head) || field(&p, "skip", 10, &skip) ||
        field(&p, "pending", 10, &s.pending_ns) || field(&p, "end", 10, &s.pending_end))
        return -1;
    if (*p || skip > 1 || (s.pending_ns && s.pending_end <= s.offset) || (!s.pending_ns && s.pending_end) ||
        s.offset > (1ULL << 62))
        return -1;
    s.skipping = (int)skip;
    *out = s;
    return 0;
}

static int json_object_line(const char *p, size_t n)
{
    json_t *d = json_loadb(p, n, 0, NULL);
    int ok = json_is_object(d);
    json_decref(d);
    return ok;
}

static int blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return 0;
    return 1;
}

size_t comb_follow_take(const char *buf, size_t n, int *skipping, char *batch, size_t *batch_len,
                        size_t *lines, size_t *dropped)
{
    size_t pos = 0;
    while (pos < n) {
        const char *nl = memchr(buf + pos, '\n', n - pos);
        if (!nl) {
            /* a partial line waits for its newline, unless it is too long already */
            if (*skipping || n - pos > COMB_FOLLOW_MAX_LINE) {
                if (!*skipping)
                    (*dropped)++;
                *skipping = 1;
                pos = n;
            }
            break;
        }
        size_t len = (size_t)(nl - (buf + pos));
        if (*skipping)
            *skipping = 0; /* the end of a line already counted as dropped */
        else if (len > COMB_FOLLOW_MAX_LINE)
            (*dropped)++;
        else if (!blank(buf + pos, len)) {
            if (json_object_line(buf + pos, len)) {
                memcpy(batch + *batch_len, buf + pos, len + 1);
                *batch_len += len + 1;
                (*lines)++;
            } else {
                (*dropped)++;
            }
        }
        pos += len + 1;
    }
    return pos;
}

/* ---- the state file ---- */

static comb_code state_load(const char *spool, comb_follow_state *s, comb_err *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", spool, COMB_FOLLOW_STATE_NAME);
    memset(s, 0, sizeof *s);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? COMB_OK : comb_fail(err, COMB_EIO, "%s: %s", path, strerror(errno));
    unsigned char *text;
    size_t len;
    comb_code rc = comb_read_fd(fd, COMB_FOLLOW_STATE_MAX, path, &text, &len, err);
    if (rc)
        return rc;
    int bad = comb_follow_state_parse((const char *)text, len, s);
    free(text);
    return bad ? comb_fail(err, COMB_EFORMAT, "%s: not a follow state; remove it to read the alert file from its start",
                           path)
               : COMB_OK;
}

static comb_code state_save(const char *spool, const comb_follow_state *s, comb_err *err)
{
    char path[4200], tmp[4300], text[COMB_FOLLOW_STATE_MAX];
    snprintf(path, sizeof path, "%s/%s", spool, COMB_FOLLOW_STATE_NAME);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int n = comb_follow_state_format(s, text, sizeof text);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    int e = fd < 0 ? errno : comb_write_fd_sync(fd, text, (size_t)n);
    if (e || rename(tmp, path))
        return comb_fail(err, COMB_EIO, "%s: %s", path, strerror(e ? e : errno));
    int dfd = open(spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return COMB_OK;
}

/* FNV-1a of the file's first min(upto, COMB_FOLLOW_HEAD) bytes. */
static unsigned long long head_hash(int fd, unsigned long long upto)
{
    unsigned char b[COMB_FOLLOW_HEAD];
    size_t want = upto < sizeof b ? (size_t)upto : sizeof b;
    ssize_t got = want ? pread(fd, b, want, 0) : 0;
    unsigned long long h = 1469598103934665603ULL;
    for (ssize_t i = 0; i < got; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

static comb_code read_at(int fd, unsigned long long off, char *buf, size_t want, size_t *got, const char *file,
                         comb_err *err)
{
    *got = 0;
    while (*got < want) {
        ssize_t r = pread(fd, buf + *got, want - *got, (off_t)(off + *got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return comb_fail(err, COMB_EIO, "%s: %s", file, strerror(errno));
        if (r == 0)
            break;
        *got += (size_t)r;
    }
    return COMB_OK;
}

static unsigned long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

/* Spool the batch made of [s->offset, end): first recorded as pending (with
 * the state it was made from), then spooled, then the offset moves past it. */
static comb_code commit(const char *spool, int fd, comb_follow_state *s, const char *batch, size_t blen,
                        unsigned long long end, int skipping, comb_follow_stats *st, comb_err *err)
{
    comb_code rc;
    if (blen) {
        if (!s->pending_ns) {
            s->pending_ns = now_ns();
            s->pending_end = end;
            if ((rc = state_save(spool, s, err)))
                return rc;
        }
        if ((rc = comb_spool_put_as(spool, s->pending_ns, "alert", batch, blen, err)))
            return rc;
        st->records++;
    }
    s->offset = end;
    s->skipping = skipping;
    s->pending_ns = s->pending_end = 0;
    s->head = head_hash(fd, end);
    return state_save(spool, s, err);
}

comb_code comb_follow_alerts(const char *file, const char *spool, comb_follow_stats *st, comb_err *err)
{
    memset(st, 0, sizeof *st);
    comb_follow_state s;
    comb_code rc = state_load(spool, &s, err);
    if (rc)
        return rc;
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return errno == ENOENT ? COMB_OK : comb_fail(err, COMB_EIO, "%s: %s", file, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        close(fd);
        return comb_fail(err, COMB_EFORMAT, "%s: not a regular file", file);
    }
    unsigned long long size = (unsigned long long)sb.st_size;
    if (s.ino != (unsigned long long)sb.st_ino || s.dev != (unsigned long long)sb.st_dev || size < s.offset ||
        head_hash(fd, s.offset) != s.head) {
        /* another file (rotated), or this one truncated or rewritten: from its start */
        st->restarted = s.ino != 0 || s.offset != 0;
        s = (comb_follow_state){ .dev = sb.st_dev, .ino = sb.st_ino, .head = head_hash(fd, 0) };
        if ((rc = state_save(spool, &s, err))) { /* noticed once, even before a line comes */
            close(fd);
            return rc;
        }
    }
    char *buf = malloc(COMB_FOLLOW_MAX_BATCH), *batch = malloc(COMB_FOLLOW_MAX_BATCH);
    if (!buf || !batch) {
        rc = comb_fail(err, COMB_ENOMEM, "out of memory");
        goto done;
    }
    for (int round = 0; round < MAX_BATCHES_PER_ROUND; round++) {
        /* a batch spooled before a crash is made again from the same bytes */
        size_t want = s.pending_ns ? (size_t)(s.pending_end - s.offset) : COMB_FOLLOW_MAX_BATCH;
        if (want > COMB_FOLLOW_MAX_BATCH || (s.pending_ns && s.pending_end > size))
            s.pending_ns = s.pending_end = 0, want = COMB_FOLLOW_MAX_BATCH;
        size_t got, blen = 0;
        if ((rc = read_at(fd, s.offset, buf, want, &got, file, err)))
            break;
        int skipping = s.skipping;
        size_t used = comb_follow_take(buf, got, &skipping, batch, &blen, &st->lines, &st->dropped);
        if (!used)
            break;
        if ((rc = commit(spool, fd, &s, batch, blen, s.offset + used, skipping, st, err)))
            break;
        if (got < want)
            break;
    }
done:
    free(buf);
    free(batch);
    close(fd);
    return rc;
}
