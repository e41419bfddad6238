/* test_secret_rules.c - every built-in rule against its cases in
 * tests/data/secrets/cases.tsv: a positive example must give a finding of
 * that rule whose redacted match and line do not contain the secret, and a
 * near miss must not give a finding of that rule. Each case is run with the
 * three prefilters (they must agree), and every built-in rule must have
 * cases. */
#include <stdio.h>

#include "secret_helpers.h"
#include "test.h"

#define MAX_CASES 2000

typedef struct scase {
    char *rule, *kind, *path, *secret, *text;
    size_t text_len;
} scase;

static scase cases[MAX_CASES];
static size_t ncases;
static char *cases_buf;

/* Undo the \n \t \\ escapes of cases.tsv in place; returns the length. */
static size_t unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            *o++ = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
        } else
            *o++ = *p;
    }
    *o = '\0';
    return (size_t)(o - s);
}

static void load_cases(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/secrets/cases.tsv",
             getenv("COMB_SRC") ? getenv("COMB_SRC") : ".");
    size_t len = 0;
    cases_buf = (char *)test_slurp(path, &len);
    CHECK(cases_buf != NULL);
    if (!cases_buf)
        return;
    cases_buf = realloc(cases_buf, len + 1);
    cases_buf[len] = '\0';
    char *save = NULL;
    for (char *line = strtok_r(cases_buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || ncases == MAX_CASES)
            continue;
        char *f[5] = { 0 };
        char *p = line;
        for (int i = 0; i < 5 && p; i++) {
            f[i] = p;
            p = strchr(p, '\t');
            if (p && i < 4)
                *p++ = '\0';
        }
        if (!f[4])
            continue;
        scase *c = &cases[ncases++];
        c->rule = f[0];
        c->kind = f[1];
        c->path = f[2];
        c->secret = f[3];
        unescape(c->secret);
        c->text_len = unescape(f[4]);
        c->text = f[4];
    }
}

static comb_secret_engine *engines[3];
static const comb_secret_prefilter modes[3] = { COMB_SECRET_PREFILTER_KEYWORDS,
                                                COMB_SECRET_PREFILTER_REGEX,
                                                COMB_SECRET_PREFILTER_TRIVY };

static void test_engines_build(void)
{
    for (int m = 0; m < 3; m++) {
        comb_secret_opts o = { .prefilter = modes[m] };
        comb_err err;
        comb_err_clear(&err);
        CHECK_INT(comb_secret_engine_new(&o, &engines[m], &err), COMB_OK);
        if (err.msg[0])
            fprintf(stderr, "%s\n", err.msg);
    }
    CHECK(engines[0] && comb_secret_rule_count(engines[0]) >= 100);
}

static void test_every_rule_has_cases(void)
{
    if (!engines[0])
        return;
    for (size_t i = 0; i < comb_secret_rule_count(engines[0]); i++) {
        comb_secret_rule_info ri;
        comb_secret_rule_at(engines[0], i, &ri);
        CHECK(ri.builtin);
        CHECK(!strcmp(ri.severity, "CRITICAL") || !strcmp(ri.severity, "HIGH") ||
              !strcmp(ri.severity, "MEDIUM") || !strcmp(ri.severity, "LOW"));
        int pos = 0, neg = 0;
        for (size_t c = 0; c < ncases; c++)
            if (!strcmp(cases[c].rule, ri.id)) {
                pos += !strcmp(cases[c].kind, "pos");
                neg += !strcmp(cases[c].kind, "neg");
            }
        /* pkcs12-file matches binary DER; test_secret_engine covers it */
        if (strcmp(ri.id, "pkcs12-file")) {
            if (!pos || !neg)
                fprintf(stderr, "rule %s: %d positive, %d negative cases\n", ri.id, pos, neg);
            CHECK(pos > 0 && neg > 0);
        }
    }
}

static void test_positive_cases(void)
{
    for (size_t c = 0; c < ncases; c++) {
        if (strcmp(cases[c].kind, "pos"))
            continue;
        for (int m = 0; m < 3; m++) {
            if (!engines[m])
                continue;
            hits hs;
            CHECK_INT(scan_text(engines[m], cases[c].path, cases[c].text, cases[c].text_len, &hs),
                      COMB_OK);
            const hit *h = find_rule(&hs, cases[c].rule);
            if (!h) {
                fprintf(stderr, "mode %d: %s: no finding in: %.200s\n", m, cases[c].rule,
                        cases[c].text);
                for (size_t i = 0; i < hs.n; i++)
                    fprintf(stderr, "   got %s\n", hs.h[i].rule);
            }
            CHECK(h != NULL);
            for (size_t i = 0; i < hs.n; i++) {
                if (leaks(hs.h[i].match, cases[c].secret) || leaks(hs.h[i].line, cases[c].secret))
                    fprintf(stderr, "%s: leaked: %s | %s\n", cases[c].rule, hs.h[i].match,
                            hs.h[i].line);
                CHECK(!leaks(hs.h[i].match, cases[c].secret));
                CHECK(!leaks(hs.h[i].line, cases[c].secret));
            }
        }
    }
}

