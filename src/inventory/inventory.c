/* inventory.c - collecting the inventory of a host (see inventory.h). */
#include "inventory/inventory.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "compliance/containers.h"
#include "compliance/fsroot.h"
#include "compliance/images.h"
#include "core/caps.h"
#include "core/readfile.h"
#include "inventory/bolt.h"
#include "inventory/procparse.h"
#include "inventory/relations.h"
#include "inventory/scanstore.h"
#include "runtime/sensor/cgroup.h"
#include "vuln/vulndb.h"

#define MAX_STATE (4u << 20)

/* ---- engine state documents ---- */

static void set_if_str(json_t *o, const char *k, const json_t *v)
{
    const char *s = json_string_value(v);
    if (s && *s)
        json_object_set_new(o, k, json_string(s));
}

static json_t *string_array(const json_t *a)
{
    json_t *out = json_array();
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v) if (json_is_string(v)) json_array_append_new(out, json_string(json_string_value(v)));
    return out;
}

static json_t *string_object(const json_t *o)
{
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v) if (json_is_string(v)) json_object_set_new(out, k, json_string(json_string_value(v)));
    return out;
}

/* bind when the engine says so; volume when the source is in a volume store */
static const char *mount_kind(const char *type, const char *src, int bind)
{
    if (src && (strstr(src, "/volumes/") || (type && !strcmp(type, "volume"))))
        return "volume";
    if (bind || (type && !strcmp(type, "bind")))
        return "bind";
    return type && *type ? type : "other";
}

static void add_mount(json_t *mounts, const char *src, const char *dst, const char *type, int bind, int rw)
{
    if (!dst || json_array_size(mounts) >= 1024)
        return;
    json_t *m = json_object();
    json_object_set_new(m, "source", json_string(src ? src : ""));
    json_object_set_new(m, "destination", json_string(dst));
    json_object_set_new(m, "type", json_string(type ? type : ""));
    json_object_set_new(m, "kind", json_string(mount_kind(type, src, bind)));
    json_object_set_new(m, "rw", json_boolean(rw));
    if (!json_object_get(m, "source") || !json_object_get(m, "destination")) { /* not UTF-8 */
        json_decref(m);
        return;
    }
    json_array_append_new(mounts, m);
}

static void oci_doc(const json_t *d, json_t *ctr)
{
    json_t *proc = json_object_get(d, "process");
    json_object_set_new(ctr, "command", string_array(json_object_get(proc, "args")));
    json_t *mounts = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(d, "mounts"), i, m)
    {
        const json_t *opts = json_object_get(m, "options");
        int bind = 0, rw = 1;
        size_t j;
        json_t *o;
        json_array_foreach(opts, j, o)
        {
            const char *s = json_string_value(o);
            if (s && (!strcmp(s, "bind") || !strcmp(s, "rbind")))
                bind = 1;
            if (s && !strcmp(s, "ro"))
                rw = 0;
        }
        add_mount(mounts, json_string_value(json_object_get(m, "source")),
                  json_string_value(json_object_get(m, "destination")),
                  json_string_value(json_object_get(m, "type")), bind, rw);
    }
    json_object_set_new(ctr, "mounts", mounts);
    json_t *ann = json_object_get(d, "annotations");
    if (json_is_object(ann))
        json_object_set_new(ctr, "annotations", string_object(ann));
    if (!json_object_get(ctr, "created"))
        set_if_str(ctr, "created", json_object_get(ann, "io.kubernetes.cri-o.Created"));
    const char *hn = json_string_value(json_object_get(d, "hostname"));
    if (hn)
        json_object_set_new(ctr, "hostname", json_string(hn));
}

