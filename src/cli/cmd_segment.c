/* cmd_segment.c - `comb segment`: learn which workload talks to which,
 * alert on or block the rest, generate NetworkPolicies and nftables
 * rulesets, quarantine a workload. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/readfile.h"
#include "segment/segment.h"

#define DEFAULT_DB "/var/lib/comb/segment.db"

void help_segment(void)
{
    fputs("usage: comb segment <command> [options]\n"
          "\n"
          "Micro-segmentation: learn which workload talks to which (eBPF), then alert on\n"
          "(monitor) or block (protect, nftables) every other connection.\n"
          "\n"
          "Commands:\n"
          "  run         learn flows of groups in learn mode; alert on new flows of groups\n"
          "              in monitor or protect mode (Falco JSON alerts). Needs root\n"
          "  mode MODE [GROUP...]  set learn, monitor or protect (no GROUP: every group);\n"
          "              re-applies the ruleset when one was applied before\n"
          "  graph       print the learned graph\n"
          "  policy      print the policy (nftables or Kubernetes NetworkPolicy); apply,\n"
          "              diff or roll back the nftables ruleset\n"
          "  quarantine WORKLOAD  cut all traffic of a workload (except --allow)\n"
          "  release WORKLOAD     lift the quarantine\n"
          "  import FILE add groups and flows from a flow file (see comb(1))\n"
          "  status      groups per mode, flows, enforcement point\n"
          "\n"
          "Options (every command):\n"
          "      --db FILE            the segment database (default " DEFAULT_DB ")\n"
          "run:\n"
          "      --duration SECONDS   stop after SECONDS (default: until SIGINT/SIGTERM)\n"
          "  -o, --output FILE        write alerts there instead of standard output\n"
          "      --buffer-size SIZE   kernel ring buffer (power of two, 64K..1G; default 16M)\n"
          "      --max-flows N        flow table bound (default 1048576); more are refused\n"
          "      --promote-after S    a group without a new flow for S seconds moves from\n"
          "                           learn to monitor (default: never)\n"
          "graph:\n"
          "  -f, --format FORMAT      table (default), json or dot\n"
          "policy:\n"
          "  -f, --format FORMAT      nft (default) or k8s\n"
          "      --apply              apply the nftables ruleset (one transaction)\n"
          "      --diff               show what applying would change\n"
          "      --rollback           restore the ruleset the last apply replaced\n"
          "      --netns NAME         enforce in network namespace NAME (ip netns); with\n"
          "                           --host: this namespace. Remembered for later applies\n"
          "      --host               enforce in comb's own network namespace\n"
          "      --family F           bridge (default: the bridge forward path) or inet\n"
          "                           (routed forward path, with conntrack)\n"
          "quarantine:\n"
          "      --allow ADDR[,ADDR]  addresses the workload may still talk to\n"
          "\n"
          "At the end of run, the counters (records, ring drops, flows, refused) are\n"
          "printed on stderr.\n"
          "\n"
          "Exit codes: 0 success, 1 the database or a file could not be read, or the\n"
          "learner or nftables failed, 2 usage error, 3 a bound was exceeded, 5 internal\n"
          "error.\n",
          stdout);
}

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

typedef struct opts {
    const char *db, *output, *format, *netns, *allow, *family;
    long duration, promote_after;
    uint64_t ring, max_flows;
    int apply, diff, rollback, host;
} opts;

static int report(comb_err *err)
{
    cli_error("%s", err->msg);
    return cli_exit_code(err->code);
}

static int open_db(const opts *o, seg_store **s, seg_graph **g, comb_err *err)
{
    if (!strcmp(o->db, DEFAULT_DB))
        mkdir("/var/lib/comb", 0700);
    *g = seg_graph_new(0, o->max_flows);
    if (!*g) {
        cli_error("out of memory");
        return EXIT_INTERNAL;
    }
    if (seg_store_open(o->db, s, err) || seg_store_load(*s, *g, err)) {
        seg_graph_free(*g);
        *g = NULL;
        if (*s)
            seg_store_close(*s);
        *s = NULL;
        return report(err);
    }
    return EXIT_OK;
}

typedef struct run_ctx {
    FILE *out;
    char host[256];
    int failed;
} run_ctx;

static int on_alert(void *ud, const seg_alert *a)
{
    run_ctx *c = ud;
    char *line = seg_alert_json(a, c->host);
    if (!line || fprintf(c->out, "%s\n", line) < 0 || fflush(c->out))
        c->failed = 1;
    free(line);
    return c->failed;
}

typedef struct feed {
    seg_runner *r;
    run_ctx *ctx;
} feed;

static int on_record(void *ud, const struct seg_record *rec)
{
    feed *f = ud;
    return seg_runner_record(f->r, rec, on_alert, f->ctx);
}

static int64_t mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int do_run(const opts *o)
{
    comb_err err = { 0 };
    seg_store *s = NULL;
    seg_graph *g = NULL;
    int rc = open_db(o, &s, &g, &err);
    if (rc)
        return rc;
    run_ctx ctx = { .out = stdout };
    gethostname(ctx.host, sizeof ctx.host - 1);
    if (o->output && !(ctx.out = fopen(o->output, "w"))) {
        cli_error("%s: %s", o->output, strerror(errno));
        seg_store_close(s);
        seg_graph_free(g);
        return EXIT_INPUT;
    }
    seg_ident *id = NULL;
    seg_learner *l = NULL;
    seg_runner *r = NULL;
    if (seg_ident_new(NULL, &id, &err) || seg_learner_open(o->ring, &l, &err) ||
        seg_runner_new(g, id, o->promote_after, &r, &err)) {
        rc = report(&err);
        goto out;
    }
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    fprintf(stderr, "comb: segment: ready (%zu groups, %zu flows known; UDP %s)\n",
            seg_graph_ngroups(g), seg_graph_nflows(g),
            seg_learner_udp(l) ? "on" : "off: the cgroup hooks could not attach");
    feed f = { r, &ctx };
    int64_t start = mono_ms(), last_save = start;
    while (!stop_flag && !ctx.failed) {
        if (o->duration && mono_ms() - start >= o->duration * 1000)
            break;
        if (seg_learner_poll(l, 100, on_record, &f, &err)) {
            rc = report(&err);
            goto out;
        }
        if (mono_ms() - last_save >= 1000) {
            last_save = mono_ms();
            seg_store_sync_modes(s, g, &err);
            seg_runner_promote(r, (int64_t)time(NULL));
            if (seg_store_save(s, g, &err)) {
                rc = report(&err);
                goto out;
            }
        }
    }
    seg_store_sync_modes(s, g, &err);
    seg_runner_promote(r, (int64_t)time(NULL));
    if (seg_store_save(s, g, &err)) {
        rc = report(&err);
        goto out;
    }
    seg_counters k = { 0 };
    seg_learner_counters(l, &k, &err);
    const seg_run_stats *st = seg_runner_stats(r);
    fprintf(stderr,
            "comb: segment: records %llu (kernel %llu), ring drops %llu, connect %llu, "
            "accept %llu, listen %llu, udp %llu (repeats suppressed %llu), new flows %llu, "
            "known %llu, violations %llu, refused %llu (table full), ignored %llu; "
            "graph %zu groups, %zu flows\n",
            (unsigned long long)st->records, (unsigned long long)k.records,
            (unsigned long long)k.drops, (unsigned long long)st->connects,
            (unsigned long long)st->accepts, (unsigned long long)st->listens,
            (unsigned long long)st->udp, (unsigned long long)k.udp_dedup,
            (unsigned long long)st->new_flows, (unsigned long long)st->known,
            (unsigned long long)st->violations,
            (unsigned long long)seg_graph_refused(g),
            (unsigned long long)st->ignored, seg_graph_ngroups(g), seg_graph_nflows(g));
    if (ctx.failed) {
        cli_error("%s: cannot write alerts", o->output ? o->output : "standard output");
        rc = EXIT_INPUT;
    }
out:
    seg_runner_free(r);
    seg_learner_close(l);
    seg_ident_free(id);
    if (ctx.out != stdout)
        fclose(ctx.out);
    seg_store_close(s);
    seg_graph_free(g);
    return rc;
}

static void print_addrs(FILE *f, const seg_group *gr, const char *sep)
{
    char a[16];
    for (size_t i = 0; i < gr->naddrs; i++) {
        inet_ntop(AF_INET, &gr->addrs[i], a, sizeof a);
        fprintf(f, "%s%s", i ? sep : "", a);
    }
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static int do_graph(seg_graph *g, const char *format)
{
    seg_graph_sort_flows(g);
    size_t ng = seg_graph_ngroups(g), nf = seg_graph_nflows(g);
    if (!strcmp(format, "json")) {
        comb_err err;
        size_t n;
        char *text = seg_graph_json(g, &n, &err);
        if (!text)
            return report(&err);
        fwrite(text, 1, n, stdout);
        free(text);
    } else if (!strcmp(format, "dot")) {
        fputs("digraph segment {\n  rankdir=LR;\n", stdout);
        for (uint32_t i = 0; i < ng; i++) {
            const seg_group *gr = seg_graph_group_at(g, i);
            printf("  n%u [label=", i);
            json_str(gr->name);
            printf(", shape=%s];\n", gr->kind == SEG_KIND_EXTERNAL ? "ellipse" : "box");
        }
        for (size_t i = 0; i < nf; i++) {
            const seg_flow *f = seg_graph_flow_at(g, i);
            printf("  n%u -> n%u [label=\"%s/%u\"];\n", f->src, f->dst, seg_proto_name(f->proto),
                   f->dport);
        }
        fputs("}\n", stdout);
    } else {
        printf("%-24s %-10s %-8s %s\n", "GROUP", "KIND", "MODE", "ADDRESSES");
        for (uint32_t i = 0; i < ng; i++) {
            const seg_group *gr = seg_graph_group_at(g, i);
            printf("%-24s %-10s %-8s ", gr->name, seg_kind_name(gr->kind),
                   gr->quarantined ? "quarant." : seg_mode_name(gr->mode));
            print_addrs(stdout, gr, ",");
            putchar('\n');
        }
        printf("\n%-24s %-24s %-10s %10s %s\n", "SOURCE", "DESTINATION", "PORT", "COUNT",
               "PROCESSES");
        for (size_t i = 0; i < nf; i++) {
            const seg_flow *f = seg_graph_flow_at(g, i);
            char port[16];
            snprintf(port, sizeof port, "%s/%u", seg_proto_name(f->proto), f->dport);
            printf("%-24s %-24s %-10s %10llu %s\n", seg_graph_group_at(g, f->src)->name,
                   seg_graph_group_at(g, f->dst)->name, port, (unsigned long long)f->count,
                   f->procs);
        }
    }
    return ferror(stdout) ? EXIT_INPUT : EXIT_OK;
}

static int write_text(const char *path, const char *text)
{
    FILE *f = path ? fopen(path, "w") : stdout;
    if (!f || fputs(text, f) < 0 || fflush(f)) {
        cli_error("%s: %s", path ? path : "standard output", strerror(errno));
        if (f && f != stdout)
            fclose(f);
        return EXIT_INPUT;
    }
    if (f != stdout && fclose(f)) {
        cli_error("%s: %s", path, strerror(errno));
        return EXIT_INPUT;
    }
    return EXIT_OK;
}

static int do_policy(const opts *o, seg_store *s, seg_graph *g)
{
    comb_err err = { 0 };
    if (o->family && (err.code = seg_store_set(s, "family", o->family, &err)))
        return report(&err);
    if (o->rollback) {
        if (seg_rollback(s, &err))
            return report(&err);
        fprintf(stderr, "comb: segment: rolled back to the previous ruleset\n");
        return EXIT_OK;
    }
    if (!strcmp(o->format, "k8s")) {
        char *y = seg_policy_k8s(g);
        if (!y) {
            cli_error("out of memory");
            return EXIT_INTERNAL;
        }
        int rc = write_text(o->output, y);
        free(y);
        return rc;
    }
    char fam[16] = "bridge";
    seg_store_get(s, "family", fam, sizeof fam, &err);
    char *text = seg_policy_nft(g, !strcmp(fam, "inet") ? SEG_FAMILY_INET : SEG_FAMILY_BRIDGE);
    if (!text) {
        cli_error("out of memory");
        return EXIT_INTERNAL;
    }
    int rc = EXIT_OK;
    if (o->diff) {
        long long vid;
        char *last = NULL, *prev = NULL;
        comb_code c = seg_store_version_last(s, &vid, &last, &prev, &err);
        if (c && c != COMB_ENOTFOUND) {
            free(text);
            return report(&err);
        }
        char *d = seg_policy_diff(last ? last : "", text);
        free(last);
        free(prev);
        if (!d) {
            free(text);
            cli_error("out of memory");
            return EXIT_INTERNAL;
        }
        rc = write_text(o->output, d);
        free(d);
    } else if (!o->apply) {
        rc = write_text(o->output, text);
    }
    free(text);
    if (rc || !o->apply)
        return rc;
    int applied;
    if (seg_enforce(s, g, o->host ? "" : o->netns, &applied, &err))
        return report(&err);
    if (!applied) {
        cli_error("--apply needs --netns NAME or --host the first time");
        return EXIT_USAGE;
    }
    fprintf(stderr, "comb: segment: ruleset applied\n");
    return EXIT_OK;
}

static int do_mode(int argc, char **argv, seg_store *s, seg_graph *g)
{
    comb_err err = { 0 };
    seg_mode m;
    if (optind >= argc || seg_mode_parse(argv[optind], &m)) {
        cli_error("mode: expected learn, monitor or protect; see 'comb help segment'");
        return EXIT_USAGE;
    }
    int all = optind + 1 >= argc;
    for (int i = optind + 1; i < argc; i++) {
        uint32_t idx;
        if (seg_graph_find_group(g, argv[i], &idx)) {
            cli_error("group \"%s\" is not in the graph", argv[i]);
            return EXIT_INPUT;
        }
        seg_graph_group_at(g, idx)->mode = m;
        seg_graph_group_at(g, idx)->dirty = 1;
    }
    for (uint32_t i = 0; all && i < seg_graph_ngroups(g); i++) {
        seg_group *gr = seg_graph_group_at(g, i);
        if (gr->kind != SEG_KIND_EXTERNAL) {
            gr->mode = m;
            gr->dirty = 1;
        }
    }
    int applied;
    if (seg_store_save(s, g, &err) || seg_enforce(s, g, NULL, &applied, &err))
        return report(&err);
    if (applied)
        fprintf(stderr, "comb: segment: ruleset re-applied\n");
    return EXIT_OK;
}

static int do_status(seg_store *s, seg_graph *g)
{
    size_t modes[3] = { 0 }, q = 0;
    for (uint32_t i = 0; i < seg_graph_ngroups(g); i++) {
        const seg_group *gr = seg_graph_group_at(g, i);
        modes[gr->mode]++;
        q += gr->quarantined != 0;
    }
    char where[256] = "", fam[16] = "bridge";
    comb_err err;
    int known = !seg_store_get(s, "netns", where, sizeof where, &err);
    seg_store_get(s, "family", fam, sizeof fam, &err);
    printf("groups: %zu (learn %zu, monitor %zu, protect %zu, quarantined %zu)\n",
           seg_graph_ngroups(g), modes[0], modes[1], modes[2], q);
    printf("flows: %zu\n", seg_graph_nflows(g));
    if (known)
        printf("enforcement: nftables %s table %s in %s%s\n", fam, SEG_TABLE,
               where[0] ? "netns " : "this host's namespace", where);
    else
        printf("enforcement: none (no ruleset applied)\n");
    return EXIT_OK;
}

static int do_import(int argc, char **argv, seg_store *s, seg_graph *g)
{
    if (optind >= argc) {
        cli_error("import: a flow file is needed");
        return EXIT_USAGE;
    }
    const char *path = argv[optind];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        cli_error("%s: %s", path, strerror(errno));
        return EXIT_INPUT;
    }
    unsigned char *buf = NULL;
    size_t len = 0;
    comb_err err = { 0 };
    int rc = EXIT_OK;
    if (comb_read_fd(fd, SEG_FLOWFILE_MAX, path, &buf, &len, &err) ||
        seg_flowfile_parse(path, (const char *)buf, len, g, &err) || seg_store_save(s, g, &err))
        rc = report(&err);
    free(buf);
    if (!rc)
        fprintf(stderr, "comb: segment: %zu groups, %zu flows\n", seg_graph_ngroups(g),
                seg_graph_nflows(g));
    return rc;
}

int cmd_segment(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help_segment();
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    const char *sub = argv[1];
    static const char *const subs[] = { "run", "mode", "graph", "policy", "quarantine",
                                        "release", "import", "status" };
    int known = 0;
    for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
        known |= !strcmp(sub, subs[i]);
    if (!known) {
        cli_error("'%s' is not a segment command; see 'comb help segment'", sub);
        return EXIT_USAGE;
    }
    opts o = { .db = DEFAULT_DB, .format = NULL };
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'D' },
        { "duration", required_argument, NULL, 'd' },
        { "output", required_argument, NULL, 'o' },
        { "buffer-size", required_argument, NULL, 'b' },
        { "max-flows", required_argument, NULL, 'm' },
        { "promote-after", required_argument, NULL, 'p' },
        { "format", required_argument, NULL, 'f' },
        { "apply", no_argument, NULL, 'A' },
        { "diff", no_argument, NULL, 'X' },
        { "rollback", no_argument, NULL, 'R' },
        { "netns", required_argument, NULL, 'n' },
        { "host", no_argument, NULL, 'H' },
        { "family", required_argument, NULL, 'F' },
        { "allow", required_argument, NULL, 'a' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    optind = 1; /* GNU getopt permutes: options may follow the operands */
    int c;
    long v;
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, ":o:f:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'D': o.db = optarg; break;
        case 'd':
            if (cli_parse_int("--duration", optarg, 1, 86400 * 365, &v))
                return EXIT_USAGE;
            o.duration = v;
            break;
        case 'o': o.output = optarg; break;
        case 'b':
            if (cli_parse_size(optarg, &o.ring)) {
                cli_error("--buffer-size: \"%s\" is not a size", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'm':
            if (cli_parse_int("--max-flows", optarg, 1, 1L << 26, &v))
                return EXIT_USAGE;
            o.max_flows = (uint64_t)v;
            break;
        case 'p':
            if (cli_parse_int("--promote-after", optarg, 1, 86400 * 365, &v))
                return EXIT_USAGE;
            o.promote_after = v;
            break;
        case 'f': o.format = optarg; break;
        case 'A': o.apply = 1; break;
        case 'X': o.diff = 1; break;
        case 'R': o.rollback = 1; break;
        case 'n': o.netns = optarg; break;
        case 'H': o.host = 1; break;
        case 'F':
            if (strcmp(optarg, "bridge") && strcmp(optarg, "inet")) {
                cli_error("--family: expected bridge or inet");
                return EXIT_USAGE;
            }
            o.family = optarg;
            break;
        case 'a': o.allow = optarg; break;
        case 'h': help_segment(); return EXIT_OK;
        default: return cli_bad_option(c, argv, "segment");
        }
    }
    if (!strcmp(sub, "graph") && !o.format)
        o.format = "table";
    if (!strcmp(sub, "policy") && !o.format)
        o.format = "nft";
    if (o.format && strcmp(o.format, "table") && strcmp(o.format, "json") &&
        strcmp(o.format, "dot") && strcmp(o.format, "nft") && strcmp(o.format, "k8s")) {
        cli_error("--format: unknown format \"%s\"", o.format);
        return EXIT_USAGE;
    }
    if (o.netns && o.host) {
        cli_error("--netns and --host exclude each other");
        return EXIT_USAGE;
    }
    if (!strcmp(sub, "run"))
        return do_run(&o);
    comb_err err = { 0 };
    seg_store *s = NULL;
    seg_graph *g = NULL;
    int rc = open_db(&o, &s, &g, &err);
    if (rc)
        return rc;
    if (!strcmp(sub, "graph"))
        rc = do_graph(g, o.format);
    else if (!strcmp(sub, "policy"))
        rc = do_policy(&o, s, g);
    else if (!strcmp(sub, "mode"))
        rc = do_mode(argc, argv, s, g);
    else if (!strcmp(sub, "status"))
        rc = do_status(s, g);
    else if (!strcmp(sub, "import"))
        rc = do_import(argc, argv, s, g);
    else { /* quarantine, release */
        if (optind >= argc) {
            cli_error("%s: a workload name is needed", sub);
            rc = EXIT_USAGE;
        } else if (seg_quarantine(s, argv[optind], !strcmp(sub, "quarantine"), o.allow, &err)) {
            rc = report(&err);
        }
    }
    seg_store_close(s);
    seg_graph_free(g);
    return rc;
}
