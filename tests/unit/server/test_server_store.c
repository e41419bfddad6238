/* test_server_store.c - password hashes, tokens and migrations of the server's store. */
#include "test.h"

#include <stdlib.h>
#include <unistd.h>

#include "core/pwhash.h"
#include "server/store.h"

static void test_pw(void)
{
    char h[COMB_PWHASH_MAX], h2[COMB_PWHASH_MAX];
    CHECK_INT(comb_pw_hash("correct horse", h), 0);
    CHECK(!strncmp(h, "scrypt$32768$8$1$", 17));
    CHECK_INT(comb_pw_verify("correct horse", h), 1);
    CHECK_INT(comb_pw_verify("correct horsf", h), 0);
    CHECK_INT(comb_pw_verify("", h), 0);
    CHECK_INT(comb_pw_hash("correct horse", h2), 0);
    CHECK(strcmp(h, h2) != 0); /* salted */
    CHECK_INT(comb_pw_verify("x", "scrypt$1$1$1$00$00"), 0);
    CHECK_INT(comb_pw_verify("x", NULL), 0);
}

static void test_store(void)
{
    char dir[] = "/tmp/comb-store-XXXXXX", path[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/s.db", dir);
    comb_store_db *s;
    comb_err err;
    CHECK_INT(comb_store_open(path, &s, &err), COMB_OK);
    CHECK_INT(comb_store_schema_version(s), 2);
    CHECK_INT(comb_store_user_put(s, "bob", "short", COMB_ROLE_VIEWER, &err), COMB_EINVAL);
    CHECK_INT(comb_store_user_put(s, "bob", "long enough", COMB_ROLE_OPERATOR, &err), COMB_OK);
    CHECK_INT(comb_store_user_check(s, "bob", "long enough"), COMB_ROLE_OPERATOR);
    CHECK_INT(comb_store_user_check(s, "bob", "long enougH"), COMB_ROLE_NONE);
    CHECK_INT(comb_store_user_check(s, "eve", "long enough"), COMB_ROLE_NONE);
    char tok[65], user[64];
    int64_t exp;
    CHECK_INT(comb_store_token_new(s, "bob", COMB_ROLE_OPERATOR, 100, tok, &exp, &err), COMB_OK);
    CHECK_INT(strlen(tok), 64);
    CHECK_INT(comb_store_token_check(s, tok, user, sizeof user), COMB_ROLE_OPERATOR);
    CHECK_STR(user, "bob");
    tok[0] = tok[0] == 'a' ? 'b' : 'a';
    CHECK_INT(comb_store_token_check(s, tok, user, sizeof user), COMB_ROLE_NONE);
    CHECK_INT(comb_store_token_new(s, "bob", COMB_ROLE_OPERATOR, -1, tok, &exp, &err), COMB_OK);
    CHECK_INT(comb_store_token_check(s, tok, user, sizeof user), COMB_ROLE_NONE); /* expired */
    int dup;
    CHECK_INT(comb_store_record_add(s, "n", "inventory", "r1", "{}", 2, &dup, &err), COMB_OK);
    CHECK_INT(dup, 0);
    CHECK_INT(comb_store_record_add(s, "n", "inventory", "r1", "{}", 2, &dup, &err), COMB_OK);
    CHECK_INT(dup, 1); /* resent: stored once */
    CHECK_INT(comb_store_record_add(s, "m", "inventory", "r1", "{}", 2, &dup, &err), COMB_OK);
    CHECK_INT(dup, 0); /* ids are per node */
    CHECK_INT(comb_store_record_add(s, "n", "inventory", NULL, "{}", 2, &dup, &err), COMB_OK);
    CHECK_INT(comb_store_record_add(s, "n", "inventory", NULL, "{}", 2, &dup, &err), COMB_OK);
    CHECK_INT(dup, 0);
    json_t *recs = comb_store_records(s, "n", "inventory", 100);
    CHECK_INT(json_array_size(recs), 3);
    json_decref(recs);
    comb_store_close(s);
    /* reopening applies nothing twice */
    CHECK_INT(comb_store_open(path, &s, &err), COMB_OK);
    CHECK_INT(comb_store_schema_version(s), 2);
    CHECK_INT(comb_store_user_check(s, "bob", "long enough"), COMB_ROLE_OPERATOR);
    comb_store_close(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
}

int main(void)
{
    RUN(test_pw);
    RUN(test_store);
    return test_summary();
}
