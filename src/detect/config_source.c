/* config_source.c - the configuration checks (misconfig/) as a detector
 * source: the image config and history, the OS release's end of life, and
 * the final filesystem (setuid files, world-writable paths, caches). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "detect/source.h"
#include "misconfig/misconfig.h"

/* Only entries that can matter reach the filesystem checks, so that memory
 * follows the number of odd files, not the size of the image. */
int detect_config_fs_wants(const comb_entry *e)
{
    if (e->mode & (S_ISUID | S_ISGID | S_IWOTH))
        return 1;
    const char *p = e->path;
    return strstr(p, "cache") || strstr(p, "apt/lists/") || strstr(p, ".npm/") ||
           strstr(p, "/.yarn") || !strncmp(p, "var/lib/apt/lists", 17);
}

static comb_severity severity_of(comb_mc_severity s)
{
    switch (s) {
    case COMB_MC_INFO: return COMB_SEV_NEGLIGIBLE;
    case COMB_MC_LOW: return COMB_SEV_LOW;
    case COMB_MC_MEDIUM: return COMB_SEV_MEDIUM;
    case COMB_MC_HIGH: return COMB_SEV_HIGH;
    case COMB_MC_CRITICAL: return COMB_SEV_CRITICAL;
    }
    return COMB_SEV_UNKNOWN;
}

static int fs_find(const void *key, const void *elem)
{
    return strcmp(key, ((const detect_fs_entry *)elem)->path);
}

comb_code detect_config_run(const comb_detect_opts *o, const comb_inventory *inv,
                            const detect_fs_entry *fs, size_t nfs, detect_sink *s, comb_err *err)
{
    comb_mc_list l;
    comb_mc_list_init(&l);
    comb_mc_image_ctx ctx = { .name = inv->image.name, .os_id = inv->os.id,
                              .os_version_id = inv->os.version_id, .now = o->now,
                              .max_age_days = o->max_age_days > 0 ? (unsigned)o->max_age_days : 0 };
    comb_code rc = COMB_OK;
    comb_err cerr;
    comb_err_clear(&cerr);
    if (inv->image.config_json) {
        if (comb_misconfig_image(inv->image.config_json, inv->image.config_len, &ctx, &l, &cerr))
            detect_warn(s, "image config checks: %s", cerr.msg);
    } else if (inv->os.id) {
        if (comb_misconfig_os(inv->os.id, inv->os.version_id, ctx.now ? ctx.now : time(NULL),
                              inv->os.found_in ? inv->os.found_in : "etc/os-release", &l, &cerr))
            detect_warn(s, "end-of-life check: %s", cerr.msg);
    }
    comb_mc_fs *mfs = NULL;
    if ((rc = comb_misconfig_fs_new(&mfs, err)) != COMB_OK)
        goto out;
    for (size_t i = 0; i < nfs; i++)
        comb_misconfig_fs_add(mfs, fs[i].path, fs[i].mode, fs[i].uid, fs[i].gid,
                              fs[i].size > 0 ? (uint64_t)fs[i].size : 0);
    if ((rc = comb_misconfig_fs_finish(mfs, &l, err)) != COMB_OK)
        goto out;
    comb_mc_sort(&l);
    for (size_t i = 0; i < l.n; i++) {
        const comb_mc_finding *f = &l.items[i];
        const detect_fs_entry *at = NULL;
        if (nfs && (f->check->applies & COMB_MC_ON_FILES) && f->location)
            at = bsearch(f->location, fs, nfs, sizeof *fs, fs_find); /* fs is sorted by path */
        detect_at(s, at ? at->blob : -1, at ? detect_str(s, at->path) : NULL);
        comb_detection *d = detect_add(s, COMB_DETECT_CONFIG);
        if (!d)
            continue;
        d->rule_id = detect_str(s, f->check->id);
        d->title = detect_str(s, f->check->title);
        d->category = detect_str(s, f->check->applies & COMB_MC_ON_FILES ? "filesystem" : "image");
        d->severity = severity_of(f->check->severity);
        d->engine = "comb-config";
        d->location = detect_str(s, f->location);
        d->message = detect_str(s, f->message);
        d->fix = detect_str(s, f->check->fix);
    }
    if (l.dropped)
        detect_warn(s, "%zu configuration findings over the per-check limit of %d not listed",
                    l.dropped, COMB_MC_MAX_PER_CHECK);
out:
    comb_mc_list_free(&l);
    return rc;
}
