/* test_inventory_relations.c - containers' relationships read from a real
 * segment database (written by the segment module's own store): a podman
 * container found by name, a Docker one by its short id, the peer's
 * container id and addresses, and errors for what is not a segment
 * database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inventory/relations.h"
#include "segment/segment.h"
#include "test.h"

#define DOCKER_ID "abcdef012345abcdef012345abcdef012345abcdef012345abcdef012345abcd"

static char dir[256], db[300];

static void make_db(void)
{
    static const char flows[] = "group web kind=container addr=10.0.0.1\n"
                                "group abcdef012345 kind=container addr=10.0.0.2 addr=10.0.0.3\n"
                                "flow abcdef012345 web tcp/8080 count=3\n"
                                "flow web dns udp/53 count=9\n";
    seg_graph *g = seg_graph_new(0, 0);
    seg_store *s = NULL;
    comb_err err = { 0 };
    CHECK_INT(seg_flowfile_parse("t", flows, sizeof flows - 1, g, &err), COMB_OK);
    CHECK_INT(seg_store_open(db, &s, &err), COMB_OK);
    CHECK_INT(seg_store_save(s, g, &err), COMB_OK);
    seg_store_close(s);
    seg_graph_free(g);
}

static json_t *containers(void)
{
    return json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}]", "engine", "podman", "id", "1111", "name",
                     "web", "engine", "docker", "id", DOCKER_ID, "name", "/api", "engine", "podman", "id", "2222",
                     "name", "lonely");
}

static void test_relationships(void)
{
    json_t *c = containers();
    comb_err err = { 0 };
    CHECK_INT(comb_inventory_relationships(db, c, &err), COMB_OK);
    json_t *web = json_object_get(json_array_get(c, 0), "relationships");
    CHECK_INT(json_array_size(web), 2);
    /* ordered by (src, dst, proto, port): abcdef012345 -> web first */
    json_t *in = json_array_get(web, 0), *out = json_array_get(web, 1);
    CHECK_STR(json_string_value(json_object_get(in, "direction")), "inbound");
    json_t *peer = json_object_get(in, "peer");
    CHECK_STR(json_string_value(json_object_get(peer, "name")), "abcdef012345");
    CHECK_STR(json_string_value(json_object_get(peer, "kind")), "container");
    CHECK_STR(json_string_value(json_object_get(peer, "container_id")), DOCKER_ID);
    CHECK_INT(json_array_size(json_object_get(peer, "addresses")), 2);
    CHECK_STR(json_string_value(json_array_get(json_object_get(peer, "addresses"), 0)), "10.0.0.2");
    CHECK_STR(json_string_value(json_object_get(in, "protocol")), "tcp");
    CHECK_INT(json_integer_value(json_object_get(in, "port")), 8080);
    CHECK_INT(json_integer_value(json_object_get(in, "count")), 3);
    CHECK(json_is_null(json_object_get(in, "first_seen"))); /* imported flows have no times */
    CHECK_STR(json_string_value(json_object_get(out, "direction")), "outbound");
    CHECK_STR(json_string_value(json_object_get(json_object_get(out, "peer"), "name")), "dns");
    CHECK(json_object_get(json_object_get(out, "peer"), "container_id") == NULL);
    CHECK_STR(json_string_value(json_object_get(out, "protocol")), "udp");
    /* the Docker container is its short id's group */
    json_t *api = json_object_get(json_array_get(c, 1), "relationships");
    CHECK_INT(json_array_size(api), 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(api, 0), "direction")), "outbound");
    CHECK_STR(json_string_value(json_object_get(json_object_get(json_array_get(api, 0), "peer"), "container_id")),
              "1111");
    CHECK_INT(json_array_size(json_object_get(json_array_get(c, 2), "relationships")), 0);
    json_decref(c);
}

static void test_not_a_database(void)
{
    char p[400];
    comb_err err = { 0 };
    json_t *c = containers();
    snprintf(p, sizeof p, "%s/absent.db", dir);
    CHECK(comb_inventory_relationships(p, c, &err) != COMB_OK);
    CHECK(strstr(err.msg, "absent.db") != NULL);
    CHECK(access(p, F_OK) != 0); /* opened read-only: nothing created */
    snprintf(p, sizeof p, "%s/text.db", dir);
    FILE *f = fopen(p, "w");
    fputs("not sqlite at all, just some text that is long enough to look like a header\n", f);
    fclose(f);
    CHECK(comb_inventory_relationships(p, c, &err) != COMB_OK);
    CHECK(strstr(err.msg, "text.db") != NULL);
    json_decref(c);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/comb-relations-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    snprintf(db, sizeof db, "%s/segment.db", dir);
    make_db();
    RUN(test_relationships);
    RUN(test_not_a_database);
    test_rmtree(dir);
    return test_summary();
}
