/* test_pss.c - the Pod Security Standards evaluators on small pod specs:
 * pod-level vs container-level semantics, Windows exemptions, the
 * restricted overrides of the baseline capabilities/seccomp controls,
 * YAML string numbers, field paths; the multi-document YAML reader; the
 * policy file parser; the AdmissionReview answer. */
#include <jansson.h>

#include "admission/admission.h"
#include "core/yaml_json.h"
#include "test.h"

static json_t *J(const char *s)
{
    json_error_t e;
    json_t *j = json_loads(s, 0, &e);
    if (!j)
        fprintf(stderr, "bad test JSON: %s: %s\n", e.text, s);
    return j;
}

/* Number of violations of control `id` at `level`; the first path in path. */
static int count(const char *spec_json, comb_pss_level level, const char *id, char *path,
                 size_t psize)
{
    json_t *spec = J(spec_json);
    comb_violations v = {0};
    comb_err err;
    int n = 0;
    if (comb_pss_check(spec, NULL, "spec", "metadata", level, COMB_ADM_ENFORCE, &v, &err) ==
        COMB_OK) {
        for (size_t i = 0; i < v.n; i++) {
            if (!strcmp(v.v[i].rule, id)) {
                if (!n && path)
                    snprintf(path, psize, "%s", v.v[i].path);
                n++;
            }
        }
    } else {
        n = -1;
    }
    comb_violations_free(&v);
    json_decref(spec);
    return n;
}

#define GOOD_CTR "\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"]}"

static void test_run_as_non_root(void)
{
    /* pod true: containers may omit; a container's explicit false still fails */
    CHECK_INT(count("{\"securityContext\":{\"runAsNonRoot\":true},\"containers\":[{\"name\":\"a\"}]}",
                    COMB_PSS_RESTRICTED, "runAsNonRoot", NULL, 0), 0);
    CHECK_INT(count("{\"securityContext\":{\"runAsNonRoot\":true},\"containers\":[{\"name\":\"a\","
                    "\"securityContext\":{\"runAsNonRoot\":false}}]}",
                    COMB_PSS_RESTRICTED, "runAsNonRoot", NULL, 0), 1);
    /* pod unset: every container (init ones too) must set it */
    char path[256] = "";
    CHECK_INT(count("{\"containers\":[{\"name\":\"a\",\"securityContext\":{\"runAsNonRoot\":true}}],"
                    "\"initContainers\":[{\"name\":\"i\"}]}",
                    COMB_PSS_RESTRICTED, "runAsNonRoot", path, sizeof path), 1);
    CHECK_STR(path, "spec.initContainers[0].securityContext.runAsNonRoot");
    /* not a baseline control */
    CHECK_INT(count("{\"containers\":[{\"name\":\"a\"}]}", COMB_PSS_BASELINE, "runAsNonRoot",
                    NULL, 0), 0);
}

static void test_seccomp(void)
{
    CHECK_INT(count("{\"securityContext\":{\"seccompProfile\":{\"type\":\"Unconfined\"}},"
                    "\"containers\":[{\"name\":\"a\"}]}",
                    COMB_PSS_BASELINE, "seccompProfile_baseline", NULL, 0), 1);
    /* at restricted the restricted control replaces the baseline one */
    CHECK_INT(count("{\"securityContext\":{\"seccompProfile\":{\"type\":\"Unconfined\"}},"
                    "\"containers\":[{\"name\":\"a\"}]}",
                    COMB_PSS_RESTRICTED, "seccompProfile_baseline", NULL, 0), 0);
    CHECK(count("{\"securityContext\":{\"seccompProfile\":{\"type\":\"Unconfined\"}},"
                "\"containers\":[{\"name\":\"a\"}]}",
                COMB_PSS_RESTRICTED, "seccompProfile_restricted", NULL, 0) > 0);
    /* container-level RuntimeDefault satisfies restricted without a pod level */
    CHECK_INT(count("{\"containers\":[{\"name\":\"a\",\"securityContext\":{\"seccompProfile\":"
                    "{\"type\":\"RuntimeDefault\"}}}]}",
                    COMB_PSS_RESTRICTED, "seccompProfile_restricted", NULL, 0), 0);
    /* Windows pods are exempt */
    CHECK_INT(count("{\"os\":{\"name\":\"windows\"},\"containers\":[{\"name\":\"a\"}]}",
                    COMB_PSS_RESTRICTED, "seccompProfile_restricted", NULL, 0), 0);
}

