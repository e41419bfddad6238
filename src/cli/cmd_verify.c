/* cmd_verify.c - `comb verify`: check an image's signatures with trusted
 * keys, given on the command line or chosen by a trust policy. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "trust/trust.h"

void help_verify(void)
{
    fputs("usage: comb verify (--key PUBLIC.pub... | --trust-policy FILE) [options] DIR[:TAG]\n"
          "\n"
          "Verify the signatures of an image in an OCI image layout: cosign key-based\n"
          "signatures (the sha256-<digest>.sig manifest) and Sigstore bundles attached as\n"
          "OCI referrers. A signature counts when it verifies with a trusted key, signs this\n"
          "image's manifest digest and names the image's repository. Every signature\n"
          "found is reported; one good signature verifies the image.\n"
          "\n"
          "Options:\n"
          "  -k, --key FILE           a trusted public key (repeatable)\n"
          "  -p, --trust-policy FILE  trusted keys per repository (docs/TRUST.md)\n"
          "  -r, --reference REPO     the image's repository (default: its ref name when\n"
          "                           that is a full reference)\n"
          "      --identity MODE      matchRepository (default): the signed docker-reference\n"
          "                           must be the image's repository; any: not checked\n"
          "  -f, --format FORMAT      text (default) or json\n"
          "      --platform OS/ARCH[/VARIANT]\n"
          "                           pick the manifest when index.json lists one per platform\n"
          "\n"
          "Transparency logs (Rekor), Fulcio certificates and timestamps are not checked:\n"
          "verification is offline and key-based.\n"
          "\n"
          "Exit codes: 0 verified, 6 not verified (no valid signature by a trusted key, or\n"
          "the policy rejects the image), 1 the image, key or policy could not be read,\n"
          "2 usage error, 3 a limit was exceeded, 4 digest mismatch, 5 internal error.\n",
          stdout);
}

static void free_keys(comb_key **keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        comb_key_free(keys[i]);
}

static const char *type_name(comb_policy_type t)
{
    return t == COMB_POLICY_REJECT ? "reject" : t == COMB_POLICY_ACCEPT ? "insecureAcceptAnything" : "signedBy";
}

static void print_text(const char *target, const comb_desc *img, const char *repo,
                       const comb_policy_rule *rule, const comb_verify_result *r, int verified)
{
    printf("image: %s (%s)%s%s\n", target, img->digest, repo[0] ? " repository " : "", repo);
    if (rule)
        printf("policy: %s rule %s\n", rule->match ? rule->match : "default", type_name(rule->type));
    for (size_t i = 0; i < r->nsigs; i++) {
        const comb_sig_report *s = &r->sigs[i];
        if (s->verified)
            printf("signature %zu (%s, %s): verified by %s key %s (%s)%s%s\n", i + 1, s->kind, s->where,
                   comb_key_type_name(s->key), comb_key_label(s->key), comb_key_id(s->key),
                   s->reference[0] ? ", signed for " : "", s->reference);
        else
            printf("signature %zu (%s, %s): NOT verified: %s\n", i + 1, s->kind, s->where, s->problem);
    }
    if (!r->nsigs && (!rule || rule->type == COMB_POLICY_SIGNED))
        printf("no signatures found\n");
    printf("transparency log, certificates, timestamps: not checked (offline, key-based verification)%s\n",
           r->unchecked_tlog ? "; some signatures carry such material" : "");
    printf("result: %s\n", verified ? "verified" : "NOT verified");
}

static void print_json(const char *target, const comb_desc *img, const char *repo,
                       const comb_policy_rule *rule, const comb_verify_result *r, int verified)
{
    json_t *sigs = json_array();
    for (size_t i = 0; i < r->nsigs; i++) {
        const comb_sig_report *s = &r->sigs[i];
        json_t *o = json_pack("{s:s, s:s, s:b}", "kind", s->kind, "where", s->where, "verified",
                              s->verified);
        if (s->key)
            json_object_set_new(o, "key", json_pack("{s:s, s:s, s:s}", "file", comb_key_label(s->key),
                                                    "id", comb_key_id(s->key), "type",
                                                    comb_key_type_name(s->key)));
        if (s->reference[0])
            json_object_set_new(o, "docker_reference", json_string(s->reference));
        if (!s->verified)
            json_object_set_new(o, "problem", json_string(s->problem));
        json_array_append_new(sigs, o);
    }
    json_t *doc = json_pack("{s:s, s:s, s:b, s:o, s:s}", "image", target, "manifest_digest", img->digest,
                            "verified", verified, "signatures", sigs, "transparency_log",
                            "not checked (offline, key-based verification)");
    if (repo[0])
        json_object_set_new(doc, "repository", json_string(repo));
    if (rule)
        json_object_set_new(doc, "policy", json_pack("{s:s, s:s}", "rule", rule->match ? rule->match : "default",
                                                     "type", type_name(rule->type)));
    char *s = json_dumps(doc, JSON_INDENT(2));
    if (s)
        puts(s);
    free(s);
    json_decref(doc);
}

int cmd_verify(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "key", required_argument, NULL, 'k' },
        { "trust-policy", required_argument, NULL, 'p' },
        { "reference", required_argument, NULL, 'r' },
        { "identity", required_argument, NULL, 'I' },
        { "format", required_argument, NULL, 'f' },
        { "platform", required_argument, NULL, 'P' },
        CLI_REGISTRY_LONGOPTS,
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *keyfiles[COMB_POLICY_MAX_KEYS], *policy_path = NULL, *reference = NULL, *format = "text",
               *platform = NULL;
    size_t nkeyfiles = 0;
    cli_registry reg = { 0 };
    comb_identity_mode identity = COMB_IDENTITY_REPOSITORY;
    int c;
    while ((c = getopt_long(argc, argv, ":k:p:r:f:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'k':
            if (nkeyfiles == COMB_POLICY_MAX_KEYS) {
                cli_error("--key: at most %d keys", COMB_POLICY_MAX_KEYS);
                return EXIT_USAGE;
            }
            keyfiles[nkeyfiles++] = optarg;
            break;
        case 'p': policy_path = optarg; break;
        case 'r': reference = optarg; break;
        case 'I':
            if (!strcmp(optarg, "any"))
                identity = COMB_IDENTITY_ANY;
            else if (!strcmp(optarg, "matchRepository"))
                identity = COMB_IDENTITY_REPOSITORY;
            else {
                cli_error("--identity: \"%s\" is not matchRepository or any", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'f': format = optarg; break;
        case 'P': platform = optarg; break;
        case 'h': help_verify(); return EXIT_OK;
        default: {
            int r = cli_registry_option(&reg, c, optarg);
            if (r < 0)
                return EXIT_USAGE;
            if (r == 0)
                return cli_bad_option(c, argv, "verify");
        }
        }
    }
    if (strcmp(format, "text") && strcmp(format, "json")) {
        cli_error("--format: \"%s\" is not text or json", format);
        return EXIT_USAGE;
    }
    if (optind != argc - 1 || (!nkeyfiles == !policy_path)) {
        cli_error(optind != argc - 1 ? "verify: one image (DIR[:TAG]) expected; see 'comb help verify'"
                                     : "verify: give --key or --trust-policy (one of them)");
        return EXIT_USAGE;
    }
    const char *target = argv[optind];
    comb_err err;
    comb_err_clear(&err);
    comb_key *keys[COMB_POLICY_MAX_KEYS];
    size_t nkeys = 0;
    comb_policy *policy = NULL;
    const comb_policy_rule *rule = NULL;
    comb_store *st = NULL;
    comb_desc image;
    char repo[512];
    comb_verify_result res = { 0 };
    comb_code rc = COMB_OK;
    int ex = cli_registry_finish(&reg);
    if (!ex)
        ex = cli_open_signed_target(target, reference, platform, &reg.opts, &st, &image, repo,
                                    sizeof repo);
    if (ex)
        return ex;
    for (size_t i = 0; i < nkeyfiles && rc == COMB_OK; i++)
        if ((rc = comb_key_load_public(keyfiles[i], &keys[nkeys], &err)) == COMB_OK)
            nkeys++;
    if (rc == COMB_OK && policy_path) {
        rc = comb_policy_load(policy_path, &policy, &err);
        if (rc == COMB_OK && !repo[0]) {
            cli_error("%s: the image has no repository name to look up in the policy; give --reference REPO",
                      target);
            ex = EXIT_USAGE;
            goto out;
        }
        if (rc == COMB_OK) {
            rule = comb_policy_select(policy, repo);
            identity = rule->identity;
            rc = comb_policy_rule_keys(rule, policy_path, keys, &nkeys, &err);
        }
    }
    int verified = 0;
    if (rc == COMB_OK && (!rule || rule->type == COMB_POLICY_SIGNED)) {
        comb_verify_opts o = { .keys = keys, .nkeys = nkeys, .repository = repo[0] ? repo : NULL,
                               .identity = identity };
        rc = comb_verify_image(st, &image, &o, &res, &err);
        verified = res.verified;
    } else if (rc == COMB_OK) {
        verified = rule->type == COMB_POLICY_ACCEPT;
    }
    if (rc) {
        cli_error("%s", err.msg);
        ex = cli_exit_code(rc);
        goto out;
    }
    if (!strcmp(format, "json"))
        print_json(target, &image, repo, rule, &res, verified);
    else
        print_text(target, &image, repo, rule, &res, verified);
    if (!repo[0] && identity == COMB_IDENTITY_REPOSITORY)
        cli_warning("%s: the image's repository is unknown, so the signed docker-reference was not "
                    "checked; give --reference REPO", target);
    ex = verified ? EXIT_OK : EXIT_UNVERIFIED;
out:
    comb_verify_result_free(&res);
    free_keys(keys, nkeys);
    comb_policy_free(policy);
    comb_store_close(st);
    return ex;
}
