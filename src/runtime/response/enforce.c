/* enforce.c - load and drive enforce.bpf.c; see enforce.h. */
#include "runtime/response/enforce.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "enforce.skel.h"
#include "enforce_lsm.skel.h"
#include "runtime/response/response.h"
#include "runtime/sensor/cgroup.h"

#define SEEN_MAX 4096

struct comb_enforce {
    struct enforce_bpf *skel;
    struct enforce_lsm_bpf *lsm; /* NULL: the kernel refused BPF LSM */
    char lsm_status[160];
    pthread_mutex_t mu;
    uint64_t seen[SEEN_MAX];    /* open addressing, 0 empty */
    size_t nseen;
    struct bpf_link *links[2 * COMB_ENFORCE_MAX_ISOLATED];
    size_t nlinks;
    uint64_t isolated;
};

static void probe_lsm(comb_enforce *e);

comb_code comb_enforce_open(comb_enforce **out, comb_err *err)
{
    comb_enforce *e = calloc(1, sizeof *e);
    if (!e)
        return comb_fail(err, COMB_ENOMEM, "enforce: out of memory");
    pthread_mutex_init(&e->mu, NULL);
    libbpf_set_print(NULL); /* the library never writes to stderr (the sensor keeps a log) */
    e->skel = enforce_bpf__open_and_load();
    if (!e->skel) {
        int er = errno;
        free(e);
        return comb_fail(err, COMB_EUNSUPPORTED, "enforce: the kernel refused the programs "
                         "(exec hook with bpf_send_signal, cgroup connect4/6): %s", strerror(er));
    }
    e->skel->links.enforce_exec = bpf_program__attach(e->skel->progs.enforce_exec);
    if (!e->skel->links.enforce_exec) {
        int er = errno;
        comb_enforce_close(e);
        return comb_fail(err, COMB_EUNSUPPORTED, "enforce: attaching the exec hook: %s",
                         strerror(er));
    }
    probe_lsm(e);
    *out = e;
    return COMB_OK;
}

/* BPF LSM refuses a drifted exec outright; where the kernel refuses the
 * program (EPERM here), the exec hook's kill is what remains. */
static void probe_lsm(comb_enforce *e)
{
    struct enforce_lsm_bpf *l = enforce_lsm_bpf__open();
    int rc = l ? 0 : -errno;
    if (!rc)
        rc = bpf_map__reuse_fd(l->maps.enforced, bpf_map__fd(e->skel->maps.enforced));
    if (!rc)
        rc = enforce_lsm_bpf__load(l);
    if (!rc)
        rc = enforce_lsm_bpf__attach(l);
    if (rc) {
        enforce_lsm_bpf__destroy(l);
        snprintf(e->lsm_status, sizeof e->lsm_status, "BPF LSM refused by the kernel (%s): "
                 "drifted execs are killed at exec instead of denied", strerror(-rc));
        return;
    }
    e->lsm = l;
    snprintf(e->lsm_status, sizeof e->lsm_status, "BPF LSM loaded: drifted execs are denied "
             "(EPERM)");
}

const char *comb_enforce_lsm_status(const comb_enforce *e)
{
    return e->lsm_status;
}

int comb_enforce_add(comb_enforce *e, uint64_t id)
{
    if (!id)
        return EINVAL;
    pthread_mutex_lock(&e->mu);
    size_t h = (size_t)(id * 0x9e3779b97f4a7c15ull) % SEEN_MAX;
    for (size_t i = 0; i < SEEN_MAX; i++, h = (h + 1) % SEEN_MAX) {
        if (e->seen[h] == id) {
            pthread_mutex_unlock(&e->mu);
            return 0;
        }
        if (!e->seen[h])
            break;
    }
    __u8 one = 1;
    int rc = bpf_map_update_elem(bpf_map__fd(e->skel->maps.enforced), &id, &one, BPF_ANY) ? errno
                                                                                        : 0;
    if (!rc && e->nseen < SEEN_MAX * 3 / 4 && !e->seen[h]) {
        e->seen[h] = id;
        e->nseen++;
    }
    pthread_mutex_unlock(&e->mu);
    return rc;
}

typedef struct add_ctx {
    comb_enforce *e;
    size_t added;
} add_ctx;

static int add_one(void *ud, const char *path, const char *name)
{
    add_ctx *a = ud;
    char id[COMB_CONTAINER_ID_LEN + 1];
    struct stat st;
    if (!comb_cgroup_container_id(name, id, NULL))
        return 0;
    if (!stat(path, &st) && !comb_enforce_add(a->e, (uint64_t)st.st_ino))
        a->added++;
    return 2; /* below a container, the ancestors' entry covers it */
}

size_t comb_enforce_add_existing(comb_enforce *e, const char *cgroup2)
{
    add_ctx a = { .e = e };
    comb_cgroup_walk(cgroup2, 4, add_one, &a);
    return a.added;
}

int comb_enforce_isolate(comb_enforce *e, const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int rc = 0;
    pthread_mutex_lock(&e->mu);
    if (e->nlinks + 2 > sizeof e->links / sizeof *e->links) {
        rc = ENOSPC;
    } else {
        struct bpf_link *a = bpf_program__attach_cgroup(e->skel->progs.enforce_connect4, fd);
        struct bpf_link *b = a ? bpf_program__attach_cgroup(e->skel->progs.enforce_connect6, fd)
                               : NULL;
        if (!a || !b) {
            rc = errno ? errno : EIO;
            bpf_link__destroy(a);
        } else {
            e->links[e->nlinks++] = a;
            e->links[e->nlinks++] = b;
            e->isolated++;
        }
    }
    pthread_mutex_unlock(&e->mu);
    close(fd);
    return rc;
}

void comb_enforce_stats_get(comb_enforce *e, comb_enforce_stats *st)
{
    memset(st, 0, sizeof *st);
    int fd = bpf_map__fd(e->skel->maps.enforce_counters);
    __u32 k = 0;
    bpf_map_lookup_elem(fd, &k, &st->drift_kills);
    k = 1;
    bpf_map_lookup_elem(fd, &k, &st->connects_refused);
    pthread_mutex_lock(&e->mu);
    st->enforced = e->nseen;
    st->isolated = e->isolated;
    pthread_mutex_unlock(&e->mu);
}

void comb_enforce_close(comb_enforce *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nlinks; i++)
        bpf_link__destroy(e->links[i]);
    enforce_lsm_bpf__destroy(e->lsm);
    enforce_bpf__destroy(e->skel);
    pthread_mutex_destroy(&e->mu);
    free(e);
}
