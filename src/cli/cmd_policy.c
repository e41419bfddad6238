/* cmd_policy.c - comb policy check: Pod Security Standards and image rules
 * over Kubernetes manifests (docs/ADMISSION.md). */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission/admission.h"
#include "cli/cli.h"
#include "core/readfile.h"

void help_policy(void)
{
    fputs("usage: comb policy check [options] MANIFEST...\n"
          "\n"
          "Check Kubernetes manifests (Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet,\n"
          "Job, CronJob, List; JSON or multi-document YAML) against the Pod Security\n"
          "Standards and image rules, as `comb admission serve` does at admission.\n"
          "\n"
          "Options:\n"
          "  -f, --format FMT        table (default), json, sarif\n"
          "  -p, --policy FILE       admission policy (docs/ADMISSION.md); default:\n"
          "                          restricted everywhere, enforce, no image rules\n"
          "  -l, --level LEVEL       Pod Security Standards level for every namespace:\n"
          "                          privileged, baseline, restricted (overrides the policy)\n"
          "      --image-store REF=DIR  an OCI layout holding images matching REF (a glob),\n"
          "                          for the signature rule (repeatable)\n"
          "      --exit-code N       exit with N when an object would be denied\n"
          "  -o, --output FILE       write the report to FILE\n"
          "\n"
          "Exit codes: 0 success (or denials without --exit-code), N denials with\n"
          "--exit-code N, 1 a manifest or the policy could not be read, 2 usage error,\n"
          "3 a limit was exceeded, 5 internal error.\n",
          stdout);
}

static comb_code read_file(const char *path, size_t max, unsigned char **data, size_t *len,
                           comb_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return comb_fail(err, COMB_ENOTFOUND, "%s: cannot open", path);
    return comb_read_fd(fd, max, path, data, len, err);
}

int cli_load_adm_policy(const char *path, const char *level, const char *const *stores,
                        size_t nstores, comb_adm_policy *p)
{
    comb_err err;
    comb_err_clear(&err);
    comb_adm_policy_default(p);
    if (path) {
        unsigned char *data;
        size_t len;
        comb_code rc = read_file(path, 1u << 20, &data, &len, &err);
        if (rc == COMB_OK) {
            rc = comb_adm_policy_parse(data, len, path, p, &err);
            free(data);
        }
        if (rc != COMB_OK) {
            cli_error("%s", err.msg);
            return cli_exit_code(rc == COMB_EINVAL ? COMB_EFORMAT : rc);
        }
    }
    if (level) {
        if (comb_pss_level_parse(level, &p->pss_default)) {
            cli_error("--level: \"%s\" is not privileged, baseline or restricted", level);
            comb_adm_policy_free(p);
            return EXIT_USAGE;
        }
        for (size_t i = 0; i < p->n_ns_levels; i++)
            p->ns_levels[i].level = p->pss_default;
    }
    for (size_t i = 0; i < nstores; i++) {
        if (comb_adm_add_image_store(p, stores[i], &err)) {
            cli_error("%s", err.msg);
            comb_adm_policy_free(p);
            return EXIT_USAGE;
        }
    }
    return EXIT_OK;
}

int cli_subcommand(int argc, char **argv, const char *cmd, const char *sub, void (*help)(void))
{
    if (argc >= 2 && !strcmp(argv[1], sub))
        return -1;
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        help();
        return EXIT_OK;
    }
    cli_error("%s: a subcommand expected: %s; see 'comb help %s'", cmd, sub, cmd);
    return EXIT_USAGE;
}

static void free_results(comb_adm_result *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        comb_violations_free(&r[i].v);
    free(r);
}

static void copy_str(char *dst, size_t size, json_t *v)
{
    const char *s = json_string_value(v);
    snprintf(dst, size, "%s", s ? s : "");
}

