/* cmd_agent.c - `comb agent`: collect this node's inventory on a schedule,
 * spool it durably and deliver it to comb server, backing off while the
 * server is unreachable (docs/SERVER.md). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent.h"
#include "cli/cli.h"
#include "compliance/bench.h"
#include "compliance/bench_report.h"
#include "compliance/containers.h"
#include "core/http.h"
#include "inventory/inventory.h"

#define MAX_BACKOFF_MS 60000

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

void help_agent(void)
{
    fputs("usage: comb agent --server URL --token-file FILE --spool DIR [options]\n"
          "\n"
          "Collect this node's inventory (comb inventory) every --interval seconds,\n"
          "write it to the spool directory (fsync'd) and deliver the spool to comb\n"
          "server, oldest first. While the server is unreachable records stay in the\n"
          "spool and delivery is retried with exponential backoff (1 s doubling to\n"
          "60 s); nothing is dropped. Runs until SIGINT/SIGTERM, or --count.\n"
          "\n"
          "Options:\n"
          "      --server URL         https://HOST:PORT of comb server\n"
          "      --token-file FILE    an operator's API token (POST /api/v1/tokens)\n"
          "      --spool DIR          the spool directory (created 0700)\n"
          "      --node NAME          this node's name (default: the host name)\n"
          "      --cacert FILE        trust this PEM certificate bundle for the server\n"
          "      --client-cert FILE   present this TLS client certificate ...\n"
          "      --client-key FILE    ... with this key\n"
          "      --interval SECONDS   between inventories (default 300; 0.1 to 86400)\n"
          "      --bench              with each inventory, also run comb bench (every\n"
          "                           benchmark) and send its JSON report\n"
          "      --count N            stop after N inventories once the spool is\n"
          "                           delivered (default: run until a signal)\n"
          "  -q, --quiet              no progress messages\n"
          "  -h, --help               this help\n"
          "\n"
          "Exit codes: 0 success, 1 the spool or token cannot be read, 2 usage error,\n"
          "5 internal error.\n",
          stdout);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int read_token(const char *file, char *tok, size_t n)
{
    FILE *f = fopen(file, "r");
    if (!f || !fgets(tok, (int)n, f)) {
        if (f)
            fclose(f);
        cli_error("%s: cannot read the token", file);
        return EXIT_INPUT;
    }
    fclose(f);
    tok[strcspn(tok, "\r\n")] = '\0';
    return EXIT_OK;
}

static int spool_inventory(const char *spool, int quiet)
{
    comb_inventory_opts io = { 0 };
    json_t *doc;
    comb_err err = { 0 };
    if (comb_inventory_collect(&io, &doc, &err)) {
        if (!quiet)
            cli_warning("inventory: %s", err.msg);
        return -1;
    }
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!text)
        return -1;
    comb_code rc = comb_spool_put(spool, "inventory", text, strlen(text), &err);
    free(text);
    if (rc && !quiet)
        cli_warning("spool: %s", err.msg);
    return rc ? -1 : 0;
}

/* `comb bench` (every benchmark) as its JSON report, spooled as "bench". */
static int spool_bench(const char *spool, int quiet)
{
    comb_bench_opts bo = { 0 };
    comb_bench_report *rep = NULL;
    comb_err err = { 0 };
    char *text = NULL;
    size_t len = 0;
    comb_code rc = comb_bench_run(&bo, &rep, &err);
    if (!rc) {
        FILE *m = open_memstream(&text, &len);
        rc = m ? comb_bench_write_json(rep, m, &err) : comb_fail(&err, COMB_ENOMEM, "out of memory");
        if (m && fclose(m) && !rc)
            rc = comb_fail(&err, COMB_ENOMEM, "out of memory");
        comb_bench_report_free(rep);
    }
    if (!rc)
        rc = comb_spool_put(spool, "bench", text, len, &err);
    free(text);
    if (rc && !quiet)
        cli_warning("bench: %s", err.msg);
    return rc ? -1 : 0;
}

