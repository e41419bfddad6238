/* test_sensor_users.c - user and group names from passwd/group files, the
 * host's and a container's (through /proc/PID/root, or its layers once the
 * process is gone), hostile files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/sensor/users.h"
#include "test.h"

static char root[64];

static void write_file(const char *rel, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_host_files(void)
{
    comb_users *u;
    comb_err err;
    CHECK_INT(comb_users_new(root, &u, &err), COMB_OK);
    comb_user_info ui = comb_users_user(u, "", 1, 0);
    CHECK_STR(ui.name, "root");
    CHECK_STR(ui.home, "/root");
    CHECK_STR(ui.shell, "/bin/bash");
    ui = comb_users_user(u, "", 1, 33);
    CHECK_STR(ui.name, "www-data");
    CHECK_STR(ui.shell, "/usr/sbin/nologin");
    /* hostile lines are skipped, the next good one still counts */
    CHECK(comb_users_user(u, "", 1, 7).name == NULL);
    CHECK(comb_users_user(u, "", 1, -1).name == NULL);
    CHECK_STR(comb_users_user(u, "", 1, 1001).name, "short");
    CHECK(comb_users_user(u, "", 1, 1001).shell == NULL);
    CHECK(comb_users_user(u, "", 1, 4242).name == NULL);
    CHECK_STR(comb_users_user(u, "", 1, 4243).name, "no-newline");
    CHECK_STR(comb_users_group(u, "", 1, 27), "sudo");
    CHECK(comb_users_group(u, "", 1, 28) == NULL);
    comb_users_free(u);
}

static void test_container_files(void)
{
    comb_users *u;
    comb_err err;
    CHECK_INT(comb_users_new(root, &u, &err), COMB_OK);
    /* a "container" whose process is this one: its root is the real / */
    comb_user_info ui = comb_users_user(u, "c0ffee", getpid(), 0);
    CHECK_STR(ui.name, "root");
    /* a container whose process is gone is not remembered as empty */
    CHECK(comb_users_user(u, "dead", 999999999, 0).name == NULL);
    CHECK_STR(comb_users_user(u, "dead", getpid(), 0).name, "root");
    /* more containers than remembered: the oldest are forgotten, lookups work */
    for (int i = 0; i < COMB_USERS_MAX_DBS + 10; i++) {
        char id[32];
        snprintf(id, sizeof id, "c%d", i);
        CHECK_STR(comb_users_user(u, id, getpid(), 0).name, "root");
    }
    comb_users_free(u);
}

/* Fake layers under root: layers/up (the writable one), layers/img1,
 * layers/img2; "gone" has a whiteout for etc/passwd in its upper layer. */
static int fake_layers(void *ud, const char *cid, size_t i, char *out, size_t cap)
{
    (void)ud;
    static const char *const names[] = { "up", "img1", "img2" };
    if (i >= 3)
        return 0;
    if (!strcmp(cid, "gone") && i == 0) {
        snprintf(out, cap, "%s/layers/wh", root);
        return 1;
    }
    snprintf(out, cap, "%s/layers/%s", root, names[i]);
    return 1;
}

static void test_container_layers(void)
{
    const char *dirs[] = { "layers", "layers/up", "layers/img1", "layers/img2", "layers/wh",
                           "layers/up/etc", "layers/img1/etc", "layers/img2/etc", "layers/wh/etc" };
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/%s", root, dirs[i]);
        mkdir(p, 0700);
    }
    /* the group from the upper layer, passwd from the first image layer that
     * has it (img1 hides img2's) */
    write_file("layers/up/etc/group", "www:x:33:\n");
    write_file("layers/img1/etc/passwd", "www:x:33:33::/var/www:/bin/sh\n");
    write_file("layers/img2/etc/passwd", "old:x:33:33::/:/bin/sh\n");
    char wh[256];
    snprintf(wh, sizeof wh, "%s/layers/wh/etc/passwd", root);
    CHECK_INT(mkfifo(wh, 0600), 0); /* not a regular file: deleted in that layer */
    comb_users *u;
    comb_err err;
    CHECK_INT(comb_users_new(root, &u, &err), COMB_OK);
    CHECK(comb_users_user(u, "short-lived", 999999999, 33).name == NULL); /* no layers yet */
    comb_users_set_layers(u, fake_layers, NULL);
    comb_user_info ui = comb_users_user(u, "short-lived", 999999999, 33);
    CHECK_STR(ui.name, "www");
    CHECK_STR(ui.home, "/var/www");
    CHECK_STR(comb_users_group(u, "short-lived", 999999999, 33), "www");
    /* deleted in the upper layer: nothing, and not remembered as empty */
    CHECK(comb_users_user(u, "gone", 999999999, 33).name == NULL);
    CHECK_STR(comb_users_user(u, "gone", getpid(), 0).name, "root");
    /* a living process still wins over the layers */
    CHECK_STR(comb_users_user(u, "alive", getpid(), 0).name, "root");
    comb_users_free(u);
}

int main(void)
{
    snprintf(root, sizeof root, "/tmp/comb-users-%d", (int)getpid());
    mkdir(root, 0700);
    char etc[128];
    snprintf(etc, sizeof etc, "%s/etc", root);
    mkdir(etc, 0700);
    write_file("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"
                             "# comment:x:7:7\n"
                             "nouid:x::0::/:/bin/sh\n"
                             "neg:x:-1:0::/:/bin/sh\n"
                             "junk:x:12abc:0::/:/bin/sh\n"
                             ":x:8:8::/:/bin/sh\n"
                             "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
                             "short:x:1001\n"
                             "no-newline:x:4243:0::/:/bin/sh");
    write_file("etc/group", "root:x:0:\nsudo:x:27:alice\n:x:28:\n");
    RUN(test_host_files);
    RUN(test_container_files);
    RUN(test_container_layers);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", root);
    return test_summary();
}
