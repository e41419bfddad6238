/* cmd_watch.c - `comb watch`: runtime detection with the eBPF sensor and
 * Falco-compatible rules; alerts as Falco's JSON lines or text lines. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/embedded.h"
#include "runtime/rules/rules.h"
#include "runtime/sensor/syscalls.h"
#include "runtime/sensor/watch.h"

#define DEFAULT_RULES "runtime/comb_rules.yaml"
#define MAX_RULE_FILES 64

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
          "      --duration SECONDS   stop after SECONDS (default: until SIGINT/SIGTERM)\n"
          "      --max-events N       stop after evaluating N events\n"
          "      --buffer-size SIZE   ring buffer between the kernel and comb (a power of\n"
          "                           two from 64K to 1G; default 16M): larger drops less\n"
          "  -q, --quiet              no warnings about unsupported rules\n"
          "  -h, --help               this help\n"
          "\n"
          "Once the sensor is attached, 'comb: watch: ready' is printed on stderr; at\n"
          "exit, the counters (events, alerts, ring drops).\n"
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

typedef struct out_ctx {
    FILE *out;
    int json;
    comb_ruleset *rs;
    const char *hostname;
    int failed;
    int ready;
} out_ctx;

/* Like Falco's append_output with extra_fields (its default configuration
 * adds the container): every JSON alert names the container, whatever the
 * rule's output template holds. */
static char *add_container_fields(char *line, const comb_event *ev)
{
    json_error_t je;
    json_t *root = json_loads(line, 0, &je);
    json_t *fields = json_object_get(root, "output_fields");
    if (!json_is_object(fields)) {
        json_decref(root);
        return line;
    }
    const struct { const char *key, *val; } extra[] = {
        { "container.id", ev->container.id },
        { "container.name", ev->container.name },
        { "container.image.repository", ev->container.image_repository },
    };
    for (size_t i = 0; i < sizeof extra / sizeof *extra; i++)
        if (!json_object_get(fields, extra[i].key))
            json_object_set_new(fields, extra[i].key,
                                extra[i].val ? json_string(extra[i].val) : json_null());
    char *out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!out)
        return line;
    free(line);
    return out;
}

static int on_alert(void *ud, const comb_rule *rule, const comb_event *ev)
{
    out_ctx *o = ud;
    char *line = o->json ? comb_alert_format_json(o->rs, rule, ev, o->hostname)
                         : comb_alert_format_text(o->rs, rule, ev);
    if (line && o->json)
        line = add_container_fields(line, ev);
    if (!line) {
        o->failed = 1;
        return 1;
    }
    /* one line per alert, flushed: readers follow the stream as it grows */
    if (fprintf(o->out, "%s\n", line) < 0 || fflush(o->out))
        o->failed = 1;
    free(line);
    return o->failed;
}

static void on_ready(void *ud, const comb_watch_stats *st)
{
    ((out_ctx *)ud)->ready = 1;
    fprintf(stderr, "comb: watch: ready (%zu syscalls captured)\n", st->nsyscalls);
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

static int load_rules(comb_ruleset *rs, const char **files, size_t n, int quiet)
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
        { NULL, 0, NULL, 0 },
    };
    const char *files[MAX_RULE_FILES];
    size_t nfiles = 0;
    const char *output = NULL;
    int json = 1, quiet = 0;
    uint64_t duration = 0, max_events = 0, ring_bytes = 0;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":r:f:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (nfiles == MAX_RULE_FILES) {
                cli_error("--rules: at most %d files", MAX_RULE_FILES);
                return EXIT_USAGE;
            }
            files[nfiles++] = optarg;
            break;
        case 'f':
            if (!strcmp(optarg, "json"))
                json = 1;
            else if (!strcmp(optarg, "text"))
                json = 0;
            else {
                cli_error("--format: \"%s\" is not json or text", optarg);
                return EXIT_USAGE;
            }
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
    int rc = load_rules(rs, files, nfiles, quiet);
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

    out_ctx oc = { .out = out, .json = json, .rs = rs, .hostname = hostname };
    comb_watch_opts wo = {
        .rules = rs,
        .hostname = hostname,
        .stop = &stop_flag,
        .duration_ms = (int64_t)duration * 1000,
        .max_events = max_events,
        .ring_bytes = ring_bytes,
        .on_ready = on_ready,
        .on_alert = on_alert,
        .ud = &oc,
    };
    comb_watch_stats st;
    comb_code code = comb_watch_run(&wo, &st, &err);
    if (oc.ready) /* counters mean something once the sensor ran */
        fprintf(stderr,
                "comb: watch: %llu events, %llu alerts; ring: %llu records, %llu drops; "
                "%llu malformed; processes: %llu live, %llu reclaimed, %llu refused\n",
                (unsigned long long)st.events, (unsigned long long)st.alerts,
                (unsigned long long)st.ring_events, (unsigned long long)st.ring_drops,
                (unsigned long long)st.malformed, (unsigned long long)st.procs_live,
                (unsigned long long)st.procs_reclaimed, (unsigned long long)st.procs_refused);
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