static void test_negative_cases(void)
{
    for (size_t c = 0; c < ncases; c++) {
        if (strcmp(cases[c].kind, "neg"))
            continue;
        for (int m = 0; m < 3; m++) {
            if (!engines[m])
                continue;
            hits hs;
            CHECK_INT(scan_text(engines[m], cases[c].path, cases[c].text, cases[c].text_len, &hs),
                      COMB_OK);
            if (find_rule(&hs, cases[c].rule))
                fprintf(stderr, "mode %d: %s: near miss matched: %.200s\n", m, cases[c].rule,
                        cases[c].text);
            CHECK(find_rule(&hs, cases[c].rule) == NULL);
        }
    }
}

/* Trivy's 105 built-in rule ids exist in comb, so Trivy configs that
 * disable or enable rules by id keep working. */
static void test_trivy_rule_ids(void)
{
    static const char *const trivy_ids[] = {
        "aws-access-key-id", "aws-secret-access-key", "github-pat", "github-oauth",
        "github-app-token", "github-refresh-token", "github-fine-grained-pat", "gitlab-pat",
        "hugging-face-access-token", "private-key", "shopify-token", "slack-access-token",
        "stripe-publishable-token", "stripe-secret-token", "pypi-upload-token",
        "gcp-service-account", "heroku-api-key", "slack-web-hook", "twilio-api-key",
        "age-secret-key", "facebook-token", "twitter-token", "adobe-client-id",
        "adobe-client-secret", "alibaba-access-key-id", "alibaba-secret-key", "asana-client-id",
        "asana-client-secret", "atlassian-api-token", "bitbucket-client-id",
        "bitbucket-client-secret", "beamer-api-token", "clojars-api-token",
        "contentful-delivery-api-token", "databricks-api-token", "discord-api-token",
        "discord-client-id", "discord-client-secret", "doppler-api-token", "dropbox-api-secret",
        "dropbox-short-lived-api-token", "dropbox-long-lived-api-token", "duffel-api-token",
        "dynatrace-api-token", "easypost-api-token", "fastly-api-token",
        "finicity-client-secret", "finicity-api-token", "flutterwave-public-key",
        "flutterwave-enc-key", "frameio-api-token", "gocardless-api-token", "grafana-api-token",
        "hashicorp-tf-api-token", "hubspot-api-token", "intercom-api-token",
        "intercom-client-secret", "ionic-api-token", "jwt-token", "linear-api-token",
        "linear-client-secret", "lob-api-key", "lob-pub-api-key", "mailchimp-api-key",
        "mailgun-token", "mailgun-signing-key", "mapbox-api-token", "messagebird-api-token",
        "messagebird-client-id", "new-relic-user-api-key", "new-relic-user-api-id",
        "new-relic-browser-api-token", "npm-access-token", "planetscale-password",
        "planetscale-api-token", "private-packagist-token", "postman-api-token",
        "pulumi-api-token", "rubygems-api-token", "sendgrid-api-token", "sendinblue-api-token",
        "shippo-api-token", "linkedin-client-secret", "linkedin-client-id", "twitch-api-token",
        "typeform-api-token", "dockerconfig-secret", "symfony-default-secret",
        "azure-storage-account-key", "azure-sas-token", "azure-devops-pat",
        "azure-entra-client-secret", "azure-container-registry-credential",
        "azure-container-registry-password", "azure-app-config-connection-string",
        "azure-ai-services-key", "maven-settings-password", "maven-settings-passphrase",
        "maven-settings-security-master", "openai-project-api-key", "openai-service-account-key",
        "openai-admin-api-key", "openai-legacy-api-key", "openai-service-api-key",
        "openai-realtime-client-secret",
    };
    CHECK_INT(sizeof trivy_ids / sizeof *trivy_ids, 105);
    if (!engines[0])
        return;
    for (size_t t = 0; t < sizeof trivy_ids / sizeof *trivy_ids; t++) {
        int found = 0;
        for (size_t i = 0; i < comb_secret_rule_count(engines[0]) && !found; i++) {
            comb_secret_rule_info ri;
            comb_secret_rule_at(engines[0], i, &ri);
            found = !strcmp(ri.id, trivy_ids[t]);
        }
        if (!found)
            fprintf(stderr, "missing Trivy rule id %s\n", trivy_ids[t]);
        CHECK(found);
    }
}

int main(void)
{
    load_cases();
    RUN(test_engines_build);
    RUN(test_every_rule_has_cases);
    RUN(test_positive_cases);
    RUN(test_negative_cases);
    RUN(test_trivy_rule_ids);
    for (int m = 0; m < 3; m++)
        comb_secret_engine_free(engines[m]);
    free(cases_buf);
    return test_summary();
}
