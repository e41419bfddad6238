/* test_sensor_containers.c - container names and images from a
 * containers/storage containers.json, privileged from each container's OCI
 * config.json, hostile files included. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/sensor/containers.h"
#include "test.h"

#define A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define D "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
#define E "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"

static char path[64];

static void write_file(const char *p, const char *text)
{
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void write_json(const char *text)
{
    write_file(path, text);
}

static void test_podman_entries(void)
{
    write_json("[{\"id\":\"" A "\",\"names\":[\"web\"],\"image\":\"0123456789abcdef\","
               "\"metadata\":\"{\\\"image-name\\\":\\\"localhost:5000/team/app:1.2\\\"}\","
               "\"created\":\"2026-11-28T16:00:00.123Z\"},"
               "{\"id\":\"" B "\",\"names\":[\"db\"],"
               "\"metadata\":\"{\\\"image-name\\\":\\\"docker.io/library/postgres@sha256:00\\\"}\"},"
               "{\"id\":\"" C "\",\"names\":[],\"metadata\":\"not json\"},"
               "{\"id\":\"short\",\"names\":[\"bad\"]}, 7, null]");
    comb_ctrmeta *c;
    comb_err err;
    CHECK_INT(comb_ctrmeta_new(path, &c, &err), COMB_OK);
    const comb_container_meta *m = comb_ctrmeta_lookup(c, A);
    CHECK(m != NULL);
    if (m) {
        CHECK_STR(m->name, "web");
        CHECK_STR(m->image, "localhost:5000/team/app:1.2");
        CHECK_STR(m->image_repository, "localhost:5000/team/app"); /* the port is not a tag */
        CHECK_STR(m->image_tag, "1.2");
        CHECK_STR(m->image_id, "0123456789ab");
        CHECK_STR(m->runtime, "podman");
        CHECK(m->created_ns > 0);
    }
    m = comb_ctrmeta_lookup(c, B);
    CHECK(m != NULL);
    if (m) {
        CHECK_STR(m->image_repository, "docker.io/library/postgres");
        CHECK(m->image_tag == NULL);
        CHECK(m->image_id == NULL);
    }
    m = comb_ctrmeta_lookup(c, C); /* present, with nothing usable */
    CHECK(m != NULL && m->name == NULL && m->image == NULL);
    CHECK(comb_ctrmeta_lookup(c, E) == NULL);
    CHECK(comb_ctrmeta_lookup(c, "short") == NULL);

    /* a container created later (podman writes the file before it runs) is
     * found on its first lookup */
    write_json("[{\"id\":\"" D "\",\"names\":[\"late\"]}]");
    m = comb_ctrmeta_lookup(c, D);
    CHECK(m != NULL && m->name && !strcmp(m->name, "late"));
    comb_ctrmeta_free(c);
}

/* container.privileged: podman's annotation in <dir>/<id>/userdata/config.json */
static void test_privileged(void)
{
    char dir[64], json[96], cfg[3][256];
    snprintf(dir, sizeof dir, "/tmp/comb-ctrpriv-%d", (int)getpid());
    snprintf(json, sizeof json, "%s/containers.json", dir);
    const char *ids[3] = { A, B, C };
    const char *configs[3] = {
        "{\"annotations\":{\"io.podman.annotations.privileged\":\"TRUE\"}}",
        "{\"annotations\":{\"io.podman.annotations.privileged\":\"FALSE\"}}",
        "{\"annotations\":{\"io.podman.annotations.privileged\":7}}", /* hostile */
    };
    mkdir(dir, 0700);
    for (int i = 0; i < 3; i++) {
        char d[200];
        snprintf(d, sizeof d, "%s/%s", dir, ids[i]);
        mkdir(d, 0700);
        snprintf(d, sizeof d, "%s/%s/userdata", dir, ids[i]);
        mkdir(d, 0700);
        snprintf(cfg[i], sizeof cfg[i], "%s/config.json", d);
        write_file(cfg[i], configs[i]);
    }
    write_file(json, "[{\"id\":\"" A "\"},{\"id\":\"" B "\"},{\"id\":\"" C "\"},"
                     "{\"id\":\"" D "\"}]");
    comb_ctrmeta *c;
    comb_err err;
    CHECK_INT(comb_ctrmeta_new(json, &c, &err), COMB_OK);
    const comb_container_meta *m = comb_ctrmeta_lookup(c, A);
    CHECK(m && m->privileged == 1);
    m = comb_ctrmeta_lookup(c, B);
    CHECK(m && m->privileged == 0);
    m = comb_ctrmeta_lookup(c, C);
    CHECK(m && m->privileged == -1); /* not a string: unknown */
    m = comb_ctrmeta_lookup(c, D);
    CHECK(m && m->privileged == -1); /* no config.json: unknown */
    comb_ctrmeta_free(c);
    for (int i = 0; i < 3; i++) {
        char d[200];
        unlink(cfg[i]);
        snprintf(d, sizeof d, "%s/%s/userdata", dir, ids[i]);
        rmdir(d);
        snprintf(d, sizeof d, "%s/%s", dir, ids[i]);
        rmdir(d);
    }
    unlink(json);
    rmdir(dir);
}

