/* cmd_server.c - `comb server`: the REST API that gathers the nodes'
 * inventories and results (docs/SERVER.md), and `comb server useradd`. */
#include <errno.h>
#include <getopt.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "server/server.h"

void help_server(void)
{
    fputs("usage: comb server --data DIR [options]\n"
          "       comb server --db URL [options]\n"
          "       comb server useradd --data DIR|--db URL --role ROLE NAME   (password on stdin)\n"
          "       comb server --routes\n"
          "\n"
          "Serve the REST API that agents send inventories, scan and bench results,\n"
          "runtime alerts and segmentation graphs to (docs/SERVER.md, docs/openapi.yaml).\n"
          "Runs until SIGINT or SIGTERM.\n"
          "\n"
          "Options:\n"
          "      --data DIR           the server's directory (its SQLite store, server.db)\n"
          "      --db URL             keep the store in PostgreSQL instead (replicas share\n"
          "                           one database): postgresql://USER@HOST:PORT/DB or a\n"
          "                           libpq conninfo; the password from PGPASSWORD or\n"
          "                           ~/.pgpass rather than the URL (ps shows arguments)\n"
          "      --listen ADDR:PORT   IPv4 address and port (default 127.0.0.1:8443)\n"
          "      --tls-cert FILE      serve HTTPS with this PEM certificate ...\n"
          "      --tls-key FILE       ... and this PEM private key\n"
          "      --client-ca FILE     mutual TLS: every request needs a client certificate\n"
          "                           signed by this PEM CA (401 otherwise)\n"
          "      --token-ttl SECONDS  lifetime of the API tokens it issues (default 3600)\n"
          "      --rate N             requests per second per client address, bursts of\n"
          "                           2N (default 50); beyond: 429\n"
          "      --ldap-url URL       also accept users the directory lets bind\n"
          "                           (ldap://HOST:PORT or ldaps://HOST:PORT)\n"
          "      --ldap-user-dn DN    the DN to bind as, with %s for the user name\n"
          "                           (uid=%s,ou=people,dc=example,dc=org)\n"
          "      --ldap-role ROLE     the role of directory users (default viewer)\n"
          "      --console DIR        serve the web console's files from DIR (GET outside\n"
          "                           /api/; docs/CONSOLE.md); without it: no console\n"
          "      --vuln-db FILE       Harbor scans (/harbor, docs/HARBOR.md): the\n"
          "                           vulnerability database (default: comb's, see comb db)\n"
          "      --harbor-queue N     Harbor scans that may wait (default 64); beyond: 503\n"
          "      --role ROLE          useradd: viewer, operator or admin\n"
          "      --routes             print every route with the least role it needs\n"
          "  -h, --help               this help\n"
          "\n"
          "Exit codes: 0 success, 1 the store or TLS files could not be read or the\n"
          "address not bound, 2 usage error, 5 internal error.\n",
          stdout);
}

static void print_route(void *ud, const char *method, const char *path, comb_role role)
{
    fprintf(ud, "%s %s %s\n", method, path, comb_role_name(role));
}

