/* exe_origin.bpf.h - where an executable comes from, for the sensor (exec
 * records) and the enforcer (drift kill): SENSOR_EXEC_MEMFD and
 * SENSOR_EXEC_UPPER bits of sensor_abi.h. Included by BPF programs only. */
#ifndef COMB_RUNTIME_BPF_EXE_ORIGIN_BPF_H
#define COMB_RUNTIME_BPF_EXE_ORIGIN_BPF_H

#include "sensor_abi.h"

static __always_inline __u32 exe_origin(struct file *exe)
{
    __u32 flags = 0;
    struct dentry *leaf = BPF_CORE_READ(exe, f_path.dentry);

    /* memfd_create names its file "memfd:NAME"; it has no link on disk */
    char pre[8] = {};
    bpf_probe_read_kernel(pre, 6, BPF_CORE_READ(leaf, d_name.name));
    if (pre[0] == 'm' && pre[1] == 'e' && pre[2] == 'm' && pre[3] == 'f' && pre[4] == 'd' &&
        pre[5] == ':' && BPF_CORE_READ(exe, f_inode, __i_nlink) == 0)
        flags |= SENSOR_EXEC_MEMFD;

    /* overlayfs (container images): an executable with an upper dentry was
     * written or copied up in the container, not shipped in the image */
    struct inode *ino = BPF_CORE_READ(exe, f_inode);
    if (BPF_CORE_READ(ino, i_sb, s_magic) == 0x794c7630 /* OVERLAYFS_SUPER_MAGIC */) {
        struct ovl_inode *oi =
            (struct ovl_inode *)((char *)ino - bpf_core_field_offset(struct ovl_inode, vfs_inode));
        if (BPF_CORE_READ(oi, __upperdentry))
            flags |= SENSOR_EXEC_UPPER;
    }
    return flags;
}

#endif
