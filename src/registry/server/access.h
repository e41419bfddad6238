/* access.h - who may do what on the registry server: users and robot
 * accounts (passwords under scrypt), projects (the first component of a
 * repository name) with their settings, roles per project as Harbor defines
 * them, bearer tokens (ES256 JWT signed by a key made at first start), the
 * audit log, and per-client rate limiting. State in ROOT/access.db and
 * ROOT/token.pem. Thread-safe. */
#ifndef COMB_REGISTRY_SERVER_ACCESS_H
#define COMB_REGISTRY_SERVER_ACCESS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/error.h"

enum {
    COMB_ACT_PULL = 1,
    COMB_ACT_PUSH = 2,
    COMB_ACT_DELETE = 4,
    COMB_ACT_PROMOTE = 8, /* set an environment tag (dev, test, prod) */
    COMB_ACT_MANAGE = 16,
    COMB_ACT_ALL = 31,
};

/* guest: pull; developer: + push; maintainer: + delete, promote; admin: all.
 * -1 if role is not one of these. */
int comb_role_actions(const char *role);
/* "pull,push" -> bits; -1 on an unknown action. */
int comb_actions_parse(const char *s);
/* bits -> "pull,push,delete" (out >= 64 bytes). */
void comb_actions_format(int bits, char *out, size_t outsz);

typedef struct comb_access comb_access;

comb_code comb_access_open(const char *root, comb_access **out, comb_err *err);
void comb_access_close(comb_access *a);

/* ---- administration (CLI against the root) */
/* Create or replace a user (robot: a robot account; sysadmin: every action
 * everywhere, the catalog). */
comb_code comb_access_user_add(comb_access *a, const char *name, const char *password, int robot,
                               int sysadmin, comb_err *err);
comb_code comb_access_project_set(comb_access *a, const char *project, int is_public,
                                  int immutable_tags, comb_err *err);
/* Pulls of images from project need a signature that verifies with this
 * public key (PEM); NULL: no such requirement. */
comb_code comb_access_project_keys(comb_access *a, const char *project, const char *pem,
                                   comb_err *err);
/* The keys (malloc'd PEM strings) required by repo's project; count. */
size_t comb_access_sigkeys(comb_access *a, const char *repo, char **pems, size_t max);
/* Scan images pushed to project; refuse pulls of images whose worst
 * finding is at or above block_severity (comb_severity; 0: never). */
comb_code comb_access_project_scan(comb_access *a, const char *project, int scan_on_push,
                                   int block_severity, comb_err *err);
void comb_access_scan_policy(comb_access *a, const char *repo, int *scan_on_push,
                             int *block_severity);
/* The result of a scan (worst comb_severity, summary JSON). */
void comb_access_scan_record(comb_access *a, const char *repo, const char *digest, int worst,
                             const char *summary);
/* Every image scanned so far (malloc'd arrays of malloc'd strings). */
comb_code comb_access_scans_list(comb_access *a, char ***repos, char ***digests, size_t *n,
                                 comb_err *err);
/* The worst severity recorded for an image; -1 if never scanned. */
int comb_access_scan_worst(comb_access *a, const char *repo, const char *digest);
/* The user's actions in project (a role's, or a robot's scoped ones). */
comb_code comb_access_member_set(comb_access *a, const char *project, const char *user,
                                 int actions, comb_err *err);

/* ---- decisions */
typedef struct comb_identity {
    char user[128];  /* "" anonymous */
    int sysadmin;
    int from_token;
    char *token_access; /* JSON text of the token's "access" (bearer), or NULL */
} comb_identity;
void comb_identity_clear(comb_identity *id);

/* Basic credentials; COMB_EAUTH when wrong. */
comb_code comb_access_login(comb_access *a, const char *user, const char *password,
                            comb_identity *id, comb_err *err);
/* A bearer token issued by this registry for `service`; COMB_EAUTH when
 * invalid, expired or for another audience. */
comb_code comb_access_bearer(comb_access *a, const char *token, const char *service,
                             comb_identity *id, comb_err *err);
/* What id may do on repository repo (roles, public projects, and for a
 * bearer the token's grant). */
int comb_access_allowed(comb_access *a, const comb_identity *id, const char *repo);
/* What id's roles allow on repo, whatever its token grants. */
int comb_access_role(comb_access *a, const comb_identity *id, const char *repo);
/* Project settings of repo's project. */
void comb_access_project(comb_access *a, const char *repo, int *is_public, int *immutable);

/* A token granting, for each "repository:NAME:ACTIONS" scope, what the
 * identity may do of what it asks; malloc'd JWT. */
comb_code comb_access_token(comb_access *a, const comb_identity *id, const char *service,
                            const char *const *scopes, size_t nscopes, unsigned ttl,
                            char **jwt, comb_err *err);

/* ---- JWT (ES256), pure: fuzzed */
/* Verify sig and times of a compact JWS against key (EVP_PKEY *), audience
 * and issuer; on success *claims is the payload (json_t *, caller decrefs). */
comb_code comb_jwt_verify(void *key, const char *tok, size_t len, const char *aud,
                          const char *iss, time_t now, void **claims, comb_err *err);

/* ---- audit log */
void comb_access_audit(comb_access *a, const char *client, const char *user, const char *action,
                       const char *target, const char *decision, int status);
/* Print the newest `limit` entries (oldest first) via cb. */
comb_code comb_access_audit_list(comb_access *a, long limit,
                                 void (*cb)(void *ctx, const char *line), void *ctx,
                                 comb_err *err);

/* ---- rate limiting: token bucket per key; 0 allowed, else seconds to
 * wait. rate 0 disables. */
unsigned comb_access_rate(comb_access *a, const char *key, double rate, double burst);

#endif
