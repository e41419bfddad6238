/* containers.c - container discovery and the common field set (see
 * containers.h). */
#include "compliance/containers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_CONFIG (4u << 20)

/* Docker's default capability set: anything beyond it was added. */
static const char *const default_caps[] = {
    "CHOWN",  "DAC_OVERRIDE", "FSETID",  "FOWNER",           "MKNOD",      "NET_RAW",    "SETGID",
    "SETUID", "SETFCAP",      "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL",       "AUDIT_WRITE",
};

/* Host paths whose bind mount hands a container the host (CIS Docker 5.5). */
static const char *const sensitive_paths[] = {
    "/", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/sys", "/usr", "/var", "/root",
    "/var/lib/docker", "/var/lib/containerd", "/var/lib/containers", "/var/lib/kubelet",
};

/* Engine API sockets: whoever can reach one is root on the host (5.32). */
static const char *const engine_sockets[] = {
    "/run/docker.sock", "/run/containerd/containerd.sock", "/run/podman/podman.sock",
    "/run/crio/crio.sock", "/run/docker",
};

static const char *bool_str(int b)
{
    return b ? "true" : "false";
}

/* Normalise a host path for comparison: no trailing or doubled '/', and
 * /var/run is /run (a symlink on every current distribution). */
static void norm_host_path(const char *in, char *out, size_t outsz)
{
    size_t n = 0;
    for (const char *p = in; *p && n + 1 < outsz; p++) {
        if (*p == '/' && n && out[n - 1] == '/')
            continue;
        out[n++] = *p;
    }
    while (n > 1 && out[n - 1] == '/')
        n--;
    out[n] = '\0';
    if (!strncmp(out, "/var/run/", 9) || !strcmp(out, "/var/run"))
        memmove(out, out + 4, strlen(out + 4) + 1);
}

static int in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

static void add_mount(json_t *f, const char *src, const char *dst, const char *type,
                      const json_t *options)
{
    char p[4096];
    if (!src || !*src)
        return;
    int bind = type && !strcmp(type, "bind");
    int shared = 0;
    size_t i;
    const json_t *o;
    json_array_foreach(options, i, o)
    {
        const char *s = json_string_value(o);
        if (s && (!strcmp(s, "bind") || !strcmp(s, "rbind")))
            bind = 1;
        if (s && (!strcmp(s, "shared") || !strcmp(s, "rshared")))
            shared = 1;
    }
    if (!bind || src[0] != '/')
        return;
    norm_host_path(src, p, sizeof p);
    char desc[8300];
    snprintf(desc, sizeof desc, "%s:%s", p, dst ? dst : "");
    if (in_list(p, sensitive_paths, sizeof sensitive_paths / sizeof *sensitive_paths))
        json_array_append_new(json_object_get(f, "sensitive_mounts"), json_string(desc));
    for (size_t k = 0; k < sizeof engine_sockets / sizeof *engine_sockets; k++) {
        size_t kl = strlen(engine_sockets[k]);
        if (!strncmp(p, engine_sockets[k], kl) && (p[kl] == '\0' || p[kl] == '/')) {
            json_array_append_new(json_object_get(f, "socket_mounts"), json_string(desc));
            break;
        }
    }
    if (shared)
        json_array_append_new(json_object_get(f, "shared_mounts"), json_string(desc));
}

static json_t *new_fields(void)
{
    json_t *f = json_object();
    if (!f)
        return NULL;
    static const char *const arrays[] = { "cap_add", "sensitive_mounts", "socket_mounts",
                                          "shared_mounts", "host_devices" };
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++)
        json_object_set_new(f, arrays[i], json_array());
    return f;
}

static void set_str(json_t *f, const char *k, const char *v)
{
    if (v)
        json_object_set_new(f, k, json_string(v));
}

