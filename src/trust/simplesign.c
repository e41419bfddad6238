/* simplesign.c - cosign's "simple signing" payload and image references.
 *
 * The payload (what cosign signs for an image) is JSON:
 *   {"critical":{"identity":{"docker-reference":REPO},
 *                "image":{"docker-manifest-digest":"sha256:..."},
 *                "type":"cosign container image signature"},
 *    "optional":null | {...}}
 * A parsed payload is untrusted until its signature is checked; the parser
 * only bounds and types it.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/digest.h"
#include "trust/trust.h"

int comb_ref_repository(const char *ref, char *out, size_t outsize)
{
    char buf[512];
    if (!ref || !*ref || strlen(ref) >= sizeof buf)
        return -1;
    snprintf(buf, sizeof buf, "%s", ref);
    char *at = strchr(buf, '@');
    if (at)
        *at = '\0';
    /* a tag is a colon after the last slash */
    char *slash = strrchr(buf, '/'), *colon = strrchr(buf, ':');
    if (colon && (!slash || colon > slash))
        *colon = '\0';
    for (const char *p = buf; *p; p++)
        if (!(isalnum((unsigned char)*p) || strchr("._-/:", *p)))
            return -1;
    if (!buf[0] || buf[0] == '/' || buf[strlen(buf) - 1] == '/' || strstr(buf, "//"))
        return -1;
    const char *registry = "docker.io", *path = buf;
    char first[256] = "";
    slash = strchr(buf, '/');
    if (slash && (size_t)(slash - buf) < sizeof first) {
        memcpy(first, buf, (size_t)(slash - buf));
        first[slash - buf] = '\0';
        if (strchr(first, '.') || strchr(first, ':') || !strcmp(first, "localhost")) {
            registry = first;
            path = slash + 1;
        }
    }
    for (char *p = first; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    if (!strcmp(registry, "index.docker.io") || !strcmp(registry, "registry-1.docker.io"))
        registry = "docker.io";
    for (const char *p = path; *p; p++)
        if (isupper((unsigned char)*p) || *p == ':')
            return -1; /* repository paths are lowercase, no port */
    int lib = !strcmp(registry, "docker.io") && !strchr(path, '/');
    int n = snprintf(out, outsize, "%s/%s%s", registry, lib ? "library/" : "", path);
    return n > 0 && (size_t)n < outsize ? 0 : -1;
}

char *comb_simplesign_payload(const char *ref, const char *digest, json_t *optional)
{
    json_t *p = json_pack("{s:{s:{s:s}, s:{s:s}, s:s}, s:O}", "critical", "identity",
                          "docker-reference", ref, "image", "docker-manifest-digest", digest,
                          "type", COMB_SIMPLESIGN_TYPE, "optional",
                          optional ? optional : json_null());
    if (!p)
        return NULL;
    char *s = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(p);
    return s;
}

comb_code comb_simplesign_parse(const unsigned char *data, size_t len, comb_payload *out,
                                comb_err *err)
{
    memset(out, 0, sizeof *out);
    if (len > COMB_MAX_PAYLOAD)
        return comb_fail(err, COMB_ELIMIT, "signature payload larger than %u bytes", COMB_MAX_PAYLOAD);
    json_error_t je;
    json_t *root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(root)) {
        json_decref(root);
        return comb_fail(err, COMB_EFORMAT, "signature payload: not a JSON object (%s)", je.text);
    }
    comb_code rc = COMB_OK;
    json_t *crit = json_object_get(root, "critical");
    json_t *id = json_object_get(crit, "identity");
    json_t *img = json_object_get(crit, "image");
    const char *type = json_string_value(json_object_get(crit, "type"));
    const char *ref = json_string_value(json_object_get(id, "docker-reference"));
    const char *dig = json_string_value(json_object_get(img, "docker-manifest-digest"));
    if (!json_is_object(crit) || !json_is_object(img))
        rc = comb_fail(err, COMB_EFORMAT, "signature payload: no critical.image object");
    else if (!type || strcmp(type, COMB_SIMPLESIGN_TYPE))
        rc = comb_fail(err, COMB_EFORMAT, "signature payload: critical.type is not \"%s\"",
                       COMB_SIMPLESIGN_TYPE);
    else if (!comb_digest_valid(dig))
        rc = comb_fail(err, COMB_EFORMAT,
                       "signature payload: critical.image.docker-manifest-digest is not a sha256 digest");
    else if (ref && strlen(ref) >= sizeof out->docker_reference)
        rc = comb_fail(err, COMB_ELIMIT, "signature payload: docker-reference too long");
    if (rc == COMB_OK) {
        snprintf(out->manifest_digest, sizeof out->manifest_digest, "%s", dig);
        snprintf(out->docker_reference, sizeof out->docker_reference, "%s", ref ? ref : "");
    }
    json_decref(root);
    return rc;
}
