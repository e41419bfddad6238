/* node.c - Node.js packages (npm).
 *
 * Reads:
 *   - installed packages: the package.json at the top of a package directory
 *     under node_modules (node_modules/x/package.json,
 *     node_modules/@scope/x/package.json, at any depth, nested node_modules
 *     too), and Debian's packaged modules at usr/share/nodejs/<name>/,
 *     usr/share/nodejs/@scope/<name>/, usr/lib/nodejs/... and
 *     usr/lib/<triplet>/nodejs/... (only the module's own package.json, not
 *     files deeper inside such as test fixtures). Files without a string
 *     "name" and "version" are skipped silently (they are not packages).
 *   - package-lock.json (npm docs, "package-lock.json"): lockfileVersion 1
 *     (nested "dependencies" objects, walked to a fixed depth), 2 and 3 (the
 *     "packages" map keyed by install path; 2 has both, "packages" wins).
 *     The root "" entry, "link": true entries, "dev": true entries and
 *     workspace members (keys outside node_modules/) are not reported;
 *     "optional" and "devOptional" entries are (they may be installed). An
 *     entry's "name" wins over its key (npm aliases).
 * Not read: node_modules/.package-lock.json (it repeats the installed
 * package.json files), yarn.lock, pnpm-lock.yaml, npm-shrinkwrap.json.
 * Names are the full npm name ("@scope/name"); license is a string, the
 * {"type": ...} object or the legacy array of either (joined with " OR ");
 * the author (string or {"name"}) goes to maintainer.
 */
#include "analyze/analyzer.h"

#include <jansson.h>
#include <string.h>

#define NODE_MAX_SIZE (64u << 20)      /* package-lock.json */
#define NODE_MAX_MANIFEST (8u << 20)   /* package.json */
#define NODE_MAX_STR 4096              /* longer names/versions are malformed */
#define NODE_MAX_DEPTH 64              /* lockfile v1 nesting */
#define NODE_MAX_PKGS 500000           /* per lockfile */
#define NODE_MAX_LICENSES 16

/* --- paths ---------------------------------------------------------------- */

static int is_nodejs_root(const char *p, size_t n)
{
    if ((n == 16 && memcmp(p, "usr/share/nodejs", 16) == 0) ||
        (n == 14 && memcmp(p, "usr/lib/nodejs", 14) == 0))
        return 1;
    /* usr/lib/<triplet>/nodejs */
    if (n > 15 && memcmp(p, "usr/lib/", 8) == 0 && memcmp(p + n - 7, "/nodejs", 7) == 0) {
        const char *mid = p + 8;
        size_t mn = n - 8 - 7;
        return mn > 0 && memchr(mid, '/', mn) == NULL;
    }
    return 0;
}

/* Does the directory p[0..n) end in a "node_modules" component? */
static int is_node_modules(const char *p, size_t n)
{
    if (n < 12 || memcmp(p + n - 12, "node_modules", 12) != 0)
        return 0;
    return n == 12 || p[n - 13] == '/';
}

/* Split p[0..n) into its last component [*c, n) and the parent [0, *pn). */
static void last_component(const char *p, size_t n, const char **c, size_t *pn)
{
    size_t i = n;
    while (i > 0 && p[i - 1] != '/')
        i--;
    *c = p + i;
    *pn = i ? i - 1 : 0;
}

static int is_package_root(const char *p, size_t n)
{
    /* n = length of the directory holding package.json */
    if (n == 0)
        return 0;
    const char *c1;
    size_t p1;
    last_component(p, n, &c1, &p1);
    size_t c1n = (size_t)(p + n - c1);
    if (c1n == 0 || c1 == p || c1[0] == '.')
        return 0;
    if (c1[0] != '@')
        return is_node_modules(p, p1) || is_nodejs_root(p, p1);
    return 0; /* node_modules/@scope/package.json is not a package */
}

static int is_scoped_package_root(const char *p, size_t n)
{
    const char *c1, *c2;
    size_t p1, p2;
    last_component(p, n, &c1, &p1);
    if (c1 == p || c1[0] == '.' || c1[0] == '@' || (size_t)(p + n - c1) == 0)
        return 0;
    last_component(p, p1, &c2, &p2);
    if (c2 == p || c2[0] != '@' || (size_t)(p + p1 - c2) < 2)
        return 0;
    return is_node_modules(p, p2) || is_nodejs_root(p, p2);
}

static int wants(const comb_entry *e)
{
    const char *p = e->path;
    size_t n = strlen(p);
    if (n >= 13 && memcmp(p + n - 13, "/package.json", 13) == 0) {
        size_t d = n - 13;
        if (is_package_root(p, d) || is_scoped_package_root(p, d))
            return COMB_WANT_BUFFER;
        return COMB_WANT_NO;
    }
    if ((n == 17 && memcmp(p, "package-lock.json", 17) == 0) ||
        (n > 17 && memcmp(p + n - 18, "/package-lock.json", 18) == 0))
        return COMB_WANT_BUFFER;
    return COMB_WANT_NO;
}

