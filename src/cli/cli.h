/* cli.h - shared by the subcommands: exit codes and reporting. */
#ifndef COMB_CLI_H
#define COMB_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "registry/client.h"

/* Documented exit codes (see docs/comb.1 and `comb --help`). */
enum {
    EXIT_OK = 0,
    EXIT_INPUT = 1,    /* the target could not be read: I/O, malformed, not found */
    EXIT_USAGE = 2,    /* bad command line */
    EXIT_LIMIT = 3,    /* a configured limit was exceeded */
    EXIT_DIGEST = 4,   /* content does not match its digest */
    EXIT_INTERNAL = 5, /* out of memory or internal error */
    EXIT_UNVERIFIED = 6, /* comb verify: no valid signature by a trusted key, or policy reject */
    EXIT_AUTH = 7,     /* a registry refused access (HTTP 401/403) */
};

int cli_exit_code(comb_code code);
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* getopt_long returned ':' (a value is missing) or '?' (unknown option):
 * report it in comb's format and return EXIT_USAGE. */
int cli_bad_option(int c, char **argv, const char *cmd);
/* "4096", "64K", "10M", "2G" -> bytes (> 0); 0 on success, -1 if not a size. */
int cli_parse_size(const char *s, uint64_t *out);
/* An integer option's value in [min, max]; reports a bad one itself (naming
 * opt) and returns -1, else 0. */
int cli_parse_int(const char *opt, const char *s, long min, long max, long *out);

/* Registry options shared by `comb scan` and `comb sbom` (docs/REGISTRY.md). */
enum { OPT_USERNAME = 0x200, OPT_PASSWORD_STDIN, OPT_INSECURE, OPT_MIRROR, OPT_TIMEOUT };
#define CLI_REGISTRY_LONGOPTS                                              \
    { "username", required_argument, NULL, OPT_USERNAME },                 \
    { "password-stdin", no_argument, NULL, OPT_PASSWORD_STDIN },           \
    { "insecure", no_argument, NULL, OPT_INSECURE },                       \
    { "registry-mirror", required_argument, NULL, OPT_MIRROR },            \
    { "timeout", required_argument, NULL, OPT_TIMEOUT }
typedef struct cli_registry {
    comb_registry_opts opts;
    int password_stdin;
    char password[4096];
    char mirrors[2048];
} cli_registry;
/* 1: c was a registry option (handled), 0: not one, -1: bad value (reported). */
int cli_registry_option(cli_registry *r, int c, const char *arg);
/* After option parsing: reads --password-stdin; 0 or an exit code. */
int cli_registry_finish(cli_registry *r);
void cli_registry_help(FILE *out);

int cmd_sbom(int argc, char **argv);
void help_sbom(void);
int cmd_scan(int argc, char **argv);
void help_scan(void);

int cmd_db(int argc, char **argv);
void help_db(void);
int cmd_config(int argc, char **argv);
void help_config(void);
int cmd_bench(int argc, char **argv);
void help_bench(void);
int cmd_watch(int argc, char **argv);
void help_watch(void);
int cmd_segment(int argc, char **argv);
void help_segment(void);
int cmd_replay(int argc, char **argv);
void help_replay(void);
/* -r FILE and -f json|text of watch and replay: 0, or -1 after reporting
 * the usage error. files holds CLI_WATCH_MAX_RULE_FILES. */
#define CLI_WATCH_MAX_RULE_FILES 64
int cli_watch_rules_format(int opt, const char *arg, const char **files, size_t *nfiles,
                           int *json);
/* Load rules files (none: the built-in rules), compile, warn about what
 * cannot run; an exit code (EXIT_OK on success). Shared by watch and replay. */
struct comb_ruleset;
int cli_watch_load_rules(struct comb_ruleset *rs, const char **files, size_t n, int quiet);
int cmd_inventory(int argc, char **argv);
void help_inventory(void);
int cmd_server(int argc, char **argv);
void help_server(void);
int cmd_agent(int argc, char **argv);
void help_agent(void);
int cmd_key(int argc, char **argv);
void help_key(void);
int cmd_sign(int argc, char **argv);
void help_sign(void);
int cmd_verify(int argc, char **argv);
void help_verify(void);
int cmd_registry(int argc, char **argv);
void help_registry(void);
int cmd_policy(int argc, char **argv);
void help_policy(void);
int cmd_admission(int argc, char **argv);
void help_admission(void);
/* argv[1] must be the one subcommand `sub` of `cmd`: -1 when it is, else
 * EXIT_OK after --help or EXIT_USAGE (reported). */
int cli_subcommand(int argc, char **argv, const char *cmd, const char *sub, void (*help)(void));
/* The admission policy of `comb policy check` and `comb admission serve`:
 * FILE (NULL: the default) with --level LEVEL (NULL: the policy's) and the
 * --image-store REF=DIR mappings applied. EXIT_OK or an exit code (reported). */
struct comb_adm_policy;
int cli_load_adm_policy(const char *path, const char *level, const char *const *stores,
                        size_t nstores, struct comb_adm_policy *p);

/* The password of a private key: --password-file, COMB_PASSWORD, or a
 * terminal prompt (twice with confirm); non-empty. EXIT_OK or an exit code
 * (reported). The caller cleanses buf. */
int cli_read_password(const char *file, int confirm, char *buf, size_t size, size_t *len);
/* `comb sign`/`comb verify` targets, "DIR[:TAG]" of an OCI layout, or an
 * image in a registry ("registry://REF" or REF naming a registry host; ropts
 * its options) (platform:
 * pick among several manifests): the store, the image's descriptor, its
 * repository (from reference, else its ref name when that is a full
 * reference; "" when unknown). */
struct comb_store;
struct comb_desc;
int cli_open_signed_target(const char *target, const char *reference, const char *platform,
                           const comb_registry_opts *ropts, struct comb_store **st, struct comb_desc *image, char *repo,
                           size_t rsize);

#endif