static void docker_doc(const json_t *d, json_t *ctr)
{
    json_t *cfg = json_object_get(d, "Config"), *st = json_object_get(d, "State");
    json_t *cmd = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(cfg, "Entrypoint"), i, v) if (json_is_string(v)) json_array_append(cmd, v);
    json_array_foreach(json_object_get(cfg, "Cmd"), i, v) if (json_is_string(v)) json_array_append(cmd, v);
    json_object_set_new(ctr, "command", cmd);
    if (json_is_object(json_object_get(cfg, "Labels")))
        json_object_set_new(ctr, "labels", string_object(json_object_get(cfg, "Labels")));
    set_if_str(ctr, "created", json_object_get(d, "Created"));
    set_if_str(ctr, "started", json_object_get(st, "StartedAt"));
    json_int_t pid = json_integer_value(json_object_get(st, "Pid"));
    if (pid > 0 && pid < 0x7fffffff && json_is_true(json_object_get(st, "Running")))
        json_object_set_new(ctr, "pid", json_integer(pid));
    const char *img = json_string_value(json_object_get(d, "Image"));
    if (img && *img)
        json_object_set_new(json_object_get(ctr, "image"), "id",
                            json_string(strncmp(img, "sha256:", 7) ? img : img + 7));
    json_t *mounts = json_array();
    const char *k;
    json_object_foreach(json_object_get(d, "MountPoints"), k, v)
        add_mount(mounts, json_string_value(json_object_get(v, "Source")),
                  json_string_value(json_object_get(v, "Destination")),
                  json_string_value(json_object_get(v, "Type")), 0,
                  json_is_true(json_object_get(v, "RW")));
    json_object_set_new(ctr, "mounts", mounts);
}

static void runc_state_doc(const json_t *d, json_t *ctr)
{
    json_int_t pid = json_integer_value(json_object_get(d, "init_process_pid"));
    if (pid > 0 && pid < 0x7fffffff)
        json_object_set_new(ctr, "pid", json_integer(pid));
    json_int_t start = json_integer_value(json_object_get(d, "init_process_start"));
    if (start > 0)
        json_object_set_new(ctr, "init_start_ticks", json_integer(start));
    set_if_str(ctr, "started", json_object_get(d, "created"));
}

static void podman_ctr_doc(const json_t *d, json_t *ctr)
{
    set_if_str(ctr, "created", json_object_get(d, "created"));
    const char *img = json_string_value(json_object_get(d, "image"));
    if (img && *img)
        json_object_set_new(json_object_get(ctr, "image"), "id", json_string(img));
}

comb_code comb_inventory_engine_doc(const char *kind, const char *name, const char *json, size_t len,
                                    json_t *ctr, comb_err *err)
{
    json_error_t je;
    json_t *d = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(d)) {
        json_decref(d);
        return comb_fail(err, COMB_EFORMAT, "%s: %s", name, d ? "not a JSON object" : je.text);
    }
    if (!json_is_object(json_object_get(ctr, "image")))
        json_object_set_new(ctr, "image", json_object());
    if (!strcmp(kind, "oci"))
        oci_doc(d, ctr);
    else if (!strcmp(kind, "docker"))
        docker_doc(d, ctr);
    else if (!strcmp(kind, "runc-state"))
        runc_state_doc(d, ctr);
    else if (!strcmp(kind, "podman-ctr"))
        podman_ctr_doc(d, ctr);
    json_decref(d);
    return COMB_OK;
}

/* ---- /proc ---- */

static char *read_proc(const char *path, size_t max, size_t *len)
{
    return comb_read_unsized(path, max, len);
}

typedef struct proc_ent {
    long pid, ppid, uid;
    uint64_t capeff;
    int has_caps;
    char id[COMB_CONTAINER_ID_LEN + 1];
    json_t *cmdline;
    char exe[4096];
    unsigned long long *socks; /* socket inodes of its fds */
    size_t nsocks;
} proc_ent;

typedef struct proc_table {
    proc_ent *v;
    size_t n, cap;
} proc_table;

static void read_fds(proc_ent *p)
{
    char path[64], link[256];
    snprintf(path, sizeof path, "/proc/%ld/fd", p->pid);
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *de;
    size_t seen = 0, cap = 0;
    while ((de = readdir(d)) && seen++ < COMB_INV_MAX_FDS) {
        if (de->d_name[0] == '.')
            continue;
        char fp[128];
        snprintf(fp, sizeof fp, "%s/%.20s", path, de->d_name);
        ssize_t n = readlink(fp, link, sizeof link - 1);
        unsigned long long ino;
        if (n <= 0)
            continue;
        link[n] = '\0';
        if (comb_inv_socket_inode(link, &ino))
            continue;
        if (p->nsocks == cap) {
            size_t nc = cap ? cap * 2 : 8;
            unsigned long long *ns = realloc(p->socks, nc * sizeof *ns);
            if (!ns)
                break;
            p->socks = ns;
            cap = nc;
        }
        p->socks[p->nsocks++] = ino;
    }
    closedir(d);
}