/* --- JSON helpers ---------------------------------------------------------- */

/* A string member that is non-empty, bounded and free of control chars. */
static const char *get_str(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        return NULL;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0 || n > NODE_MAX_STR || strlen(s) != n)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20)
            return NULL;
    return s;
}

static int get_true(const json_t *o, const char *key)
{
    return json_is_true(json_object_get(o, key));
}

static const char *license_one(const json_t *v)
{
    if (json_is_string(v)) {
        size_t n = json_string_length(v);
        const char *s = json_string_value(v);
        return n && n <= NODE_MAX_STR && strlen(s) == n ? s : NULL;
    }
    if (json_is_object(v))
        return get_str(v, "type");
    return NULL;
}

/* license: "MIT" | {"type": "MIT", "url": ...} | legacy "licenses": [...] */
static const char *license_of(comb_emit *out, const json_t *o)
{
    const char *l = license_one(json_object_get(o, "license"));
    if (l)
        return comb_emit_strdup(out, l);
    const json_t *arr = json_object_get(o, "license");
    if (!json_is_array(arr))
        arr = json_object_get(o, "licenses");
    if (!json_is_array(arr)) {
        l = license_one(arr);
        return l ? comb_emit_strdup(out, l) : NULL;
    }
    char buf[NODE_MAX_STR];
    size_t used = 0;
    size_t n = json_array_size(arr);
    for (size_t i = 0; i < n && i < NODE_MAX_LICENSES; i++) {
        const char *s = license_one(json_array_get(arr, i));
        if (!s)
            continue;
        size_t sl = strlen(s);
        size_t need = sl + (used ? 4 : 0);
        if (used + need + 1 > sizeof buf)
            break;
        if (used) {
            memcpy(buf + used, " OR ", 4);
            used += 4;
        }
        memcpy(buf + used, s, sl);
        used += sl;
    }
    return used ? comb_emit_strndup(out, buf, used) : NULL;
}

static const char *author_of(comb_emit *out, const json_t *o)
{
    const json_t *a = json_object_get(o, "author");
    if (json_is_string(a)) {
        const char *s = get_str(o, "author");
        return s ? comb_emit_strdup(out, s) : NULL;
    }
    if (json_is_object(a)) {
        const char *s = get_str(a, "name");
        return s ? comb_emit_strdup(out, s) : NULL;
    }
    return NULL;
}

static json_t *load(const uint8_t *data, size_t len, const comb_entry *e, comb_err *err)
{
    json_error_t jerr;
    json_t *root = json_loadb((const char *)data, len, 0, &jerr);
    if (!root)
        comb_fail(err, COMB_EFORMAT, "%s: invalid JSON at line %d: %s", e->path, jerr.line,
                  jerr.text);
    return root;
}

/* --- package.json ----------------------------------------------------------- */

static comb_code on_manifest(comb_emit *out, const comb_entry *e, const uint8_t *data,
                             size_t len, comb_err *err)
{
    if (len > NODE_MAX_MANIFEST) {
        comb_emit_warn(out, "package.json larger than %u bytes skipped", NODE_MAX_MANIFEST);
        return COMB_OK;
    }
    json_t *root = load(data, len, e, err);
    if (!root)
        return COMB_EFORMAT;
    comb_code rc = COMB_OK;
    if (!json_is_object(root)) {
        rc = comb_fail(err, COMB_EFORMAT, "%s: package.json is not an object", e->path);
        goto done;
    }
    const char *name = get_str(root, "name"), *version = get_str(root, "version");
    if (!name || !version)
        goto done; /* not a package (e.g. a nested "type": "module" marker) */
    comb_pkg *p = comb_emit_pkg(out, COMB_PKG_NPM);
    if (!p || !(p->name = comb_emit_strdup(out, name)) ||
        !(p->version = comb_emit_strdup(out, version))) {
        rc = comb_fail(err, COMB_ENOMEM, "%s: out of memory", e->path);
        goto done;
    }
    p->license = license_of(out, root);
    p->maintainer = author_of(out, root);
done:
    json_decref(root);
    return rc;
}

/* --- package-lock.json ----------------------------------------------------- */

typedef struct lockctx {
    comb_emit *out;
    size_t count;    /* packages emitted */
    size_t skipped;  /* malformed entries */
    int limited;     /* count limit reached */
    int deep;        /* depth limit reached */
    int oom;
} lockctx;

