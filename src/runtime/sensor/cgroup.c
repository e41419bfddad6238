/* cgroup.c - container ids from cgroup paths; see cgroup.h. */
#include "runtime/sensor/cgroup.h"

#include <string.h>

static int is_hex64(const char *s, size_t n)
{
    if (n != COMB_CONTAINER_ID_LEN)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static int has_prefix(const char *s, size_t n, const char *p)
{
    size_t m = strlen(p);
    return n >= m && !memcmp(s, p, m);
}

/* One path component: the id it names, or NULL. */
static const char *component_id(const char *s, size_t n, const char **runtime)
{
    static const struct {
        const char *prefix, *runtime;
    } kinds[] = {
        { "libpod-", "podman" },
        { "docker-", "docker" },
        { "cri-containerd-", "containerd" },
        { "crio-", "cri-o" },
    };
    if (n > 6 && !memcmp(s + n - 6, ".scope", 6))
        n -= 6;
    if (has_prefix(s, n, "libpod-conmon-") || has_prefix(s, n, "crio-conmon-"))
        return NULL;
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        size_t pl = strlen(kinds[k].prefix);
        if (has_prefix(s, n, kinds[k].prefix) && is_hex64(s + pl, n - pl)) {
            *runtime = kinds[k].runtime;
            return s + pl;
        }
    }
    if (is_hex64(s, n)) { /* cgroupfs drivers: the bare id */
        *runtime = "container";
        return s;
    }
    return NULL;
}

int comb_cgroup_container_id(const char *path, char id[COMB_CONTAINER_ID_LEN + 1],
                             const char **runtime)
{
    const char *found = NULL, *rt = NULL;
    for (const char *p = path; p && *p;) {
        while (*p == '/')
            p++;
        const char *e = p;
        while (*e && *e != '/')
            e++;
        const char *r;
        const char *c = component_id(p, (size_t)(e - p), &r);
        if (c) {
            found = c;
            rt = r;
        }
        p = e;
    }
    if (!found)
        return 0;
    /* "/docker/<id>" is docker's cgroupfs layout */
    if (rt && !strcmp(rt, "container") && found >= path + 8 && !memcmp(found - 8, "/docker/", 8))
        rt = "docker";
    memcpy(id, found, COMB_CONTAINER_ID_LEN);
    id[COMB_CONTAINER_ID_LEN] = '\0';
    if (runtime)
        *runtime = rt;
    return 1;
}

int comb_cgroup_v2_path(const char *text, char *out, size_t outsz)
{
    for (const char *line = text; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        if (n >= 3 && !memcmp(line, "0::", 3)) {
            if (n - 3 >= outsz)
                return -1;
            memcpy(out, line + 3, n - 3);
            out[n - 3] = '\0';
            return 0;
        }
        line = nl ? nl + 1 : NULL;
    }
    return -1;
}