static json_t *argv_of(const char *buf, size_t len)
{
    json_t *a = json_array();
    for (size_t off = 0; off < len && json_array_size(a) < 256;) {
        size_t n = strnlen(buf + off, len - off);
        json_t *s = json_stringn(buf + off, n);
        if (!s) /* not UTF-8: keep the argument's place */
            s = json_string("?");
        json_array_append_new(a, s);
        off += n + 1;
    }
    return a;
}

/* Every process of a container (a cgroup naming a container id). */
static void proc_scan(proc_table *t)
{
    DIR *d = opendir("/proc");
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        char *end;
        long pid = strtol(de->d_name, &end, 10);
        if (*end || pid <= 0)
            continue;
        char path[64];
        size_t len;
        snprintf(path, sizeof path, "/proc/%ld/cgroup", pid);
        char *cg = read_proc(path, 65536, &len);
        char cgpath[4096], id[COMB_CONTAINER_ID_LEN + 1];
        const char *rt;
        int hit = cg && !comb_cgroup_v2_path(cg, cgpath, sizeof cgpath) &&
                  comb_cgroup_container_id(cgpath, id, &rt);
        free(cg);
        if (!hit)
            continue;
        if (t->n == t->cap) {
            size_t nc = t->cap ? t->cap * 2 : 64;
            if (nc > 1u << 20)
                break;
            proc_ent *nv = realloc(t->v, nc * sizeof *nv);
            if (!nv)
                break;
            t->v = nv;
            t->cap = nc;
        }
        proc_ent *p = &t->v[t->n];
        memset(p, 0, sizeof *p);
        p->pid = pid;
        memcpy(p->id, id, sizeof id);
        snprintf(path, sizeof path, "/proc/%ld/status", pid);
        char *st = read_proc(path, 65536, &len);
        if (!st)
            continue; /* gone */
        p->has_caps = !comb_inv_parse_status(st, len, &p->capeff, &p->ppid, &p->uid);
        free(st);
        snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
        char *cl = read_proc(path, 65536, &len);
        p->cmdline = cl ? argv_of(cl, len) : json_array();
        free(cl);
        snprintf(path, sizeof path, "/proc/%ld/exe", pid);
        ssize_t n = readlink(path, p->exe, sizeof p->exe - 1);
        p->exe[n > 0 ? n : 0] = '\0';
        read_fds(p);
        t->n++;
    }
    closedir(d);
}

static void proc_table_free(proc_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        json_decref(t->v[i].cmdline);
        free(t->v[i].socks);
    }
    free(t->v);
}

static json_t *caps_json(uint64_t mask)
{
    json_t *a = json_array();
    for (unsigned b = 0; b < 64; b++)
        if (mask >> b & 1) {
            const char *n = comb_cap_name(b);
            char buf[32];
            if (!n) {
                snprintf(buf, sizeof buf, "CAP_%u", b);
                n = buf;
            }
            json_array_append_new(a, json_string(n));
        }
    return a;
}

static void add_addr(void *ud, const char *addr)
{
    json_t *a = ud;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) if (!strcmp(json_string_value(v), addr)) return;
    json_array_append_new(a, json_string(addr));
}

