/* cmd_agent.c - `comb agent`: collect this node's inventory (and, when
 * asked, image scans, bench reports, alerts and the segmentation graph) on
 * a schedule, spool them durably and deliver them to comb server, backing
 * off while the server is unreachable (docs/SERVER.md). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/follow.h"
#include "agent/scan.h"
#include "cli/cli.h"
#include "compliance/bench.h"
#include "compliance/bench_report.h"
#include "compliance/containers.h"
#include "core/digest.h"
#include "core/http.h"
#include "core/readfile.h"
#include "inventory/inventory.h"
#include "inventory/relations.h"
#include "inventory/scanstore.h"
#include "segment/segment.h"
#include "vuln/vulndb.h"

#define MAX_BACKOFF_MS 60000
#define ALERT_POLL_MS 1000
#define MAX_GRAPH COMB_SPOOL_MAX_RECORD /* what the server takes in one request */
#define SEGMENT_SENT ".segment-sent" /* digest of the last graph spooled */

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
          "      --scan               with each inventory, scan the images of running\n"
          "                           containers (podman://, docker://) whose digest has no\n"
          "                           result in --scan-dir yet: each digest is scanned once,\n"
          "                           its result stored there and sent as a scan record\n"
          "      --scan-dir DIR       the store of scan results (default\n"
          "                           " COMB_SCANSTORE_DEFAULT "; read by comb inventory)\n"
          "      --db PATH            vulnerability database for --scan (default as\n"
          "                           'comb scan': $XDG_DATA_HOME/comb/vuln.db)\n"
          "      --alerts FILE        follow this alert file (comb watch -o FILE, Falco JSON\n"
          "                           lines) every second: new complete lines are sent as\n"
          "                           alert records, once each, across restarts, rotation\n"
          "                           and truncation\n"
          "      --segment-db FILE    with each inventory, send the graph learned by comb\n"
          "                           segment (comb segment graph -f json) when it changed\n"
          "                           (default for the inventory's relationships:\n"
          "                           " COMB_SEGMENT_DB_DEFAULT " when it exists)\n"
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

typedef struct agent_opts {
    const char *spool;
    int quiet, bench, scan;
    const char *scan_dir, *db, *alerts, *segment_db;
} agent_opts;

static void warn_cb(void *ud, const char *msg)
{
    if (!*(const int *)ud)
        cli_warning("%s", msg);
}

/* --scan: the running images without a stored result; how many were scanned. */
static size_t spool_scans(const agent_opts *a, const json_t *inventory)
{
    comb_agent_scan_opts so = { .scan_dir = a->scan_dir, .db_path = a->db, .spool = a->spool,
                                .warn = warn_cb, .ud = (void *)&a->quiet };
    size_t n;
    comb_err err = { 0 };
    if (comb_agent_scan(&so, inventory, &n, &err) && !a->quiet)
        cli_warning("scan: %s", err.msg);
    else if (n && !a->quiet)
        fprintf(stderr, "comb: agent: %zu images scanned\n", n);
    return n;
}

