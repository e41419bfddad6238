/* procparse.c - parsers of /proc text for comb inventory (see procparse.h). */
#include "inventory/procparse.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copy a line into a NUL-terminated buffer; -1 when it does not fit or holds a NUL. */
static int copy_line(const char *line, size_t len, char *buf, size_t bufsz)
{
    if (len >= bufsz || memchr(line, '\0', len))
        return -1;
    memcpy(buf, line, len);
    buf[len] = '\0';
    char *nl = strchr(buf, '\n');
    if (nl)
        *nl = '\0';
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "0100007F:1F90": the kernel prints each 32-bit word of the address in host
 * byte order (little endian here), the port in big-endian hex. */
static int parse_addr(const char *s, int v6, char *out, size_t outsz, unsigned *port)
{
    size_t nhex = v6 ? 32 : 8;
    unsigned char raw[16];
    for (size_t i = 0; i < nhex; i++)
        if (hexval(s[i]) < 0)
            return -1;
    if (s[nhex] != ':')
        return -1;
    for (size_t w = 0; w < nhex / 8; w++) {
        uint32_t word = 0;
        for (size_t k = 0; k < 8; k++)
            word = word << 4 | (uint32_t)hexval(s[w * 8 + k]);
        memcpy(raw + w * 4, &word, 4); /* back to memory order, as the kernel had it */
    }
    unsigned p = 0;
    size_t k = nhex + 1;
    for (; k < nhex + 5; k++) {
        int v = hexval(s[k]);
        if (v < 0)
            return -1;
        p = p << 4 | (unsigned)v;
    }
    if (s[k] != ' ' && s[k] != '\0')
        return -1;
    if (!inet_ntop(v6 ? AF_INET6 : AF_INET, raw, out, (socklen_t)outsz))
        return -1;
    *port = p;
    return 0;
}

int comb_inv_parse_sock(const char *line, size_t len, int v6, comb_inv_sock *out)
{
    char buf[512];
    memset(out, 0, sizeof *out);
    if (copy_line(line, len, buf, sizeof buf))
        return -1;
    char *p = buf;
    while (*p == ' ')
        p++;
    char *colon = strchr(p, ':');
    if (!colon || colon == p)
        return -1;
    for (char *d = p; d < colon; d++)
        if (*d < '0' || *d > '9')
            return -1; /* the header line: "sl local_address ..." */
    p = colon + 1;
    while (*p == ' ')
        p++;
    size_t alen = (v6 ? 32 : 8) + 5;
    if (strlen(p) < alen || parse_addr(p, v6, out->local, sizeof out->local, &out->port))
        return -1;
    p += alen;
    while (*p == ' ')
        p++;
    if (strlen(p) < alen || parse_addr(p, v6, out->remote, sizeof out->remote, &out->rport))
        return -1;
    p += alen;
    /* st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode */
    unsigned st;
    char q[40], t[40];
    unsigned long retr, uid, timeout;
    unsigned long long inode;
    if (sscanf(p, " %x %39s %39s %lx %lu %lu %llu", &st, q, t, &retr, &uid, &timeout, &inode) != 7)
        return -1;
    out->state = st;
    out->uid = uid;
    out->inode = inode;
    return 0;
}

/* Decode the octal escapes the kernel writes for ' ', '\t', '\n' and '\\'. */
static void unescape(const char *in, char *out, size_t outsz)
{
    size_t n = 0;
    for (const char *p = in; *p && n + 1 < outsz; p++) {
        if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
            p[3] >= '0' && p[3] <= '7') {
            char c = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
            if (c) {
                out[n++] = c;
                p += 3;
                continue;
            }
        }
        out[n++] = *p;
    }
    out[n] = '\0';
}

int comb_inv_parse_mountinfo(const char *line, size_t len, comb_inv_mount *out)
{
    char buf[8192];
    memset(out, 0, sizeof *out);
    if (copy_line(line, len, buf, sizeof buf))
        return -1;
    char *save = NULL, *f[6];
    size_t n = 0;
    /* id parent major:minor root mountpoint options */
    for (char *tok = strtok_r(buf, " ", &save); tok && n < 6; tok = n < 5 ? strtok_r(NULL, " ", &save) : NULL)
        f[n++] = tok;
    if (n < 5)
        return -1;
    char *opts = strtok_r(NULL, " ", &save);
    if (!opts)
        return -1;
    /* optional fields up to the "-" separator */
    char *tok;
    while ((tok = strtok_r(NULL, " ", &save)) && strcmp(tok, "-"))
        ;
    if (!tok)
        return -1;
    char *fstype = strtok_r(NULL, " ", &save), *source = strtok_r(NULL, " ", &save);
    if (!fstype)
        return -1;
    unescape(f[3], out->root, sizeof out->root);
    unescape(f[4], out->mountpoint, sizeof out->mountpoint);
    unescape(fstype, out->fstype, sizeof out->fstype);
    unescape(source ? source : "", out->source, sizeof out->source);
    char *osave = NULL;
    for (char *o = strtok_r(opts, ",", &osave); o; o = strtok_r(NULL, ",", &osave))
        if (!strcmp(o, "ro"))
            out->readonly = 1;
    return 0;
}

