/* test_inventory_scanstore.c - the store of scan results read by comb
 * inventory: file names from digests, saving under target.config_digest,
 * and the status of an image (scanned with its counts, not scanned, stale
 * against a newer database build, corrupt or another image's result). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inventory/scanstore.h"
#include "test.h"

#define HEX "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define OTHER "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static char dir[256];

static const char result[] =
    "{\"schema\":\"comb-scan/1\",\"target\":{\"config_digest\":\"sha256:" HEX "\"},"
    "\"database\":{\"built\":\"2026-11-01T10:00:00Z\"},\"findings\":[],"
    "\"summary\":{\"total\":7,\"suppressed\":1,\"by_severity\":{\"CRITICAL\":1,\"HIGH\":2,\"MEDIUM\":0,"
    "\"LOW\":4,\"NEGLIGIBLE\":0,\"UNKNOWN\":0}}}";

static void write_file(const char *name, const char *text)
{
    char p[400];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_names(void)
{
    char n[100];
    CHECK_INT(comb_scanstore_name("sha256:" HEX, n, sizeof n), 0);
    CHECK_STR(n, "sha256-" HEX ".json");
    CHECK_INT(comb_scanstore_name(HEX, n, sizeof n), 0);
    CHECK_STR(n, "sha256-" HEX ".json");
    CHECK_INT(comb_scanstore_name("sha256:../../etc/passwd", n, sizeof n), -1);
    CHECK_INT(comb_scanstore_name("sha256:" HEX "0", n, sizeof n), -1);
    CHECK_INT(comb_scanstore_name("0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", n, sizeof n),
              -1);
    CHECK_INT(comb_scanstore_name(NULL, n, sizeof n), -1);
}

static void test_save_and_status(void)
{
    comb_err err = { 0 };
    json_t *s;
    CHECK_INT(comb_scanstore_status(dir, HEX, NULL, &s, &err), COMB_OK);
    CHECK_STR(json_string_value(json_object_get(s, "status")), "not_scanned");
    CHECK_INT(json_object_size(s), 1);
    json_decref(s);
    CHECK(!comb_scanstore_has(dir, HEX));

    CHECK_INT(comb_scanstore_save(dir, result, strlen(result), &err), COMB_OK);
    CHECK(comb_scanstore_has(dir, "sha256:" HEX));
    CHECK_INT(comb_scanstore_status(dir, HEX, "2026-11-01T10:00:00Z", &s, &err), COMB_OK);
    CHECK_STR(json_string_value(json_object_get(s, "status")), "scanned");
    CHECK_INT(json_integer_value(json_object_get(s, "total")), 7);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(s, "by_severity"), "LOW")), 4);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(s, "by_severity"), "CRITICAL")), 1);
    CHECK_STR(json_string_value(json_object_get(s, "database_built")), "2026-11-01T10:00:00Z");
    CHECK(json_string_value(json_object_get(s, "scanned_at")) != NULL);
    json_decref(s);
    /* the database was rebuilt since: stale */
    CHECK_INT(comb_scanstore_status(dir, HEX, "2026-11-02T00:00:00Z", &s, &err), COMB_OK);
    CHECK_STR(json_string_value(json_object_get(s, "status")), "stale");
    json_decref(s);

    /* without a config digest there is nothing to store it under */
    CHECK_INT(comb_scanstore_save(dir, "{\"schema\":\"comb-scan/1\"}", 24, &err), COMB_EFORMAT);
}

static void test_corrupt(void)
{
    comb_err err = { 0 };
    json_t *s = NULL;
    write_file("sha256-" OTHER ".json", "{\"schema\":\"comb-scan/1\",\"summ");
    CHECK_INT(comb_scanstore_status(dir, OTHER, NULL, &s, &err), COMB_EFORMAT);
    CHECK(s == NULL && strstr(err.msg, "sha256-" OTHER ".json"));
    /* another image's result under this name is not this image's */
    write_file("sha256-" OTHER ".json", result);
    CHECK_INT(comb_scanstore_status(dir, OTHER, NULL, &s, &err), COMB_EFORMAT);
    /* a symbolic link in the store is not followed */
    char p[400];
    snprintf(p, sizeof p, "%s/sha256-" OTHER ".json", dir);
    unlink(p);
    CHECK_INT(symlink("/etc/passwd", p), 0);
    CHECK(comb_scanstore_status(dir, OTHER, NULL, &s, &err) != COMB_OK);
    unlink(p);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/comb-scanstore-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    RUN(test_names);
    RUN(test_save_and_status);
    RUN(test_corrupt);
    test_rmtree(dir);
    return test_summary();
}
