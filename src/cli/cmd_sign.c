/* cmd_sign.c - `comb sign`: sign an image in an OCI image layout, in
 * cosign's key-based format (and optionally as a Sigstore bundle). Also the
 * target handling shared with `comb verify`. */
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "trust/trust.h"

void help_sign(void)
{
    fputs("usage: comb sign --key PRIVATE.key [options] DIR[:TAG]\n"
          "\n"
          "Sign an image of an OCI image layout the way cosign does with a key: the\n"
          "simple-signing payload (docker-reference, docker-manifest-digest) as a layer of\n"
          "the manifest tagged sha256-<digest>.sig, its signature in the layer's\n"
          "dev.cosignproject.cosign/signature annotation. Signing again adds a signature.\n"
          "Everything is written into the layout atomically.\n"
          "\n"
          "Options:\n"
          "  -k, --key FILE           the private key (comb key generate, or cosign's\n"
          "                           ENCRYPTED SIGSTORE PRIVATE KEY)\n"
          "  -r, --reference REPO     the repository the signature names (docker-reference),\n"
          "                           e.g. registry.example.com/team/app; default: the\n"
          "                           image's org.opencontainers.image.ref.name if it is one\n"
          "  -a, --annotation K=V     add K=V to the payload's optional section (repeatable)\n"
          "      --bundle             also attach a Sigstore bundle (v0.3, DSSE in-toto\n"
          "                           statement) as an OCI referrer of the image\n"
          "      --bundle-only        attach only the bundle\n"
          "      --platform OS/ARCH[/VARIANT]\n"
          "                           pick the manifest when index.json lists one per\n"
          "                           platform (an image index blob is signed as itself)\n"
          "      --password-file FILE the private key's password (else COMB_PASSWORD, else a\n"
          "                           prompt)\n"
          "\n"
          "No transparency log (Rekor) entry is made: signing is offline.\n"
          "\n"
          "Exit codes: 0 signed, 1 the image or key could not be read or written,\n"
          "2 usage error, 3 a limit was exceeded, 4 digest mismatch, 5 internal error.\n",
          stdout);
}

/* "DIR[:TAG]": the first colon that leaves an existing directory. */
static int split_target(const char *t, char *dir, size_t dsize, const char **tag)
{
    struct stat st;
    *tag = NULL;
    if (!strncmp(t, "oci:", 4))
        t += 4;
    if (snprintf(dir, dsize, "%s", t) >= (int)dsize)
        return -1;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    for (const char *c = strchr(t, ':'); c; c = strchr(c + 1, ':')) {
        snprintf(dir, dsize, "%.*s", (int)(c - t), t);
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
            *tag = c[1] ? c + 1 : NULL;
            return 0;
        }
    }
    snprintf(dir, dsize, "%s", t);
    return 0;
}

/* "registry://REF", or a reference naming a registry host that is not a
 * directory here: an image in a registry. */
static int registry_target(const char *t, comb_ref *ref)
{
    comb_err err;
    struct stat sb;
    if (!strncmp(t, "registry://", 11))
        return comb_ref_parse(t + 11, ref, &err) == COMB_OK ? 1 : -1;
    if (!strncmp(t, "oci:", 4) || stat(t, &sb) == 0 || !strchr(t, '/'))
        return 0;
    size_t dl = strcspn(t, "/");
    if (!memchr(t, '.', dl) && !memchr(t, ':', dl) && strncmp(t, "localhost/", 10) &&
        strncmp(t, "localhost:", 10))
        return 0;
    char first[300];
    snprintf(first, sizeof first, "%.*s", (int)dl, t);
    if (stat(first, &sb) == 0)
        return 0; /* a directory path like ./x.y/... */
    return comb_ref_parse(t, ref, &err) == COMB_OK ? 1 : 0;
}