static void emit_lock_pkg(lockctx *c, const char *name, size_t namelen, const json_t *o)
{
    if (c->count >= NODE_MAX_PKGS) {
        if (!c->limited)
            comb_emit_warn(c->out, "more than %u packages; the rest is ignored",
                           NODE_MAX_PKGS);
        c->limited = 1;
        return;
    }
    const char *version = get_str(o, "version");
    if (!version) {
        c->skipped++;
        return;
    }
    comb_pkg *p = comb_emit_pkg(c->out, COMB_PKG_NPM);
    if (!p || !(p->name = comb_emit_strndup(c->out, name, namelen)) ||
        !(p->version = comb_emit_strdup(c->out, version))) {
        c->oom = 1;
        return;
    }
    p->license = license_of(c->out, o);
    c->count++;
}

static int valid_name(const char *s, size_t n)
{
    if (n == 0 || n > NODE_MAX_STR)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20)
            return 0;
    return 1;
}

/* lockfileVersion 1: {"dependencies": {"name": {"version", "dev",
 * "dependencies": {...}}}}; recursion bounded by NODE_MAX_DEPTH. */
static void walk_v1(lockctx *c, const json_t *deps, int depth)
{
    if (depth >= NODE_MAX_DEPTH) {
        if (!c->deep)
            comb_emit_warn(c->out, "dependencies nested deeper than %d levels ignored",
                           NODE_MAX_DEPTH);
        c->deep = 1;
        return;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)deps, key, v) {
        if (c->limited || c->oom)
            return;
        size_t kl = strlen(key);
        if (!json_is_object(v) || !valid_name(key, kl)) {
            c->skipped++;
            continue;
        }
        if (get_true(v, "dev"))
            continue; /* its nested dependencies are dev-only too */
        emit_lock_pkg(c, key, kl, v);
        const json_t *sub = json_object_get(v, "dependencies");
        if (json_is_object(sub))
            walk_v1(c, sub, depth + 1);
    }
}

/* lockfileVersion 2/3: {"packages": {"node_modules/a/node_modules/@s/b": {...}}} */
static void walk_packages(lockctx *c, const json_t *pkgs)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)pkgs, key, v) {
        if (c->limited || c->oom)
            return;
        if (key[0] == '\0')
            continue; /* the project itself */
        if (!json_is_object(v)) {
            c->skipped++;
            continue;
        }
        if (get_true(v, "link") || get_true(v, "dev"))
            continue;
        /* name from the last node_modules/ component of the install path */
        const char *last = NULL;
        for (const char *s = key; (s = strstr(s, "node_modules/")) != NULL; s += 13)
            if (s == key || s[-1] == '/')
                last = s + 13;
        if (!last)
            continue; /* workspace member or other local directory */
        const char *name = get_str(v, "name");
        size_t nl;
        if (name) {
            nl = strlen(name);
        } else {
            name = last;
            nl = strlen(last);
        }
        if (!valid_name(name, nl)) {
            c->skipped++;
            continue;
        }
        emit_lock_pkg(c, name, nl, v);
    }
}

static comb_code on_lock(comb_emit *out, const comb_entry *e, const uint8_t *data,
                         size_t len, comb_err *err)
{
    json_t *root = load(data, len, e, err);
    if (!root)
        return COMB_EFORMAT;
    comb_code rc = COMB_OK;
    lockctx c = { .out = out };
    if (!json_is_object(root)) {
        rc = comb_fail(err, COMB_EFORMAT, "%s: package-lock.json is not an object", e->path);
        goto done;
    }
    const json_t *pkgs = json_object_get(root, "packages");
    const json_t *deps = json_object_get(root, "dependencies");
    if (json_is_object(pkgs))
        walk_packages(&c, pkgs);
    else if (json_is_object(deps))
        walk_v1(&c, deps, 0);
    else if (pkgs || deps) {
        rc = comb_fail(err, COMB_EFORMAT, "%s: package-lock.json without a usable "
                       "\"packages\" or \"dependencies\" object", e->path);
        goto done;
    }
    if (c.oom) {
        rc = comb_fail(err, COMB_ENOMEM, "%s: out of memory", e->path);
        goto done;
    }
    if (c.skipped)
        comb_emit_warn(out, "%zu malformed package-lock entries skipped", c.skipped);
done:
    json_decref(root);
    return rc;
}

static comb_code on_buffer(comb_emit *out, const comb_entry *e, const uint8_t *data,
                           size_t len, comb_err *err)
{
    size_t n = strlen(e->path);
    if (n >= 17 && memcmp(e->path + n - 17, "package-lock.json", 17) == 0)
        return on_lock(out, e, data, len, err);
    return on_manifest(out, e, data, len, err);
}

const comb_analyzer comb_analyzer_node = {
    .name = "node",
    .wants = wants,
    .max_size = NODE_MAX_SIZE,
    .on_buffer = on_buffer,
};
