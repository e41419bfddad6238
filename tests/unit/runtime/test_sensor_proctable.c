/* test_sensor_proctable.c - the process table: fork/exec/exit, ancestry,
 * bounded memory and reclaiming exited processes, seeding from /proc. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runtime/sensor/proctable.h"
#include "test.h"

static comb_proctable *table(size_t max, size_t keep)
{
    comb_proctable *t = NULL;
    comb_err err;
    CHECK_INT(comb_proctable_new(max, keep, &t, &err), COMB_OK);
    return t;
}

static void set(comb_proctable *t, int64_t pid, int64_t ppid, const char *comm)
{
    comb_procinfo *p = comb_proctable_upsert(t, pid);
    CHECK(p != NULL);
    if (!p)
        return;
    p->ppid = ppid;
    snprintf(p->comm, sizeof p->comm, "%s", comm);
}

static void test_ancestry(void)
{
    comb_proctable *t = table(16, 4);
    set(t, 1, 0, "systemd");
    set(t, 10, 1, "bash");
    comb_procinfo *b = comb_proctable_get(t, 10);
    CHECK_INT(comb_procinfo_set_args(b, "bash\0-l\0", 8), 0);
    /* fork copies the parent, exec replaces the child's image */
    comb_procinfo *c = comb_proctable_fork(t, 10, 11, 5);
    CHECK(c != NULL);
    CHECK_STR(c->comm, "bash");
    CHECK_INT(c->argc, 2);
    CHECK_STR(c->argv[1], "-l");
    snprintf(c->comm, sizeof c->comm, "cat");
    CHECK_INT(comb_procinfo_set_args(c, "cat\0/etc/shadow", 15), 0);

    comb_proc proc, anc[4];
    size_t n;
    CHECK_INT(comb_proctable_fill(t, 11, &proc, anc, 4, &n), 1);
    CHECK_STR(proc.name, "cat");
    CHECK_STR(proc.exe, "cat");
    CHECK_INT(proc.nargs, 1);
    CHECK_STR(proc.args[0], "/etc/shadow");
    CHECK_INT(proc.ppid, 10);
    CHECK_INT(proc.start_ts, 5);
    CHECK_INT(n, 2);
    CHECK_STR(anc[0].name, "bash");
    CHECK_STR(anc[0].args[0], "-l");
    CHECK_STR(anc[1].name, "systemd");
    /* ancestry is cut at the requested depth */
    CHECK_INT(comb_proctable_fill(t, 11, &proc, anc, 1, &n), 1);
    CHECK_INT(n, 1);
    CHECK_INT(comb_proctable_fill(t, 999, &proc, anc, 4, &n), 0);
    /* a parent loop (pid reuse gone wrong) ends */
    set(t, 20, 21, "a");
    set(t, 21, 20, "b");
    CHECK_INT(comb_proctable_fill(t, 20, &proc, anc, 4, &n), 1);
    CHECK(n <= 4);
    comb_proctable_free(t);
}

static void test_bounded_and_reclaimed(void)
{
    comb_proctable *t = table(8, 2);
    for (int pid = 100; pid < 108; pid++)
        set(t, pid, 1, "w");
    comb_proctable_stats st;
    comb_proctable_stats_get(t, &st);
    CHECK_INT(st.live, 8);
    /* full: a ninth process is refused and counted, not allocated */
    CHECK(comb_proctable_upsert(t, 200) == NULL);
    comb_proctable_stats_get(t, &st);
    CHECK_INT(st.refused, 1);

    /* exited processes stay for the grace period (the last 2 exits) */
    comb_proctable_exit(t, 100);
    comb_proctable_exit(t, 101);
    CHECK(comb_proctable_get(t, 100) != NULL);
    CHECK(comb_proctable_get(t, 100)->dead);
    comb_proctable_stats_get(t, &st);
    CHECK_INT(st.live, 6);
    CHECK_INT(st.dead, 2);
    /* a third exit reclaims the oldest */
    comb_proctable_exit(t, 102);
    CHECK(comb_proctable_get(t, 100) == NULL);
    CHECK(comb_proctable_get(t, 101) != NULL);
    comb_proctable_stats_get(t, &st);
    CHECK_INT(st.reclaimed, 1);
    CHECK_INT(st.dead, 2);
    /* room again */
    CHECK(comb_proctable_upsert(t, 200) != NULL);

    /* a reused pid replaces the dead entry and survives the rotation */
    comb_procinfo *r = comb_proctable_upsert(t, 101);
    CHECK(r != NULL && !r->dead && r->comm[0] == '\0');
    comb_proctable_exit(t, 103);
    comb_proctable_exit(t, 104);
    CHECK(comb_proctable_get(t, 101) != NULL);
    CHECK(!comb_proctable_get(t, 101)->dead);

    /* many processes come and go: memory stays bounded */
    for (int pid = 1000; pid < 50000; pid++) {
        comb_procinfo *p = comb_proctable_fork(t, 105, pid, 0);
        if (p)
            comb_proctable_exit(t, pid);
    }
    comb_proctable_stats_get(t, &st);
    CHECK(st.live + st.dead <= 8);
    CHECK(st.reclaimed > 40000);
    comb_proctable_free(t);
}

