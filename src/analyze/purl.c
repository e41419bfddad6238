/* purl.c - see purl.h. */
#include "analyze/purl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 128) + n;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void puts_(sbuf *b, const char *s) { put(b, s, strlen(s)); }

/* Percent-encode everything but unreserved characters; keep '/' when asked. */
static void enc(sbuf *b, const char *s, size_t n, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '.' || c == '-' || c == '_' || c == '~' || (keep_slash && c == '/')) {
            char ch = (char)c;
            put(b, &ch, 1);
        } else {
            char e[3] = { '%', hex[c >> 4], hex[c & 15] };
            put(b, e, 3);
        }
    }
}

static void encs(sbuf *b, const char *s, int keep_slash) { enc(b, s, strlen(s), keep_slash); }

static const char *os_namespace(const comb_os *os, const char *fallback)
{
    if (!os || !os->id)
        return fallback;
    if (!strcmp(os->id, "rhel"))
        return "redhat";
    if (!strcmp(os->id, "sles") || !strcmp(os->id, "sle-micro"))
        return "suse";
    return os->id;
}

const char *comb_purl(comb_arena *a, const comb_pkg *p, const comb_os *os)
{
    if (!p->name || !*p->name)
        return NULL;
    sbuf b = { 0 };
    const char *name = p->name;
    char *tmp = NULL;
    int osq = 0;
    switch (p->type) {
    case COMB_PKG_DPKG:
        puts_(&b, "pkg:deb/");
        encs(&b, os_namespace(os, "debian"), 0);
        osq = 1;
        break;
    case COMB_PKG_APK:
        puts_(&b, "pkg:apk/");
        encs(&b, os_namespace(os, "alpine"), 0);
        osq = 1;
        break;
    case COMB_PKG_RPM:
        puts_(&b, "pkg:rpm/");
        encs(&b, os_namespace(os, "redhat"), 0);
        osq = 1;
        break;
    case COMB_PKG_PYTHON:
        puts_(&b, "pkg:pypi");
        tmp = strdup(name);
        if (!tmp) {
            free(b.p);
            return NULL;
        }
        for (char *c = tmp; *c; c++)
            *c = *c == '_' ? '-' : (char)tolower((unsigned char)*c);
        name = tmp;
        break;
    case COMB_PKG_NPM:
        puts_(&b, "pkg:npm");
        if (name[0] == '@' && strchr(name, '/')) {
            const char *sl = strchr(name, '/');
            put(&b, "/", 1);
            enc(&b, name, (size_t)(sl - name), 0);
            name = sl + 1;
        }
        break;
    case COMB_PKG_GO:
    case COMB_PKG_GO_STDLIB: {
        puts_(&b, "pkg:golang");
        const char *sl = strrchr(name, '/');
        if (sl) {
            put(&b, "/", 1);
            enc(&b, name, (size_t)(sl - name), 1);
            name = sl + 1;
        }
        break;
    }
    case COMB_PKG_MAVEN:
        puts_(&b, "pkg:maven");
        if (p->namespace_) {
            put(&b, "/", 1);
            encs(&b, p->namespace_, 0);
        }
        break;
    case COMB_PKG_GEM: puts_(&b, "pkg:gem"); break;
    case COMB_PKG_CARGO: puts_(&b, "pkg:cargo"); break;
    case COMB_PKG_COMPOSER: {
        puts_(&b, "pkg:composer");
        const char *sl = strchr(name, '/');
        if (sl) {
            put(&b, "/", 1);
            enc(&b, name, (size_t)(sl - name), 0);
            name = sl + 1;
        }
        break;
    }
    default:
        puts_(&b, "pkg:generic");
        break;
    }
    put(&b, "/", 1);
    encs(&b, name, 0);
    if (p->version && *p->version) {
        put(&b, "@", 1);
        if (p->type == COMB_PKG_GO_STDLIB && p->version[0] != 'v')
            put(&b, "v", 1);
        encs(&b, p->version, 0);
    }
    /* qualifiers, sorted by key */
    char sep = '?';
    if (p->arch && *p->arch && osq) {
        put(&b, &sep, 1);
        puts_(&b, "arch=");
        encs(&b, p->arch, 0);
        sep = '&';
    }
    if (osq && os && os->id && os->version_id) {
        put(&b, &sep, 1);
        puts_(&b, "distro=");
        encs(&b, os->id, 0);
        put(&b, "-", 1);
        encs(&b, os->version_id, 0);
        sep = '&';
    }
    if (p->type == COMB_PKG_RPM && p->epoch > 0) {
        char e[32];
        snprintf(e, sizeof e, "%cepoch=%d", sep, p->epoch);
        puts_(&b, e);
        sep = '&';
    }
    if (osq && p->src_name && strcmp(p->src_name, p->name)) {
        put(&b, &sep, 1);
        puts_(&b, "upstream=");
        encs(&b, p->src_name, 0);
        sep = '&';
    }
    free(tmp);
    const char *out = b.oom ? NULL : comb_arena_strdup(a, b.p);
    free(b.p);
    return out;
}