int cmd_agent(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "server", required_argument, NULL, 'S' },
        { "token-file", required_argument, NULL, 't' },
        { "spool", required_argument, NULL, 's' },
        { "node", required_argument, NULL, 'n' },
        { "cacert", required_argument, NULL, 'c' },
        { "client-cert", required_argument, NULL, 'C' },
        { "client-key", required_argument, NULL, 'K' },
        { "interval", required_argument, NULL, 'i' },
        { "count", required_argument, NULL, 'N' },
        { "bench", no_argument, NULL, 'B' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    comb_agent_target t = { 0 };
    const char *token_file = NULL, *spool = NULL;
    char node[256] = "", token[256];
    double interval = 300;
    long count = 0;
    int quiet = 0, bench = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'S': t.server = optarg; break;
        case 't': token_file = optarg; break;
        case 's': spool = optarg; break;
        case 'n': snprintf(node, sizeof node, "%s", optarg); break;
        case 'c': t.cacert = optarg; break;
        case 'C': t.client_cert = optarg; break;
        case 'K': t.client_key = optarg; break;
        case 'i': {
            char *end;
            errno = 0;
            interval = strtod(optarg, &end);
            if (errno || *end || !(interval >= 0.1 && interval <= 86400)) {
                cli_error("--interval: \"%s\" is not a number of seconds from 0.1 to 86400", optarg);
                return EXIT_USAGE;
            }
            break;
        }
        case 'N':
            if (cli_parse_int("--count", optarg, 1, 1000000, &count))
                return EXIT_USAGE;
            break;
        case 'q': quiet = 1; break;
        case 'B': bench = 1; break;
        case 'h': help_agent(); return EXIT_OK;
        default: return cli_bad_option(c, argv, "agent");
        }
    }
    if (optind < argc || !t.server || !token_file || !spool) {
        cli_error("--server, --token-file and --spool are needed; see 'comb help agent'");
        return EXIT_USAGE;
    }
    if (strncmp(t.server, "https://", 8) && strncmp(t.server, "http://", 7)) {
        cli_error("--server: \"%s\" is not an https:// URL", t.server);
        return EXIT_USAGE;
    }
    if (!*node && gethostname(node, sizeof node - 1))
        snprintf(node, sizeof node, "node");
    if (!comb_container_safe_id(node)) {
        cli_error("--node: \"%s\" is not a plain name (letters, digits, '.', '-', '_')", node);
        return EXIT_USAGE;
    }
    t.node = node;
    int ec = read_token(token_file, token, sizeof token);
    if (ec)
        return ec;
    t.token = token;
    if (mkdir(spool, 0700) && errno != EEXIST) {
        cli_error("%s: cannot create: %s", spool, strerror(errno));
        return EXIT_INPUT;
    }
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    long made = 0;
    long long next_collect = now_ms(), next_send = now_ms();
    unsigned backoff = 0;
    while (!stop) {
        long long now = now_ms();
        if ((!count || made < count) && now >= next_collect) {
            if (spool_inventory(spool, quiet) == 0)
                made++;
            if (bench)
                spool_bench(spool, quiet);
            next_collect = now + (long long)(interval * 1000);
        }
        if (now_ms() >= next_send) {
            size_t sent;
            comb_err err = { 0 };
            comb_code rc = comb_spool_deliver(spool, &t, &sent, &err);
            if (rc == COMB_OK) {
                if (backoff && !quiet)
                    fprintf(stderr, "comb: agent: server back, %zu records delivered\n", sent);
                backoff = 0;
                if (count && made >= count)
                    break; /* all produced and delivered */
                next_send = next_collect; /* right after the next inventory */
            } else {
                backoff = backoff ? (backoff * 2 > MAX_BACKOFF_MS ? MAX_BACKOFF_MS : backoff * 2) : 1000;
                if (!quiet)
                    fprintf(stderr, "comb: agent: %s; %ld spooled, retry in %u ms\n", err.msg,
                            comb_spool_count(spool), backoff);
                next_send = now_ms() + backoff;
            }
        }
        long long wake = next_send;
        if ((!count || made < count) && next_collect < wake)
            wake = next_collect;
        long long d = wake - now_ms();
        comb_sleep_ms((unsigned)(d < 10 ? 10 : d > 1000 ? 1000 : d));
    }
    if (!quiet)
        fprintf(stderr, "comb: agent: %ld inventories collected, %ld waiting in the spool\n", made,
                comb_spool_count(spool));
    return EXIT_OK;
}
