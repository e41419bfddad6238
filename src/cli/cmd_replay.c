/* cmd_replay.c - `comb replay FILE`: the events of `comb watch --record`
 * through the rules again, without privileges; alerts as comb watch prints
 * them. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "runtime/output/output.h"
#include "runtime/record/record.h"

void help_replay(void)
{
    fputs("usage: comb replay [options] FILE\n"
          "\n"
          "Evaluate runtime rules on the events that 'comb watch --record FILE' saved,\n"
          "and print the alerts as comb watch does. Needs no privileges: the events\n"
          "carry the process, container and user details the live run resolved.\n"
          "\n"
          "Options:\n"
          "  -r, --rules FILE         rules file (Falco YAML); repeat for more.\n"
          "                           Default: comb's built-in rules\n"
          "  -f, --format FORMAT      json (default) or text\n"
          "  -o, --output FILE        write alerts to FILE instead of standard output\n"
          "  -q, --quiet              no warnings about unsupported rules\n"
          "  -h, --help               this help\n"
          "\n"
          "At exit, the counters (events, alerts) on stderr.\n"
          "\n"
          "Exit codes: 0 success, 1 the recording or a rules file could not be read or\n"
          "is malformed, 2 usage error, 3 a record exceeds a bound, 5 internal error.\n",
          stdout);
}

typedef struct replay_ctx {
    comb_output *out;
    comb_ruleset *rs;
    uint64_t alerts;
    int failed;
    comb_err err;
} replay_ctx;

static int on_match(void *ud, const comb_rule *rule, const comb_event *ev)
{
    replay_ctx *c = ud;
    c->alerts++;
    if (comb_output_alert(c->out, c->rs, rule, ev, NULL, &c->err))
        c->failed = 1;
    return 1; /* first match, as comb watch */
}

int cmd_replay(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "rules", required_argument, NULL, 'r' },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *files[CLI_WATCH_MAX_RULE_FILES];
    size_t nfiles = 0;
    const char *output = NULL;
    int json = 1, quiet = 0;
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
        case 'q': quiet = 1; break;
        case 'h': help_replay(); return EXIT_OK;
        default: return cli_bad_option(c, argv, "replay");
        }
    }
    if (optind + 1 != argc) {
        cli_error(optind == argc ? "a recording to replay is needed; see 'comb help replay'"
                                 : "one recording at a time; see 'comb help replay'");
        return EXIT_USAGE;
    }
    const char *path = argv[optind];
    FILE *in = fopen(path, "rb");
    if (!in) {
        cli_error("%s: %s", path, strerror(errno));
        return EXIT_INPUT;
    }
    comb_err err;
    comb_err_clear(&err);
    comb_ruleset *rs;
    if (comb_ruleset_new(&rs, &err)) {
        fclose(in);
        cli_error("%s", err.msg);
        return EXIT_INTERNAL;
    }
    int rc = cli_watch_load_rules(rs, files, nfiles, quiet);
    if (rc) {
        fclose(in);
        comb_ruleset_free(rs);
        return rc;
    }
    FILE *out = stdout;
    if (output && !(out = fopen(output, "w"))) {
        cli_error("%s: %s", output, strerror(errno));
        fclose(in);
        comb_ruleset_free(rs);
        return EXIT_INPUT;
    }
    replay_ctx ctx = { .rs = rs };
    comb_output_opts oo = { .stream = out, .json = json };
    comb_replay *rp = NULL;
    uint64_t events = 0;
    comb_code code = comb_output_open(&oo, &ctx.out, &err);
    if (!code)
        code = comb_replay_open(in, path, &rp, &err);
    while (!code && !ctx.failed) {
        comb_event ev;
        int have;
        if ((code = comb_replay_next(rp, &ev, &have, &err)) || !have)
            break;
        events++;
        comb_ruleset_eval(rs, &ev, on_match, &ctx);
    }
    comb_replay_free(rp);
    comb_output_close(ctx.out, NULL);
    fclose(in);
    fprintf(stderr, "comb: replay: %llu events, %llu alerts\n", (unsigned long long)events,
            (unsigned long long)ctx.alerts);
    if (out != stdout && fclose(out) && !code) {
        cli_error("%s: %s", output, strerror(errno));
        code = COMB_EIO;
    }
    comb_ruleset_free(rs);
    if (code) {
        cli_error("%s", err.msg);
        return cli_exit_code(code);
    }
    if (ctx.failed) {
        cli_error("%s", ctx.err.msg);
        return EXIT_INPUT;
    }
    return EXIT_OK;
}