static void set_num(json_t *f, const char *k, long long v)
{
    char buf[32];
    if (v <= 0)
        return; /* 0 or negative: no limit */
    snprintf(buf, sizeof buf, "%lld", v);
    json_object_set_new(f, k, json_string(buf));
}

static void add_cap(json_t *f, const char *cap)
{
    if (!cap)
        return;
    if (!strncasecmp(cap, "CAP_", 4))
        cap += 4;
    char up[64];
    size_t n = 0;
    for (; cap[n] && n + 1 < sizeof up; n++)
        up[n] = (char)(cap[n] >= 'a' && cap[n] <= 'z' ? cap[n] - 32 : cap[n]);
    up[n] = '\0';
    if (in_list(up, default_caps, sizeof default_caps / sizeof *default_caps))
        return;
    json_t *a = json_object_get(f, "cap_add");
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) if (!strcmp(json_string_value(v), up)) return;
    json_array_append_new(a, json_string(up));
}

comb_code comb_container_fields_oci(const char *name, const char *json, size_t len, json_t **out,
                                    comb_err *err)
{
    *out = NULL;
    json_error_t je;
    json_t *d = json_loadb(json, len, 0, &je);
    if (!json_is_object(d)) {
        json_decref(d);
        return comb_fail(err, COMB_EFORMAT, "%s: not an OCI runtime config: %s", name,
                         d ? "not an object" : je.text);
    }
    json_t *f = new_fields();
    if (!f) {
        json_decref(d);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    json_t *proc = json_object_get(d, "process"), *linux_ = json_object_get(d, "linux");
    json_t *ann = json_object_get(d, "annotations");
    json_t *bounding = json_object_get(json_object_get(proc, "capabilities"), "bounding");
    size_t i;
    json_t *v;
    int sys_admin = 0;
    json_array_foreach(bounding, i, v)
    {
        add_cap(f, json_string_value(v));
        if (json_string_value(v) && strstr(json_string_value(v), "SYS_ADMIN"))
            sys_admin = 1;
    }
    /* podman records --privileged; otherwise the signs of it: SYS_ADMIN with
     * nothing masked or read-only in /proc and /sys */
    const char *pa = json_string_value(json_object_get(ann, "io.podman.annotations.privileged"));
    int privileged = pa ? !strcasecmp(pa, "TRUE")
                        : sys_admin && json_array_size(json_object_get(linux_, "maskedPaths")) == 0 &&
                              json_array_size(json_object_get(linux_, "readonlyPaths")) == 0;
    set_str(f, "privileged", bool_str(privileged));

    /* A namespace missing from the list, or joined by path to the host's
     * (pid 1), is shared with the host. */
    static const char *const ns_types[][2] = { { "pid", "host_pid" },   { "ipc", "host_ipc" },
                                               { "network", "host_network" }, { "uts", "host_uts" } };
    /* no user namespace is the norm for OCI configs; host_userns is only
     * recorded where an engine says "host" explicitly (Docker) */
    json_t *nss = json_object_get(linux_, "namespaces");
    for (size_t t = 0; t < sizeof ns_types / sizeof *ns_types; t++) {
        int own = 0;
        json_array_foreach(nss, i, v)
        {
            const char *type = json_string_value(json_object_get(v, "type"));
            const char *path = json_string_value(json_object_get(v, "path"));
            if (type && !strcmp(type, ns_types[t][0]) && !(path && !strncmp(path, "/proc/1/", 8)))
                own = 1;
        }
        set_str(f, ns_types[t][1], bool_str(!own));
    }
    json_array_foreach(json_object_get(d, "mounts"), i, v)
        add_mount(f, json_string_value(json_object_get(v, "source")),
                  json_string_value(json_object_get(v, "destination")),
                  json_string_value(json_object_get(v, "type")), json_object_get(v, "options"));
    json_array_foreach(json_object_get(linux_, "devices"), i, v)
        if (json_string_value(json_object_get(v, "path")))
            json_array_append_new(json_object_get(f, "host_devices"),
                                  json_string(json_string_value(json_object_get(v, "path"))));
    set_str(f, "seccomp", bool_str(json_is_object(json_object_get(linux_, "seccomp"))));
    const char *aa = json_string_value(json_object_get(proc, "apparmorProfile"));
    if (aa && *aa && strcmp(aa, "unconfined"))
        set_str(f, "apparmor", aa);
    const char *se = json_string_value(json_object_get(proc, "selinuxLabel"));
    if (se && *se && !strstr(se, "spc_t") && !strstr(se, "unconfined_t"))
        set_str(f, "selinux", se);
    set_str(f, "readonly_rootfs",
            bool_str(json_is_true(json_object_get(json_object_get(d, "root"), "readonly"))));
    json_t *res = json_object_get(linux_, "resources");
    set_num(f, "memory_limit",
            json_integer_value(json_object_get(json_object_get(res, "memory"), "limit")));
    json_t *cpu = json_object_get(res, "cpu");
    long long quota = json_integer_value(json_object_get(cpu, "quota"));
    long long shares = json_integer_value(json_object_get(cpu, "shares"));
    const char *cpus = json_string_value(json_object_get(cpu, "cpus"));
    if (quota > 0)
        set_num(f, "cpu_limit", quota);
    else if (shares > 0 && shares != 1024)
        set_num(f, "cpu_limit", shares);
    else if (cpus && *cpus)
        set_str(f, "cpu_limit", cpus);
    set_num(f, "pids_limit", json_integer_value(json_object_get(json_object_get(res, "pids"), "limit")));
    set_str(f, "no_new_privileges", bool_str(json_is_true(json_object_get(proc, "noNewPrivileges"))));
    json_t *user = json_object_get(proc, "user");
    long long uid = json_is_integer(json_object_get(user, "uid"))
                        ? json_integer_value(json_object_get(user, "uid")) : 0;
    char ub[32];
    snprintf(ub, sizeof ub, "%lld", uid);
    set_str(f, "user", ub);
    /* uid 0 mapped to an unprivileged host uid is not root on the host */
    int mapped = 0;
    json_array_foreach(json_object_get(linux_, "uidMappings"), i, v)
        if (json_integer_value(json_object_get(v, "containerID")) == 0 &&
            json_integer_value(json_object_get(v, "hostID")) != 0)
            mapped = 1;
    set_str(f, "run_as_root", bool_str(uid == 0 && !mapped));
    /* not in an OCI config: the engine keeps them elsewhere */
    json_object_set_new(f, "privileged_ports", json_null());
    json_object_set_new(f, "restart_policy", json_null());
    json_object_set_new(f, "restart_max", json_null());
    json_object_set_new(f, "host_userns", json_null());
    json_object_set_new(f, "wildcard_ports", json_null());
    json_object_set_new(f, "cgroup_parent", json_null());
    json_object_set_new(f, "healthcheck", json_null());
    json_object_set_new(f, "default_bridge", json_null());
    json_decref(d);
    *out = f;
    return COMB_OK;
}

static json_t *load_obj(const char *name, const char *data, size_t len, comb_err *err)
{
    if (!data)
        return json_object();
    json_error_t je;
    json_t *d = json_loadb(data, len, 0, &je);
    if (!json_is_object(d)) {
        json_decref(d);
        comb_fail(err, COMB_EFORMAT, "%s: %s", name, d ? "not a JSON object" : je.text);
        return NULL;
    }
    return d;
}

static int has_opt(const json_t *arr, const char *prefix, const char **value)
{
    size_t i, pl = strlen(prefix);
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(v);
        if (s && !strncmp(s, prefix, pl)) {
            if (value)
                *value = s + pl;
            return 1;
        }
    }
    return 0;
}

