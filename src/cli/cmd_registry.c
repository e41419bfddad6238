/* cmd_registry.c - `comb registry serve|gc`: the OCI registry server
 * (docs/REGISTRY-SERVER.md). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "registry/server/access.h"
#include "registry/server/server.h"
#include "trust/trust.h"
#include "vuln/finding.h"
#include <openssl/crypto.h>
#include <openssl/rand.h>

void help_registry(void)
{
    fputs("usage: comb registry serve --root DIR [--listen ADDR:PORT] [options]\n"
          "       comb registry gc --root DIR [--grace SECONDS]\n"
          "       comb registry user add --root DIR NAME [--sysadmin] --password-stdin\n"
          "       comb registry robot add --root DIR NAME --project P --actions pull[,push,delete]\n"
          "       comb registry project set --root DIR NAME [--public] [--immutable-tags]\n"
          "                                 [--require-signature KEY.pub] [--scan-on-push]\n"
          "                                 [--block-severity SEV]\n"
          "       comb registry member set --root DIR --project P --user U --role ROLE\n"
          "       comb registry audit --root DIR [--limit N]\n"
          "       comb registry rescan --root DIR --scan-db PATH [--webhook URL]\n"
          "       comb registry promote REGISTRY/REPO@DIGEST --to dev|test|prod\n"
          "                             [--insecure] [--username U --password-stdin]\n"
          "\n"
          "serve runs an OCI Distribution Spec v1.1 registry (pull, push with monolithic,\n"
          "chunked and resumable uploads, cross-repository mount, tags with pagination,\n"
          "catalog, delete, the referrers API) storing blobs under DIR/blobs and metadata\n"
          "in DIR/meta.db, until SIGINT or SIGTERM. It prints \"listening on ADDR:PORT\"\n"
          "once ready (a port of 0 picks a free one). gc removes blobs that no manifest\n"
          "refers to and abandoned uploads; serve runs it every --gc-interval seconds.\n"
          "\n"
          "Options:\n"
          "  --root DIR              data directory (created when absent)\n"
          "  --listen ADDR:PORT      numeric address and port (default 127.0.0.1:5000)\n"
          "  --tls-cert FILE         serve HTTPS with this PEM certificate ...\n"
          "  --tls-key FILE          ... and its PEM private key\n"
          "  --max-upload SIZE       largest blob accepted (default 16G)\n"
          "  --max-connections N     concurrent connections (default 256; 64 per address)\n"
          "  --timeout SECONDS       idle time before a connection is closed (default 120)\n"
          "  --gc-interval SECONDS   collect garbage this often while serving (default 3600;\n"
          "                          0 never)\n"
          "  --grace SECONDS         keep unreferenced blobs this long (default 3600), so\n"
          "                          pushes under way are never broken\n"
          "  --auth                  require credentials: Basic (users, robots) or bearer\n"
          "                          tokens from GET /token; roles per project\n"
          "  --service NAME          the token audience (default comb-registry)\n"
          "  --scan-db PATH          vulnerability database (comb db) for scan on push\n"
          "  --webhook URL           POST events (push, delete, scan_completed,\n"
          "                          policy_violation) as JSON; --webhook-retries N\n"
          "                          further attempts on errors, 429, 5xx (default 5)\n"
          "  --rate N --burst B      at most N requests per second per client (user or\n"
          "                          address), bursts of B; then 429 with Retry-After\n"
          "\n"
          "Roles (per project, the first component of a repository name): guest pulls;\n"
          "developer pulls and pushes; maintainer also deletes and sets the environment\n"
          "tags dev, test, prod; admin also manages. A robot gets exactly --actions on\n"
          "one project; its secret is generated and printed once. A public project lets\n"
          "anyone pull; immutable tags are never moved or deleted. The audit log lists\n"
          "logins, pulls, pushes, deletes and refusals. With --require-signature, an\n"
          "image of the project is served only if a cosign signature or Sigstore bundle\n"
          "attached to it verifies with that key (checked cryptographically at each pull).\n"
          "With --scan-on-push (and serve --scan-db), pushed images are scanned for\n"
          "vulnerabilities; the result is attached as an OCI referrer (artifactType\n"
          "application/vnd.comb.scan.v1+json), and --block-severity refuses pulls of\n"
          "images with findings at or above SEV (and of images not scanned yet).\n"
          "rescan scans every scanned image again (after `comb db update`) and reports\n"
          "images now at or above their project's limit as policy_violation webhooks.\n"
          "\n"
          "Exit codes: 0 success, 1 the root could not be opened or the address bound,\n"
          "2 usage error, 5 internal error.\n",
          stdout);
}

enum {
    O_ROOT = 0x300, O_LISTEN, O_CERT, O_KEY, O_MAXUP, O_MAXCONN, O_TIMEOUT, O_GCI, O_GRACE,
    O_AUTH, O_SERVICE, O_RATE, O_BURST, O_PWSTDIN, O_SYSADMIN, O_PROJECT, O_ACTIONS, O_PUBLIC,
    O_IMMUTABLE, O_USER, O_ROLE, O_LIMIT, O_REQSIG, O_SCANDB, O_SCANPUSH, O_BLOCKSEV,
    O_WEBHOOK, O_WHRETRIES, O_TO
};

typedef struct admin_args {
    const char *name, *project, *actions, *user, *role, *sigkey, *to;
    int password_stdin, sysadmin, is_public, immutable, scan_on_push, block_severity;
    long limit;
} admin_args;

static void print_line(void *ctx, const char *line)
{
    (void)ctx;
    puts(line);
}

static int admin(const char *sub, const char *verb, const char *root, const admin_args *a)
{
    comb_access *acc;
    comb_err err;
    comb_code rc = comb_access_open(root, &acc, &err);
    if (rc != COMB_OK) {
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    int ret = EXIT_OK;
    char pw[1024] = "";
    if (!strcmp(sub, "user") && !strcmp(verb, "add")) {
        if (!a->name || !a->password_stdin) {
            cli_error("registry user add needs NAME and --password-stdin");
            ret = EXIT_USAGE;
            goto out;
        }
        if (!fgets(pw, sizeof pw, stdin))
            pw[0] = '\0';
        pw[strcspn(pw, "\r\n")] = '\0';
        rc = comb_access_user_add(acc, a->name, pw, 0, a->sysadmin, &err);
    } else if (!strcmp(sub, "robot") && !strcmp(verb, "add")) {
        int bits = a->actions ? comb_actions_parse(a->actions) : -1;
        if (!a->name || !a->project || bits <= 0) {
            cli_error("registry robot add needs NAME, --project and --actions pull,push,delete");
            ret = EXIT_USAGE;
            goto out;
        }
        unsigned char r[24];
        if (RAND_bytes(r, sizeof r) != 1) {
            ret = EXIT_INTERNAL;
            goto out;
        }
        for (size_t i = 0; i < sizeof r; i++)
            snprintf(pw + 2 * i, 3, "%02x", r[i]);
        char name[128];
        snprintf(name, sizeof name, "robot$%s", a->name);
        rc = comb_access_user_add(acc, name, pw, 1, 0, &err);
        if (rc == COMB_OK)
            rc = comb_access_member_set(acc, a->project, name, bits, &err);
        if (rc == COMB_OK)
            printf("%s\t%s\n", name, pw);
    } else if (!strcmp(sub, "project") && !strcmp(verb, "set")) {
        if (!a->name) {
            cli_error("registry project set needs NAME");
            ret = EXIT_USAGE;
            goto out;
        }
        rc = comb_access_project_set(acc, a->name, a->is_public, a->immutable, &err);
        char *pem = NULL;
        if (rc == COMB_OK && a->sigkey) {
            comb_key *k;
            FILE *f = fopen(a->sigkey, "r");
            pem = calloc(1, 65536);
            size_t n = f && pem ? fread(pem, 1, 65535, f) : 0;
            if (f)
                fclose(f);
            if (!n || comb_key_parse_public((unsigned char *)pem, n, a->sigkey, &k, &err) != COMB_OK) {
                if (!n)
                    comb_fail(&err, COMB_EIO, "%s: cannot read a public key", a->sigkey);
                rc = err.code;
            } else {
                comb_key_free(k);
            }
        }
        if (rc == COMB_OK)
            rc = comb_access_project_keys(acc, a->name, pem, &err);
        free(pem);
        if (rc == COMB_OK)
            rc = comb_access_project_scan(acc, a->name, a->scan_on_push, a->block_severity, &err);
    } else if (!strcmp(sub, "member") && !strcmp(verb, "set")) {
        int bits = a->role ? comb_role_actions(a->role) : -1;
        if (!a->project || !a->user || bits < 0) {
            cli_error("registry member set needs --project, --user and --role "
                      "guest|developer|maintainer|admin");
            ret = EXIT_USAGE;
            goto out;
        }
        rc = comb_access_member_set(acc, a->project, a->user, bits, &err);
    } else if (!strcmp(sub, "audit")) {
        rc = comb_access_audit_list(acc, a->limit, print_line, NULL, &err);
    } else {
        cli_error("'registry %s %s' is not a command; see 'comb help registry'", sub, verb ? verb : "");
        ret = EXIT_USAGE;
        goto out;
    }
    if (rc != COMB_OK) {
        cli_error("%s", err.msg);
        ret = cli_exit_code(rc);
    }
out:
    OPENSSL_cleanse(pw, sizeof pw);
    comb_access_close(acc);
    return ret;
}

static int serve(comb_rs_config *cfg)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* threads started below inherit it */
    signal(SIGPIPE, SIG_IGN);
    comb_rs *s;
    comb_err err;
    unsigned port = 0;
    comb_code rc = comb_rs_start(cfg, &s, &port, &err);
    if (rc != COMB_OK) {
        cli_error("%s", err.msg);
        return cli_exit_code(rc) == EXIT_USAGE ? EXIT_USAGE : cli_exit_code(rc);
    }
    char host[128];
    snprintf(host, sizeof host, "%s", cfg->listen);
    char *colon = strrchr(host, ':');
    if (colon)
        *colon = '\0';
    printf("listening on %s:%u\n", host[0] ? host : "0.0.0.0", port);
    fflush(stdout);
    int sig;
    sigwait(&set, &sig);
    comb_rs_stop(s);
    return EXIT_OK;
}

