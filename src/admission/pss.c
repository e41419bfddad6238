/* pss.c - the Pod Security Standards controls over one pod spec.
 *
 * Semantics follow the PSS text: pod-level fields (spec.securityContext) and
 * container-level fields (containers, initContainers, ephemeralContainers)
 * are both checked, and for runAsNonRoot and the restricted seccomp
 * control a container may leave the field unset when the pod level sets
 * it. Windows pods (spec.os.name: windows) are exempt from the restricted
 * privilege escalation, seccomp and capabilities controls. The allowed
 * lists (capabilities, sysctls, SELinux types, volume types) are data in
 * rules/admission/pss.yaml. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission/admission.h"
#include "core/embedded.h"
#include "core/yaml_json.h"

enum {
    C_HOSTPROCESS, C_HOSTNS, C_PRIVILEGED, C_CAPS_B, C_HOSTPATH, C_HOSTPORTS, C_APPARMOR,
    C_SELINUX, C_PROCMOUNT, C_SECCOMP_B, C_SYSCTLS,
    C_VOLUMES, C_PRIVESC, C_NONROOT, C_RUNASUSER, C_SECCOMP_R, C_CAPS_R, C_COUNT
};

static const comb_pss_control controls[C_COUNT] = {
    {"hostProcess", "HostProcess", "baseline",
     "remove securityContext.windowsOptions.hostProcess or set it to false"},
    {"hostNamespaces", "Host Namespaces", "baseline",
     "remove hostNetwork, hostPID and hostIPC or set them to false"},
    {"privileged", "Privileged Containers", "baseline",
     "remove securityContext.privileged or set it to false"},
    {"capabilities_baseline", "Capabilities", "baseline",
     "add only capabilities of the baseline list (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, "
     "FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT)"},
    {"hostPathVolumes", "HostPath Volumes", "baseline",
     "replace hostPath volumes with emptyDir, configMap, secret or a persistentVolumeClaim"},
    {"hostPorts", "Host Ports", "baseline", "remove hostPort (or set it to 0); use a Service"},
    {"appArmorProfile", "AppArmor", "baseline",
     "use appArmorProfile.type RuntimeDefault or Localhost (annotation runtime/default or "
     "localhost/NAME), or leave it unset"},
    {"seLinuxOptions", "SELinux", "baseline",
     "leave seLinuxOptions.user and .role unset and use type container_t, container_init_t, "
     "container_kvm_t or container_engine_t (or unset)"},
    {"procMount", "/proc Mount Type", "baseline",
     "remove securityContext.procMount or set it to Default"},
    {"seccompProfile_baseline", "Seccomp", "baseline",
     "do not use seccompProfile.type Unconfined; use RuntimeDefault or Localhost"},
    {"sysctls", "Sysctls", "baseline", "set only sysctls of the safe set"},
    {"restrictedVolumes", "Volume Types", "restricted",
     "use only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, "
     "projected and secret volumes"},
    {"allowPrivilegeEscalation", "Privilege Escalation", "restricted",
     "set securityContext.allowPrivilegeEscalation to false in every container"},
    {"runAsNonRoot", "Running as Non-root", "restricted",
     "set spec.securityContext.runAsNonRoot to true (or in every container)"},
    {"runAsUser", "Running as Non-root user", "restricted",
     "set runAsUser to a non-zero UID or leave it unset"},
    {"seccompProfile_restricted", "Seccomp", "restricted",
     "set spec.securityContext.seccompProfile.type to RuntimeDefault or Localhost (or in "
     "every container)"},
    {"capabilities_restricted", "Capabilities", "restricted",
     "set securityContext.capabilities.drop to [\"ALL\"] and add at most NET_BIND_SERVICE"},
};

const comb_pss_control *comb_pss_controls(size_t *n)
{
    *n = C_COUNT;
    return controls;
}

/* ---- rules data (embedded, parsed once) ---- */

static pthread_once_t data_once = PTHREAD_ONCE_INIT;
static json_t *data_root;