static void test_hostile_strings(void)
{
    comb_proctable *t = table(4, 1);
    comb_procinfo *p = comb_proctable_upsert(t, 5);
    /* argv beyond the bounds is cut, never overrun */
    static char big[COMB_PROC_MAX_ARGBYTES * 2];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = i % 3 ? 'a' : '\0';
    CHECK_INT(comb_procinfo_set_args(p, big, sizeof big), 0);
    CHECK(p->argc <= COMB_PROC_MAX_ARGS);
    size_t total = 0;
    for (size_t i = 0; i < p->argc; i++)
        total += strlen(p->argv[i]) + 1;
    CHECK(total <= COMB_PROC_MAX_ARGBYTES + 1);
    /* an empty argv, and one without a final NUL */
    CHECK_INT(comb_procinfo_set_args(p, "", 0), 0);
    CHECK_INT(p->argc, 0);
    CHECK_INT(comb_procinfo_set_args(p, "sh\0-c\0id", 8), 0);
    CHECK_INT(p->argc, 3);
    CHECK_STR(p->argv[2], "id");
    /* a string without NUL is bounded by its length */
    CHECK_INT(comb_procinfo_set_str(&p->exepath, "/bin/shXXXX", 7), 0);
    CHECK_STR(p->exepath, "/bin/sh");
    comb_proctable_free(t);
}

static void test_seed_from_proc(void)
{
    comb_proctable *t = table(1 << 16, 16);
    comb_err err;
    CHECK_INT(comb_proctable_seed(t, "/proc", &err), COMB_OK);
    comb_procinfo *me = comb_proctable_get(t, getpid());
    CHECK(me != NULL);
    if (me) {
        CHECK_STR(me->comm, "test_sensor_pro"); /* the kernel keeps 15 characters */
        CHECK_INT(me->ppid, getppid());
        CHECK(me->vpid > 0); /* NSpid: the pid in this process's own namespace */
        CHECK_INT(me->uid, getuid());
        CHECK(me->argc >= 1 && strstr(me->argv[0], "test_sensor_proctable"));
        CHECK(me->exepath && strstr(me->exepath, "test_sensor_proctable"));
        CHECK(me->start_ts > 1600000000LL * 1000000000);
        CHECK_INT(me->exe_memfd, 0);
        CHECK(me->cap_effective != COMB_NA);
        if (getuid() == 0) /* root in the host namespace: CAP_SYS_ADMIN at least */
            CHECK(me->cap_effective & (1LL << 21));
    }
    CHECK(comb_proctable_get(t, 1) != NULL);
    comb_proctable_stats st;
    comb_proctable_stats_get(t, &st);
    CHECK(st.live > 2);
    CHECK_INT(comb_proctable_seed(t, "/nonexistent-proc", &err), COMB_EIO);
    comb_proctable_free(t);
}

static void test_bad_bounds(void)
{
    comb_proctable *t = NULL;
    comb_err err;
    CHECK_INT(comb_proctable_new(0, 0, &t, &err), COMB_EINVAL);
    CHECK_INT(comb_proctable_new(4, 4, &t, &err), COMB_EINVAL);
}

int main(void)
{
    RUN(test_ancestry);
    RUN(test_bounded_and_reclaimed);
    RUN(test_hostile_strings);
    RUN(test_seed_from_proc);
    RUN(test_bad_bounds);
    return test_summary();
}