/* Listening sockets of the network namespace of pid, owned by the container's processes. */
static void ports_of(long pid, const proc_table *t, const char *id, json_t *ports)
{
    static const struct { const char *file, *proto; int v6, udp; } kinds[] = {
        { "tcp", "tcp", 0, 0 }, { "tcp6", "tcp", 1, 0 }, { "udp", "udp", 0, 1 }, { "udp6", "udp", 1, 1 },
    };
    for (size_t k = 0; k < 4; k++) {
        char path[64];
        size_t len;
        snprintf(path, sizeof path, "/proc/%ld/net/%s", pid, kinds[k].file);
        char *text = read_proc(path, 16u << 20, &len);
        if (!text)
            continue;
        for (char *line = text; line && *line && json_array_size(ports) < COMB_INV_MAX_PORTS;) {
            char *nl = strchr(line, '\n');
            size_t n = nl ? (size_t)(nl - line) : strlen(line);
            comb_inv_sock s;
            if (!comb_inv_parse_sock(line, n, kinds[k].v6, &s) &&
                (kinds[k].udp ? s.rport == 0 : s.state == 0x0A)) {
                json_t *p = json_object();
                json_object_set_new(p, "protocol", json_string(kinds[k].proto));
                json_object_set_new(p, "address", json_string(s.local));
                json_object_set_new(p, "port", json_integer(s.port));
                json_object_set_new(p, "inode", json_integer((json_int_t)s.inode));
                for (size_t i = 0; i < t->n; i++) {
                    if (strcmp(t->v[i].id, id))
                        continue;
                    for (size_t j = 0; j < t->v[i].nsocks; j++)
                        if (t->v[i].socks[j] == s.inode && s.inode) {
                            json_object_set_new(p, "pid", json_integer(t->v[i].pid));
                            json_object_set(p, "process", json_array_get(t->v[i].cmdline, 0));
                            goto found;
                        }
                }
            found:
                json_array_append_new(ports, p);
            }
            line = nl ? nl + 1 : NULL;
        }
        free(text);
    }
}

/* Is pid still the process that started at `ticks` (field 22 of stat)? */
static int same_process(long pid, json_int_t ticks)
{
    char path[64];
    size_t len;
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    char *st = read_proc(path, 4096, &len);
    if (!st)
        return 0;
    int ok = 1;
    char *rp = strrchr(st, ')');
    if (ticks > 0 && rp) {
        /* fields after comm: state(3) ... starttime(22) */
        char *p = rp + 1;
        for (int f = 3; f < 22 && p; f++)
            p = strchr(p + 1, ' ');
        ok = p && strtoll(p + 1, NULL, 10) == ticks;
    }
    free(st);
    return ok;
}

static void live_details(json_t *c, const proc_table *t)
{
    const char *id = json_string_value(json_object_get(c, "id"));
    json_int_t pid = json_integer_value(json_object_get(c, "pid"));
    json_int_t ticks = json_integer_value(json_object_get(c, "init_start_ticks"));
    json_object_del(c, "init_start_ticks");
    json_t *procs = json_array();
    long init = 0;
    for (size_t i = 0; i < t->n && json_array_size(procs) < COMB_INV_MAX_PROCS_PER_CONTAINER; i++) {
        const proc_ent *p = &t->v[i];
        if (strcmp(p->id, id))
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "pid", json_integer(p->pid));
        json_object_set_new(o, "ppid", json_integer(p->ppid));
        json_object_set_new(o, "uid", json_integer(p->uid));
        json_object_set(o, "cmdline", p->cmdline);
        json_object_set_new(o, "exe", json_string(p->exe));
        if (!json_object_get(o, "exe"))
            json_object_set_new(o, "exe", json_string("?"));
        json_array_append_new(procs, o);
        /* the init: the process whose parent is outside the container */
        int parent_inside = 0;
        for (size_t j = 0; j < t->n; j++)
            if (t->v[j].pid == p->ppid && !strcmp(t->v[j].id, id))
                parent_inside = 1;
        if (!parent_inside && (!init || p->pid < init))
            init = p->pid;
    }
    json_object_set_new(c, "processes", procs);
    if (pid > 0 && !same_process((long)pid, ticks))
        pid = 0; /* a stale state file, or the pid was reused */
    if (pid <= 0)
        pid = init;
    if (pid <= 0) {
        json_object_del(c, "pid");
        if (!strcmp(json_string_value(json_object_get(c, "state")), "running"))
            json_object_set_new(c, "state", json_string("stopped"));
        return;
    }
    json_object_set_new(c, "pid", json_integer(pid));
    json_object_set_new(c, "state", json_string("running"));
    char path[64];
    size_t len;
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    char *st = read_proc(path, 65536, &len);
    uint64_t capeff;
    long ppid, uid;
    if (st && !comb_inv_parse_status(st, len, &capeff, &ppid, &uid))
        json_object_set_new(c, "capabilities", caps_json(capeff));
    free(st);
    /* mounts: the kernel's view decides rw/ro */
    snprintf(path, sizeof path, "/proc/%ld/mountinfo", (long)pid);
    char *mi = read_proc(path, COMB_INV_MAX_PROC_FILE, &len);
    json_t *mounts = json_object_get(c, "mounts");
    for (char *line = mi; line && *line;) {
        char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        static comb_inv_mount m;
        if (!comb_inv_parse_mountinfo(line, n, &m)) {
            size_t i;
            json_t *v;
            json_array_foreach(mounts, i, v)
                if (!strcmp(json_string_value(json_object_get(v, "destination")), m.mountpoint))
                    json_object_set_new(v, "rw", json_boolean(!m.readonly));
        }
        line = nl ? nl + 1 : NULL;
    }
    free(mi);
    /* network namespace */
    json_t *net = json_object_get(c, "network");
    char link[128];
    snprintf(path, sizeof path, "/proc/%ld/ns/net", (long)pid);
    ssize_t n = readlink(path, link, sizeof link - 1);
    if (n > 0) {
        link[n] = '\0';
        json_object_set_new(net, "namespace", json_string(link));
    }
    json_t *addrs = json_array();
    snprintf(path, sizeof path, "/proc/%ld/net/fib_trie", (long)pid);
    char *fib = read_proc(path, 16u << 20, &len);
    if (fib)
        comb_inv_parse_fib_trie(fib, len, add_addr, addrs, 256);
    free(fib);
    snprintf(path, sizeof path, "/proc/%ld/net/if_inet6", (long)pid);
    char *v6 = read_proc(path, COMB_INV_MAX_PROC_FILE, &len);
    for (char *line = v6; line && *line && json_array_size(addrs) < 512;) {
        char *nl = strchr(line, '\n');
        size_t ln = nl ? (size_t)(nl - line) : strlen(line);
        char a[64];
        if (!comb_inv_parse_if_inet6(line, ln, a, sizeof a))
            add_addr(addrs, a);
        line = nl ? nl + 1 : NULL;
    }
    free(v6);
    json_object_set_new(net, "addresses", addrs);
    json_t *ports = json_array();
    ports_of((long)pid, t, id, ports);
    json_object_set_new(c, "ports", ports);
}

