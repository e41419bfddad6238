/* test_unitexec.c - a unit's ExecStart with Environment= and
 * EnvironmentFile= expanded, as kubeadm's kubelet drop-in needs. */
#include <sys/stat.h>

#include "compliance/confread.h"
#include "compliance/unitexec.h"
#include "test.h"

static char dir[64];

static char *expand(const char *unit_text)
{
    json_t *unit = NULL;
    comb_err err;
    comb_err_clear(&err);
    if (comb_conf_parse(COMB_CONF_SYSTEMD, "u", unit_text, strlen(unit_text), &unit, &err))
        return NULL;
    comb_fsroot fs;
    if (comb_fsroot_open(&fs, dir, &err)) {
        json_decref(unit);
        return NULL;
    }
    char *cmd = comb_unit_exec(&fs, unit, &err);
    if (!cmd)
        fprintf(stderr, "  %s\n", err.msg);
    comb_fsroot_close(&fs);
    json_decref(unit);
    return cmd;
}

static void test_expand(void)
{
    char p[256];
    snprintf(p, sizeof p, "%s/etc", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/etc/kubelet.env", dir);
    FILE *f = fopen(p, "w");
    if (f) {
        fputs("EXTRA=\"--anonymous-auth=true --read-only-port=10255\"\n", f);
        fclose(f);
    }
    char *cmd = expand("[Service]\n"
                       "Environment=\"CFG=--config=/opt/k.yaml\" \"KC=--kubeconfig=/k a\"\n"
                       "EnvironmentFile=-/etc/kubelet.env\n"
                       "EnvironmentFile=-/etc/missing.env\n"
                       "ExecStart=\nExecStart=-/usr/bin/kubelet $CFG ${EXTRA} $UNSET $$ x$\n");
    CHECK_STR(cmd, "/usr/bin/kubelet --config=/opt/k.yaml --anonymous-auth=true --read-only-port=10255  $$ x$");
    free(cmd);
    CHECK(expand("[Service]\nType=simple\n") == NULL);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/comb-unitexec-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    RUN(test_expand);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cleanup failed\n");
    return test_summary();
}