/* The container's layers in the overlay store next to containers.json:
 * its upper diff, then the image's from `lower`; hostile ids and entries
 * never become paths. */
static void test_layer_dirs(void)
{
    char dir[64], p[256], out[4096];
    snprintf(dir, sizeof dir, "/tmp/comb-ctrlayers-%d", (int)getpid());
    const char *sub[] = { "", "/overlay-containers", "/overlay", "/overlay/" A, "/overlay/" B };
    for (size_t i = 0; i < sizeof sub / sizeof *sub; i++) {
        snprintf(p, sizeof p, "%s%s", dir, sub[i]);
        mkdir(p, 0700);
    }
    snprintf(p, sizeof p, "%s/overlay/" A "/lower", dir);
    write_file(p, "l/ABC123:l/DEF456\n");
    snprintf(p, sizeof p, "%s/overlay/" B "/lower", dir);
    write_file(p, "l/OK:l/../../etc:l/x");
    char json[128];
    snprintf(json, sizeof json, "%s/overlay-containers/containers.json", dir);
    write_file(json, "[{\"id\":\"" C "\",\"layer\":\"" A "\"},"
                     "{\"id\":\"" D "\",\"layer\":\"" B "\"},"
                     "{\"id\":\"" E "\",\"layer\":\"../../../../etc\"}]");
    comb_ctrmeta *c;
    comb_err err;
    CHECK_INT(comb_ctrmeta_new(json, &c, &err), COMB_OK);
    char want[256];
    CHECK_INT(comb_ctrmeta_layer_dir(c, C, 0, out, sizeof out), 1);
    snprintf(want, sizeof want, "%s/overlay/" A "/diff", dir);
    CHECK_STR(out, want);
    CHECK_INT(comb_ctrmeta_layer_dir(c, C, 1, out, sizeof out), 1);
    snprintf(want, sizeof want, "%s/overlay/l/ABC123", dir);
    CHECK_STR(out, want);
    CHECK_INT(comb_ctrmeta_layer_dir(c, C, 2, out, sizeof out), 1);
    snprintf(want, sizeof want, "%s/overlay/l/DEF456", dir);
    CHECK_STR(out, want);
    CHECK_INT(comb_ctrmeta_layer_dir(c, C, 3, out, sizeof out), 0);
    CHECK_INT(comb_ctrmeta_layer_dir(c, D, 1, out, sizeof out), 1);
    CHECK_INT(comb_ctrmeta_layer_dir(c, D, 2, out, sizeof out), 0); /* "l/../../etc" */
    CHECK_INT(comb_ctrmeta_layer_dir(c, D, 3, out, sizeof out), 0); /* lower case */
    CHECK_INT(comb_ctrmeta_layer_dir(c, E, 0, out, sizeof out), 0); /* not a layer id */
    CHECK_INT(comb_ctrmeta_layer_dir(c, A, 0, out, sizeof out), 0); /* no such container */
    CHECK_INT(comb_ctrmeta_layer_dir(c, C, 0, out, 8), 0);          /* does not fit */
    comb_ctrmeta_free(c);
    snprintf(p, sizeof p, "rm -rf %s", dir);
    CHECK_INT(system(p), 0);
}

static void test_hostile_files(void)
{
    const char *bad[] = { "", "{}", "[", "\"x\"", "[{\"id\":5}]", "[[[[[[[[]]]]]]]]" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        write_json(bad[i]);
        comb_ctrmeta *c;
        comb_err err;
        CHECK_INT(comb_ctrmeta_new(path, &c, &err), COMB_OK);
        CHECK(comb_ctrmeta_lookup(c, A) == NULL);
        comb_ctrmeta_free(c);
    }
    /* no file at all */
    comb_ctrmeta *c;
    comb_err err;
    CHECK_INT(comb_ctrmeta_new("/nonexistent/containers.json", &c, &err), COMB_OK);
    CHECK(comb_ctrmeta_lookup(c, A) == NULL);
    comb_ctrmeta_free(c);
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/comb-containers-%d.json", (int)getpid());
    RUN(test_podman_entries);
    RUN(test_hostile_files);
    RUN(test_privileged);
    RUN(test_layer_dirs);
    unlink(path);
    return test_summary();
}