static void data_load(void)
{
    const comb_embedded_file *f = comb_embedded_find("admission/pss.yaml");
    char msg[256];
    if (f)
        data_root = comb_yaml_to_json(f->data, f->len, msg, sizeof msg);
}

static int in_list(const char *list, const char *s)
{
    json_t *a = json_object_get(data_root, list);
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        if (json_is_string(v) && !strcmp(json_string_value(v), s))
            return 1;
    }
    return 0;
}

/* ---- helpers over the object ---- */

static int is_true(json_t *v) { return json_is_true(v); }

static const char *str(json_t *v) { return json_is_string(v) ? json_string_value(v) : NULL; }

/* An integer given as a JSON number or (from YAML) a decimal string; 1 when it is one. */
static int int_value(json_t *v, long long *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 1;
    }
    const char *s = str(v);
    if (!s || !*s)
        return 0;
    char *end;
    long long x = strtoll(s, &end, 10);
    if (*end)
        return 0;
    *out = x;
    return 1;
}

static json_t *get2(json_t *o, const char *a, const char *b)
{
    return json_object_get(json_object_get(o, a), b);
}

static json_t *get3(json_t *o, const char *a, const char *b, const char *c)
{
    return json_object_get(get2(o, a, b), c);
}

typedef struct ctx {
    comb_violations *out;
    comb_adm_mode mode;
    const char *spec_path, *meta_path;
    comb_code rc;
} ctx;

#define ADD(c, ctl, path, ...)                                                                \
    do {                                                                                     \
        if ((c)->rc == COMB_OK)                                                              \
            (c)->rc = comb_violation_add((c)->out, controls[ctl].id, controls[ctl].title,      \
                                         controls[ctl].level, controls[ctl].fix, (c)->mode,    \
                                         path, __VA_ARGS__);                                 \
    } while (0)

static const char *const container_lists[] = {"containers", "initContainers",
                                              "ephemeralContainers"};

typedef void (*container_fn)(ctx *c, json_t *ctr, const char *cpath, const char *name,
                             json_t *spec, void *ud);

static void each_container(ctx *c, json_t *spec, container_fn fn, void *ud)
{
    for (size_t l = 0; l < 3; l++) {
        json_t *arr = json_object_get(spec, container_lists[l]);
        size_t i;
        json_t *ctr;
        json_array_foreach(arr, i, ctr) {
            if (!json_is_object(ctr))
                continue;
            char cpath[256];
            snprintf(cpath, sizeof cpath, "%s.%s[%zu]", c->spec_path, container_lists[l], i);
            const char *name = str(json_object_get(ctr, "name"));
            fn(c, ctr, cpath, name ? name : "", spec, ud);
        }
    }
}

/* ---- baseline ---- */

/* A container-level boolean that must not be true: securityContext.<field>. */
static void forbid_true(ctx *c, json_t *ctr, const char *cp, const char *name, int ctl,
                        const char *field)
{
    json_t *v = json_object_get(ctr, "securityContext");
    char p[320];
    snprintf(p, sizeof p, "%s.securityContext.%s", cp, field);
    const char *dot = strchr(field, '.');
    v = dot ? get2(v, "windowsOptions", dot + 1) : json_object_get(v, field);
    if (is_true(v))
        ADD(c, ctl, p, "container \"%s\" must not set securityContext.%s=true", name, field);
}

static void hostprocess_ctr(ctx *c, json_t *ctr, const char *cp, const char *name, json_t *s,
                            void *ud)
{
    (void)s, (void)ud;
    forbid_true(c, ctr, cp, name, C_HOSTPROCESS, "windowsOptions.hostProcess");
}

static void privileged_ctr(ctx *c, json_t *ctr, const char *cp, const char *name, json_t *s,
                           void *ud)
{
    (void)s, (void)ud;
    forbid_true(c, ctr, cp, name, C_PRIVILEGED, "privileged");
}