int cmd_policy(int argc, char **argv)
{
    int sub = cli_subcommand(argc, argv, "policy", "check", help_policy);
    if (sub >= 0)
        return sub;
    argc--, argv++;
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"policy", required_argument, NULL, 'p'},
        {"level", required_argument, NULL, 'l'},
        {"image-store", required_argument, NULL, 'S'},
        {"exit-code", required_argument, NULL, 'E'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *format = "table", *policy = NULL, *level = NULL, *output = NULL;
    const char *stores[COMB_ADM_MAX_PATTERNS];
    size_t nstores = 0;
    int exit_code = 0, c;
    while ((c = getopt_long(argc, argv, ":f:p:l:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': format = optarg; break;
        case 'p': policy = optarg; break;
        case 'l': level = optarg; break;
        case 'o': output = optarg; break;
        case 'S':
            if (nstores == COMB_ADM_MAX_PATTERNS) {
                cli_error("--image-store: at most %d", COMB_ADM_MAX_PATTERNS);
                return EXIT_USAGE;
            }
            stores[nstores++] = optarg;
            break;
        case 'E': {
            long v;
            if (cli_parse_int("--exit-code", optarg, 0, 255, &v))
                return EXIT_USAGE;
            exit_code = (int)v;
            break;
        }
        case 'h': help_policy(); return EXIT_OK;
        default: return cli_bad_option(c, argv, "policy");
        }
    }
    comb_adm_format fmt;
    if (comb_adm_format_parse(format, &fmt)) {
        cli_error("--format: \"%s\" is not table, json or sarif", format);
        return EXIT_USAGE;
    }
    if (optind >= argc) {
        cli_error("policy check: at least one MANIFEST expected; see 'comb help policy'");
        return EXIT_USAGE;
    }
    comb_adm_policy p;
    int ex = cli_load_adm_policy(policy, level, stores, nstores, &p);
    if (ex)
        return ex;
    comb_err err;
    comb_err_clear(&err);
    comb_adm_result *res = NULL;
    size_t nres = 0, cap = 0;
    comb_code rc = COMB_OK;
    for (int a = optind; a < argc && rc == COMB_OK; a++) {
        unsigned char *data;
        size_t len;
        json_t *docs = NULL;
        rc = read_file(argv[a], COMB_ADM_MAX_MANIFEST, &data, &len, &err);
        if (rc == COMB_OK) {
            rc = comb_adm_parse_manifests(data, len, argv[a], &docs, &err);
            free(data);
        }
        size_t d;
        json_t *obj;
        json_array_foreach(docs, d, obj) {
            if (rc != COMB_OK)
                break;
            json_t *spec, *meta;
            const char *sp, *mp;
            const char *kind = json_string_value(json_object_get(obj, "kind"));
            int is_list = kind && strlen(kind) >= 4 && !strcmp(kind + strlen(kind) - 4, "List");
            if (!json_is_object(obj) ||
                (!is_list && !comb_adm_pod_template(obj, &spec, &meta, &sp, &mp)))
                continue;
            if (nres == cap) {
                size_t nc = cap ? cap * 2 : 16;
                comb_adm_result *nr = realloc(res, nc * sizeof *nr);
                if (!nr) {
                    rc = comb_fail(&err, COMB_ENOMEM, "out of memory");
                    break;
                }
                res = nr, cap = nc;
            }
            comb_adm_result *r = &res[nres++];
            memset(r, 0, sizeof *r);
            r->file = argv[a];
            r->doc = d + 1;
            json_t *md = json_object_get(obj, "metadata");
            copy_str(r->kind, sizeof r->kind, json_object_get(obj, "kind"));
            copy_str(r->name, sizeof r->name, json_object_get(md, "name"));
            copy_str(r->ns, sizeof r->ns, json_object_get(md, "namespace"));
            rc = comb_adm_eval_object(&p, obj, NULL, &r->v, &r->exempt, &err);
            if (rc != COMB_OK)
                comb_err_prefix(&err, "%s: document %zu", argv[a], d + 1);
        }
        json_decref(docs);
    }
    if (rc == COMB_OK) {
        FILE *out = output ? fopen(output, "w") : stdout;
        if (!out)
            rc = comb_fail(&err, COMB_EIO, "%s: cannot create", output);
        else {
            rc = comb_adm_report(res, nres, fmt, out, &err);
            if (output && fclose(out) && rc == COMB_OK)
                rc = comb_fail(&err, COMB_EIO, "%s: write failed", output);
        }
    }
    ex = EXIT_OK;
    if (rc != COMB_OK) {
        cli_error("%s", err.msg);
        ex = cli_exit_code(rc == COMB_EINVAL ? COMB_EFORMAT : rc);
    } else if (exit_code) {
        for (size_t i = 0; i < nres; i++) {
            if (comb_adm_denied(&res[i].v))
                ex = exit_code;
        }
    }
    free_results(res, nres);
    comb_adm_policy_free(&p);
    return ex;
}
