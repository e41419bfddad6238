/* cmd_watch.c - `comb watch`: runtime detection with the eBPF sensor and
 * Falco-compatible rules; alerts as Falco's JSON lines or text lines. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "cli/cli.h"
#include "core/embedded.h"
#include "runtime/rules/rules.h"
#include "runtime/output/output.h"
#include "runtime/record/record.h"
#include "runtime/response/enforce.h"
#include "runtime/response/response.h"
#include "runtime/sensor/metrics.h"
#include "runtime/sensor/syscalls.h"
#include "runtime/sensor/watch.h"

#define DEFAULT_RULES "runtime/comb_rules.yaml"

void help_watch(void)
{
    fputs("usage: comb watch [options]\n"
          "\n"
          "Watch the processes of this machine and its containers with an eBPF sensor\n"
          "and report behaviour that matches runtime rules (Falco's rule language).\n"
          "Needs root and a kernel with BTF.\n"
          "\n"
          "Options:\n"
          "  -r, --rules FILE         load a rules file (Falco YAML); repeat for more, in\n"
          "                           order. Default: comb's built-in rules\n"
          "  -f, --format FORMAT      json (default: Falco's JSON alert, one per line) or\n"
          "                           text (Falco's text line)\n"
          "  -o, --output FILE        write alerts to FILE instead of standard output\n"
          "      --syslog             also send every alert to syslog (/dev/log)\n"
          "      --syslog-socket PATH ... to this unix datagram socket instead\n"
          "      --webhook URL        also POST every alert (Falco JSON) to URL, from a\n"
          "                           queue of its own, retried with backoff on errors\n"
          "      --webhook-queue N    alerts waiting for the webhook (default 4096; more\n"
          "                           are dropped and counted)\n"
          "      --webhook-backoff MS first retry wait, doubled up to 5s (default 100)\n"
          "      --respond            carry out the rules' response actions (without it\n"
          "                           they are only reported, outcome \"dry-run\")\n"
          "      --response 'RULE=ACTIONS'  set a rule's actions (kill, freeze, stop,\n"
          "                           isolate, comma-separated; empty: none); repeatable\n"
          "      --enforce            load the kernel enforcer: a drifted binary (upper\n"
          "                           layer or memfd) exec'd in a container is killed in\n"
          "                           the kernel, isolate also refuses connect() there\n"
          "      --record FILE        write every evaluated event to FILE (comb replay)\n"
          "      --duration SECONDS   stop after SECONDS (default: until SIGINT/SIGTERM)\n"
          "      --max-events N       stop after evaluating N events\n"
          "      --buffer-size SIZE   ring buffers between the kernel and comb, all\n"
          "                           together (a power of two from 64K to 1G; default\n"
          "                           16M): larger drops less\n"
          "      --rings N            ring buffers, CPU i writes to ring i %% N (default:\n"
          "                           one per CPU up to 16; at most 64)\n"
          "      --metrics FILE       write the counters (Prometheus text format) to\n"
          "                           FILE, replaced atomically, every interval and at exit\n"
          "      --metrics-interval SECONDS  (default 10)\n"
          "  -q, --quiet              no warnings about unsupported rules\n"
          "  -h, --help               this help\n"
          "\n"
          "Once the sensor is attached, 'comb: watch: ready' is printed on stderr; at\n"
          "exit, the counters (events, alerts, ring drops).\n"
          "\n"
          "Response lines (JSON: \"response\", \"outcome\") follow the alert that caused\n"
          "them. At exit, also the response, webhook and syslog counters.\n"
          "\n"
          "Exit codes: 0 success, 1 a rules file could not be read or the sensor could\n"
          "not be loaded, 2 usage error, 5 internal error.\n",
          stdout);
}

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

#define MAX_OVERRIDES 64

typedef struct override {
    const char *rule;
    size_t rule_len;
    unsigned actions;
} override;

typedef struct out_ctx {
    comb_output *out;
    comb_ruleset *rs;
    const char *hostname;
    comb_responder *resp;
    comb_enforce *enforce;
    const override *ov;
    size_t nov;
    int failed;
    int ready;
    const char *metrics;        /* --metrics FILE */
    int64_t metrics_every_ms, metrics_next_ms;
    int metrics_warned;
    comb_err err;
} out_ctx;

static unsigned rule_actions(const out_ctx *o, const comb_rule *rule)
{
    const char *name = comb_rule_name(rule);
    for (size_t i = o->nov; i-- > 0;) /* the last override of a rule wins */
        if (strlen(name) == o->ov[i].rule_len && !strncmp(name, o->ov[i].rule, o->ov[i].rule_len))
            return o->ov[i].actions;
    return comb_rule_response(rule);
}