comb_code comb_container_fields_docker(const char *name, const char *config_v2, size_t len1,
                                       const char *hostconfig, size_t len2, json_t **out,
                                       comb_err *err)
{
    *out = NULL;
    json_t *c = load_obj(name, config_v2, len1, err);
    if (!c)
        return COMB_EFORMAT;
    json_t *h = load_obj(name, hostconfig, len2, err);
    if (!h) {
        json_decref(c);
        return COMB_EFORMAT;
    }
    /* older config.v2.json files embed the host config */
    if (!hostconfig && json_is_object(json_object_get(c, "HostConfig"))) {
        json_decref(h);
        h = json_incref(json_object_get(c, "HostConfig"));
    }
    json_t *f = new_fields();
    if (!f) {
        json_decref(c);
        json_decref(h);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    size_t i;
    json_t *v;
    set_str(f, "privileged", bool_str(json_is_true(json_object_get(h, "Privileged"))));
    json_array_foreach(json_object_get(h, "CapAdd"), i, v) add_cap(f, json_string_value(v));
    static const char *const modes[][2] = { { "PidMode", "host_pid" },   { "IpcMode", "host_ipc" },
                                            { "NetworkMode", "host_network" }, { "UTSMode", "host_uts" },
                                            { "UsernsMode", "host_userns" } };
    for (size_t m = 0; m < sizeof modes / sizeof *modes; m++) {
        const char *s = json_string_value(json_object_get(h, modes[m][0]));
        set_str(f, modes[m][1], bool_str(s && !strcmp(s, "host")));
    }
    json_array_foreach(json_object_get(h, "Binds"), i, v)
    {
        const char *b = json_string_value(v);
        if (!b)
            continue;
        char src[4096];
        const char *colon = strchr(b, ':');
        size_t n = colon ? (size_t)(colon - b) : strlen(b);
        if (n >= sizeof src)
            continue;
        memcpy(src, b, n);
        src[n] = '\0';
        json_t *opts = json_array();
        json_array_append_new(opts, json_string("bind"));
        const char *propagation = colon ? strrchr(colon + 1, ':') : NULL;
        if (propagation && strstr(propagation, "shared"))
            json_array_append_new(opts, json_string("rshared"));
        add_mount(f, src, colon ? colon + 1 : "", "bind", opts);
        json_decref(opts);
    }
    const char *k;
    json_object_foreach(json_object_get(c, "MountPoints"), k, v)
    {
        const char *type = json_string_value(json_object_get(v, "Type"));
        if (type && strcmp(type, "bind"))
            continue;
        /* Binds are listed in MountPoints too; add only those not seen */
        const char *src = json_string_value(json_object_get(v, "Source"));
        int seen = 0;
        size_t j;
        json_t *b;
        json_array_foreach(json_object_get(h, "Binds"), j, b)
        {
            const char *bs = json_string_value(b);
            if (bs && src && !strncmp(bs, src, strlen(src)) && bs[strlen(src)] == ':')
                seen = 1;
        }
        if (seen)
            continue;
        json_t *opts = json_array();
        json_array_append_new(opts, json_string("bind"));
        const char *prop = json_string_value(json_object_get(v, "Propagation"));
        if (prop && strstr(prop, "shared"))
            json_array_append_new(opts, json_string("rshared"));
        add_mount(f, src, json_string_value(json_object_get(v, "Destination")), "bind", opts);
        json_decref(opts);
    }
    json_array_foreach(json_object_get(h, "Devices"), i, v)
    {
        const char *p = json_string_value(json_object_get(v, "PathOnHost"));
        if (p)
            json_array_append_new(json_object_get(f, "host_devices"), json_string(p));
    }
    json_t *sec = json_object_get(h, "SecurityOpt");
    const char *val = NULL;
    set_str(f, "seccomp", bool_str(!(has_opt(sec, "seccomp=", &val) || has_opt(sec, "seccomp:", &val)) ||
                                   strcmp(val, "unconfined")));
    /* Docker applies docker-default when AppArmor is on and nothing else is asked */
    const char *aa = json_string_value(json_object_get(c, "AppArmorProfile"));
    if (has_opt(sec, "apparmor=", &val) || has_opt(sec, "apparmor:", &val))
        aa = val;
    if (!aa || !*aa)
        aa = json_is_true(json_object_get(h, "Privileged")) ? "unconfined" : "docker-default";
    if (strcmp(aa, "unconfined"))
        set_str(f, "apparmor", aa);
    const char *label = json_string_value(json_object_get(c, "ProcessLabel"));
    if (label && *label && !strstr(label, "spc_t"))
        set_str(f, "selinux", label);
    int nnp = has_opt(sec, "no-new-privileges", &val) && (!*val || !strcmp(val, ":true") ||
                                                          !strcmp(val, "=true"));
    set_str(f, "no_new_privileges", bool_str(nnp));
    set_str(f, "readonly_rootfs", bool_str(json_is_true(json_object_get(h, "ReadonlyRootfs"))));
    set_num(f, "memory_limit", json_integer_value(json_object_get(h, "Memory")));
    long long cpu = json_integer_value(json_object_get(h, "NanoCpus"));
    if (cpu <= 0)
        cpu = json_integer_value(json_object_get(h, "CpuQuota"));
    if (cpu <= 0)
        cpu = json_integer_value(json_object_get(h, "CpuShares"));
    set_num(f, "cpu_limit", cpu);
    set_num(f, "pids_limit", json_integer_value(json_object_get(h, "PidsLimit")));
    const char *user = json_string_value(json_object_get(json_object_get(c, "Config"), "User"));
    set_str(f, "user", user && *user ? user : "0");
    int root = !user || !*user || !strcmp(user, "0") || !strcmp(user, "root") ||
               !strncmp(user, "0:", 2) || !strncmp(user, "root:", 5);
    const char *userns = json_string_value(json_object_get(h, "UsernsMode"));
    (void)userns; /* a daemon-wide userns-remap is checked on the daemon (docker-2.9) */
    set_str(f, "run_as_root", bool_str(root));
    json_t *ports = json_array(), *wild = json_array();
    json_object_foreach(json_object_get(h, "PortBindings"), k, v)
    {
        size_t j;
        json_t *b;
        json_array_foreach(v, j, b)
        {
            const char *hp = json_string_value(json_object_get(b, "HostPort"));
            const char *ip = json_string_value(json_object_get(b, "HostIp"));
            long p = hp ? strtol(hp, NULL, 10) : 0;
            if (p > 0 && p < 1024)
                json_array_append_new(ports, json_string(hp));
            /* published on every host interface (CIS Docker 5.14) */
            if (hp && (!ip || !*ip || !strcmp(ip, "0.0.0.0") || !strcmp(ip, "::")))
                json_array_append_new(wild, json_string(hp));
        }
    }
    json_object_set_new(f, "privileged_ports", ports);
    json_object_set_new(f, "wildcard_ports", wild);
    const char *cgp = json_string_value(json_object_get(h, "CgroupParent"));
    if (cgp && *cgp)
        set_str(f, "cgroup_parent", cgp);
    set_str(f, "healthcheck",
            bool_str(json_is_object(json_object_get(json_object_get(c, "Config"), "Healthcheck"))));
    const char *net = json_string_value(json_object_get(h, "NetworkMode"));
    set_str(f, "default_bridge", bool_str(!net || !*net || !strcmp(net, "default") || !strcmp(net, "bridge")));
    json_t *rp = json_object_get(h, "RestartPolicy");
    const char *rpn = json_string_value(json_object_get(rp, "Name"));
    set_str(f, "restart_policy", rpn && *rpn ? rpn : "no");
    char rb[32];
    snprintf(rb, sizeof rb, "%lld", (long long)json_integer_value(json_object_get(rp, "MaximumRetryCount")));
    set_str(f, "restart_max", rb);
    json_decref(c);
    json_decref(h);
    *out = f;
    return COMB_OK;
}

/* ---- discovery ---- */

int comb_container_list_warn(comb_container_list *l, const char *fmt, const char *a, const char *b)
{
    if (l->nwarnings >= 100)
        return 0;
    char **n = realloc(l->warnings, (l->nwarnings + 1) * sizeof *n);
    if (!n)
        return -1;
    l->warnings = n;
    if (asprintf(&l->warnings[l->nwarnings], fmt, a, b) < 0)
        return -1;
    l->nwarnings++;
    return 0;
}

int comb_container_list_add(comb_container_list *l, const char *engine, const char *id, const char *name,
               const char *image, const char *state, const char *config, json_t *fields)
{
    if (l->n >= COMB_CONTAINERS_MAX) {
        json_decref(fields);
        return 0;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        comb_container *n = realloc(l->items, cap * sizeof *n);
        if (!n) {
            json_decref(fields);
            return -1;
        }
        l->items = n;
        l->cap = cap;
    }
    comb_container *c = &l->items[l->n];
    char shortid[13];
    snprintf(shortid, sizeof shortid, "%s", id);
    c->engine = strdup(engine);
    c->id = strdup(id);
    c->name = strdup(name && *name ? name : shortid);
    c->image = strdup(image ? image : "");
    c->state = strdup(state);
    c->config = strdup(config);
    c->fields = fields;
    l->n++;
    if (!c->engine || !c->id || !c->name || !c->image || !c->state || !c->config)
        return -1;
    json_object_set_new(fields, "engine", json_string(engine));
    json_object_set_new(fields, "name", json_string(c->name));
    json_object_set_new(fields, "state", json_string(state));
    return 0;
}

int comb_container_safe_id(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > 128)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              *s == '-' || *s == '_' || *s == '.'))
            return 0;
    return strcmp(s - n, ".") && strcmp(s - n, "..");
}