static void caps_baseline_ctr(ctx *c, json_t *ctr, const char *cp, const char *name, json_t *s,
                              void *ud)
{
    (void)s, (void)ud;
    json_t *add = get3(ctr, "securityContext", "capabilities", "add");
    size_t i;
    json_t *v;
    json_array_foreach(add, i, v) {
        const char *cap = str(v);
        if (cap && in_list("baseline_capabilities", cap))
            continue;
        char p[320];
        snprintf(p, sizeof p, "%s.securityContext.capabilities.add[%zu]", cp, i);
        ADD(c, C_CAPS_B, p, "container \"%s\" must not add capability \"%s\"", name,
            cap ? cap : "?");
    }
}

static void hostports_ctr(ctx *c, json_t *ctr, const char *cp, const char *name, json_t *s,
                          void *ud)
{
    (void)s, (void)ud;
    size_t i;
    json_t *port;
    json_array_foreach(json_object_get(ctr, "ports"), i, port) {
        json_t *hp = json_object_get(port, "hostPort");
        long long x = 0;
        if (!hp || json_is_null(hp) || (int_value(hp, &x) && x == 0))
            continue;
        char p[320];
        snprintf(p, sizeof p, "%s.ports[%zu].hostPort", cp, i);
        ADD(c, C_HOSTPORTS, p, "container \"%s\" must not use hostPort %lld", name, x);
    }
}

static int apparmor_type_ok(json_t *t)
{
    const char *s = str(t);
    return !t || json_is_null(t) || (s && (!strcmp(s, "RuntimeDefault") || !strcmp(s, "Localhost")));
}

static void apparmor_ctr(ctx *c, json_t *ctr, const char *cp, const char *name, json_t *s,
                         void *ud)
{
    (void)s, (void)ud;
    json_t *t = get3(ctr, "securityContext", "appArmorProfile", "type");
    if (!apparmor_type_ok(t)) {
        char p[320];
        snprintf(p, sizeof p, "%s.securityContext.appArmorProfile.type", cp);
        ADD(c, C_APPARMOR, p, "container \"%s\" must not set appArmorProfile.type=%s", name,
            str(t) ? str(t) : "?");
    }
}

static void selinux_opts(ctx *c, json_t *se, const char *base, const char *who)
{
    if (!json_is_object(se))
        return;
    char p[384];
    json_t *t = json_object_get(se, "type");
    const char *ts = str(t);
    if (t && !json_is_null(t) && !(ts && (!*ts || in_list("selinux_types", ts)))) {
        snprintf(p, sizeof p, "%s.seLinuxOptions.type", base);
        ADD(c, C_SELINUX, p, "%s must not set seLinuxOptions.type=\"%s\"", who, ts ? ts : "?");
    }
    static const char *const fields[] = {"user", "role"};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(se, fields[i]);
        if (v && !json_is_null(v) && !(str(v) && !*str(v))) {
            snprintf(p, sizeof p, "%s.seLinuxOptions.%s", base, fields[i]);
            ADD(c, C_SELINUX, p, "%s must not set seLinuxOptions.%s", who, fields[i]);
        }
    }
}

static void selinux_ctr(ctx *c, json_t *ctr, const char *cp, const char *name, json_t *s,
                        void *ud)
{
    (void)s, (void)ud;
    char base[300], who[300];
    snprintf(base, sizeof base, "%s.securityContext", cp);
    snprintf(who, sizeof who, "container \"%s\"", name);
    selinux_opts(c, get2(ctr, "securityContext", "seLinuxOptions"), base, who);
}

static void procmount_ctr(ctx *c, json_t *ctr, const char *cp, const char *name, json_t *s,
                          void *ud)
{
    (void)s, (void)ud;
    json_t *pm = get2(ctr, "securityContext", "procMount");
    if (pm && !json_is_null(pm) && !(str(pm) && !strcmp(str(pm), "Default"))) {
        char p[320];
        snprintf(p, sizeof p, "%s.securityContext.procMount", cp);
        ADD(c, C_PROCMOUNT, p, "container \"%s\" must not set procMount=%s", name,
            str(pm) ? str(pm) : "?");
    }
}