static int on_alert(void *ud, const comb_rule *rule, const comb_event *ev)
{
    out_ctx *o = ud;
    if (comb_output_alert(o->out, o->rs, rule, ev, o->hostname, &o->err)) {
        o->failed = 1;
        return 1;
    }
    unsigned act = o->resp ? rule_actions(o, rule) : 0;
    if (act)
        comb_responder_submit(o->resp, act, rule, ev);
    return 0;
}

static void on_response(void *ud, comb_priority prio, const char *json, const char *text)
{
    /* the responder's thread: a failing stream is counted by the output and
     * stops the watch at the next alert */
    comb_err err;
    comb_output_line(((out_ctx *)ud)->out, prio, json, text, &err);
}

static int isolate_kernel(void *ud, const char *cgroup_dir)
{
    return comb_enforce_isolate(((out_ctx *)ud)->enforce, cgroup_dir);
}

static void on_container_exec(void *ud, uint64_t cgroup_id)
{
    comb_enforce_add(((out_ctx *)ud)->enforce, cgroup_id);
}

static void on_ready(void *ud, const comb_watch_stats *st)
{
    ((out_ctx *)ud)->ready = 1;
    fprintf(stderr, "comb: watch: ready (%zu syscalls captured; %u rings of %lluK)\n",
            st->nsyscalls, st->nrings, (unsigned long long)(st->ring_bytes >> 10));
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void write_metrics(out_ctx *oc, const comb_watch_stats *st)
{
    comb_err err;
    if (comb_metrics_write(oc->metrics, st, &err) == COMB_OK) {
        oc->metrics_warned = 0;
    } else if (!oc->metrics_warned) { /* once per failing stretch */
        oc->metrics_warned = 1;
        fprintf(stderr, "comb: watch: warning: %s\n", err.msg);
    }
}

static void on_tick(void *ud, const comb_watch_stats *st)
{
    out_ctx *oc = ud;
    if (!oc->metrics || mono_ms() < oc->metrics_next_ms)
        return;
    oc->metrics_next_ms = mono_ms() + oc->metrics_every_ms;
    write_metrics(oc, st);
}

static void print_rings(const comb_watch_stats *st)
{
    fprintf(stderr, "comb: watch: rings (%u x %lluK):", st->nrings,
            (unsigned long long)(st->ring_bytes >> 10));
    for (unsigned i = 0; i < st->nrings && i < COMB_SENSOR_MAX_RINGS; i++)
        fprintf(stderr, "%s %u: %llu records, %llu drops", i ? ";" : "", i,
                (unsigned long long)st->ring[i].events, (unsigned long long)st->ring[i].drops);
    fputc('\n', stderr);
}

static int parse_count(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || v == 0 || v > max)
        return -1;
    *out = v;
    return 0;
}

int cli_watch_rules_format(int opt, const char *arg, const char **files, size_t *nfiles,
                           int *json)
{
    if (opt == 'r') {
        if (*nfiles == CLI_WATCH_MAX_RULE_FILES) {
            cli_error("--rules: at most %d files", CLI_WATCH_MAX_RULE_FILES);
            return -1;
        }
        files[(*nfiles)++] = arg;
    } else if (!strcmp(arg, "json") || !strcmp(arg, "text")) {
        *json = !strcmp(arg, "json");
    } else {
        cli_error("--format: \"%s\" is not json or text", arg);
        return -1;
    }
    return 0;
}