static const char *running_or_stopped(const comb_fsroot *r, const char *fmt, const char *a,
                                      const char *b)
{
    char p[4096];
    struct stat st;
    snprintf(p, sizeof p, fmt, a, b);
    return comb_fsroot_stat(r, p, &st) == 0 ? "running" : "stopped";
}

typedef struct podman_ctx {
    const comb_fsroot *r;
    comb_container_list *l;
    int oom;
} podman_ctx;

/* One <storage>/<driver>-containers/containers.json */
static int podman_store(void *ud, const char *listpath)
{
    podman_ctx *pc = ud;
    char *data;
    size_t len;
    comb_err e;
    if (comb_fsroot_read(pc->r, listpath, MAX_CONFIG, &data, &len, &e)) {
        if (comb_container_list_warn(pc->l, "podman: %s%s", e.msg, ""))
            pc->oom = 1;
        return pc->oom;
    }
    json_t *list = json_loadb(data, len, 0, NULL);
    free(data);
    if (!json_is_array(list)) {
        json_decref(list);
        if (comb_container_list_warn(pc->l, "podman: %s: %s", listpath, "not a list of containers"))
            pc->oom = 1;
        return pc->oom;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(listpath, '/') - listpath), listpath);
    size_t i;
    json_t *ct;
    json_array_foreach(list, i, ct)
    {
        const char *id = json_string_value(json_object_get(ct, "id"));
        if (!id || !comb_container_safe_id(id))
            continue;
        const char *name = json_string_value(json_array_get(json_object_get(ct, "names"), 0));
        const char *meta = json_string_value(json_object_get(ct, "metadata"));
        json_t *md = meta ? json_loads(meta, 0, NULL) : NULL;
        const char *image = json_string_value(json_object_get(md, "image-name"));
        char cfg[4200];
        snprintf(cfg, sizeof cfg, "%s/%s/userdata/config.json", dir, id);
        json_t *fields = NULL;
        if (comb_fsroot_read(pc->r, cfg, MAX_CONFIG, &data, &len, &e) == COMB_OK) {
            if (comb_container_fields_oci(cfg, data, len, &fields, &e) != COMB_OK)
                fields = NULL;
            free(data);
        }
        if (!fields) {
            /* created but never started: podman writes config.json at start */
            if (comb_container_list_warn(pc->l, "podman: container %s has no readable OCI config (%s)",
                     name ? name : id, e.msg))
                pc->oom = 1;
        } else if (comb_container_list_add(pc->l, "podman", id, name, image,
                       running_or_stopped(pc->r, "/run/runc/%s/state.json%s", id, ""), cfg,
                       fields)) {
            pc->oom = 1;
        }
        json_decref(md);
        if (pc->oom)
            break;
    }
    json_decref(list);
    return pc->oom;
}