static const char *seccomp_type(json_t *sc)
{
    json_t *sp = json_object_get(sc, "seccompProfile");
    json_t *t = json_object_get(sp, "type");
    if (!t || json_is_null(t))
        return NULL;
    return str(t) ? str(t) : "?";
}

static void seccomp_b_ctr(ctx *c, json_t *ctr, const char *cp, const char *name, json_t *s,
                          void *ud)
{
    (void)s, (void)ud;
    const char *t = seccomp_type(json_object_get(ctr, "securityContext"));
    if (t && !strcmp(t, "Unconfined")) {
        char p[320];
        snprintf(p, sizeof p, "%s.securityContext.seccompProfile.type", cp);
        ADD(c, C_SECCOMP_B, p, "container \"%s\" must not set seccompProfile.type=Unconfined",
            name);
    }
}

/* ---- restricted ---- */

static void privesc_ctr(ctx *c, json_t *ctr, const char *cp, const char *name, json_t *s,
                        void *ud)
{
    (void)s, (void)ud;
    if (!json_is_false(get2(ctr, "securityContext", "allowPrivilegeEscalation"))) {
        char p[320];
        snprintf(p, sizeof p, "%s.securityContext.allowPrivilegeEscalation", cp);
        ADD(c, C_PRIVESC, p,
            "container \"%s\" must set securityContext.allowPrivilegeEscalation=false", name);
    }
}

static void nonroot_ctr(ctx *c, json_t *ctr, const char *cp, const char *name, json_t *s,
                        void *ud)
{
    int pod_true = *(int *)ud;
    (void)s;
    json_t *v = get2(ctr, "securityContext", "runAsNonRoot");
    char p[320];
    snprintf(p, sizeof p, "%s.securityContext.runAsNonRoot", cp);
    if (json_is_false(v))
        ADD(c, C_NONROOT, p, "container \"%s\" must not set securityContext.runAsNonRoot=false",
            name);
    else if (!is_true(v) && !pod_true)
        ADD(c, C_NONROOT, p,
            "container \"%s\" must set securityContext.runAsNonRoot=true (the pod does not)",
            name);
}

static void runasuser_ctr(ctx *c, json_t *ctr, const char *cp, const char *name, json_t *s,
                          void *ud)
{
    (void)s, (void)ud;
    long long u;
    if (int_value(get2(ctr, "securityContext", "runAsUser"), &u) && u == 0) {
        char p[320];
        snprintf(p, sizeof p, "%s.securityContext.runAsUser", cp);
        ADD(c, C_RUNASUSER, p, "container \"%s\" must not set runAsUser=0", name);
    }
}

static int seccomp_ok(const char *t)
{
    return t && (!strcmp(t, "RuntimeDefault") || !strcmp(t, "Localhost"));
}

static void seccomp_r_ctr(ctx *c, json_t *ctr, const char *cp, const char *name, json_t *s,
                          void *ud)
{
    int pod_ok = *(int *)ud;
    (void)s;
    const char *t = seccomp_type(json_object_get(ctr, "securityContext"));
    char p[320];
    snprintf(p, sizeof p, "%s.securityContext.seccompProfile.type", cp);
    if (t && !seccomp_ok(t))
        ADD(c, C_SECCOMP_R, p, "container \"%s\" must not set seccompProfile.type=%s", name, t);
    else if (!t && !pod_ok)
        ADD(c, C_SECCOMP_R, p,
            "container \"%s\" must set seccompProfile.type to RuntimeDefault or Localhost "
            "(the pod does not)", name);
}