/* `comb registry promote REGISTRY/REPO@DIGEST --to ENV`: the environment
 * tag ENV now names that manifest (the registry decides who may). */
static int promote(const char *target, const char *env, cli_registry *reg)
{
    if (!target || !env || (strcmp(env, "dev") && strcmp(env, "test") && strcmp(env, "prod"))) {
        cli_error("registry promote needs REGISTRY/REPO@DIGEST and --to dev|test|prod");
        return EXIT_USAGE;
    }
    int ex = cli_registry_finish(reg);
    if (ex)
        return ex;
    comb_ref ref;
    comb_err err;
    comb_registry *r = NULL;
    unsigned char *data = NULL;
    size_t len;
    char mt[128], digest[72];
    comb_code rc = comb_ref_parse(target, &ref, &err);
    if (rc == COMB_OK && !ref.digest[0])
        rc = comb_fail(&err, COMB_EINVAL, "%s: promote an image by digest (REPO@sha256:...)", target);
    if (rc == COMB_OK)
        rc = comb_registry_open(&ref, &reg->opts, &r, &err);
    if (rc == COMB_OK)
        rc = comb_registry_manifest(r, ref.digest, &data, &len, mt, sizeof mt, digest, &err);
    if (rc == COMB_OK)
        rc = comb_registry_put_manifest(r, env, mt, data, len, NULL, &err);
    free(data);
    comb_registry_close(r);
    if (rc != COMB_OK) {
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    printf("%s/%s:%s -> %s\n", ref.registry, ref.repo, env, digest);
    return EXIT_OK;
}

int cmd_registry(int argc, char **argv)
{
    if (argc < 2) {
        help_registry();
        return EXIT_USAGE;
    }
    const char *sub = argv[1];
    static const char *const subs[] = {"serve",  "gc",    "user",   "robot",  "project",
                                       "member", "audit", "rescan", "promote"};
    int known = 0;
    for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
        known |= !strcmp(sub, subs[i]);
    if (!known) {
        cli_error("'%s' is not a registry command; see 'comb help registry'", sub);
        return EXIT_USAGE;
    }
    static const struct option opts[] = {
        {"root", required_argument, NULL, O_ROOT},
        {"listen", required_argument, NULL, O_LISTEN},
        {"tls-cert", required_argument, NULL, O_CERT},
        {"tls-key", required_argument, NULL, O_KEY},
        {"max-upload", required_argument, NULL, O_MAXUP},
        {"max-connections", required_argument, NULL, O_MAXCONN},
        {"timeout", required_argument, NULL, O_TIMEOUT},
        {"gc-interval", required_argument, NULL, O_GCI},
        {"grace", required_argument, NULL, O_GRACE},
        {"auth", no_argument, NULL, O_AUTH},
        {"service", required_argument, NULL, O_SERVICE},
        {"rate", required_argument, NULL, O_RATE},
        {"burst", required_argument, NULL, O_BURST},
        {"password-stdin", no_argument, NULL, O_PWSTDIN},
        {"sysadmin", no_argument, NULL, O_SYSADMIN},
        {"project", required_argument, NULL, O_PROJECT},
        {"actions", required_argument, NULL, O_ACTIONS},
        {"public", no_argument, NULL, O_PUBLIC},
        {"immutable-tags", no_argument, NULL, O_IMMUTABLE},
        {"user", required_argument, NULL, O_USER},
        {"role", required_argument, NULL, O_ROLE},
        {"limit", required_argument, NULL, O_LIMIT},
        {"require-signature", required_argument, NULL, O_REQSIG},
        {"scan-db", required_argument, NULL, O_SCANDB},
        {"webhook", required_argument, NULL, O_WEBHOOK},
        {"to", required_argument, NULL, O_TO},
        CLI_REGISTRY_LONGOPTS,
        {"webhook-retries", required_argument, NULL, O_WHRETRIES},
        {"scan-on-push", no_argument, NULL, O_SCANPUSH},
        {"block-severity", required_argument, NULL, O_BLOCKSEV},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    comb_rs_config cfg = {.listen = "127.0.0.1:5000", .gc_interval = 3600, .gc_grace = 3600,
                          .webhook_retries = 5};
    admin_args aa = {.limit = 100};
    cli_registry reg = {0};
    long v;
    int c;
    /* "user add NAME": the verb is argv[2] for the admin commands */
    int skip = strcmp(sub, "serve") && strcmp(sub, "gc") && strcmp(sub, "audit") &&
                       strcmp(sub, "rescan") && strcmp(sub, "promote") ? 2 : 1;
    if (argc <= skip) {
        cli_error("registry %s needs a verb; see 'comb help registry'", sub);
        return EXIT_USAGE;
    }
    const char *verb = skip == 2 ? argv[2] : NULL;
    optind = 1;
    while ((c = getopt_long(argc - skip, argv + skip, ":h", opts, NULL)) != -1) {
        switch (c) {
        case O_AUTH: cfg.auth = 1; break;
        case O_SERVICE: cfg.service = optarg; break;
        case O_RATE:
        case O_BURST:
            if (cli_parse_int(c == O_RATE ? "--rate" : "--burst", optarg, 1, 1000000, &v))
                return EXIT_USAGE;
            *(c == O_RATE ? &cfg.rate : &cfg.burst) = (double)v;
            break;
        case O_PWSTDIN: /* user add, and promote's registry login */
            aa.password_stdin = 1;
            cli_registry_option(&reg, OPT_PASSWORD_STDIN, NULL);
            break;
        case O_SYSADMIN: aa.sysadmin = 1; break;
        case O_PROJECT: aa.project = optarg; break;
        case O_ACTIONS: aa.actions = optarg; break;
        case O_PUBLIC: aa.is_public = 1; break;
        case O_IMMUTABLE: aa.immutable = 1; break;
        case O_USER: aa.user = optarg; break;
        case O_REQSIG: aa.sigkey = optarg; break;
        case O_SCANDB: cfg.scan_db = optarg; break;
        case O_TO: aa.to = optarg; break;
        case O_WEBHOOK: cfg.webhook = optarg; break;
        case O_WHRETRIES:
            if (cli_parse_int("--webhook-retries", optarg, 0, 20, &v))
                return EXIT_USAGE;
            cfg.webhook_retries = (int)v;
            break;
        case O_SCANPUSH: aa.scan_on_push = 1; break;
        case O_BLOCKSEV: {
            comb_severity sev;
            if (comb_severity_parse(optarg, &sev) || sev == COMB_SEV_UNKNOWN) {
                cli_error("--block-severity: \"%s\" is not NEGLIGIBLE, LOW, MEDIUM, HIGH or CRITICAL",
                          optarg);
                return EXIT_USAGE;
            }
            aa.block_severity = (int)sev;
            break;
        }
        case O_ROLE: aa.role = optarg; break;
        case O_LIMIT:
            if (cli_parse_int("--limit", optarg, 1, 10000000, &aa.limit))
                return EXIT_USAGE;
            break;
        case O_ROOT: cfg.root = optarg; break;
        case O_LISTEN: cfg.listen = optarg; break;
        case O_CERT: cfg.tls_cert = optarg; break;
        case O_KEY: cfg.tls_key = optarg; break;
        case O_MAXUP:
            if (cli_parse_size(optarg, &cfg.max_upload)) {
                cli_error("--max-upload %s: not a size", optarg);
                return EXIT_USAGE;
            }
            break;
        case O_MAXCONN:
            if (cli_parse_int("--max-connections", optarg, 1, 65536, &v))
                return EXIT_USAGE;
            cfg.max_connections = (unsigned)v;
            break;
        case O_TIMEOUT:
            if (cli_parse_int("--timeout", optarg, 1, 86400, &v))
                return EXIT_USAGE;
            cfg.timeout = (unsigned)v;
            break;
        case O_GCI:
            if (cli_parse_int("--gc-interval", optarg, 0, 86400 * 30, &v))
                return EXIT_USAGE;
            cfg.gc_interval = (unsigned)v;
            break;
        case O_GRACE:
            if (cli_parse_int("--grace", optarg, 0, 86400 * 365, &v))
                return EXIT_USAGE;
            cfg.gc_grace = (unsigned)v;
            break;
        case 'h': help_registry(); return EXIT_OK;
        default: {
            int r = cli_registry_option(&reg, c, optarg);
            if (r < 0)
                return EXIT_USAGE;
            if (r == 0)
                return cli_bad_option(c, argv + skip, "registry");
        }
        }
    }
    if (optind < argc - skip)
        aa.name = argv[skip + optind];
    if (!strcmp(sub, "promote"))
        return promote(aa.name, aa.to, &reg);
    if (!cfg.root) {
        cli_error("registry %s needs --root DIR", sub);
        return EXIT_USAGE;
    }
    if (!strcmp(sub, "serve")) {
        if (cfg.rate && !cfg.burst)
            cfg.burst = cfg.rate;
        return serve(&cfg);
    }
    if (!strcmp(sub, "rescan")) {
        if (!cfg.scan_db) {
            cli_error("registry rescan needs --scan-db PATH");
            return EXIT_USAGE;
        }
        unsigned n;
        comb_err err;
        comb_code rc = comb_rs_rescan(cfg.root, cfg.scan_db, cfg.webhook, cfg.webhook_retries, &n, &err);
        if (rc != COMB_OK) {
            cli_error("%s", err.msg);
            return cli_exit_code(rc);
        }
        printf("rescanned %u image(s)\n", n);
        return EXIT_OK;
    }
    if (strcmp(sub, "gc"))
        return admin(sub, verb, cfg.root, &aa);
    comb_rs_gc_stats st;
    comb_err err;
    comb_code rc = comb_rs_gc_root(cfg.root, cfg.gc_grace, cfg.upload_ttl, &st, &err);
    if (rc != COMB_OK) {
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    printf("removed %lu blob(s), %llu bytes; %lu abandoned upload(s)\n", st.blobs_removed,
           st.bytes_freed, st.uploads_removed);
    return EXIT_OK;
}
