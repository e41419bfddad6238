/* test_containers.c - the common container fields from an OCI runtime
 * config and from Docker's config.v2.json + hostconfig.json. */
#include "compliance/containers.h"
#include "compliance/images.h"
#include "test.h"

static const char *field(const json_t *f, const char *k)
{
    static char buf[512];
    const json_t *v = json_object_get(f, k);
    if (!v)
        return "(absent)";
    if (json_is_null(v))
        return "(null)";
    if (json_is_string(v))
        return json_string_value(v);
    buf[0] = '\0';
    size_t i;
    const json_t *e;
    json_array_foreach(v, i, e)
    {
        strcat(buf, json_string_value(e));
        strcat(buf, ";");
    }
    return buf;
}

static void test_oci(void)
{
    const char *cfg =
        "{\"process\":{\"user\":{\"uid\":0},\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\"]}},"
        "\"root\":{\"path\":\"r\"},"
        "\"mounts\":[{\"destination\":\"/h\",\"type\":\"bind\",\"source\":\"/var/run/docker.sock\"},"
        "{\"destination\":\"/e\",\"source\":\"//etc/\",\"options\":[\"rbind\",\"rshared\"]},"
        "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"}],"
        "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"}],"
        "\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
        "\"resources\":{\"memory\":{\"limit\":0},\"cpu\":{\"shares\":512}}}}";
    json_t *f = NULL;
    comb_err err;
    CHECK_INT(comb_container_fields_oci("c", cfg, strlen(cfg), &f, &err), COMB_OK);
    CHECK_STR(field(f, "cap_add"), "SYS_ADMIN;");
    CHECK_STR(field(f, "privileged"), "true"); /* SYS_ADMIN, nothing masked */
    CHECK_STR(field(f, "host_pid"), "false");
    CHECK_STR(field(f, "host_network"), "true"); /* joined pid 1's namespace */
    CHECK_STR(field(f, "host_ipc"), "true");     /* not listed: shared */
    CHECK_STR(field(f, "socket_mounts"), "/run/docker.sock:/h;");
    CHECK_STR(field(f, "sensitive_mounts"), "/etc:/e;");
    CHECK_STR(field(f, "shared_mounts"), "/etc:/e;");
    CHECK_STR(field(f, "memory_limit"), "(absent)"); /* 0 is no limit */
    CHECK_STR(field(f, "cpu_limit"), "512");
    CHECK_STR(field(f, "seccomp"), "false");
    CHECK_STR(field(f, "run_as_root"), "false"); /* uid 0 mapped to 100000 */
    CHECK_STR(field(f, "privileged_ports"), "(null)");
    json_decref(f);
    CHECK(comb_container_fields_oci("c", "[1]", 3, &f, &err) != COMB_OK);
    CHECK(strstr(err.msg, "c: not an OCI runtime config") != NULL);
}

static void test_docker(void)
{
    const char *c2 = "{\"Config\":{\"User\":\"app\"},\"MountPoints\":{\"/x\":{\"Source\":\"/proc\","
                     "\"Destination\":\"/x\",\"Type\":\"bind\"}}}";
    const char *hc = "{\"Privileged\":false,\"CapAdd\":[\"net_admin\",\"CAP_CHOWN\"],\"PidMode\":\"host\","
                     "\"SecurityOpt\":[\"no-new-privileges=true\"],\"Memory\":1048576,"
                     "\"PortBindings\":{\"443/tcp\":[{\"HostPort\":\"443\"}],\"8443/tcp\":[{\"HostPort\":\"8443\"}]},"
                     "\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}}";
    json_t *f = NULL;
    comb_err err;
    CHECK_INT(comb_container_fields_docker("d", c2, strlen(c2), hc, strlen(hc), &f, &err), COMB_OK);
    CHECK_STR(field(f, "cap_add"), "NET_ADMIN;");
    CHECK_STR(field(f, "host_pid"), "true");
    CHECK_STR(field(f, "no_new_privileges"), "true");
    CHECK_STR(field(f, "seccomp"), "true");
    CHECK_STR(field(f, "apparmor"), "docker-default");
    CHECK_STR(field(f, "sensitive_mounts"), "/proc:/x;");
    CHECK_STR(field(f, "privileged_ports"), "443;");
    CHECK_STR(field(f, "run_as_root"), "false");
    CHECK_STR(field(f, "restart_max"), "3");
    json_decref(f);
}

static void test_image(void)
{
    const char *cfg = "{\"config\":{\"User\":\"root:root\",\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"true\"]}},"
                      "\"history\":[{\"created_by\":\"/bin/sh -c #(nop) ADD file:1 in / \"},"
                      "{\"created_by\":\"/bin/sh -c apk update\"},"
                      "{\"created_by\":\"/bin/sh -c apk update && apk add curl\"},"
                      "{\"created_by\":\"ADD app.tar /app # buildkit\"}]}";
    json_t *f = NULL;
    comb_err err;
    CHECK_INT(comb_image_fields("i", cfg, strlen(cfg), &f, &err), COMB_OK);
    CHECK_STR(field(f, "run_as_root"), "true");
    CHECK_STR(field(f, "healthcheck"), "true");
    CHECK_STR(field(f, "update_alone"), "/bin/sh -c apk update;");   /* not the one that installs */
    CHECK_STR(field(f, "add_used"), "ADD app.tar /app # buildkit;"); /* not the base layer */
    json_decref(f);
    const char *none = "{\"config\":{\"User\":\"app\",\"Healthcheck\":{\"Test\":[\"NONE\"]}}}";
    CHECK_INT(comb_image_fields("i", none, strlen(none), &f, &err), COMB_OK);
    CHECK_STR(field(f, "run_as_root"), "false");
    CHECK_STR(field(f, "healthcheck"), "false"); /* HEALTHCHECK NONE disables it */
    json_decref(f);
    CHECK(comb_image_fields("i", "nope", 4, &f, &err) != COMB_OK);
}

int main(void)
{
    RUN(test_oci);
    RUN(test_docker);
    RUN(test_image);
    return test_summary();
}
