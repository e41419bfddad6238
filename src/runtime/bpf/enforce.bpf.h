/* enforce.bpf.h - shared by enforce.bpf.c and enforce_lsm.bpf.c: the
 * `enforced` map (cgroup v2 ids of enforced containers; user space gives the
 * LSM object the exec hook's map) and the lookup of the current task's
 * cgroup and its ancestors in it. Included by BPF programs only. */
#ifndef COMB_RUNTIME_BPF_ENFORCE_BPF_H
#define COMB_RUNTIME_BPF_ENFORCE_BPF_H

#define ENFORCE_LEVELS 8        /* cgroup ancestors looked up */

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4096);
    __type(key, __u64);
    __type(value, __u8);
} enforced SEC(".maps");

static __always_inline int in_enforced(void)
{
    __u64 id = bpf_get_current_cgroup_id();
    if (bpf_map_lookup_elem(&enforced, &id))
        return 1;
    for (int lvl = 1; lvl <= ENFORCE_LEVELS; lvl++) {
        id = bpf_get_current_ancestor_cgroup_id(lvl);
        if (!id)
            break;
        if (bpf_map_lookup_elem(&enforced, &id))
            return 1;
    }
    return 0;
}

#endif
