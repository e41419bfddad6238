/* test_agent_follow.c - the alert-file follower of comb agent: its state
 * file, line taking, and whole rounds on real files in a temporary spool
 * (new lines, a partial line, truncation, rotation, a batch left pending by
 * a crash re-spooled under the same name). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/follow.h"
#include "test.h"

static char dir[256], spool[300], file[300];

static void append(const char *path, const char *text)
{
    FILE *f = fopen(path, "a");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* The spooled alert records, concatenated in name order; their number. */
static size_t spooled(char *out, size_t n, char *first_name, size_t fn)
{
    struct dirent **names;
    int k = scandir(spool, &names, NULL, alphasort);
    size_t records = 0, used = 0;
    out[0] = '\0';
    for (int i = 0; i < k; i++) {
        const char *nm = names[i]->d_name;
        if (nm[0] != '.' && strstr(nm, "-alert.json")) {
            char p[700];
            snprintf(p, sizeof p, "%s/%s", spool, nm);
            FILE *f = fopen(p, "r");
            if (f) {
                used += fread(out + used, 1, n - 1 - used, f);
                out[used] = '\0';
                fclose(f);
            }
            if (!records && first_name)
                snprintf(first_name, fn, "%s", nm);
            records++;
            unlink(p);
        }
        free(names[i]);
    }
    free(names);
    return records;
}

static comb_follow_stats round_(void)
{
    comb_follow_stats st;
    comb_err err = { 0 };
    CHECK_INT(comb_follow_alerts(file, spool, &st, &err), COMB_OK);
    return st;
}

