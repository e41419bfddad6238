/* cmd_registry.c - `comb registry serve|gc`: the OCI registry server
 * (docs/REGISTRY-SERVER.md). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "registry/server/server.h"

void help_registry(void)
{
    fputs("usage: comb registry serve --root DIR [--listen ADDR:PORT] [options]\n"
          "       comb registry gc --root DIR [--grace SECONDS]\n"
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
          "\n"
          "Exit codes: 0 success, 1 the root could not be opened or the address bound,\n"
          "2 usage error, 5 internal error.\n",
          stdout);
}

enum { O_ROOT = 0x300, O_LISTEN, O_CERT, O_KEY, O_MAXUP, O_MAXCONN, O_TIMEOUT, O_GCI, O_GRACE };

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

int cmd_registry(int argc, char **argv)
{
    if (argc < 2) {
        help_registry();
        return EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "serve") && strcmp(sub, "gc")) {
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
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    comb_rs_config cfg = {.listen = "127.0.0.1:5000", .gc_interval = 3600, .gc_grace = 3600};
    long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, ":h", opts, NULL)) != -1) {
        switch (c) {
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
        default: return cli_bad_option(c, argv + 1, "registry");
        }
    }
    if (!cfg.root) {
        cli_error("registry %s needs --root DIR", sub);
        return EXIT_USAGE;
    }
    if (!strcmp(sub, "serve"))
        return serve(&cfg);
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