int cli_open_signed_target(const char *target, const char *reference, const char *platform,
                           const comb_registry_opts *ropts, comb_store **st, comb_desc *image,
                           char *repo, size_t rsize)
{
    char dir[4200];
    const char *tag;
    repo[0] = '\0';
    comb_ref ref;
    int isreg = registry_target(target, &ref);
    if (isreg < 0) {
        cli_error("%s: not an image reference", target);
        return EXIT_USAGE;
    }
    if (split_target(target, dir, sizeof dir, &tag)) {
        cli_error("%s: name too long", target);
        return EXIT_USAGE;
    }
    comb_err err;
    comb_err_clear(&err);
    comb_registry_opts none = {0};
    comb_code rc;
    if (isreg) {
        tag = NULL;
        rc = comb_registry_store_open(&ref, ropts ? ropts : &none, st, &err);
    } else {
        rc = comb_layout_store_open(dir, st, &err);
    }
    char *name = NULL;
    if (rc == COMB_OK && (rc = (*st)->ops->resolve(*st, tag, platform, image, &name, &err))) {
        comb_store_close(*st);
        *st = NULL;
    }
    if (rc) {
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    const char *r = reference ? reference : (name && strchr(name, '/') ? name : NULL);
    char regname[600];
    if (isreg && !reference) {
        snprintf(regname, sizeof regname, "%s/%s", ref.registry, ref.repo);
        r = regname;
    }
    if (r && comb_ref_repository(r, repo, rsize)) {
        cli_error("%s\"%s\" is not an image reference", reference ? "--reference: " : "ref name ", r);
        free(name);
        comb_store_close(*st);
        *st = NULL;
        return EXIT_USAGE;
    }
    free(name);
    return EXIT_OK;
}

int cmd_sign(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "key", required_argument, NULL, 'k' },
        { "reference", required_argument, NULL, 'r' },
        { "annotation", required_argument, NULL, 'a' },
        { "bundle", no_argument, NULL, 'B' },
        { "bundle-only", no_argument, NULL, 'O' },
        { "password-file", required_argument, NULL, 'p' },
        { "platform", required_argument, NULL, 'P' },
        CLI_REGISTRY_LONGOPTS,
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *key = NULL, *reference = NULL, *pwfile = NULL, *platform = NULL;
    comb_sign_opts o = { 0 };
    cli_registry reg = { 0 };
    json_t *ann = json_object();
    int c, ex = EXIT_OK;
    while ((c = getopt_long(argc, argv, ":k:r:a:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'k': key = optarg; break;
        case 'r': reference = optarg; break;
        case 'a': {
            const char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg) {
                cli_error("--annotation: \"%s\" is not KEY=VALUE", optarg);
                json_decref(ann);
                return EXIT_USAGE;
            }
            char k[256];
            snprintf(k, sizeof k, "%.*s", (int)(eq - optarg), optarg);
            json_object_set_new(ann, k, json_string(eq + 1));
            break;
        }
        case 'B': o.bundle = 1; break;
        case 'O': o.bundle_only = 1; break;
        case 'p': pwfile = optarg; break;
        case 'P': platform = optarg; break;
        case 'h': help_sign(); json_decref(ann); return EXIT_OK;
        default: {
            int r = cli_registry_option(&reg, c, optarg);
            if (r == 0) {
                json_decref(ann);
                return cli_bad_option(c, argv, "sign");
            }
            if (r < 0) {
                json_decref(ann);
                return EXIT_USAGE;
            }
        }
        }
    }
    if (optind != argc - 1 || !key) {
        cli_error(!key ? "sign: --key is required; see 'comb help sign'"
                       : "sign: one image (DIR[:TAG]) expected; see 'comb help sign'");
        json_decref(ann);
        return EXIT_USAGE;
    }
    comb_store *st = NULL;
    comb_desc image;
    char repo[512];
    if ((ex = cli_registry_finish(&reg))) {
        json_decref(ann);
        return ex;
    }
    ex = cli_open_signed_target(argv[optind], reference, platform, &reg.opts, &st, &image, repo,
                                sizeof repo);
    if (ex == EXIT_OK && !repo[0]) {
        cli_error("%s: the image has no repository name; say which with --reference REPO",
                  argv[optind]);
        ex = EXIT_USAGE;
    }
    char pw[1024];
    size_t pwlen;
    if (ex == EXIT_OK)
        ex = cli_read_password(pwfile, 0, pw, sizeof pw, &pwlen);
    if (ex) {
        comb_store_close(st);
        json_decref(ann);
        return ex;
    }
    comb_err err;
    comb_err_clear(&err);
    comb_key *k = NULL;
    comb_code rc = comb_key_load_private(key, pw, pwlen, &k, &err);
    OPENSSL_cleanse(pw, sizeof pw);
    comb_sign_result res;
    o.reference = repo;
    o.annotations = json_object_size(ann) ? ann : NULL;
    if (rc == COMB_OK)
        rc = comb_sign_image(st, &image, k, &o, &res, &err);
    if (rc) {
        cli_error("%s", err.msg);
        ex = cli_exit_code(rc);
    } else {
        printf("signed %s (%s) as %s with %s key %s (%s)\n", argv[optind], image.digest, repo,
               comb_key_type_name(k), comb_key_label(k), comb_key_id(k));
        if (res.sig_manifest[0])
            printf("signature: %s -> %s\n", res.sig_tag, res.sig_manifest);
        if (res.bundle_manifest[0])
            printf("bundle referrer: %s\n", res.bundle_manifest);
    }
    comb_key_free(k);
    comb_store_close(st);
    json_decref(ann);
    return ex;
}