static void test_state_text(void)
{
    comb_follow_state s = { .dev = 2049, .ino = 77, .offset = 1234, .head = 0xdeadbeef12345678ULL, .skipping = 1,
                            .pending_ns = 99, .pending_end = 2000 }, t;
    char text[COMB_FOLLOW_STATE_MAX];
    int n = comb_follow_state_format(&s, text, sizeof text);
    CHECK(n > 0 && n < (int)sizeof text);
    CHECK_INT(comb_follow_state_parse(text, (size_t)n, &t), 0);
    CHECK(t.dev == s.dev && t.ino == s.ino && t.offset == s.offset && t.head == s.head &&
          t.skipping == s.skipping && t.pending_ns == s.pending_ns && t.pending_end == s.pending_end);
    static const char *const bad[] = {
        "",
        "comb-follow 2 dev=1 ino=1 offset=0 head=0 skip=0 pending=0 end=0\n",
        "comb-follow 1 dev=1 ino=1 offset=0 head=0 skip=0 pending=0 end=0",     /* no newline */
        "comb-follow 1 dev=1 ino=1 offset=0 head=0 skip=2 pending=0 end=0\n",   /* skip is 0 or 1 */
        "comb-follow 1 dev=1 ino=1 offset=9 head=0 skip=0 pending=5 end=9\n",   /* pending ends before offset */
        "comb-follow 1 dev=1 ino=1 offset=0 head=0 skip=0 pending=0 end=7\n",   /* end without pending */
        "comb-follow 1 dev=-1 ino=1 offset=0 head=0 skip=0 pending=0 end=0\n",
        "comb-follow 1 dev=1 ino=1 offset=99999999999999999999 head=0 skip=0 pending=0 end=0\n",
        "comb-follow 1 dev=1 ino=1 offset=0 head=0 skip=0 pending=0 end=0\nx",
        "comb-follow 1 ino=1 dev=1 offset=0 head=0 skip=0 pending=0 end=0\n",   /* order is fixed */
        "comb-follow 1 dev=1 ino=1 offset=0 head=g skip=0 pending=0 end=0\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_INT(comb_follow_state_parse(bad[i], strlen(bad[i]), &t), -1);
}

static void test_take(void)
{
    char batch[256];
    size_t blen = 0, lines = 0, dropped = 0;
    int skipping = 0;
    const char *in = "{\"a\":1}\n\n[1]\nnot json\n{\"b\":2}\n{\"c\":";
    size_t used = comb_follow_take(in, strlen(in), &skipping, batch, &blen, &lines, &dropped);
    CHECK_INT(used, strlen(in) - strlen("{\"c\":")); /* the partial line waits */
    CHECK_INT(lines, 2);
    CHECK_INT(dropped, 2); /* an array and a line that is not JSON */
    batch[blen] = '\0';
    CHECK_STR(batch, "{\"a\":1}\n{\"b\":2}\n");
    /* a partial line already too long is consumed and skipped up to its newline */
    size_t big = COMB_FOLLOW_MAX_LINE + 10;
    char *long_line = malloc(big + 1);
    memset(long_line, 'x', big);
    long_line[big] = '\0';
    blen = lines = dropped = 0;
    CHECK_INT(comb_follow_take(long_line, big, &skipping, batch, &blen, &lines, &dropped), big);
    CHECK(skipping && dropped == 1 && blen == 0);
    const char *rest = "xxxx\n{\"d\":4}\n";
    CHECK_INT(comb_follow_take(rest, strlen(rest), &skipping, batch, &blen, &lines, &dropped), strlen(rest));
    CHECK(!skipping && dropped == 1 && lines == 1);
    free(long_line);
}

static void test_rounds(void)
{
    char got[8192], name[256];
    append(file, "{\"n\":1}\n{\"n\":2}\n{\"n\":");
    comb_follow_stats st = round_();
    CHECK_INT(st.records, 1);
    CHECK_INT(spooled(got, sizeof got, NULL, 0), 1);
    CHECK_STR(got, "{\"n\":1}\n{\"n\":2}\n");
    st = round_();
    CHECK_INT(st.records, 0); /* nothing new: the partial line waits */
    append(file, "3}\n");
    round_();
    CHECK_INT(spooled(got, sizeof got, NULL, 0), 1);
    CHECK_STR(got, "{\"n\":3}\n");

    /* truncated and rewritten past the old offset: read from its start */
    FILE *f = fopen(file, "w");
    fputs("{\"t\":1111111111111111}\n{\"t\":2}\n", f);
    fclose(f);
    st = round_();
    CHECK(st.restarted);
    CHECK_INT(spooled(got, sizeof got, NULL, 0), 1);
    CHECK_STR(got, "{\"t\":1111111111111111}\n{\"t\":2}\n");

    /* rotated: a new file under the name */
    char old[400];
    snprintf(old, sizeof old, "%s.1", file);
    CHECK_INT(rename(file, old), 0);
    append(file, "{\"r\":1}\n");
    st = round_();
    CHECK(st.restarted);
    CHECK_INT(spooled(got, sizeof got, NULL, 0), 1);
    CHECK_STR(got, "{\"r\":1}\n");

    /* a batch recorded as pending (a crash before it was spooled or moved
     * past) is spooled again under the name chosen for it */
    char sp[400], text[COMB_FOLLOW_STATE_MAX];
    snprintf(sp, sizeof sp, "%s/%s", spool, COMB_FOLLOW_STATE_NAME);
    FILE *s = fopen(sp, "r");
    size_t n = s ? fread(text, 1, sizeof text - 1, s) : 0;
    if (s)
        fclose(s);
    comb_follow_state state;
    CHECK_INT(comb_follow_state_parse(text, n, &state), 0);
    append(file, "{\"p\":1}\n{\"p\":2}\n");
    state.pending_ns = 12345;
    state.pending_end = state.offset + strlen("{\"p\":1}\n");
    n = (size_t)comb_follow_state_format(&state, text, sizeof text);
    s = fopen(sp, "w");
    fwrite(text, 1, n, s);
    fclose(s);
    st = round_();
    CHECK_INT(st.records, 2);
    CHECK_INT(spooled(got, sizeof got, name, sizeof name), 2);
    CHECK_STR(name, "00000000000000012345-follow-0000-alert.json");
    CHECK_STR(got, "{\"p\":1}\n{\"p\":2}\n");
    CHECK_INT(round_().records, 0);

    /* a corrupt state is an error naming it, never a guess */
    s = fopen(sp, "w");
    fputs("comb-follow 1 dev=garbage\n", s);
    fclose(s);
    comb_err err = { 0 };
    CHECK_INT(comb_follow_alerts(file, spool, &st, &err), COMB_EFORMAT);
    CHECK(strstr(err.msg, COMB_FOLLOW_STATE_NAME) != NULL);
    unlink(sp);
    unlink(old);
}

static void test_missing_file(void)
{
    char absent[400];
    snprintf(absent, sizeof absent, "%s/absent", dir);
    comb_follow_stats st;
    comb_err err = { 0 };
    CHECK_INT(comb_follow_alerts(absent, spool, &st, &err), COMB_OK);
    CHECK_INT(st.records, 0);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/comb-follow-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    snprintf(spool, sizeof spool, "%s/spool", dir);
    snprintf(file, sizeof file, "%s/alerts.jsonl", dir);
    mkdir(spool, 0700);
    RUN(test_state_text);
    RUN(test_take);
    RUN(test_rounds);
    RUN(test_missing_file);
    test_rmtree(dir);
    return test_summary();
}