typedef struct docker_ctx {
    const comb_fsroot *r;
    comb_container_list *l;
    int oom;
} docker_ctx;

static int docker_container(void *ud, const char *cfgpath)
{
    docker_ctx *dc = ud;
    char *c1 = NULL, *c2 = NULL;
    size_t l1 = 0, l2 = 0;
    comb_err e;
    char hc[4200];
    snprintf(hc, sizeof hc, "%.*s/hostconfig.json", (int)(strrchr(cfgpath, '/') - cfgpath), cfgpath);
    json_t *fields = NULL;
    if (comb_fsroot_read(dc->r, cfgpath, MAX_CONFIG, &c1, &l1, &e) == COMB_OK) {
        comb_err e2;
        if (comb_fsroot_read(dc->r, hc, MAX_CONFIG, &c2, &l2, &e2) != COMB_OK)
            c2 = NULL;
        if (comb_container_fields_docker(cfgpath, c1, l1, c2, l2, &fields, &e) != COMB_OK)
            fields = NULL;
    }
    json_t *doc = c1 ? json_loadb(c1, l1, 0, NULL) : NULL;
    free(c1);
    free(c2);
    if (!fields) {
        json_decref(doc);
        if (comb_container_list_warn(dc->l, "docker: %s%s", e.msg, ""))
            dc->oom = 1;
        return dc->oom;
    }
    const char *id = json_string_value(json_object_get(doc, "ID"));
    const char *name = json_string_value(json_object_get(doc, "Name"));
    if (name && *name == '/')
        name++;
    const char *image = json_string_value(json_object_get(json_object_get(doc, "Config"), "Image"));
    int running = json_is_true(json_object_get(json_object_get(doc, "State"), "Running"));
    char idbuf[129];
    if (!id) {
        /* the directory name is the id */
        const char *end = strrchr(cfgpath, '/'), *b = end;
        while (b > cfgpath && b[-1] != '/')
            b--;
        snprintf(idbuf, sizeof idbuf, "%.*s", (int)(end - b), b);
        id = idbuf;
    }
    if (comb_container_list_add(dc->l, "docker", id, name, image, running ? "running" : "stopped", cfgpath, fields))
        dc->oom = 1;
    json_decref(doc);
    return dc->oom;
}