static void test_capabilities_and_ports(void)
{
    char path[256] = "";
    CHECK_INT(count("{\"containers\":[{\"name\":\"a\",\"securityContext\":{\"capabilities\":"
                    "{\"add\":[\"CHOWN\",\"NET_ADMIN\"]}}}]}",
                    COMB_PSS_BASELINE, "capabilities_baseline", path, sizeof path), 1);
    CHECK_STR(path, "spec.containers[0].securityContext.capabilities.add[1]");
    CHECK_INT(count("{\"containers\":[{\"name\":\"a\",\"securityContext\":{" GOOD_CTR "}}]}",
                    COMB_PSS_RESTRICTED, "capabilities_restricted", NULL, 0), 0);
    /* hostPort from YAML is a string; "0" is allowed */
    CHECK_INT(count("{\"containers\":[{\"name\":\"a\",\"ports\":[{\"hostPort\":\"0\"},"
                    "{\"hostPort\":\"80\"}]}]}",
                    COMB_PSS_BASELINE, "hostPorts", path, sizeof path), 1);
    CHECK_STR(path, "spec.containers[0].ports[1].hostPort");
    CHECK_INT(count("{\"securityContext\":{\"runAsUser\":\"0\"},\"containers\":[]}",
                    COMB_PSS_RESTRICTED, "runAsUser", NULL, 0), 1);
}

static void test_baseline_misc(void)
{
    CHECK_INT(count("{\"securityContext\":{\"sysctls\":[{\"name\":\"net.ipv4.tcp_syncookies\"},"
                    "{\"name\":\"kernel.sem\"}]},\"containers\":[]}",
                    COMB_PSS_BASELINE, "sysctls", NULL, 0), 1);
    CHECK_INT(count("{\"containers\":[{\"name\":\"a\",\"securityContext\":{\"seLinuxOptions\":"
                    "{\"type\":\"container_t\",\"level\":\"s0\"}}}]}",
                    COMB_PSS_BASELINE, "seLinuxOptions", NULL, 0), 0);
    CHECK_INT(count("{\"ephemeralContainers\":[{\"name\":\"d\",\"securityContext\":{"
                    "\"privileged\":true}}]}",
                    COMB_PSS_BASELINE, "privileged", NULL, 0), 1);
    CHECK_INT(count("{\"volumes\":[{\"name\":\"v\",\"emptyDir\":{}},{\"name\":\"w\",\"nfs\":{}}],"
                    "\"containers\":[]}",
                    COMB_PSS_RESTRICTED, "restrictedVolumes", NULL, 0), 1);
    CHECK_INT(count("{\"containers\":[{\"name\":\"a\"}]}", COMB_PSS_PRIVILEGED, "runAsNonRoot",
                    NULL, 0), 0);
}

static void test_multidoc_and_review(void)
{
    char msg[256];
    static const char y[] = "a: 1\n---\n---\nb: [x]\n";
    json_t *docs = comb_yaml_docs_to_json(y, sizeof y - 1, 10, msg, sizeof msg);
    CHECK(docs && json_array_size(docs) == 3);
    CHECK(docs && json_is_null(json_array_get(docs, 1)));
    json_decref(docs);
    CHECK(comb_yaml_docs_to_json(y, sizeof y - 1, 2, msg, sizeof msg) == NULL);
    CHECK(comb_yaml_to_json(y, sizeof y - 1, msg, sizeof msg) == NULL); /* single-doc reader unchanged */

    comb_adm_policy p;
    comb_err err;
    static const char pol[] = "podSecurity:\n  level: baseline\n  exemptions:\n"
                              "    usernames: [ops]\n";
    CHECK_INT(comb_adm_policy_parse(pol, sizeof pol - 1, "p.yaml", &p, &err), COMB_OK);
    static const char rv[] =
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{"
        "\"uid\":\"u1\",\"namespace\":\"n\",\"operation\":\"CREATE\",\"userInfo\":{\"username\":\"dev\"},"
        "\"object\":{\"kind\":\"Pod\",\"spec\":{\"hostPID\":true,\"containers\":[]}}}}";
    char *out = NULL;
    int allowed = 1;
    CHECK_INT(comb_adm_review(&p, rv, sizeof rv - 1, &out, &allowed, &err), COMB_OK);
    CHECK(!allowed && out && strstr(out, "\"uid\": \"u1\"") == NULL && strstr(out, "u1"));
    CHECK(out && strstr(out, "hostNamespaces (baseline): spec.hostPID"));
    free(out);
    comb_adm_policy_free(&p);
    static const char bad[] = "podSecurity:\n  level: strict\n";
    CHECK_INT(comb_adm_policy_parse(bad, sizeof bad - 1, "p.yaml", &p, &err), COMB_EFORMAT);
    CHECK(strstr(err.msg, "p.yaml: podSecurity.level") != NULL);
}

int main(void)
{
    RUN(test_run_as_non_root);
    RUN(test_seccomp);
    RUN(test_capabilities_and_ports);
    RUN(test_baseline_misc);
    RUN(test_multidoc_and_review);
    return test_summary();
}
