/* test_inventory_parse.c - the /proc and engine-state parsers of comb inventory. */
#include "test.h"

#include <stdint.h>

#include "inventory/bolt.h"
#include "inventory/inventory.h"
#include "core/caps.h"
#include "inventory/procparse.h"

#define S(x) x, sizeof x - 1

static void test_sock(void)
{
    comb_inv_sock k;
    CHECK_INT(comb_inv_parse_sock(S("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"), 0, &k), -1);
    CHECK_INT(comb_inv_parse_sock(S("   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0\n"), 0, &k), 0);
    CHECK_STR(k.local, "127.0.0.1");
    CHECK_INT(k.port, 8080);
    CHECK_INT(k.state, 0x0A);
    CHECK_INT(k.inode, 123456);
    CHECK_INT(comb_inv_parse_sock(S("   1: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 77 1"), 1, &k), 0);
    CHECK_STR(k.local, "::1");
    CHECK_INT(k.port, 80);
    CHECK_INT(k.uid, 1000);
    /* truncated, wrong width, garbage */
    CHECK_INT(comb_inv_parse_sock(S("   0: 0100007F:1F90"), 0, &k), -1);
    CHECK_INT(comb_inv_parse_sock(S("   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1"), 1, &k), -1);
    CHECK_INT(comb_inv_parse_sock(S("x0: 0100007G:1F90 00000000:0000 0A a b c 0 0 1"), 0, &k), -1);
}

static void test_mountinfo(void)
{
    comb_inv_mount m;
    CHECK_INT(comb_inv_parse_mountinfo(S("812 790 0:44 /data\\040dir /mnt/with\\040space ro,relatime master:1 shared:2 - ext4 /dev/vda1 rw"), &m), 0);
    CHECK_STR(m.root, "/data dir");
    CHECK_STR(m.mountpoint, "/mnt/with space");
    CHECK_STR(m.fstype, "ext4");
    CHECK_STR(m.source, "/dev/vda1");
    CHECK_INT(m.readonly, 1);
    CHECK_INT(comb_inv_parse_mountinfo(S("1 2 0:1 / /x rw - tmpfs tmpfs rw"), &m), 0);
    CHECK_INT(m.readonly, 0);
    CHECK_INT(comb_inv_parse_mountinfo(S("1 2 0:1 / /x rw no-separator"), &m), -1);
    CHECK_INT(comb_inv_parse_mountinfo(S("1 2"), &m), -1);
}

static void test_status(void)
{
    uint64_t caps;
    long ppid, uid;
    CHECK_INT(comb_inv_parse_status(S("Name:\tsleep\nPPid:\t42\nUid:\t1000\t1000\t1000\t1000\nCapEff:\t00000000a80425fb\n"), &caps, &ppid, &uid), 0);
    CHECK(caps == 0xa80425fbULL);
    CHECK_INT(ppid, 42);
    CHECK_INT(uid, 1000);
    CHECK_STR(comb_cap_name(21), "CAP_SYS_ADMIN");
    CHECK(comb_cap_name(64) == NULL);
    CHECK_INT(comb_inv_parse_status(S("Name:\tx\nCapEff:\tzz\n"), &caps, &ppid, &uid), -1);
    CHECK_INT(ppid, -1);
    CHECK_INT(comb_inv_parse_status(S("CapEff:\t111111111111111111111111\n"), &caps, &ppid, &uid), -1);
}

static void add(void *ud, const char *a)
{
    strcat(ud, a);
    strcat(ud, ",");
}

static void test_addresses(void)
{
    char got[256] = "";
    comb_inv_parse_fib_trie(S("Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 0.0.0.0\n        /0 universe UNICAST\n"
                              "     |-- 10.88.0.5\n        /32 host LOCAL\n     |-- 10.88.0.255\n        /32 link BROADCAST\n"
                              "Local:\n     |-- 127.0.0.1\n        /32 host LOCAL\n"), add, got, 10);
    CHECK_STR(got, "10.88.0.5,127.0.0.1,");
    char a[64];
    CHECK_INT(comb_inv_parse_if_inet6(S("fe80000000000000a8c2d1fffe9c7f1a 02 40 20 80     eth0"), a, sizeof a), 0);
    CHECK_STR(a, "fe80::a8c2:d1ff:fe9c:7f1a");
    CHECK_INT(comb_inv_parse_if_inet6(S("fe80"), a, sizeof a), -1);
    unsigned long long ino;
    CHECK_INT(comb_inv_socket_inode("socket:[4026]", &ino), 0);
    CHECK_INT(ino, 4026);
    CHECK_INT(comb_inv_socket_inode("pipe:[4026]", &ino), -1);
    CHECK_INT(comb_inv_socket_inode("socket:[12]x", &ino), -1);
}

static void test_engine_docs(void)
{
    json_t *c = json_object();
    comb_err err;
    const char docker[] = "{\"ID\":\"abc\",\"Created\":\"2026-01-01T00:00:00Z\",\"Image\":\"sha256:1234\","
                          "\"State\":{\"Running\":true,\"Pid\":99,\"StartedAt\":\"2026-01-01T00:00:01Z\"},"
                          "\"Config\":{\"Entrypoint\":[\"/init\"],\"Cmd\":[\"serve\",7],\"Labels\":{\"a\":\"b\",\"n\":1}},"
                          "\"MountPoints\":{\"/data\":{\"Source\":\"/var/lib/docker/volumes/v/_data\",\"Destination\":\"/data\",\"RW\":true,\"Type\":\"volume\"}}}";
    CHECK_INT(comb_inventory_engine_doc("docker", "config.v2.json", S(docker), c, &err), COMB_OK);
    CHECK_INT(json_integer_value(json_object_get(c, "pid")), 99);
    CHECK_STR(json_string_value(json_object_get(json_object_get(c, "image"), "id")), "1234");
    CHECK_INT(json_array_size(json_object_get(c, "command")), 2);
    CHECK_STR(json_string_value(json_object_get(json_object_get(c, "labels"), "a")), "b");
    CHECK(json_object_get(json_object_get(c, "labels"), "n") == NULL);
    json_t *m = json_array_get(json_object_get(c, "mounts"), 0);
    CHECK_STR(json_string_value(json_object_get(m, "kind")), "volume");
    CHECK(json_is_true(json_object_get(m, "rw")));
    CHECK_INT(comb_inventory_engine_doc("runc-state", "state.json", S("{\"init_process_pid\":-5}"), c, &err), COMB_OK);
    CHECK_INT(json_integer_value(json_object_get(c, "pid")), 99);
    CHECK_INT(comb_inventory_engine_doc("oci", "config.json", S("[1]"), c, &err), COMB_EFORMAT);
    CHECK(strstr(err.msg, "config.json") != NULL);
    json_decref(c);
}

static void test_bolt_rejects(void)
{
    static unsigned char junk[8192];
    const char *path[] = { "ctr", "x", "config" };
    const unsigned char *v;
    size_t vl;
    CHECK_INT(comb_bolt_get(junk, sizeof junk, path, 3, &v, &vl), -1);
    CHECK_INT(comb_bolt_get(junk, 10, path, 3, &v, &vl), -1);
}

int main(void)
{
    RUN(test_sock);
    RUN(test_mountinfo);
    RUN(test_status);
    RUN(test_addresses);
    RUN(test_engine_docs);
    RUN(test_bolt_rejects);
    return test_summary();
}
