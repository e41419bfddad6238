/* policy.c - the trust policy: which keys are trusted for which
 * repositories (docs/TRUST.md). JSON or YAML (YAML goes through the same
 * bounded libyaml-to-jansson reader as the advisory importers); unknown
 * fields are errors, so a typo never silently weakens a policy.
 *
 *   {"default": {"type": "reject"},
 *    "rules": [{"match": "registry.example.com/team/<glob>", "type": "signedBy",
 *               "keys": ["team.pub"], "identity": "matchRepository"}]}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust/trust.h"
#include "core/yaml_json.h"

#define MAX_PATTERN 512
#define MAX_KEY_PATH 4096

int comb_ref_glob_match(const char *p, const char *s)
{
    /* iterative, no recursion: one backtrack point for the last "**" and
     * one for the last "*" since (which may not cross a '/') */
    const char *any_p = NULL, *any_s = NULL, *one_p = NULL, *one_s = NULL;
    while (*s) {
        if (p[0] == '*' && p[1] == '*') {
            while (*p == '*')
                p++;
            any_p = p, any_s = s, one_p = NULL;
        } else if (*p == '*') {
            one_p = ++p, one_s = s;
        } else if (*p && (*p == '?' ? *s != '/' : *p == *s)) {
            p++, s++;
        } else if (one_p && *one_s != '/') {
            p = one_p, s = ++one_s;
        } else if (any_p) {
            p = any_p, s = ++any_s, one_p = NULL;
        } else {
            return 0;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

static void rule_free(comb_policy_rule *r)
{
    free(r->match);
    for (size_t i = 0; i < r->nkeys; i++)
        free(r->keys[i]);
    free(r->keys);
}

void comb_policy_free(comb_policy *p)
{
    if (!p)
        return;
    rule_free(&p->deflt);
    for (size_t i = 0; i < p->nrules; i++)
        rule_free(&p->rules[i]);
    free(p->rules);
    free(p);
}

static comb_code parse_rule(json_t *o, int is_default, const char *where, comb_policy_rule *r,
                            comb_err *err)
{
    memset(r, 0, sizeof *r);
    if (json_is_string(o) && is_default)
        o = json_pack("{s:s}", "type", json_string_value(o));
    else
        json_incref(o);
    comb_code rc = COMB_OK;
    if (!json_is_object(o)) {
        rc = comb_fail(err, COMB_EFORMAT, "%s: not an object", where);
        goto out;
    }
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        if (strcmp(k, "type") && strcmp(k, "keys") && strcmp(k, "identity") &&
            (is_default || strcmp(k, "match"))) {
            rc = comb_fail(err, COMB_EFORMAT, "%s: unknown field \"%.60s\"", where, k);
            goto out;
        }
    }
    const char *type = json_string_value(json_object_get(o, "type"));
    if (!type) {
        rc = comb_fail(err, COMB_EFORMAT, "%s: \"type\" missing (reject, insecureAcceptAnything or signedBy)", where);
        goto out;
    }
    if (!strcmp(type, "reject"))
        r->type = COMB_POLICY_REJECT;
    else if (!strcmp(type, "insecureAcceptAnything"))
        r->type = COMB_POLICY_ACCEPT;
    else if (!strcmp(type, "signedBy"))
        r->type = COMB_POLICY_SIGNED;
    else {
        rc = comb_fail(err, COMB_EFORMAT, "%s: unknown type \"%.60s\" (reject, insecureAcceptAnything or signedBy)",
                       where, type);
        goto out;
    }
    if (!is_default) {
        const char *m = json_string_value(json_object_get(o, "match"));
        if (!m || !*m || strlen(m) > MAX_PATTERN) {
            rc = comb_fail(err, COMB_EFORMAT, "%s: \"match\" must be a pattern of 1 to %d characters",
                           where, MAX_PATTERN);
            goto out;
        }
        if (!(r->match = strdup(m))) {
            rc = comb_fail(err, COMB_ENOMEM, "out of memory");
            goto out;
        }
    }
    json_t *id = json_object_get(o, "identity");
    if (id) {
        const char *s = json_string_value(id);
        if (s && !strcmp(s, "matchRepository"))
            r->identity = COMB_IDENTITY_REPOSITORY;
        else if (s && !strcmp(s, "any"))
            r->identity = COMB_IDENTITY_ANY;
        else {
            rc = comb_fail(err, COMB_EFORMAT, "%s: identity must be \"matchRepository\" or \"any\"", where);
            goto out;
        }
    }
    json_t *keys = json_object_get(o, "keys");
    if (keys && (!json_is_array(keys) || json_array_size(keys) > COMB_POLICY_MAX_KEYS)) {
        rc = comb_fail(err, COMB_EFORMAT, "%s: \"keys\" must be a list of at most %d key files", where,
                       COMB_POLICY_MAX_KEYS);
        goto out;
    }
    if (r->type == COMB_POLICY_SIGNED && json_array_size(keys) == 0) {
        rc = comb_fail(err, COMB_EFORMAT, "%s: signedBy needs \"keys\"", where);
        goto out;
    }
    if (r->type != COMB_POLICY_SIGNED && keys) {
        rc = comb_fail(err, COMB_EFORMAT, "%s: \"keys\" only make sense with signedBy", where);
        goto out;
    }
    if (json_array_size(keys)) {
        r->keys = calloc(json_array_size(keys), sizeof *r->keys);
        if (!r->keys) {
            rc = comb_fail(err, COMB_ENOMEM, "out of memory");
            goto out;
        }
        size_t i;
        json_array_foreach(keys, i, v) {
            const char *s = json_string_value(v);
            if (!s || !*s || strlen(s) > MAX_KEY_PATH) {
                rc = comb_fail(err, COMB_EFORMAT, "%s: keys[%zu] is not a file name", where, i);
                goto out;
            }
            if (!(r->keys[r->nkeys] = strdup(s))) {
                rc = comb_fail(err, COMB_ENOMEM, "out of memory");
                goto out;
            }
            r->nkeys++;
        }
    }
out:
    json_decref(o);
    return rc;
}

comb_code comb_policy_parse(const void *data, size_t len, int yaml, const char *name,
                            comb_policy **out, comb_err *err)
{
    if (len > COMB_POLICY_MAX_SIZE)
        return comb_fail(err, COMB_ELIMIT, "%s: larger than %u bytes", name, COMB_POLICY_MAX_SIZE);
    json_t *root;
    char msg[256] = "";
    if (yaml) {
        root = comb_yaml_to_json(data, len, msg, sizeof msg);
    } else {
        json_error_t je;
        root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
        snprintf(msg, sizeof msg, "line %d: %s", je.line, je.text);
    }
    if (!json_is_object(root)) {
        json_decref(root);
        return comb_fail(err, COMB_EFORMAT, "%s: %s", name, root ? "not a mapping" : msg);
    }
    comb_policy *p = calloc(1, sizeof *p);
    comb_code rc = p ? COMB_OK : comb_fail(err, COMB_ENOMEM, "out of memory");
    const char *k;
    json_t *v;
    if (rc == COMB_OK)
        json_object_foreach(root, k, v) {
            if (strcmp(k, "default") && strcmp(k, "rules") && strcmp(k, "version")) {
                rc = comb_fail(err, COMB_EFORMAT, "%s: unknown field \"%.60s\"", name, k);
                break;
            }
        }
    json_t *ver = json_object_get(root, "version");
    if (rc == COMB_OK && ver && !(json_is_integer(ver) && json_integer_value(ver) == 1) &&
        !(json_is_string(ver) && !strcmp(json_string_value(ver), "1")))
        rc = comb_fail(err, COMB_EUNSUPPORTED, "%s: only version 1 is known", name);
    char where[96];
    if (rc == COMB_OK) {
        json_t *d = json_object_get(root, "default");
        snprintf(where, sizeof where, "%.60s: default", name);
        if (!d)
            rc = comb_fail(err, COMB_EFORMAT, "%s: \"default\" missing (say reject to trust only the rules)", name);
        else
            rc = parse_rule(d, 1, where, &p->deflt, err);
    }
    json_t *rules = json_object_get(root, "rules");
    if (rc == COMB_OK && rules && (!json_is_array(rules) || json_array_size(rules) > COMB_POLICY_MAX_RULES))
        rc = comb_fail(err, COMB_EFORMAT, "%s: \"rules\" must be a list of at most %d rules", name,
                       COMB_POLICY_MAX_RULES);
    if (rc == COMB_OK && json_array_size(rules)) {
        p->rules = calloc(json_array_size(rules), sizeof *p->rules);
        if (!p->rules)
            rc = comb_fail(err, COMB_ENOMEM, "out of memory");
        size_t i;
        json_array_foreach(rules, i, v) {
            if (rc)
                break;
            snprintf(where, sizeof where, "%.60s: rules[%zu]", name, i);
            rc = parse_rule(v, 0, where, &p->rules[i], err);
            if (rc == COMB_OK)
                p->nrules++;
            else
                rule_free(&p->rules[i]);
        }
    }
    json_decref(root);
    if (rc) {
        comb_policy_free(p);
        return rc;
    }
    *out = p;
    return COMB_OK;
}

static long specificity(const char *pat)
{
    long lit = 0;
    int wild = 0;
    for (const char *c = pat; *c; c++) {
        if (*c == '*' || *c == '?')
            wild = 1;
        else
            lit++;
    }
    return wild ? lit : lit + 100000;
}

const comb_policy_rule *comb_policy_select(const comb_policy *p, const char *repository)
{
    const comb_policy_rule *best = NULL;
    long bs = -1;
    for (size_t i = 0; i < p->nrules; i++) {
        const comb_policy_rule *r = &p->rules[i];
        if (!comb_ref_glob_match(r->match, repository))
            continue;
        long s = specificity(r->match);
        if (s > bs)
            best = r, bs = s;
    }
    return best ? best : &p->deflt;
}