/* ---- the engines' files ---- */

static void read_doc(const comb_fsroot *r, const char *kind, const char *path, json_t *ctr, json_t *warnings)
{
    char *data;
    size_t len;
    comb_err e;
    if (comb_fsroot_read(r, path, MAX_STATE, &data, &len, &e) != COMB_OK)
        return; /* absent: a stopped container has no runtime state */
    if (comb_inventory_engine_doc(kind, path, data, len, ctr, &e) != COMB_OK &&
        json_array_size(warnings) < 100)
        json_array_append_new(warnings, json_string(e.msg));
    free(data);
}

/* The path that replaces, in `path`, the component holding `marker` and all
 * after it with `name`: 0, or -1 when the marker is absent. */
static int beside(const char *path, const char *marker, const char *name, char *out, size_t n)
{
    const char *u = strstr(path, marker);
    if (!u)
        return -1;
    const char *b = u;
    while (b > path && b[-1] != '/')
        b--;
    snprintf(out, n, "%.*s%s", (int)(b - path), path, name);
    return 0;
}

/* The last file read of one sort (podman's containers.json, its BoltDB):
 * containers of the same store share it, so it is read once per store. */
typedef struct fcache {
    char path[4200];
    char *data;
    size_t len;
    int ok;
} fcache;

static const char *cached_read(const comb_fsroot *r, fcache *fc, const char *path, size_t max, size_t *len)
{
    if (strcmp(fc->path, path)) {
        comb_err e;
        free(fc->data);
        fc->data = NULL;
        snprintf(fc->path, sizeof fc->path, "%s", path);
        fc->ok = comb_fsroot_read(r, path, max, &fc->data, &fc->len, &e) == COMB_OK;
    }
    *len = fc->len;
    return fc->ok ? fc->data : NULL;
}

typedef struct caches {
    fcache list, bolt;
} caches;

