/* main.c - the comb command: global options, subcommand dispatch, help. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"


static const char usage[] =
    "usage: comb [--version] [--help] <command> [<args>]\n"
    "\n"
    "comb protects containers from the image to the running workload.\n"
    "\n"
    "Commands:\n"
    "   sbom      list every OS and language package in an image (SBOM)\n"
    "   db        import advisories into the vulnerability database; show its status\n"
    "   scan      find vulnerabilities, secrets, malware and misconfigurations in an image\n"
    "   config    check Dockerfiles and image configurations for misconfigurations\n"
    "   bench     check hosts, engines, Kubernetes nodes and containers against\n"
    "             compliance baselines (CIS Docker and more)\n"
    "   watch     detect threats in running containers with eBPF (Falco rules)\n"
    "   segment   learn who talks to whom; alert on or block the rest (micro-segmentation)\n"
    "   replay    run the rules over events recorded by comb watch --record\n"
    "   inventory list the containers, images, processes and ports of a host\n"
    "   server    the REST API that gathers many nodes' inventories and results\n"
    "   agent     send this node's inventory to a comb server, buffered on disk\n"
    "   key       generate signing keys (ECDSA P-256, Ed25519, RSA)\n"
    "   sign      sign an image, cosign-compatible (key-based)\n"
    "   verify    verify an image's signatures with keys or a trust policy\n"
    "   registry  serve an OCI registry (push, pull, referrers, garbage collection)\n"
    "   policy    check Kubernetes manifests (Pod Security Standards, image rules)\n"
    "   admission serve the same checks as a Kubernetes validating admission webhook\n"
    "   help      show help for a command\n"
    "\n"
    "Exit codes:\n"
    "   0 success, 1 the target could not be read, 2 usage error,\n"
    "   3 a limit was exceeded, 4 digest mismatch, 5 internal error,\n"
    "   6 (verify) not verified\n"
    "   7 a registry refused access\n"
    "\n"
    "See 'comb help <command>' or man comb.\n";

int cli_exit_code(comb_code code)
{
    switch (code) {
    case COMB_OK: return EXIT_OK;
    case COMB_EINVAL: return EXIT_USAGE;
    case COMB_ELIMIT: return EXIT_LIMIT;
    case COMB_EDIGEST: return EXIT_DIGEST;
    case COMB_ENOMEM: return EXIT_INTERNAL;
    case COMB_EAUTH: return EXIT_AUTH;
    default: return EXIT_INPUT;
    }
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("comb: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_warning(const char *fmt, ...)
{
    va_list ap;
    fputs("comb: warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_bad_option(int c, char **argv, const char *cmd)
{
    if (c == ':')
        cli_error("option '%s' needs a value; see 'comb help %s'", argv[optind - 1], cmd);
    else
        cli_error("unknown option '%s'; see 'comb help %s'", argv[optind - 1], cmd);
    return EXIT_USAGE;
}

static int help(const char *topic)
{
    if (!topic) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (!strcmp(topic, "sbom")) {
        help_sbom();
        return EXIT_OK;
    }
    if (!strcmp(topic, "db")) {
        help_db();
        return EXIT_OK;
    }
    if (!strcmp(topic, "scan"))
        return help_scan(), EXIT_OK;
    if (!strcmp(topic, "config"))
        return help_config(), EXIT_OK;
    if (!strcmp(topic, "bench"))
        return help_bench(), EXIT_OK;
    if (!strcmp(topic, "server"))
        return help_server(), EXIT_OK;
    if (!strcmp(topic, "agent"))
        return help_agent(), EXIT_OK;
    if (!strcmp(topic, "inventory"))
        return help_inventory(), EXIT_OK;
    if (!strcmp(topic, "watch"))
        return help_watch(), EXIT_OK;
    if (!strcmp(topic, "segment"))
        return help_segment(), EXIT_OK;
    if (!strcmp(topic, "replay"))
        return help_replay(), EXIT_OK;
    if (!strcmp(topic, "key"))
        return help_key(), EXIT_OK;
    if (!strcmp(topic, "sign"))
        return help_sign(), EXIT_OK;
    if (!strcmp(topic, "verify"))
        return help_verify(), EXIT_OK;
    if (!strcmp(topic, "registry"))
        return help_registry(), EXIT_OK;
    if (!strcmp(topic, "policy"))
        return help_policy(), EXIT_OK;
    if (!strcmp(topic, "admission"))
        return help_admission(), EXIT_OK;
    cli_error("no help for '%s'", topic);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
        return help(NULL);
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("comb %s\n", COMB_VERSION);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "help"))
        return help(argc > 2 ? argv[2] : NULL);
    if (!strcmp(cmd, "sbom"))
        return cmd_sbom(argc - 1, argv + 1);
    if (!strcmp(cmd, "db"))
        return cmd_db(argc - 1, argv + 1);
    if (!strcmp(cmd, "scan"))
        return cmd_scan(argc - 1, argv + 1);
    if (!strcmp(cmd, "config"))
        return cmd_config(argc - 1, argv + 1);
    if (!strcmp(cmd, "bench"))
        return cmd_bench(argc - 1, argv + 1);
    if (!strcmp(cmd, "server"))
        return cmd_server(argc - 1, argv + 1);
    if (!strcmp(cmd, "agent"))
        return cmd_agent(argc - 1, argv + 1);
    if (!strcmp(cmd, "inventory"))
        return cmd_inventory(argc - 1, argv + 1);
    if (!strcmp(cmd, "watch"))
        return cmd_watch(argc - 1, argv + 1);
    if (!strcmp(cmd, "segment"))
        return cmd_segment(argc - 1, argv + 1);
    if (!strcmp(cmd, "replay"))
        return cmd_replay(argc - 1, argv + 1);
    if (!strcmp(cmd, "key"))
        return cmd_key(argc - 1, argv + 1);
    if (!strcmp(cmd, "sign"))
        return cmd_sign(argc - 1, argv + 1);
    if (!strcmp(cmd, "verify"))
        return cmd_verify(argc - 1, argv + 1);
    if (!strcmp(cmd, "registry"))
        return cmd_registry(argc - 1, argv + 1);
    if (!strcmp(cmd, "policy"))
        return cmd_policy(argc - 1, argv + 1);
    if (!strcmp(cmd, "admission"))
        return cmd_admission(argc - 1, argv + 1);
    cli_error("'%s' is not a comb command; see 'comb --help'", cmd);
    return EXIT_USAGE;
}
