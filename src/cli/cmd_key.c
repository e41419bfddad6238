/* cmd_key.c - `comb key generate|public`: signing key pairs, and the
 * password of an encrypted private key (shared with `comb sign`). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "trust/trust.h"

void help_key(void)
{
    fputs("usage: comb key generate [--type TYPE] --output PREFIX [--password-file FILE]\n"
          "       comb key public --key PRIVATE.key [--output FILE] [--password-file FILE]\n"
          "\n"
          "generate writes PREFIX.key, the private key (PEM \"ENCRYPTED PRIVATE KEY\":\n"
          "PKCS#8 with scrypt and AES-256-CBC, mode 0600), and PREFIX.pub, the public key\n"
          "(PEM SubjectPublicKeyInfo, usable as cosign.pub). Existing files are never\n"
          "overwritten. public prints the public key of a private key.\n"
          "\n"
          "Options:\n"
          "  -t, --type TYPE          ecdsa-p256 (default), ed25519, rsa-3072, rsa-4096\n"
          "  -o, --output PREFIX      file name prefix (generate) / output file (public)\n"
          "  -k, --key FILE           the private key (public)\n"
          "      --password-file FILE read the password from the first line of FILE\n"
          "\n"
          "The password comes from --password-file, else the COMB_PASSWORD environment\n"
          "variable, else a prompt on the terminal; it must not be empty.\n"
          "\n"
          "Exit codes: 0 success, 1 a file could not be read or written, 2 usage error,\n"
          "5 internal error.\n",
          stdout);
}

static int prompt(const char *what, char *buf, size_t size, size_t *len)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct termios old, noecho;
    int tty = tcgetattr(fd, &old) == 0;
    if (tty) {
        noecho = old;
        noecho.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fd, TCSAFLUSH, &noecho);
    }
    if (write(fd, what, strlen(what)) < 0) {
        /* nothing to do: the read below decides */
    }
    size_t n = 0;
    char c;
    while (n + 1 < size && read(fd, &c, 1) == 1 && c != '\n')
        buf[n++] = c;
    buf[n] = '\0';
    if (tty)
        tcsetattr(fd, TCSAFLUSH, &old);
    if (write(fd, "\n", 1) < 0) {
        /* ignored */
    }
    close(fd);
    *len = n;
    return 0;
}