/* The entry of a podman containers.json beside config path ".../<id>/userdata/config.json". */
static void podman_entry(const comb_fsroot *r, fcache *fc, const char *config, const char *id, json_t *ctr)
{
    char list[4200];
    size_t len;
    comb_err e;
    const char *data;
    if (beside(config, "/userdata/config.json", "containers.json", list, sizeof list) ||
        !(data = cached_read(r, fc, list, MAX_STATE, &len)))
        return;
    json_t *l = json_loadb(data, len, 0, NULL);
    size_t i;
    json_t *v;
    json_array_foreach(l, i, v)
    {
        const char *cid = json_string_value(json_object_get(v, "id"));
        if (cid && !strcmp(cid, id)) {
            char *s = json_dumps(v, JSON_COMPACT);
            if (s)
                comb_inventory_engine_doc("podman-ctr", list, s, strlen(s), ctr, &e);
            free(s);
            break;
        }
    }
    json_decref(l);
}

static int field_true(const json_t *fields, const char *k)
{
    const char *v = json_string_value(json_object_get(fields, k));
    return v && !strcmp(v, "true");
}

/* podman 4 keeps labels only in its BoltDB: libpod/bolt_state.db beside
 * the <driver>-containers directory of the config path. */
static void podman_labels(const comb_fsroot *r, fcache *fc, const char *config, const char *id, json_t *ctr)
{
    char db[4200];
    size_t len;
    const char *data;
    if (beside(config, "-containers/", "libpod/bolt_state.db", db, sizeof db) ||
        !(data = cached_read(r, fc, db, 256u << 20, &len)))
        return;
    const char *path[] = { "ctr", id, "config" };
    const unsigned char *v;
    size_t vl;
    if (!comb_bolt_get((const unsigned char *)data, len, path, 3, &v, &vl)) {
        json_t *cfg = json_loadb((const char *)v, vl, 0, NULL);
        json_t *labels = json_object_get(cfg, "labels");
        if (json_is_object(labels))
            json_object_set_new(ctr, "labels", string_object(labels));
        json_decref(cfg);
    }
}

static json_t *container_json(const comb_fsroot *r, caches *cc, const comb_container *c, json_t *warnings)
{
    json_t *o = json_object();
    json_object_set_new(o, "engine", json_string(c->engine));
    json_object_set_new(o, "id", json_string(c->id));
    json_object_set_new(o, "name", json_string(c->name));
    json_t *img = json_object();
    json_object_set_new(img, "name", json_string(c->image));
    json_object_set_new(o, "image", img);
    json_object_set_new(o, "state", json_string(c->state));
    json_object_set_new(o, "privileged",
                        json_boolean(field_true(c->fields, "privileged")));
    json_object_set_new(o, "labels", json_object());
    json_t *net = json_object();
    json_object_set_new(net, "host_network",
                        json_boolean(field_true(c->fields, "host_network")));
    json_object_set_new(o, "network", net);
    /* filled in from the segment database when there is one (relations.c) */
    json_object_set_new(o, "relationships", json_null());
    char p[4400];
    if (!strcmp(c->engine, "docker")) {
        read_doc(r, "docker", c->config, o, warnings);
        snprintf(p, sizeof p, "/run/docker/runtime-runc/moby/%s/state.json", c->id);
        read_doc(r, "runc-state", p, o, warnings);
    } else {
        read_doc(r, "oci", c->config, o, warnings);
        if (!strcmp(c->engine, "podman")) {
            podman_entry(r, &cc->list, c->config, c->id, o);
            podman_labels(r, &cc->bolt, c->config, c->id, o);
            snprintf(p, sizeof p, "/run/runc/%s/state.json", c->id);
            read_doc(r, "runc-state", p, o, warnings);
        } else {
            /* .../io.containerd.runtime.v2.task/<ns>/<id>/config.json */
            char ns[256] = "";
            const char *base = strstr(c->config, "io.containerd.runtime.v2.task/");
            if (base && sscanf(base + 30, "%255[^/]", ns) == 1) {
                snprintf(p, sizeof p, "/run/containerd/runc/%s/%s/state.json", ns, c->id);
                read_doc(r, "runc-state", p, o, warnings);
            }
        }
    }
    return o;
}

/* Image ids are compared without "sha256:". */
static const char *bare_id(const char *s)
{
    return s && !strncmp(s, "sha256:", 7) ? s + 7 : s;
}