static void caps_r_ctr(ctx *c, json_t *ctr, const char *cp, const char *name, json_t *s,
                       void *ud)
{
    (void)s, (void)ud;
    json_t *caps = get2(ctr, "securityContext", "capabilities");
    int drops_all = 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(caps, "drop"), i, v) {
        if (str(v) && !strcmp(str(v), "ALL"))
            drops_all = 1;
    }
    char p[320];
    if (!drops_all) {
        snprintf(p, sizeof p, "%s.securityContext.capabilities.drop", cp);
        ADD(c, C_CAPS_R, p, "container \"%s\" must set securityContext.capabilities.drop=[\"ALL\"]",
            name);
    }
    json_array_foreach(json_object_get(caps, "add"), i, v) {
        const char *cap = str(v);
        if (cap && in_list("restricted_capabilities", cap))
            continue;
        snprintf(p, sizeof p, "%s.securityContext.capabilities.add[%zu]", cp, i);
        ADD(c, C_CAPS_R, p, "container \"%s\" must not add capability \"%s\"", name,
            cap ? cap : "?");
    }
}

/* ---- pod level ---- */

static void pod_baseline(ctx *c, json_t *spec, json_t *meta)
{
    json_t *psc = json_object_get(spec, "securityContext");
    char p[320];

    if (is_true(get2(psc, "windowsOptions", "hostProcess"))) {
        snprintf(p, sizeof p, "%s.securityContext.windowsOptions.hostProcess", c->spec_path);
        ADD(c, C_HOSTPROCESS, p, "pod must not set windowsOptions.hostProcess=true");
    }
    each_container(c, spec, hostprocess_ctr, NULL);

    static const char *const ns[] = {"hostNetwork", "hostPID", "hostIPC"};
    for (int i = 0; i < 3; i++) {
        if (is_true(json_object_get(spec, ns[i]))) {
            snprintf(p, sizeof p, "%s.%s", c->spec_path, ns[i]);
            ADD(c, C_HOSTNS, p, "pod must not set %s=true", ns[i]);
        }
    }
    each_container(c, spec, privileged_ctr, NULL);

    size_t i;
    json_t *vol;
    json_array_foreach(json_object_get(spec, "volumes"), i, vol) {
        json_t *hp = json_object_get(vol, "hostPath");
        if (hp && !json_is_null(hp)) {
            const char *vn = str(json_object_get(vol, "name"));
            snprintf(p, sizeof p, "%s.volumes[%zu].hostPath", c->spec_path, i);
            ADD(c, C_HOSTPATH, p, "volume \"%s\" must not use hostPath", vn ? vn : "");
        }
    }
    each_container(c, spec, hostports_ctr, NULL);

    json_t *at = json_object_get(json_object_get(psc, "appArmorProfile"), "type");
    if (!apparmor_type_ok(at)) {
        snprintf(p, sizeof p, "%s.securityContext.appArmorProfile.type", c->spec_path);
        ADD(c, C_APPARMOR, p, "pod must not set appArmorProfile.type=%s", str(at) ? str(at) : "?");
    }
    each_container(c, spec, apparmor_ctr, NULL);
    const char *key;
    json_t *val;
    static const char aa[] = "container.apparmor.security.beta.kubernetes.io/";
    json_object_foreach(json_object_get(meta, "annotations"), key, val) {
        if (strncmp(key, aa, sizeof aa - 1))
            continue;
        const char *v = str(val);
        if (v && (!*v || !strcmp(v, "runtime/default") || !strncmp(v, "localhost/", 10)))
            continue;
        snprintf(p, sizeof p, "%s.annotations[%s]", c->meta_path, key);
        ADD(c, C_APPARMOR, p, "annotation %s must not be \"%s\"", key, v ? v : "?");
    }

    char base[300];
    snprintf(base, sizeof base, "%s.securityContext", c->spec_path);
    selinux_opts(c, json_object_get(psc, "seLinuxOptions"), base, "pod");
    each_container(c, spec, selinux_ctr, NULL);
    each_container(c, spec, procmount_ctr, NULL);

    json_t *sys;
    json_array_foreach(json_object_get(psc, "sysctls"), i, sys) {
        const char *n = str(json_object_get(sys, "name"));
        if (n && in_list("safe_sysctls", n))
            continue;
        snprintf(p, sizeof p, "%s.securityContext.sysctls[%zu].name", c->spec_path, i);
        ADD(c, C_SYSCTLS, p, "pod must not set sysctl \"%s\"", n ? n : "?");
    }
}