int cli_read_password(const char *file, int confirm, char *buf, size_t size, size_t *len)
{
    *len = 0;
    if (file) {
        FILE *f = fopen(file, "r");
        if (!f) {
            cli_error("%s: %s", file, strerror(errno));
            return EXIT_INPUT;
        }
        if (!fgets(buf, (int)size, f))
            buf[0] = '\0';
        fclose(f);
        *len = strcspn(buf, "\r\n");
        buf[*len] = '\0';
    } else if (getenv("COMB_PASSWORD")) {
        snprintf(buf, size, "%s", getenv("COMB_PASSWORD"));
        *len = strlen(buf);
    } else {
        if (prompt("Password for the private key: ", buf, size, len)) {
            cli_error("no password: give --password-file or COMB_PASSWORD (no terminal to ask on)");
            return EXIT_USAGE;
        }
        if (confirm) {
            char again[1024];
            size_t alen;
            int same = prompt("Again: ", again, sizeof again, &alen) == 0 && alen == *len &&
                       !memcmp(again, buf, alen);
            OPENSSL_cleanse(again, sizeof again);
            if (!same) {
                OPENSSL_cleanse(buf, size);
                cli_error("the passwords differ");
                return EXIT_USAGE;
            }
        }
    }
    if (*len == 0) {
        cli_error("the password is empty; private keys are kept encrypted");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static int key_generate(const char *type, const char *prefix, const char *pwfile)
{
    comb_key_type t;
    int bits;
    if (comb_key_type_parse(type, &t, &bits)) {
        cli_error("--type: \"%s\" is not ecdsa-p256, ed25519, rsa-3072 or rsa-4096", type);
        return EXIT_USAGE;
    }
    char priv[4200], pub[4200];
    if (snprintf(priv, sizeof priv, "%s.key", prefix) >= (int)sizeof priv ||
        snprintf(pub, sizeof pub, "%s.pub", prefix) >= (int)sizeof pub) {
        cli_error("--output: name too long");
        return EXIT_USAGE;
    }
    if (access(priv, F_OK) == 0 || access(pub, F_OK) == 0) {
        cli_error("%s or %s exists; not overwritten", priv, pub);
        return EXIT_INPUT;
    }
    char pw[1024];
    size_t pwlen;
    int ex = cli_read_password(pwfile, 1, pw, sizeof pw, &pwlen);
    if (ex)
        return ex;
    comb_err err;
    comb_err_clear(&err);
    comb_key *k = NULL;
    comb_code rc = comb_key_generate(t, bits, &k, &err);
    if (rc == COMB_OK)
        rc = comb_key_write_private(k, priv, pw, pwlen, &err);
    OPENSSL_cleanse(pw, sizeof pw);
    if (rc == COMB_OK && (rc = comb_key_write_public(k, pub, &err)))
        unlink(priv); /* a private key without its public half helps nobody */
    if (rc) {
        comb_key_free(k);
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    printf("wrote %s (encrypted private key) and %s (public key)\n%s key %s\n", priv, pub,
           comb_key_type_name(k), comb_key_id(k));
    comb_key_free(k);
    return EXIT_OK;
}

static int key_public(const char *keyfile, const char *out, const char *pwfile)
{
    char pw[1024];
    size_t pwlen;
    int ex = cli_read_password(pwfile, 0, pw, sizeof pw, &pwlen);
    if (ex)
        return ex;
    comb_err err;
    comb_err_clear(&err);
    comb_key *k = NULL;
    char *pem = NULL;
    comb_code rc = comb_key_load_private(keyfile, pw, pwlen, &k, &err);
    OPENSSL_cleanse(pw, sizeof pw);
    if (rc == COMB_OK && out)
        rc = comb_key_write_public(k, out, &err);
    else if (rc == COMB_OK)
        rc = comb_key_public_pem(k, &pem, &err);
    if (rc) {
        comb_key_free(k);
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    if (pem)
        fputs(pem, stdout);
    free(pem);
    comb_key_free(k);
    return EXIT_OK;
}

int cmd_key(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "type", required_argument, NULL, 't' },
        { "output", required_argument, NULL, 'o' },
        { "key", required_argument, NULL, 'k' },
        { "password-file", required_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help_key();
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    const char *sub = argv[1], *type = "ecdsa-p256", *out = NULL, *key = NULL, *pwfile = NULL;
    optind = 1;
    int c;
    while ((c = getopt_long(argc - 1, argv + 1, ":t:o:k:h", longopts, NULL)) != -1) {
        switch (c) {
        case 't': type = optarg; break;
        case 'o': out = optarg; break;
        case 'k': key = optarg; break;
        case 'p': pwfile = optarg; break;
        case 'h': help_key(); return EXIT_OK;
        default: return cli_bad_option(c, argv + 1, "key");
        }
    }
    if (optind != argc - 1) {
        cli_error("unexpected argument '%s'; see 'comb help key'", argv[optind + 1]);
        return EXIT_USAGE;
    }
    if (!strcmp(sub, "generate")) {
        if (!out) {
            cli_error("key generate: --output PREFIX is required");
            return EXIT_USAGE;
        }
        return key_generate(type, out, pwfile);
    }
    if (!strcmp(sub, "public")) {
        if (!key) {
            cli_error("key public: --key PRIVATE.key is required");
            return EXIT_USAGE;
        }
        return key_public(key, out, pwfile);
    }
    cli_error("'%s' is not a key command (generate, public); see 'comb help key'", sub);
    return EXIT_USAGE;
}