static int spool_inventory(const agent_opts *a)
{
    comb_inventory_opts io = { .scan_dir = a->scan_dir, .vuln_db = a->db, .segment_db = a->segment_db };
    json_t *doc;
    comb_err err = { 0 };
    int quiet = a->quiet;
    const char *spool = a->spool;
    if (comb_inventory_collect(&io, &doc, &err)) {
        if (!quiet)
            cli_warning("inventory: %s", err.msg);
        return -1;
    }
    if (a->scan && spool_scans(a, doc)) {
        json_decref(doc); /* again, so that it shows the scans just made */
        if (comb_inventory_collect(&io, &doc, &err)) {
            if (!quiet)
                cli_warning("inventory: %s", err.msg);
            return -1;
        }
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

/* The graph of segment database db as `comb segment graph -f json` prints
 * it, or NULL (err says why; *len > MAX_GRAPH: too large to send). */
static char *segment_graph(const char *db, size_t *len, comb_err *err)
{
    seg_graph *g = seg_graph_new(0, 0);
    seg_store *st = NULL;
    char *text = NULL;
    *len = 0;
    if (!g)
        comb_fail(err, COMB_ENOMEM, "out of memory");
    else if (!seg_store_open(db, &st, err) && !seg_store_load(st, g, err))
        text = seg_graph_json(g, len, err);
    if (st)
        seg_store_close(st);
    seg_graph_free(g);
    if (text && *len > MAX_GRAPH) {
        free(text);
        text = NULL;
    }
    return text;
}

/* --segment-db: the graph as a "segmentation" record when it changed since
 * the last one spooled (its digest is kept in the spool directory). */
static void spool_segmentation(const agent_opts *a)
{
    if (access(a->segment_db, R_OK)) {
        if (!a->quiet)
            cli_warning("%s: %s", a->segment_db, strerror(errno));
        return;
    }
    size_t len = 0;
    comb_err err;
    char *graph = segment_graph(a->segment_db, &len, &err);
    if (!graph) {
        if (!a->quiet && len > MAX_GRAPH)
            cli_warning("%s: the graph is larger than %u bytes; not sent", a->segment_db, MAX_GRAPH);
        else if (!a->quiet)
            cli_warning("%s: %s", a->segment_db, err.msg);
        return;
    }
    char digest[80], last[80] = "", path[4200];
    comb_sha256 h;
    comb_sha256_init(&h);
    comb_sha256_update(&h, graph, len);
    comb_sha256_final(&h, digest);
    snprintf(path, sizeof path, "%s/%s", a->spool, SEGMENT_SENT);
    size_t ll;
    char *prev = comb_read_unsized(path, sizeof last - 1, &ll);
    if (prev)
        snprintf(last, sizeof last, "%s", prev);
    free(prev);
    comb_code rc = COMB_OK;
    if (strcmp(last, digest)) {
        rc = comb_spool_put(a->spool, "segmentation", graph, len, &err);
        int fd = rc ? -1 : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (!rc && (fd < 0 || comb_write_fd_sync(fd, digest, strlen(digest))))
            rc = comb_fail(&err, COMB_EIO, "%s: cannot write", path);
    }
    free(graph);
    if (rc && !a->quiet)
        cli_warning("segmentation: %s", err.msg);
}

/* --alerts: the new lines of the alert file; 1 when records were spooled. */
static int follow_alerts(const agent_opts *a)
{
    comb_follow_stats st;
    comb_err err = { 0 };
    comb_code rc = comb_follow_alerts(a->alerts, a->spool, &st, &err);
    if (rc && !a->quiet)
        cli_warning("alerts: %s", err.msg);
    if (!a->quiet && st.restarted)
        fprintf(stderr, "comb: agent: %s was rotated or truncated; read from its start\n", a->alerts);
    if (!a->quiet && st.dropped)
        fprintf(stderr, "comb: agent: %s: %zu lines skipped (not a JSON object, or longer than %u bytes)\n",
                a->alerts, st.dropped, COMB_FOLLOW_MAX_LINE);
    return st.records > 0;
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
        { "scan", no_argument, NULL, 'A' },
        { "scan-dir", required_argument, NULL, 'd' },
        { "db", required_argument, NULL, 'D' },
        { "alerts", required_argument, NULL, 'a' },
        { "segment-db", required_argument, NULL, 'g' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    comb_agent_target t = { 0 };
    const char *token_file = NULL, *spool = NULL;
    char node[256] = "", token[256];
    double interval = 300;
    long count = 0;
    agent_opts a = { .scan_dir = COMB_SCANSTORE_DEFAULT };
    char dbpath[PATH_MAX];
    int c;
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
        case 'q': a.quiet = 1; break;
        case 'B': a.bench = 1; break;
        case 'A': a.scan = 1; break;
        case 'd': a.scan_dir = optarg; break;
        case 'D': a.db = optarg; break;
        case 'a': a.alerts = optarg; break;
        case 'g': a.segment_db = optarg; break;
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
    if (!a.db && !(a.db = comb_vulndb_default_path(dbpath, sizeof dbpath)) && a.scan) {
        cli_error("--scan: no database path: set --db, XDG_DATA_HOME or HOME");
        return EXIT_USAGE;
    }
    if (a.scan && access(a.db, R_OK)) {
        cli_error("%s: %s; --scan needs a vulnerability database ('comb db import', 'comb db update')",
                  a.db, strerror(errno));
        return EXIT_INPUT;
    }
    int ec = read_token(token_file, token, sizeof token);
    if (ec)
        return ec;
    t.token = token;
    a.spool = spool;
    const char *segment_graph_db = a.segment_db;
    if (!a.segment_db && access(COMB_SEGMENT_DB_DEFAULT, F_OK) == 0)
        a.segment_db = COMB_SEGMENT_DB_DEFAULT; /* relationships only; the graph is sent when asked */
    if (mkdir(spool, 0700) && errno != EEXIST) {
        cli_error("%s: cannot create: %s", spool, strerror(errno));
        return EXIT_INPUT;
    }
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    long made = 0;
    long long next_collect = now_ms(), next_send = now_ms(), next_follow = now_ms();
    unsigned backoff = 0;
    int quiet = a.quiet;
    while (!stop) {
        long long now = now_ms();
        if ((!count || made < count) && now >= next_collect) {
            if (spool_inventory(&a) == 0)
                made++;
            if (a.bench)
                spool_bench(spool, quiet);
            if (segment_graph_db)
                spool_segmentation(&a);
            next_collect = now + (long long)(interval * 1000);
        }
        if (a.alerts && now_ms() >= next_follow) {
            if (follow_alerts(&a) && !backoff)
                next_send = now_ms(); /* alerts go out at once */
            next_follow = now_ms() + ALERT_POLL_MS;
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
        if (a.alerts && next_follow < wake)
            wake = next_follow;
        long long d = wake - now_ms();
        comb_sleep_ms((unsigned)(d < 10 ? 10 : d > 1000 ? 1000 : d));
    }
    if (!quiet)
        fprintf(stderr, "comb: agent: %ld inventories collected, %ld waiting in the spool\n", made,
                comb_spool_count(spool));
    return EXIT_OK;
}