static json_t *image_json(const comb_fsroot *r, const comb_container *im)
{
    json_t *o = json_object();
    json_object_set_new(o, "engine", json_string(im->engine));
    json_object_set_new(o, "id", json_string(bare_id(im->id)));
    json_t *tags = json_array();
    if (im->name && strlen(im->name) != 12)
        json_array_append_new(tags, json_string(im->name));
    json_object_set_new(o, "tags", tags);
    char *data;
    size_t len;
    comb_err e;
    json_int_t size = 0;
    if (comb_fsroot_read(r, im->config, MAX_STATE, &data, &len, &e) == COMB_OK) {
        json_t *d = json_loadb(data, len, 0, NULL);
        set_if_str(o, "created", json_object_get(d, "created"));
        json_t *diffs = json_object_get(json_object_get(d, "rootfs"), "diff_ids");
        json_object_set_new(o, "layers", json_integer((json_int_t)json_array_size(diffs)));
        json_decref(d);
        free(data);
        (void)size;
    }
    json_object_set_new(o, "scan", json_null()); /* scan_status() fills it in */
    return o;
}

static void add_warning(json_t *warnings, const char *msg)
{
    if (json_array_size(warnings) < 1000)
        json_array_append_new(warnings, json_string(msg));
}

/* The build time of the vulnerability database, or NULL when it cannot be read. */
static char *db_built(const char *path)
{
    comb_vulndb *db;
    comb_err e;
    char *built = NULL;
    if (!path || access(path, R_OK) || comb_vulndb_open(path, 0, &db, &e))
        return NULL;
    comb_arena a;
    comb_arena_init(&a);
    comb_vulndb_stats st;
    if (comb_vulndb_stats_get(db, &a, &st, &e) == COMB_OK && st.built)
        built = strdup(st.built);
    comb_arena_free(&a);
    comb_vulndb_close(db);
    return built;
}

/* images[].scan from the store of scan results; a corrupt result is a warning. */
static void scan_status(const comb_inventory_opts *o, json_t *imgs, json_t *warnings)
{
    char *built = db_built(o->vuln_db);
    size_t i;
    json_t *im;
    json_array_foreach(imgs, i, im)
    {
        json_t *s;
        comb_err e;
        if (comb_scanstore_status(o->scan_dir, json_string_value(json_object_get(im, "id")), built, &s, &e)) {
            add_warning(warnings, e.msg);
            s = json_pack("{s:s}", "status", "not_scanned");
        }
        json_object_set_new(im, "scan", s);
    }
    free(built);
}

static void host_json(const comb_fsroot *r, json_t *doc, const comb_container_list *cl,
                      const comb_container_list *il)
{
    json_t *h = json_object();
    char *data;
    size_t len;
    comb_err e;
    char hn[256] = "";
    if (r->live)
        gethostname(hn, sizeof hn - 1);
    else if (comb_fsroot_read(r, "/etc/hostname", 4096, &data, &len, &e) == COMB_OK) {
        snprintf(hn, sizeof hn, "%.*s", (int)strcspn(data, "\n"), data);
        free(data);
    }
    json_object_set_new(h, "hostname", json_string(hn));
    if (!json_object_get(h, "hostname"))
        json_object_set_new(h, "hostname", json_string("?"));
    if (comb_fsroot_read(r, "/etc/os-release", 65536, &data, &len, &e) == COMB_OK) {
        const char *p = strstr(data, "PRETTY_NAME=");
        if (p) {
            p += 12;
            if (*p == '"')
                p++;
            int n = (int)strcspn(p, "\"\n");
            char os[256];
            snprintf(os, sizeof os, "%.*s", n, p);
            json_object_set_new(h, "os", json_string(os));
        }
        free(data);
    }
    struct utsname u;
    if (r->live && !uname(&u)) {
        json_object_set_new(h, "kernel", json_string(u.release));
        json_object_set_new(h, "arch", json_string(u.machine));
    }
    static const struct { const char *engine, *dir; } dirs[] = {
        { "podman", "/var/lib/containers/storage" },
        { "docker", "/var/lib/docker" },
        { "containerd", "/var/lib/containerd" },
        { "containerd", "/run/containerd" },
    };
    json_t *engines = json_array();
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        struct stat st;
        int found = comb_fsroot_stat(r, dirs[i].dir, &st) == 0;
        for (size_t k = 0; !found && k < cl->n; k++)
            found = !strcmp(cl->items[k].engine, dirs[i].engine);
        for (size_t k = 0; !found && k < il->n; k++)
            found = !strcmp(il->items[k].engine, dirs[i].engine);
        size_t j;
        json_t *v;
        json_array_foreach(engines, j, v) if (!strcmp(json_string_value(v), dirs[i].engine)) found = 0;
        if (found)
            json_array_append_new(engines, json_string(dirs[i].engine));
    }
    json_object_set_new(h, "engines", engines);
    json_object_set_new(h, "live", json_boolean(r->live));
    json_object_set_new(h, "root", json_string(r->root));
    json_object_set_new(doc, "host", h);
}

