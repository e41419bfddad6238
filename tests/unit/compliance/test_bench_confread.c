/* test_confread.c - the config readers (JSON, YAML, TOML, INI, systemd,
 * sysctl) and the key lookup, on inputs shaped like the real files. */
#include "compliance/confread.h"
#include "test.h"

static json_t *parse(comb_conf_format f, const char *text)
{
    json_t *doc = NULL;
    comb_err err;
    comb_err_clear(&err);
    comb_code rc = comb_conf_parse(f, "t", text, strlen(text), &doc, &err);
    if (rc)
        fprintf(stderr, "  parse: %s\n", err.msg);
    return doc;
}

static const char *at(const json_t *doc, const char *path)
{
    static char buf[512];
    const json_t *v = comb_conf_lookup(doc, path);
    if (!v)
        return "(absent)";
    char *t = comb_conf_text(v);
    snprintf(buf, sizeof buf, "%s", t ? t : "(null)");
    free(t);
    return buf;
}

static void test_json(void)
{
    json_t *d = parse(COMB_CONF_JSON, "{\"icc\": false, \"log-opts\": {\"max-size\": \"10m\"},"
                                      " \"hosts\": [\"fd://\", \"tcp://0.0.0.0:2376\"], \"n\": 3}");
    CHECK(d != NULL);
    CHECK_STR(at(d, "icc"), "false"); /* booleans become text */
    CHECK_STR(at(d, "log-opts.max-size"), "10m");
    CHECK_STR(at(d, "hosts"), "fd://,tcp://0.0.0.0:2376");
    CHECK_STR(at(d, "hosts.1"), "tcp://0.0.0.0:2376");
    CHECK_STR(at(d, "n"), "3");
    CHECK_STR(at(d, "missing.key"), "(absent)");
    json_decref(d);
    CHECK(parse(COMB_CONF_JSON, "{\"a\": ") == NULL);
    CHECK(parse(COMB_CONF_JSON, "{\"a\":1,\"a\":2}") == NULL); /* duplicates are ambiguous */
}

static void test_yaml(void)
{
    json_t *d = parse(COMB_CONF_YAML, "authentication:\n  anonymous:\n    enabled: false\n"
                                      "readOnlyPort: 0\ntlsCipherSuites:\n  - A\n  - B\nempty:\n");
    CHECK(d != NULL);
    CHECK_STR(at(d, "authentication.anonymous.enabled"), "false");
    CHECK_STR(at(d, "readOnlyPort"), "0");
    CHECK_STR(at(d, "tlsCipherSuites"), "A,B");
    CHECK(json_is_null(comb_conf_lookup(d, "empty")));
    json_decref(d);
    CHECK(parse(COMB_CONF_YAML, "a: &x 1\nb: *x\n") == NULL); /* aliases refused */
    /* nesting is bounded */
    char deep[400] = "";
    for (int i = 0; i < 40; i++)
        strcat(deep, "[");
    CHECK(parse(COMB_CONF_YAML, deep) == NULL);
}

static void test_toml(void)
{
    const char *t =
        "version = 2\n"
        "root = \"/var/lib/containerd\" # comment\n"
        "[grpc]\n  address = '/run/containerd/containerd.sock'\n"
        "[plugins.\"io.containerd.grpc.v1.cri\"]\n"
        "  stream_server_address = \"127.0.0.1\"\n"
        "  enable_selinux = true\n"
        "  [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
        "    SystemdCgroup = true\n"
        "[containers]\n"
        "default_capabilities = [\n  \"CHOWN\",  # why\n  \"KILL\",\n]\n"
        "inline = { a = 1, b.c = \"x\" }\n"
        "[[registry]]\nlocation = \"r1\"\n[[registry]]\nlocation = \"r2\"\ninsecure = true\n"
        "multi = \"\"\"\nline1\nline2\"\"\"\n";
    json_t *d = parse(COMB_CONF_TOML, t);
    CHECK(d != NULL);
    CHECK_STR(at(d, "version"), "2");
    CHECK_STR(at(d, "root"), "/var/lib/containerd");
    CHECK_STR(at(d, "grpc.address"), "/run/containerd/containerd.sock");
    CHECK_STR(at(d, "plugins.\"io.containerd.grpc.v1.cri\".stream_server_address"), "127.0.0.1");
    CHECK_STR(at(d, "plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options.SystemdCgroup"),
              "true");
    CHECK_STR(at(d, "containers.default_capabilities"), "CHOWN,KILL");
    CHECK_STR(at(d, "containers.inline.b.c"), "x");
    CHECK_STR(at(d, "registry.1.insecure"), "true");
    CHECK_STR(at(d, "registry.1.multi"), "line1\nline2");
    json_decref(d);
    CHECK(parse(COMB_CONF_TOML, "a = \"unterminated\n") == NULL);
    CHECK(parse(COMB_CONF_TOML, "[table\n") == NULL);
    CHECK(parse(COMB_CONF_TOML, "a = 1 b = 2\n") == NULL);
}

static void test_ini_systemd(void)
{
    json_t *d = parse(COMB_CONF_INI, "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX=\"apparmor=1 quiet\"\n"
                                     "[sec]\n; comment\nkey = v\n");
    CHECK_STR(at(d, "GRUB_CMDLINE_LINUX"), "apparmor=1 quiet");
    CHECK_STR(at(d, "sec.key"), "v");
    json_decref(d);
    d = parse(COMB_CONF_SYSTEMD, "[Service]\nExecStart=/usr/bin/old\nExecStart=\n"
                                 "ExecStart=/usr/bin/dockerd \\\n  --icc=false\n"
                                 "Environment=A=1\nEnvironment=B=2\n");
    CHECK_STR(at(d, "Service.ExecStart"), "/usr/bin/dockerd  --icc=false");
    CHECK_STR(at(d, "Service.Environment"), "A=1,B=2");
    json_decref(d);
}

static void test_sysctl(void)
{
    json_t *d = parse(COMB_CONF_SYSCTL, "# c\nnet.ipv4.ip_forward = 1\nkernel/kptr_restrict=2\n"
                                        "-fs.suid_dumpable = 0\nnot an assignment\n");
    CHECK_STR(at(d, "net.ipv4.ip_forward"), "1");
    CHECK_STR(at(d, "kernel.kptr_restrict"), "2");
    CHECK_STR(at(d, "fs.suid_dumpable"), "0");
    json_decref(d);
}

int main(void)
{
    RUN(test_json);
    RUN(test_yaml);
    RUN(test_toml);
    RUN(test_ini_systemd);
    RUN(test_sysctl);
    return test_summary();
}