/* The value after "Name:" at the start of a line of text, or NULL. */
static const char *field(const char *text, size_t len, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = text; p && p < text + len;) {
        size_t rest = (size_t)(text + len - p);
        if (rest > nl && !memcmp(p, name, nl))
            return p + nl;
        const char *e = memchr(p, '\n', rest);
        p = e ? e + 1 : NULL;
    }
    return NULL;
}

/* A decimal or hex number after spaces and tabs, inside text[..len]. */
static int number_at(const char *text, size_t len, const char *p, int base, unsigned long long *v)
{
    const char *end = text + len;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    unsigned long long x = 0;
    int digits = 0;
    for (; p < end; p++) {
        int d = hexval(*p);
        if (d < 0 || d >= base)
            break;
        if (x > (~0ULL - (unsigned)d) / (unsigned)base)
            return -1;
        x = x * (unsigned)base + (unsigned)d;
        digits++;
    }
    if (!digits || digits > 20)
        return -1;
    *v = x;
    return 0;
}

int comb_inv_parse_status(const char *text, size_t len, uint64_t *capeff, long *ppid, long *uid)
{
    unsigned long long v;
    const char *p;
    *ppid = -1;
    *uid = -1;
    if ((p = field(text, len, "PPid:")) && !number_at(text, len, p, 10, &v) && v <= 0x7fffffff)
        *ppid = (long)v;
    if ((p = field(text, len, "Uid:")) && !number_at(text, len, p, 10, &v) && v <= 0xffffffffULL)
        *uid = (long)v;
    if (!(p = field(text, len, "CapEff:")) || number_at(text, len, p, 16, &v))
        return -1;
    *capeff = v;
    return 0;
}

void comb_inv_parse_fib_trie(const char *text, size_t len, void (*fn)(void *ud, const char *addr),
                             void *ud, size_t max)
{
    /* "  |-- 10.88.0.5\n     /32 host LOCAL\n": the leaf line, then its kinds */
    char last[64] = "";
    size_t found = 0;
    for (const char *p = text; p && p < text + len && found < max;) {
        const char *e = memchr(p, '\n', (size_t)(text + len - p));
        size_t n = e ? (size_t)(e - p) : (size_t)(text + len - p);
        const char *leaf = memmem(p, n, "|-- ", 4);
        if (leaf) {
            size_t an = n - (size_t)(leaf + 4 - p);
            last[0] = '\0';
            if (an < sizeof last) {
                memcpy(last, leaf + 4, an);
                last[an] = '\0';
            }
        } else if (last[0] && memmem(p, n, "/32 host LOCAL", 14)) {
            struct in_addr a;
            if (inet_pton(AF_INET, last, &a) == 1) {
                fn(ud, last);
                found++;
            }
            last[0] = '\0';
        }
        p = e ? e + 1 : NULL;
    }
}

int comb_inv_parse_if_inet6(const char *line, size_t len, char *out, size_t outsz)
{
    unsigned char raw[16];
    if (len < 32 || outsz < 64)
        return -1;
    for (size_t i = 0; i < 16; i++) {
        int hi = hexval(line[2 * i]), lo = hexval(line[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        raw[i] = (unsigned char)(hi << 4 | lo);
    }
    if (len > 32 && line[32] != ' ')
        return -1;
    return inet_ntop(AF_INET6, raw, out, (socklen_t)outsz) ? 0 : -1;
}

int comb_inv_socket_inode(const char *link, unsigned long long *inode)
{
    if (strncmp(link, "socket:[", 8))
        return -1;
    char *end;
    unsigned long long v = strtoull(link + 8, &end, 10);
    if (end == link + 8 || strcmp(end, "]"))
        return -1;
    *inode = v;
    return 0;
}