static int containerd_task(void *ud, const char *cfgpath)
{
    docker_ctx *dc = ud;
    /* .../io.containerd.runtime.v2.task/<ns>/<id>/config.json */
    char ns[256] = "", id[256] = "";
    const char *base = strstr(cfgpath, "io.containerd.runtime.v2.task/");
    if (!base || sscanf(base + 30, "%255[^/]/%255[^/]", ns, id) != 2)
        return 0;
    if (!strcmp(ns, "moby"))
        return 0; /* Docker's own containers, reported from Docker's files */
    char *data;
    size_t len;
    comb_err e;
    json_t *fields = NULL, *doc = NULL;
    if (comb_fsroot_read(dc->r, cfgpath, MAX_CONFIG, &data, &len, &e) == COMB_OK) {
        if (comb_container_fields_oci(cfgpath, data, len, &fields, &e) != COMB_OK)
            fields = NULL;
        doc = json_loadb(data, len, 0, NULL);
        free(data);
    }
    if (!fields) {
        json_decref(doc);
        return comb_container_list_warn(dc->l, "containerd: %s%s", e.msg, "") ? (dc->oom = 1) : 0;
    }
    json_t *ann = json_object_get(doc, "annotations");
    const char *type = json_string_value(json_object_get(ann, "io.kubernetes.cri.container-type"));
    if (type && !strcmp(type, "sandbox")) {
        json_decref(fields);
        json_decref(doc);
        return 0; /* the pod's pause container */
    }
    const char *name = json_string_value(json_object_get(ann, "io.kubernetes.cri.container-name"));
    const char *image = json_string_value(json_object_get(ann, "io.kubernetes.cri.image-name"));
    char full[600];
    if (name) {
        const char *pod = json_string_value(json_object_get(ann, "io.kubernetes.cri.sandbox-name"));
        snprintf(full, sizeof full, "%s/%s", pod ? pod : ns, name);
        name = full;
    }
    if (comb_container_list_add(dc->l, "containerd", id, name, image, "running", cfgpath, fields))
        dc->oom = 1;
    json_decref(doc);
    return dc->oom;
}

