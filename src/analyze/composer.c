/* composer.c - PHP packages installed by Composer.
 *
 * Reads composer.lock (getcomposer.org/doc/01-basic-usage.md, "packages" and
 * "packages-dev" arrays) and vendor/composer/installed.json (Composer 1: a
 * top-level array of packages; Composer 2: {"packages": [...]}) anywhere in
 * the image. Each entry with a string "name" ("vendor/project") and
 * "version" (as given, e.g. "v6.3.1" or "dev-main") becomes a
 * COMB_PKG_COMPOSER record with name "vendor/project"; the "license" array
 * (or a plain string) is joined with " OR " (Composer's meaning of several
 * licenses). packages-dev and Composer 2's dev packages are reported as
 * well and not marked: the record model has no dev flag, and a dev package
 * present in an image is still installed code. The first author's name goes
 * to maintainer. Not read: composer.json (ranges, not versions), PEAR, PHP
 * extensions.
 */
#include "analyze/analyzer.h"

#include <jansson.h>
#include <string.h>

#define COMPOSER_MAX_SIZE (64u << 20)
#define COMPOSER_MAX_STR 4096
#define COMPOSER_MAX_PKGS 200000
#define COMPOSER_MAX_LICENSES 16

static int wants(const comb_entry *e)
{
    const char *p = e->path;
    size_t n = strlen(p);
    if ((n == 13 && memcmp(p, "composer.lock", 13) == 0) ||
        (n > 13 && memcmp(p + n - 14, "/composer.lock", 14) == 0))
        return COMB_WANT_BUFFER;
    static const char inst[] = "vendor/composer/installed.json";
    size_t il = sizeof inst - 1;
    if ((n == il && memcmp(p, inst, il) == 0) ||
        (n > il && p[n - il - 1] == '/' && memcmp(p + n - il, inst, il) == 0))
        return COMB_WANT_BUFFER;
    return COMB_WANT_NO;
}

static const char *str_ok(const json_t *v)
{
    if (!json_is_string(v))
        return NULL;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0 || n > COMPOSER_MAX_STR || strlen(s) != n)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20)
            return NULL;
    return s;
}

static const char *license_of(comb_emit *out, const json_t *o)
{
    const json_t *l = json_object_get(o, "license");
    const char *s = str_ok(l);
    if (s)
        return comb_emit_strdup(out, s);
    if (!json_is_array(l))
        return NULL;
    char buf[COMPOSER_MAX_STR];
    size_t used = 0;
    for (size_t i = 0; i < json_array_size(l) && i < COMPOSER_MAX_LICENSES; i++) {
        s = str_ok(json_array_get(l, i));
        if (!s)
            continue;
        size_t sl = strlen(s);
        if (used + (used ? 4 : 0) + sl + 1 > sizeof buf)
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

typedef struct ctx {
    comb_emit *out;
    size_t emitted, skipped;
    int oom, limited;
} ctx;

static void walk(ctx *c, const json_t *arr)
{
    for (size_t i = 0; i < json_array_size(arr); i++) {
        if (c->oom || c->limited)
            return;
        const json_t *o = json_array_get(arr, i);
        const char *name = json_is_object(o) ? str_ok(json_object_get(o, "name")) : NULL;
        const char *version = json_is_object(o) ? str_ok(json_object_get(o, "version")) : NULL;
        if (!name || !version) {
            c->skipped++;
            continue;
        }
        if (c->emitted >= COMPOSER_MAX_PKGS) {
            comb_emit_warn(c->out, "more than %u packages; the rest is ignored",
                           COMPOSER_MAX_PKGS);
            c->limited = 1;
            return;
        }
        comb_pkg *p = comb_emit_pkg(c->out, COMB_PKG_COMPOSER);
        if (!p || !(p->name = comb_emit_strdup(c->out, name)) ||
            !(p->version = comb_emit_strdup(c->out, version))) {
            c->oom = 1;
            return;
        }
        p->license = license_of(c->out, o);
        const json_t *authors = json_object_get(o, "authors");
        const json_t *a0 = json_is_array(authors) ? json_array_get(authors, 0) : NULL;
        const char *an = json_is_object(a0) ? str_ok(json_object_get(a0, "name")) : NULL;
        if (an)
            p->maintainer = comb_emit_strdup(c->out, an);
        c->emitted++;
    }
}

static comb_code on_buffer(comb_emit *out, const comb_entry *e, const uint8_t *data,
                           size_t len, comb_err *err)
{
    json_error_t jerr;
    json_t *root = json_loadb((const char *)data, len, 0, &jerr);
    if (!root)
        return comb_fail(err, COMB_EFORMAT, "%s: invalid JSON at line %d: %s", e->path,
                         jerr.line, jerr.text);
    comb_code rc = COMB_OK;
    ctx c = { .out = out };
    int found = 0;
    if (json_is_array(root)) { /* Composer 1 installed.json */
        found = 1;
        walk(&c, root);
    } else if (json_is_object(root)) {
        const json_t *pk = json_object_get(root, "packages");
        const json_t *dev = json_object_get(root, "packages-dev");
        if (json_is_array(pk)) {
            found = 1;
            walk(&c, pk);
        }
        if (json_is_array(dev)) {
            found = 1;
            walk(&c, dev);
        }
    }
    if (!found) {
        rc = comb_fail(err, COMB_EFORMAT, "%s: no \"packages\" array", e->path);
        goto done;
    }
    if (c.oom) {
        rc = comb_fail(err, COMB_ENOMEM, "%s: out of memory", e->path);
        goto done;
    }
    if (c.skipped)
        comb_emit_warn(out, "%zu entries without name or version skipped", c.skipped);
done:
    json_decref(root);
    return rc;
}

const comb_analyzer comb_analyzer_composer = {
    .name = "composer",
    .wants = wants,
    .max_size = COMPOSER_MAX_SIZE,
    .on_buffer = on_buffer,
};