int cli_watch_load_rules(comb_ruleset *rs, const char **files, size_t n, int quiet)
{
    comb_err err;
    comb_err_clear(&err);
    if (n == 0) {
        const comb_embedded_file *f = comb_embedded_find(DEFAULT_RULES);
        if (!f) {
            cli_error("built-in rules %s missing", DEFAULT_RULES);
            return EXIT_INTERNAL;
        }
        if (comb_rules_load_buffer(rs, DEFAULT_RULES, f->data, f->len, &err)) {
            cli_error("%s", err.msg);
            return EXIT_INTERNAL;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (comb_rules_load_file(rs, files[i], &err)) {
            cli_error("%s", err.msg);
            return cli_exit_code(err.code);
        }
    if (comb_ruleset_compile(rs, &err)) {
        cli_error("%s", err.msg);
        return cli_exit_code(err.code);
    }
    size_t ni;
    const comb_rules_issue *is = comb_ruleset_issues(rs, &ni);
    for (size_t i = 0; i < ni && !quiet; i++)
        if (is[i].level == COMB_RULES_UNSUPPORTED)
            cli_warning("%s:%zu: %s %s disabled: %s", is[i].file, is[i].line, is[i].kind,
                        is[i].name, is[i].msg);
    /* rules on events the sensor does not produce yet can never fire */
    size_t nt;
    int all;
    const char *const *types = comb_ruleset_needed_types(rs, &nt, &all);
    char missing[1024] = "";
    size_t used = 0;
    for (size_t i = 0; i < nt && !quiet; i++)
        if (comb_syscall_nr(types[i]) < 0 && !comb_syscall_is_lifecycle(types[i])) {
            int w = snprintf(missing + used, sizeof missing - used, "%s%s", used ? ", " : "",
                             types[i]);
            if (w < 0 || (size_t)w >= sizeof missing - used)
                break;
            used += (size_t)w;
        }
    if (used)
        cli_warning("the rules use event types the sensor does not capture: %s", missing);
    size_t active = 0;
    for (size_t i = 0; i < comb_ruleset_rule_count(rs); i++)
        active += comb_rule_active(comb_ruleset_rule_at(rs, i)) != 0;
    if (!active) {
        cli_error("no active rules to watch for");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* --response 'RULE NAME=kill,freeze' */
static int parse_override(const char *arg, override *ov)
{
    const char *eq = strrchr(arg, '=');
    if (!eq || eq == arg) {
        cli_error("--response: \"%s\" is not RULE=ACTIONS", arg);
        return -1;
    }
    const char *bad;
    size_t badlen;
    if (comb_response_parse(eq + 1, &ov->actions, &bad, &badlen)) {
        cli_error("--response: \"%.*s\" is not kill, freeze, stop or isolate", (int)badlen, bad);
        return -1;
    }
    ov->rule = arg;
    ov->rule_len = (size_t)(eq - arg);
    return 0;
}

static int check_overrides(comb_ruleset *rs, const override *ov, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int found = 0;
        for (size_t k = 0; k < comb_ruleset_rule_count(rs) && !found; k++) {
            const char *name = comb_rule_name(comb_ruleset_rule_at(rs, k));
            found = strlen(name) == ov[i].rule_len && !strncmp(name, ov[i].rule, ov[i].rule_len);
        }
        if (!found) {
            cli_error("--response: no rule named \"%.*s\"", (int)ov[i].rule_len, ov[i].rule);
            return -1;
        }
    }
    return 0;
}

enum {
    OPT_SYSLOG = 256, OPT_SYSLOG_SOCKET, OPT_WEBHOOK, OPT_WEBHOOK_QUEUE, OPT_WEBHOOK_BACKOFF,
    OPT_RESPOND, OPT_RESPONSE, OPT_ENFORCE, OPT_RECORD, OPT_RINGS, OPT_METRICS,
    OPT_METRICS_INTERVAL,
};

int cmd_watch(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "rules", required_argument, NULL, 'r' },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' },
        { "duration", required_argument, NULL, 'D' },
        { "max-events", required_argument, NULL, 'M' },
        { "buffer-size", required_argument, NULL, 'B' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { "syslog", no_argument, NULL, OPT_SYSLOG },
        { "syslog-socket", required_argument, NULL, OPT_SYSLOG_SOCKET },
        { "webhook", required_argument, NULL, OPT_WEBHOOK },
        { "webhook-queue", required_argument, NULL, OPT_WEBHOOK_QUEUE },
        { "webhook-backoff", required_argument, NULL, OPT_WEBHOOK_BACKOFF },
        { "respond", no_argument, NULL, OPT_RESPOND },
        { "response", required_argument, NULL, OPT_RESPONSE },
        { "enforce", no_argument, NULL, OPT_ENFORCE },
        { "record", required_argument, NULL, OPT_RECORD },
        { "rings", required_argument, NULL, OPT_RINGS },
        { "metrics", required_argument, NULL, OPT_METRICS },
        { "metrics-interval", required_argument, NULL, OPT_METRICS_INTERVAL },
        { NULL, 0, NULL, 0 },
    };
    const char *files[CLI_WATCH_MAX_RULE_FILES];
    size_t nfiles = 0;
    const char *output = NULL, *syslog_path = NULL, *webhook = NULL, *record = NULL;
    int json = 1, quiet = 0, respond = 0, enforce = 0;
    long wq = 0, wbackoff = 0, nrings = 0, metrics_every = 10;
    const char *metrics = NULL;
    override ov[MAX_OVERRIDES];
    size_t nov = 0;
    uint64_t duration = 0, max_events = 0, ring_bytes = 0;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":r:f:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
        case 'f':
            if (cli_watch_rules_format(c, optarg, files, &nfiles, &json))
                return EXIT_USAGE;
            break;
        case 'o': output = optarg; break;
        case 'D':
            if (parse_count(optarg, 365u * 86400, &duration)) {
                cli_error("--duration: \"%s\" is not a number of seconds", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'M':
            if (parse_count(optarg, UINT64_MAX, &max_events)) {
                cli_error("--max-events: \"%s\" is not a positive number", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'B':
            if (cli_parse_size(optarg, &ring_bytes) || ring_bytes < (64u << 10) ||
                ring_bytes > (1u << 30) || (ring_bytes & (ring_bytes - 1))) {
                cli_error("--buffer-size: \"%s\" is not a power of two from 64K to 1G", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'q': quiet = 1; break;
        case 'h': help_watch(); return EXIT_OK;
        case OPT_SYSLOG:
            if (!syslog_path)
                syslog_path = COMB_SYSLOG_DEFAULT;
            break;
        case OPT_SYSLOG_SOCKET: syslog_path = optarg; break;
        case OPT_WEBHOOK: webhook = optarg; break;
        case OPT_WEBHOOK_QUEUE:
            if (cli_parse_int("--webhook-queue", optarg, 1, COMB_WEBHOOK_QUEUE_MAX, &wq))
                return EXIT_USAGE;
            break;
        case OPT_WEBHOOK_BACKOFF:
            if (cli_parse_int("--webhook-backoff", optarg, 1, 60000, &wbackoff))
                return EXIT_USAGE;
            break;
        case OPT_RESPOND: respond = 1; break;
        case OPT_RESPONSE:
            if (nov == MAX_OVERRIDES) {
                cli_error("--response: at most %d", MAX_OVERRIDES);
                return EXIT_USAGE;
            }
            if (parse_override(optarg, &ov[nov]))
                return EXIT_USAGE;
            nov++;
            break;
        case OPT_ENFORCE: enforce = 1; break;
        case OPT_RECORD: record = optarg; break;
        case OPT_RINGS:
            if (cli_parse_int("--rings", optarg, 1, COMB_SENSOR_MAX_RINGS, &nrings))
                return EXIT_USAGE;
            break;
        case OPT_METRICS: metrics = optarg; break;
        case OPT_METRICS_INTERVAL:
            if (cli_parse_int("--metrics-interval", optarg, 1, 86400, &metrics_every))
                return EXIT_USAGE;
            break;
        default: return cli_bad_option(c, argv, "watch");
        }
    }
    if (optind < argc) {
        cli_error("unexpected argument '%s'; see 'comb help watch'", argv[optind]);
        return EXIT_USAGE;
    }

    comb_err err;
    comb_err_clear(&err);
    comb_ruleset *rs;
    if (comb_ruleset_new(&rs, &err)) {
        cli_error("%s", err.msg);
        return EXIT_INTERNAL;
    }
    int rc = cli_watch_load_rules(rs, files, nfiles, quiet);
    if (!rc && check_overrides(rs, ov, nov))
        rc = EXIT_USAGE;
    if (rc) {
        comb_ruleset_free(rs);
        return rc;
    }
    FILE *out = stdout;
    if (output && !(out = fopen(output, "w"))) {
        cli_error("%s: %s", output, strerror(errno));
        comb_ruleset_free(rs);
        return EXIT_INPUT;
    }
    char hostname[256] = "";
    gethostname(hostname, sizeof hostname - 1);

    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    out_ctx oc = { .rs = rs, .hostname = hostname, .ov = ov, .nov = nov };
    comb_output_opts oo = { .stream = out, .json = json, .syslog_path = syslog_path,
                            .webhook_url = webhook, .webhook_queue = (size_t)wq,
                            .webhook_backoff_ms = (int)wbackoff };
    comb_recorder *rec = NULL;
    comb_code code = comb_output_open(&oo, &oc.out, &err);
    if (!code && record)
        code = comb_recorder_open(record, &rec, &err);
    if (!code && enforce) {
        code = comb_enforce_open(&oc.enforce, &err);
        if (!code) {
            char cg2[512];
            size_t n = 0;
            if (!comb_response_cgroup2_mount(cg2, sizeof cg2))
                n = comb_enforce_add_existing(oc.enforce, cg2);
            fprintf(stderr, "comb: watch: enforce: exec hook with bpf_send_signal and cgroup "
                    "connect4/connect6 programs loaded; %zu running containers enforced; %s\n",
                    n, comb_enforce_lsm_status(oc.enforce));
        }
    }
    int any_response = nov > 0;
    for (size_t i = 0; i < comb_ruleset_rule_count(rs) && !any_response; i++)
        any_response = comb_rule_response(comb_ruleset_rule_at(rs, i)) != 0;
    if (!code && any_response) {
        comb_responder_opts ro = { .act = respond, .report = on_response, .ud = &oc,
                                   .isolate_kernel = oc.enforce ? isolate_kernel : NULL };
        code = comb_responder_new(&ro, &oc.resp, &err);
        if (!code && !respond)
            fprintf(stderr, "comb: watch: response actions are reported, not carried out "
                    "(dry run; --respond acts)\n");
    }
    comb_watch_opts wo = {
        .rules = rs,
        .hostname = hostname,
        .stop = &stop_flag,
        .duration_ms = (int64_t)duration * 1000,
        .max_events = max_events,
        .ring_bytes = ring_bytes,
        .nrings = (unsigned)nrings,
        .on_tick = metrics ? on_tick : NULL,
        .record = rec,
        .on_container_exec = oc.enforce ? on_container_exec : NULL,
        .on_ready = on_ready,
        .on_alert = on_alert,
        .ud = &oc,
    };
    oc.metrics = metrics;
    oc.metrics_every_ms = (int64_t)metrics_every * 1000;
    oc.metrics_next_ms = mono_ms(); /* the first tick writes */
    comb_watch_stats st;
    memset(&st, 0, sizeof st);
    if (!code)
        code = comb_watch_run(&wo, &st, &err);
    if (metrics && oc.ready)
        write_metrics(&oc, &st);
    comb_response_stats rst = { 0 };
    comb_responder_free(oc.resp, &rst); /* finishes queued actions: they write lines */
    comb_enforce_stats est = { 0 };
    if (oc.enforce)
        comb_enforce_stats_get(oc.enforce, &est);
    comb_enforce_close(oc.enforce);
    comb_output_stats ost = { 0 };
    comb_output_close(oc.out, &ost);
    comb_err rerr;
    if (comb_recorder_close(rec, &rerr) && !code) {
        err = rerr;
        code = rerr.code;
    }
    if (oc.ready) { /* counters mean something once the sensor ran */
        fprintf(stderr,
                "comb: watch: %llu events, %llu alerts; ring: %llu records, %llu drops; "
                "%llu malformed; processes: %llu live, %llu reclaimed, %llu refused\n",
                (unsigned long long)st.events, (unsigned long long)st.alerts,
                (unsigned long long)st.ring_events, (unsigned long long)st.ring_drops,
                (unsigned long long)st.malformed, (unsigned long long)st.procs_live,
                (unsigned long long)st.procs_reclaimed, (unsigned long long)st.procs_refused);
        print_rings(&st);
        if (oc.resp)
            fprintf(stderr, "comb: watch: responses: %llu ok, %llu failed, %llu skipped, "
                    "%llu dry-run, %llu dropped\n", (unsigned long long)rst.ok,
                    (unsigned long long)rst.failed, (unsigned long long)rst.skipped,
                    (unsigned long long)rst.dry_run, (unsigned long long)rst.dropped);
        if (enforce)
            fprintf(stderr, "comb: watch: enforce: %llu drifted execs killed, %llu connects "
                    "refused, %llu cgroups enforced, %llu isolated\n",
                    (unsigned long long)est.drift_kills, (unsigned long long)est.connects_refused,
                    (unsigned long long)est.enforced, (unsigned long long)est.isolated);
        if (webhook)
            fprintf(stderr, "comb: watch: webhook: %llu delivered, %llu failed, %llu dropped, "
                    "%llu retries\n", (unsigned long long)ost.webhook_delivered,
                    (unsigned long long)ost.webhook_failed,
                    (unsigned long long)ost.webhook_dropped,
                    (unsigned long long)ost.webhook_retries);
        if (syslog_path)
            fprintf(stderr, "comb: watch: syslog: %llu sent, %llu failed\n",
                    (unsigned long long)ost.syslog_sent, (unsigned long long)ost.syslog_failed);
        if (record)
            fprintf(stderr, "comb: watch: recorded %llu events to %s\n",
                    (unsigned long long)st.recorded, record);
    }
    if (out != stdout && fclose(out) && !code) {
        cli_error("%s: %s", output, strerror(errno));
        code = COMB_EIO;
    }
    comb_ruleset_free(rs);
    if (code) {
        cli_error("%s", err.msg);
        return cli_exit_code(code);
    }
    if (oc.failed) {
        cli_error("writing alerts failed");
        return EXIT_INPUT;
    }
    return EXIT_OK;
}
