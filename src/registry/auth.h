/* auth.h - registry authentication: parsing WWW-Authenticate challenges
 * (Basic, and Bearer with realm/service/scope as in the distribution token
 * spec) and finding credentials for a registry.
 *
 * Credentials are looked up, first hit wins, in
 *   $REGISTRY_AUTH_FILE, ${XDG_RUNTIME_DIR}/containers/auth.json,
 *   ${DOCKER_CONFIG:-~/.docker}/config.json
 * In each file: credHelpers[registry] (runs docker-credential-NAME get),
 * then auths[registry].auth (base64 "user:password"), then credsStore.
 * Docker Hub is also found under "https://index.docker.io/v1/". */
#ifndef COMB_REGISTRY_AUTH_H
#define COMB_REGISTRY_AUTH_H

#include <stddef.h>

#include "core/error.h"

enum comb_auth_scheme { COMB_AUTH_NONE = 0, COMB_AUTH_BASIC, COMB_AUTH_BEARER };

typedef struct comb_auth_challenge {
    enum comb_auth_scheme scheme;
    char realm[1024];
    char service[256];
    char scope[512];
} comb_auth_challenge;

/* Parse one WWW-Authenticate value (len bytes, need not be NUL-terminated).
 * Takes the first Bearer or Basic challenge; quoted strings may hold
 * escapes and commas. Bounded: over-long values are errors, not truncated. */
comb_code comb_auth_parse_challenge(const char *hdr, size_t len, comb_auth_challenge *out,
                                    comb_err *err);

typedef struct comb_cred {
    char user[256];
    char secret[4096];
    char source[300]; /* where it came from, for messages (never the secret) */
} comb_cred;

/* Look up credentials for `registry` (e.g. "docker.io", "127.0.0.1:5000").
 * *found = 0 without error when there are none. A broken file or a failing
 * helper is an error naming the file or helper. */
comb_code comb_cred_lookup(const char *registry, comb_cred *out, int *found, comb_err *err);

/* Parse a docker config / containers auth.json document for `registry`
 * (used by comb_cred_lookup; exposed for tests and the fuzzer). *helper
 * receives a helper name when the file delegates to one. */
comb_code comb_cred_parse_file(const char *json, size_t len, const char *registry, comb_cred *out,
                               int *found, char *helper, size_t helpersz, comb_err *err);

#endif