/* PostgreSQL when --db is given, else DIR/server.db. */
static int open_store(const char *data, const char *dburl, comb_store_db **db)
{
    char path[4096];
    comb_err err = { 0 };
    if (dburl) {
        comb_code rc = comb_store_open_pg(dburl, db, &err);
        if (rc)
            cli_error("%s", err.msg);
        return rc ? cli_exit_code(rc) : EXIT_OK;
    }
    if (mkdir(data, 0700) && errno != EEXIST) {
        cli_error("%s: cannot create: %s", data, strerror(errno));
        return EXIT_INPUT;
    }
    snprintf(path, sizeof path, "%s/server.db", data);
    comb_code rc = comb_store_open(path, db, &err);
    if (rc) {
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    return EXIT_OK;
}

static int useradd(const char *data, const char *dburl, const char *role, const char *name)
{
    comb_role r = comb_role_parse(role);
    if ((!data && !dburl) || !name || r == COMB_ROLE_NONE) {
        cli_error("useradd needs --data DIR or --db URL, --role viewer|operator|admin and a NAME");
        return EXIT_USAGE;
    }
    char pw[1100];
    if (!fgets(pw, sizeof pw, stdin)) {
        cli_error("useradd: no password on standard input");
        return EXIT_USAGE;
    }
    pw[strcspn(pw, "\r\n")] = '\0';
    comb_store_db *db;
    int ec = open_store(data, dburl, &db);
    if (ec)
        return ec;
    comb_err err = { 0 };
    comb_code rc = comb_store_user_put(db, name, pw, r, &err);
    OPENSSL_cleanse(pw, sizeof pw);
    comb_store_close(db);
    if (rc) {
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    return EXIT_OK;
}

int cmd_server(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "data", required_argument, NULL, 'd' },
        { "db", required_argument, NULL, 'D' },
        { "listen", required_argument, NULL, 'l' },
        { "tls-cert", required_argument, NULL, 'C' },
        { "tls-key", required_argument, NULL, 'K' },
        { "client-ca", required_argument, NULL, 'A' },
        { "token-ttl", required_argument, NULL, 'T' },
        { "rate", required_argument, NULL, 'r' },
        { "role", required_argument, NULL, 'o' },
        { "ldap-url", required_argument, NULL, 'L' },
        { "ldap-user-dn", required_argument, NULL, 'U' },
        { "ldap-role", required_argument, NULL, 'G' },
        { "console", required_argument, NULL, 'W' },
        { "vuln-db", required_argument, NULL, 'V' },
        { "harbor-queue", required_argument, NULL, 'Q' },
        { "routes", no_argument, NULL, 'R' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    comb_server_opts so = { .port = 8443 };
    const char *data = NULL, *role = NULL, *dburl = NULL;
    char addr[64] = "127.0.0.1";
    int c;
    long v;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': data = optarg; break;
        case 'D': dburl = optarg; break;
        case 'l': {
            const char *colon = strrchr(optarg, ':');
            if (!colon || (size_t)(colon - optarg) >= sizeof addr ||
                cli_parse_int("--listen port", colon + 1, 1, 65535, &v))
                return cli_error("--listen: \"%s\" is not ADDR:PORT", optarg), EXIT_USAGE;
            snprintf(addr, sizeof addr, "%.*s", (int)(colon - optarg), optarg);
            so.port = (unsigned)v;
            break;
        }
        case 'C': so.tls_cert = optarg; break;
        case 'K': so.tls_key = optarg; break;
        case 'A': so.client_ca = optarg; break;
        case 'T':
            if (cli_parse_int("--token-ttl", optarg, 1, 365L * 86400, &v))
                return EXIT_USAGE;
            so.token_ttl = v;
            break;
        case 'r':
            if (cli_parse_int("--rate", optarg, 1, 1000000, &v))
                return EXIT_USAGE;
            so.rate = (unsigned)v;
            break;
        case 'o': role = optarg; break;
        case 'L': so.ldap.url = optarg; break;
        case 'U': so.ldap.dn_template = optarg; break;
        case 'G':
            if ((so.ldap_role = comb_role_parse(optarg)) == COMB_ROLE_NONE)
                return cli_error("--ldap-role: \"%s\" is not viewer, operator or admin", optarg), EXIT_USAGE;
            break;
        case 'W': so.console = optarg; break;
        case 'V': so.vuln_db = optarg; break;
        case 'Q':
            if (cli_parse_int("--harbor-queue", optarg, 1, 4096, &v))
                return EXIT_USAGE;
            so.harbor_queue = (unsigned)v;
            break;
        case 'R': comb_server_routes(print_route, stdout); return EXIT_OK;
        case 'h': help_server(); return EXIT_OK;
        default: return cli_bad_option(c, argv, "server");
        }
    }
    if (optind < argc && !strcmp(argv[optind], "useradd")) {
        /* getopt has moved the options (before or after the word) ahead */
        if (optind + 2 < argc) {
            cli_error("useradd: unexpected argument '%s'", argv[optind + 2]);
            return EXIT_USAGE;
        }
        return useradd(data, dburl, role, optind + 1 < argc ? argv[optind + 1] : NULL);
    }
    if (optind < argc) {
        cli_error("unexpected argument '%s'; see 'comb help server'", argv[optind]);
        return EXIT_USAGE;
    }
    if (!data && !dburl) {
        cli_error("--data DIR or --db URL is needed; see 'comb help server'");
        return EXIT_USAGE;
    }
    if (!so.ldap.url != !so.ldap.dn_template) {
        cli_error("--ldap-url and --ldap-user-dn go together");
        return EXIT_USAGE;
    }
    struct stat cst;
    if (so.console && (stat(so.console, &cst) || !S_ISDIR(cst.st_mode))) {
        cli_error("--console %s: not a directory (build it: cd web && npm ci && npm run build)", so.console);
        return EXIT_USAGE;
    }
    so.address = addr;
    comb_store_db *db;
    int ec = open_store(data, dburl, &db);
    if (ec)
        return ec;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* before the server's thread starts */
    comb_server *srv;
    comb_err err = { 0 };
    comb_code rc = comb_server_start(&so, db, &srv, &err);
    if (rc) {
        comb_store_close(db);
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    fprintf(stderr, "comb: server: listening on %s://%s:%u (%s %s, schema %d)\n", so.tls_cert ? "https" : "http",
            addr, so.port, comb_store_backend(db), comb_store_label(db), comb_store_schema_version(db));
    int sig;
    sigwait(&set, &sig);
    comb_server_stop(srv);
    comb_store_close(db);
    fprintf(stderr, "comb: server: stopped\n");
    return EXIT_OK;
}
