/* users.c - user and group names from passwd and group files; see users.h. */
#include "runtime/sensor/users.h"

#include "core/readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct entry {
    int64_t id;
    char *name, *home, *shell;   /* home and shell: users only */
} entry;

typedef struct db {
    char container[65];          /* "" for the host */
    entry *users, *groups;
    size_t nusers, ngroups;
    uint64_t stamp;              /* load order, to forget the oldest */
} db;

struct comb_users {
    char *host_root;
    comb_users_layer_fn layers;
    void *layers_ud;
    db dbs[COMB_USERS_MAX_DBS];
    size_t ndbs;
    uint64_t clock;
};

static void db_clear(db *d)
{
    for (size_t i = 0; i < d->nusers; i++) {
        free(d->users[i].name);
        free(d->users[i].home);
        free(d->users[i].shell);
    }
    for (size_t i = 0; i < d->ngroups; i++)
        free(d->groups[i].name);
    free(d->users);
    free(d->groups);
    memset(d, 0, sizeof *d);
}

/* Read at most COMB_USERS_MAX_FILE bytes; NULL when the file cannot be opened
 * (errno set). */
static char *slurp(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return NULL;
    char *buf = malloc(COMB_USERS_MAX_FILE + 1);
    if (buf)
        buf[comb_read_upto(fd, buf, COMB_USERS_MAX_FILE)] = '\0';
    close(fd);
    return buf;
}

/* "name:x:id:..." lines; users keep field 6 (home) and 7 (shell). */
static void parse(const char *text, int users, entry **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (!text)
        return;
    size_t cap = 0;
    for (const char *line = text; *line && *nout < COMB_USERS_MAX_ENTRIES;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char buf[1024];
        if (len < sizeof buf && len && line[0] != '#') {
            memcpy(buf, line, len);
            buf[len] = '\0';
            char *f[7] = { 0 };
            size_t nf = 0;
            for (char *p = buf; nf < 7; nf++) {
                f[nf] = p;
                char *c = strchr(p, ':');
                if (!c) {
                    nf++;
                    break;
                }
                *c = '\0';
                p = c + 1;
            }
            char *end;
            long long id = nf >= 3 ? strtoll(f[2], &end, 10) : -1;
            if (nf >= 3 && *f[0] && end != f[2] && !*end && id >= 0) {
                if (*nout == cap) {
                    size_t nc = cap ? cap * 2 : 64;
                    entry *ne = realloc(*out, nc * sizeof *ne);
                    if (!ne)
                        return;
                    *out = ne;
                    cap = nc;
                }
                entry *e = &(*out)[(*nout)++];
                e->id = id;
                e->name = strdup(f[0]);
                e->home = users && nf >= 6 ? strdup(f[5]) : NULL;
                e->shell = users && nf >= 7 ? strdup(f[6]) : NULL;
            }
        }
        if (!nl)
            break;
        line = nl + 1;
    }
}

comb_code comb_users_new(const char *host_root, comb_users **out, comb_err *err)
{
    comb_users *u = calloc(1, sizeof *u);
    if (!u || !(u->host_root = strdup(host_root ? host_root : "/"))) {
        free(u);
        return comb_fail(err, COMB_ENOMEM, "users: out of memory");
    }
    *out = u;
    return COMB_OK;
}

void comb_users_free(comb_users *u)
{
    if (!u)
        return;
    for (size_t i = 0; i < u->ndbs; i++)
        db_clear(&u->dbs[i]);
    free(u->host_root);
    free(u);
}

void comb_users_set_layers(comb_users *u, comb_users_layer_fn fn, void *ud)
{
    u->layers = fn;
    u->layers_ud = ud;
}

/* name ("etc/passwd") from the topmost layer that has it; NULL when none
 * does or a layer deleted it (an overlay whiteout is not a regular file). */
static char *slurp_layers(comb_users *u, const char *container, const char *name)
{
    char dir[4096], path[4200];
    for (size_t i = 0; i < COMB_USERS_MAX_LAYERS; i++) {
        if (!u->layers(u->layers_ud, container, i, dir, sizeof dir))
            return NULL;
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, name);
        if (lstat(path, &st))
            continue;
        return S_ISREG(st.st_mode) ? slurp(path) : NULL;
    }
    return NULL;
}

static db *find_db(comb_users *u, const char *container, int64_t pid)
{
    for (size_t i = 0; i < u->ndbs; i++)
        if (!strcmp(u->dbs[i].container, container))
            return &u->dbs[i];
    char root[128], pw[4200], gr[4200];
    char *tpw = NULL, *tgr = NULL;
    if (*container) {
        /* through the process while it lives; a short-lived container's
         * process may be gone: its layers on disk, when known */
        snprintf(root, sizeof root, "/proc/%lld/root", (long long)pid);
        int alive = pid > 0 && !access(root, X_OK);
        if (alive) {
            snprintf(pw, sizeof pw, "%s/etc/passwd", root);
            snprintf(gr, sizeof gr, "%s/etc/group", root);
            tpw = slurp(pw);
            tgr = slurp(gr);
            /* no passwd in a living container is remembered (as empty); a
             * process that exited meanwhile is not */
            alive = tpw || !access(root, X_OK);
        }
        if (!alive) {
            free(tgr);
            tgr = NULL;
            if (u->layers) {
                tpw = slurp_layers(u, container, "etc/passwd");
                tgr = slurp_layers(u, container, "etc/group");
            }
            if (!tpw) { /* nothing read: try again with the container's next process */
                free(tgr);
                return NULL;
            }
        }
    } else {
        snprintf(pw, sizeof pw, "%s/etc/passwd", u->host_root);
        snprintf(gr, sizeof gr, "%s/etc/group", u->host_root);
        tpw = slurp(pw);
        tgr = slurp(gr);
    }
    db *d;
    if (u->ndbs < COMB_USERS_MAX_DBS) {
        d = &u->dbs[u->ndbs++];
    } else {
        d = &u->dbs[0];
        for (size_t i = 1; i < u->ndbs; i++)
            if (u->dbs[i].stamp < d->stamp)
                d = &u->dbs[i];
        db_clear(d);
    }
    snprintf(d->container, sizeof d->container, "%s", container);
    d->stamp = ++u->clock;
    parse(tpw, 1, &d->users, &d->nusers);
    free(tpw);
    parse(tgr, 0, &d->groups, &d->ngroups);
    free(tgr);
    return d;
}

comb_user_info comb_users_user(comb_users *u, const char *container_id, int64_t pid, int64_t uid)
{
    comb_user_info ui = { 0 };
    db *d = find_db(u, container_id ? container_id : "", pid);
    for (size_t i = 0; d && i < d->nusers; i++)
        if (d->users[i].id == uid) {
            ui.name = d->users[i].name;
            ui.home = d->users[i].home;
            ui.shell = d->users[i].shell;
            break;
        }
    return ui;
}

const char *comb_users_group(comb_users *u, const char *container_id, int64_t pid, int64_t gid)
{
    db *d = find_db(u, container_id ? container_id : "", pid);
    for (size_t i = 0; d && i < d->ngroups; i++)
        if (d->groups[i].id == gid)
            return d->groups[i].name;
    return NULL;
}
