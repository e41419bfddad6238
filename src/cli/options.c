/* options.c - value parsers shared by the subcommands' options. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

int cli_parse_size(const char *s, uint64_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1; /* strtoull would accept "-5" */
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case '\0': break;
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: return -1;
    }
    if (*end || v == 0 || v > (~0ULL >> shift))
        return -1;
    *out = v << shift;
    return 0;
}

int cli_parse_int(const char *opt, const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) {
        cli_error("%s: \"%s\" is not a number from %ld to %ld", opt, s, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_registry_option(cli_registry *r, int c, const char *arg)
{
    long v;
    switch (c) {
    case OPT_USERNAME: r->opts.username = arg; return 1;
    case OPT_PASSWORD_STDIN: r->password_stdin = 1; return 1;
    case OPT_INSECURE: r->opts.insecure = 1; return 1;
    case OPT_MIRROR: {
        size_t have = strlen(r->mirrors);
        if (!strchr(arg, '=') || have + strlen(arg) + 2 > sizeof r->mirrors) {
            cli_error("--registry-mirror: \"%s\" is not REGISTRY=MIRROR (or too many)", arg);
            return -1;
        }
        snprintf(r->mirrors + have, sizeof r->mirrors - have, "%s%s", have ? "," : "", arg);
        r->opts.mirrors = r->mirrors;
        return 1;
    }
    case OPT_TIMEOUT:
        if (cli_parse_int("--timeout", arg, 1, 3600, &v))
            return -1;
        r->opts.timeout_s = v;
        return 1;
    }
    return 0;
}

int cli_registry_finish(cli_registry *r)
{
    if (r->password_stdin && !r->opts.username) {
        cli_error("--password-stdin needs --username");
        return EXIT_USAGE;
    }
    if (r->opts.username && !r->password_stdin) {
        cli_error("--username needs --password-stdin (passwords are never taken as arguments)");
        return EXIT_USAGE;
    }
    if (!r->password_stdin)
        return 0;
    size_t n = 0;
    while (n < sizeof r->password - 1) {
        ssize_t k = read(STDIN_FILENO, r->password + n, sizeof r->password - 1 - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        n += (size_t)k;
    }
    r->password[n] = '\0';
    while (n && (r->password[n - 1] == '\n' || r->password[n - 1] == '\r'))
        r->password[--n] = '\0';
    r->opts.password = r->password;
    return 0;
}

void cli_registry_help(FILE *out)
{
    fputs("Registry options (remote images; see docs/REGISTRY.md):\n"
          "      --username USER      log in as USER (with --password-stdin); otherwise\n"
          "                           credentials come from $REGISTRY_AUTH_FILE,\n"
          "                           $XDG_RUNTIME_DIR/containers/auth.json or\n"
          "                           ~/.docker/config.json (and its credential helpers)\n"
          "      --password-stdin     read the password from standard input\n"
          "      --insecure           talk plain HTTP to the registry (refused otherwise)\n"
          "      --registry-mirror REGISTRY=MIRROR\n"
          "                           try MIRROR first for images of REGISTRY (repeatable;\n"
          "                           also $COMB_REGISTRY_MIRRORS)\n"
          "      --timeout SECONDS    give up on a registry that sends less than 512\n"
          "                           bytes/s for SECONDS (default 30)\n",
          out);
}