void comb_podman_glob(const comb_fsroot *r, const char *const *podman_roots, size_t npodman_roots,
                      const char *suffix, int (*fn)(void *ud, const char *path), void *ud,
                      const int *stop)
{
    static const char *const default_roots[] = {
        "/var/lib/containers/storage",
        "/root/.local/share/containers/storage",
        "/home/*/.local/share/containers/storage",
    };
    char pat[4200];
    for (size_t i = 0; i < 3 + npodman_roots && !*stop; i++) {
        const char *root = i < 3 ? default_roots[i] : podman_roots[i - 3];
        snprintf(pat, sizeof pat, "%s/%s", root, suffix);
        comb_fsroot_glob(r, pat, fn, ud);
    }
}

comb_code comb_containers_discover(const comb_fsroot *r, const char *const *podman_roots,
                                   size_t npodman_roots, comb_container_list *out, comb_err *err)
{
    memset(out, 0, sizeof *out);
    podman_ctx pc = { r, out, 0 };
    comb_podman_glob(r, podman_roots, npodman_roots, "*-containers/containers.json", podman_store,
                     &pc, &pc.oom);
    docker_ctx dc = { r, out, pc.oom };
    if (!dc.oom)
        comb_fsroot_glob(r, "/var/lib/docker/containers/*/config.v2.json", docker_container, &dc);
    if (!dc.oom)
        comb_fsroot_glob(r, "/run/containerd/io.containerd.runtime.v2.task/*/*/config.json",
                         containerd_task, &dc);
    if (dc.oom) {
        comb_containers_free(out);
        return comb_fail(err, COMB_ENOMEM, "containers: out of memory");
    }
    /* the same podman store may be reached twice (a symlinked home) */
    for (size_t i = 0; i < out->n; i++)
        for (size_t j = i + 1; j < out->n; j++)
            if (!strcmp(out->items[i].id, out->items[j].id) &&
                !strcmp(out->items[i].engine, out->items[j].engine)) {
                comb_container *c = &out->items[j];
                free(c->engine), free(c->id), free(c->name), free(c->image), free(c->state),
                    free(c->config), json_decref(c->fields);
                memmove(c, c + 1, (out->n - j - 1) * sizeof *c);
                out->n--;
                j--;
            }
    return COMB_OK;
}

void comb_containers_free(comb_container_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        comb_container *c = &l->items[i];
        free(c->engine);
        free(c->id);
        free(c->name);
        free(c->image);
        free(c->state);
        free(c->config);
        json_decref(c->fields);
    }
    free(l->items);
    for (size_t i = 0; i < l->nwarnings; i++)
        free(l->warnings[i]);
    free(l->warnings);
    memset(l, 0, sizeof *l);
}