static void pod_seccomp_baseline(ctx *c, json_t *spec)
{
    const char *t = seccomp_type(json_object_get(spec, "securityContext"));
    if (t && !strcmp(t, "Unconfined")) {
        char p[320];
        snprintf(p, sizeof p, "%s.securityContext.seccompProfile.type", c->spec_path);
        ADD(c, C_SECCOMP_B, p, "pod must not set seccompProfile.type=Unconfined");
    }
    each_container(c, spec, seccomp_b_ctr, NULL);
}

static void pod_restricted(ctx *c, json_t *spec)
{
    json_t *psc = json_object_get(spec, "securityContext");
    const char *os = str(get2(spec, "os", "name"));
    int windows = os && !strcmp(os, "windows");
    char p[320];
    size_t i;
    json_t *vol;

    json_array_foreach(json_object_get(spec, "volumes"), i, vol) {
        const char *key;
        json_t *v;
        json_object_foreach(vol, key, v) {
            if (!strcmp(key, "name") || json_is_null(v) || in_list("restricted_volume_types", key))
                continue;
            const char *vn = str(json_object_get(vol, "name"));
            snprintf(p, sizeof p, "%s.volumes[%zu].%s", c->spec_path, i, key);
            ADD(c, C_VOLUMES, p, "volume \"%s\" must not use volume type %s", vn ? vn : "", key);
        }
    }
    if (!windows)
        each_container(c, spec, privesc_ctr, NULL);

    json_t *nr = json_object_get(psc, "runAsNonRoot");
    int pod_true = is_true(nr);
    if (json_is_false(nr)) {
        snprintf(p, sizeof p, "%s.securityContext.runAsNonRoot", c->spec_path);
        ADD(c, C_NONROOT, p, "pod must not set securityContext.runAsNonRoot=false");
    }
    each_container(c, spec, nonroot_ctr, &pod_true);

    long long u;
    if (int_value(json_object_get(psc, "runAsUser"), &u) && u == 0) {
        snprintf(p, sizeof p, "%s.securityContext.runAsUser", c->spec_path);
        ADD(c, C_RUNASUSER, p, "pod must not set runAsUser=0");
    }
    each_container(c, spec, runasuser_ctr, NULL);

    if (!windows) {
        const char *t = seccomp_type(psc);
        int pod_ok = seccomp_ok(t);
        if (t && !pod_ok) {
            snprintf(p, sizeof p, "%s.securityContext.seccompProfile.type", c->spec_path);
            ADD(c, C_SECCOMP_R, p, "pod must not set seccompProfile.type=%s", t);
        }
        each_container(c, spec, seccomp_r_ctr, &pod_ok);
        each_container(c, spec, caps_r_ctr, NULL);
    }
}

comb_code comb_pss_check(json_t *spec, json_t *meta, const char *spec_path,
                         const char *meta_path, comb_pss_level level, comb_adm_mode mode,
                         comb_violations *out, comb_err *err)
{
    pthread_once(&data_once, data_load);
    if (!data_root)
        return comb_fail(err, COMB_EFORMAT, "rules/admission/pss.yaml: not loadable");
    if (level == COMB_PSS_PRIVILEGED || !json_is_object(spec))
        return COMB_OK;
    ctx c = {out, mode, spec_path, meta_path, COMB_OK};
    pod_baseline(&c, spec, meta);
    if (level == COMB_PSS_BASELINE) {
        each_container(&c, spec, caps_baseline_ctr, NULL);
        pod_seccomp_baseline(&c, spec);
    } else {
        pod_restricted(&c, spec);
    }
    if (c.rc != COMB_OK)
        return comb_fail(err, c.rc, "%s: %s", spec_path,
                         c.rc == COMB_ELIMIT ? "too many violations" : "out of memory");
    return COMB_OK;
}