comb_code comb_inventory_collect(const comb_inventory_opts *o, json_t **out, comb_err *err)
{
    *out = NULL;
    comb_fsroot r;
    comb_code rc = comb_fsroot_open(&r, o->root, err);
    if (rc)
        return rc;
    comb_container_list cl, il;
    if ((rc = comb_containers_discover(&r, o->podman_roots, o->npodman_roots, &cl, err))) {
        comb_fsroot_close(&r);
        return rc;
    }
    if ((rc = comb_images_discover(&r, o->podman_roots, o->npodman_roots, &il, err))) {
        comb_containers_free(&cl);
        comb_fsroot_close(&r);
        return rc;
    }
    json_t *doc = json_object(), *ctrs = json_array(), *imgs = json_array(), *warn = json_array();
    json_object_set_new(doc, "schema_version", json_integer(COMB_INVENTORY_SCHEMA_VERSION));
    json_object_set_new(doc, "tool", json_string("comb " COMB_VERSION));
    time_t now = time(NULL);
    char ts[32];
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    json_object_set_new(doc, "collected", json_string(ts));
    host_json(&r, doc, &cl, &il);
    proc_table t = { 0 };
    if (r.live)
        proc_scan(&t);
    caches cc = { 0 };
    for (size_t i = 0; i < cl.n; i++) {
        json_t *c = container_json(&r, &cc, &cl.items[i], warn);
        if (r.live)
            live_details(c, &t);
        else
            json_object_del(c, "init_start_ticks");
        json_array_append_new(ctrs, c);
    }
    free(cc.list.data);
    free(cc.bolt.data);
    for (size_t i = 0; i < il.n; i++)
        json_array_append_new(imgs, image_json(&r, &il.items[i]));
    /* the image name and id of each container, each from the other */
    size_t i, j;
    json_t *c, *im;
    json_array_foreach(ctrs, i, c)
    {
        json_t *ci = json_object_get(c, "image");
        const char *cid = json_string_value(json_object_get(ci, "id"));
        const char *cname = json_string_value(json_object_get(ci, "name"));
        json_array_foreach(imgs, j, im)
        {
            const char *iid = json_string_value(json_object_get(im, "id"));
            json_t *tag0 = json_array_get(json_object_get(im, "tags"), 0);
            if (cid && !strcmp(bare_id(cid), iid)) {
                if ((!cname || !*cname) && tag0)
                    json_object_set(ci, "name", tag0);
                break;
            }
            if (!cid && cname && json_string_value(tag0) && !strcmp(cname, json_string_value(tag0))) {
                json_object_set_new(ci, "id", json_string(iid));
                break;
            }
        }
        if (json_string_value(json_object_get(ci, "id")))
            json_object_set_new(ci, "id", json_string(bare_id(json_string_value(json_object_get(ci, "id")))));
    }
    for (size_t k = 0; k < cl.nwarnings; k++)
        json_array_append_new(warn, json_string(cl.warnings[k]));
    for (size_t k = 0; k < il.nwarnings; k++)
        json_array_append_new(warn, json_string(il.warnings[k]));
    if (o->scan_dir)
        scan_status(o, imgs, warn);
    comb_err e;
    if (o->segment_db && comb_inventory_relationships(o->segment_db, ctrs, &e))
        add_warning(warn, e.msg);
    json_object_set_new(doc, "containers", ctrs);
    json_object_set_new(doc, "images", imgs);
    json_object_set_new(doc, "warnings", warn);
    proc_table_free(&t);
    comb_containers_free(&cl);
    comb_containers_free(&il);
    comb_fsroot_close(&r);
    *out = doc;
    return COMB_OK;
}
