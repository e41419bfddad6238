/* syscalls.c - captured syscalls and Falco-style argument rendering; see
 * syscalls.h. Numbers are the x86-64 ABI (asm/unistd_64.h). */
#include "runtime/sensor/syscalls.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static const comb_syscall_def defs[] = {
    { 2, "open" },         { 32, "dup" },          { 33, "dup2" },       { 41, "socket" },
    { 42, "connect" },     { 43, "accept" },       { 49, "bind" },       { 50, "listen" },
    { 82, "rename" },      { 86, "link" },         { 87, "unlink" },     { 88, "symlink" },
    { 90, "chmod" },       { 101, "ptrace" },      { 105, "setuid" },    { 106, "setgid" },
    { 113, "setreuid" },   { 114, "setregid" },    { 117, "setresuid" }, { 119, "setresgid" },
    { 165, "mount" },      { 166, "umount2" },     { 175, "init_module" }, { 257, "openat" },
    { 263, "unlinkat" },   { 264, "renameat" },    { 265, "linkat" },    { 266, "symlinkat" },
    { 268, "fchmodat" },   { 272, "unshare" },     { 288, "accept4" },   { 292, "dup3" },
    { 308, "setns" },      { 313, "finit_module" }, { 316, "renameat2" }, { 319, "memfd_create" },
    { 437, "openat2" },    { 83, "mkdir" },        { 84, "rmdir" },      { 85, "creat" },
    { 91, "fchmod" },      { 258, "mkdirat" },     { 321, "bpf" },       { 323, "userfaultfd" },
    { 44, "sendto" },      { 46, "sendmsg" },
};

const comb_syscall_def *comb_syscalls(size_t *n)
{
    *n = sizeof defs / sizeof *defs;
    return defs;
}

int comb_syscall_nr(const char *name)
{
    for (size_t i = 0; i < sizeof defs / sizeof *defs; i++)
        if (!strcmp(defs[i].name, name))
            return defs[i].nr;
    return -1;
}

const char *comb_syscall_name(int64_t nr)
{
    for (size_t i = 0; i < sizeof defs / sizeof *defs; i++)
        if (defs[i].nr == nr)
            return defs[i].name;
    return NULL;
}

int comb_syscall_is_lifecycle(const char *name)
{
    return !strcmp(name, "execve") || !strcmp(name, "execveat") || !strcmp(name, "clone") ||
           !strcmp(name, "procexit");
}

typedef struct flagname {
    uint64_t bit;
    const char *name;
} flagname;

/* Append s at *used (bounded, always terminated); 0 when it did not fit. */
static int append(char *buf, size_t cap, size_t *used, const char *s)
{
    size_t n = strlen(s);
    if (*used + n + 1 > cap)
        return 0;
    memcpy(buf + *used, s, n + 1);
    *used += n;
    return 1;
}

/* Append "A|B|C" for the set bits (no printf: this runs for every event). */
static void render_bits(uint64_t v, const flagname *names, size_t n, char *buf, size_t cap,
                        size_t used)
{
    for (size_t i = 0; i < n; i++) {
        if (!names[i].bit || (v & names[i].bit) != names[i].bit)
            continue;
        if (used && !append(buf, cap, &used, "|"))
            return;
        if (!append(buf, cap, &used, names[i].name))
            return;
        v &= ~names[i].bit;
    }
    if (!used)
        snprintf(buf, cap, "0");
}

void comb_render_open_flags(uint64_t f, char *buf, size_t cap)
{
    static const flagname names[] = {
        { 04010000, "O_SYNC" },     /* before O_DSYNC, whose bit it includes */
        { 0100, "O_CREAT" },        { 0200, "O_EXCL" },       { 0400, "O_NOCTTY" },
        { 01000, "O_TRUNC" },       { 02000, "O_APPEND" },    { 04000, "O_NONBLOCK" },
        { 010000, "O_DSYNC" },      { 040000, "O_DIRECT" },   { 0100000, "O_LARGEFILE" },
        { 020200000, "O_TMPFILE" }, { 0200000, "O_DIRECTORY" }, { 0400000, "O_NOFOLLOW" },
        { 01000000, "O_NOATIME" },  { 02000000, "O_CLOEXEC" },
        { 010000000, "O_PATH" },
    };
    const char *acc = (f & 3) == 0 ? "O_RDONLY" : (f & 3) == 1 ? "O_WRONLY" : "O_RDWR";
    if (f & 010000000) /* O_PATH opens neither for reading nor writing */
        acc = NULL;
    size_t used = 0;
    buf[0] = '\0';
    if (acc)
        append(buf, cap, &used, acc);
    render_bits(f & ~(uint64_t)3, names, sizeof names / sizeof *names, buf, cap, used);
}

void comb_render_ptrace_request(int64_t r, char *buf, size_t cap)
{
    static const struct { int64_t v; const char *n; } names[] = {
        { 0, "PTRACE_TRACEME" }, { 1, "PTRACE_PEEKTEXT" }, { 2, "PTRACE_PEEKDATA" },
        { 3, "PTRACE_PEEKUSR" }, { 4, "PTRACE_POKETEXT" }, { 5, "PTRACE_POKEDATA" },
        { 6, "PTRACE_POKEUSR" }, { 7, "PTRACE_CONT" }, { 8, "PTRACE_KILL" },
        { 9, "PTRACE_SINGLESTEP" }, { 12, "PTRACE_GETREGS" }, { 13, "PTRACE_SETREGS" },
        { 14, "PTRACE_GETFPREGS" }, { 15, "PTRACE_SETFPREGS" }, { 16, "PTRACE_ATTACH" },
        { 17, "PTRACE_DETACH" }, { 24, "PTRACE_SYSCALL" }, { 0x4200, "PTRACE_SETOPTIONS" },
        { 0x4201, "PTRACE_GETEVENTMSG" }, { 0x4202, "PTRACE_GETSIGINFO" },
        { 0x4203, "PTRACE_SETSIGINFO" }, { 0x4204, "PTRACE_GETREGSET" },
        { 0x4205, "PTRACE_SETREGSET" }, { 0x4206, "PTRACE_SEIZE" },
        { 0x4207, "PTRACE_INTERRUPT" }, { 0x4208, "PTRACE_LISTEN" },
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (names[i].v == r) {
            snprintf(buf, cap, "%s", names[i].n);
            return;
        }
    snprintf(buf, cap, "%lld", (long long)r);
}

void comb_render_socket_family(int64_t fam, char *buf, size_t cap)
{
    static const char *const names[] = {
        [0] = "AF_UNSPEC", [1] = "AF_UNIX", [2] = "AF_INET", [10] = "AF_INET6",
        [16] = "AF_NETLINK", [17] = "AF_PACKET", [38] = "AF_ALG", [40] = "AF_VSOCK",
        [44] = "AF_XDP",
    };
    if (fam >= 0 && fam < (int64_t)(sizeof names / sizeof *names) && names[fam])
        snprintf(buf, cap, "%s", names[fam]);
    else
        snprintf(buf, cap, "%lld", (long long)fam);
}

void comb_render_clone_flags(uint64_t f, char *buf, size_t cap)
{
    static const flagname names[] = {
        { 0x00000100, "CLONE_VM" },       { 0x00000200, "CLONE_FS" },
        { 0x00000400, "CLONE_FILES" },    { 0x00000800, "CLONE_SIGHAND" },
        { 0x00020000, "CLONE_NEWNS" },    { 0x02000000, "CLONE_NEWCGROUP" },
        { 0x04000000, "CLONE_NEWUTS" },   { 0x08000000, "CLONE_NEWIPC" },
        { 0x10000000, "CLONE_NEWUSER" },  { 0x20000000, "CLONE_NEWPID" },
        { 0x40000000, "CLONE_NEWNET" },   { 0x00000080, "CLONE_NEWTIME" },
    };
    buf[0] = '\0';
    render_bits(f, names, sizeof names / sizeof *names, buf, cap, 0);
}

void comb_render_memfd_flags(uint64_t f, char *buf, size_t cap)
{
    static const flagname names[] = {
        { 1, "MFD_CLOEXEC" }, { 2, "MFD_ALLOW_SEALING" }, { 4, "MFD_HUGETLB" },
        { 8, "MFD_NOEXEC_SEAL" }, { 16, "MFD_EXEC" },
    };
    buf[0] = '\0';
    render_bits(f, names, sizeof names / sizeof *names, buf, cap, 0);
}

int comb_render_sockaddr(const uint8_t *sa, size_t len, char *addr, size_t cap, int64_t *port)
{
    addr[0] = '\0';
    *port = -1;
    if (len < 2)
        return 0;
    uint16_t fam;
    memcpy(&fam, sa, 2);
    if (fam == 2 && len >= 8) {
        uint16_t p;
        memcpy(&p, sa + 2, 2);
        *port = ntohs(p);
        inet_ntop(AF_INET, sa + 4, addr, (socklen_t)cap);
        return 2;
    }
    if (fam == 10 && len >= 24) {
        uint16_t p;
        memcpy(&p, sa + 2, 2);
        *port = ntohs(p);
        inet_ntop(AF_INET6, sa + 8, addr, (socklen_t)cap);
        return 10;
    }
    if (fam == 1) {
        size_t n = len - 2;
        const uint8_t *path = sa + 2;
        if (n && path[0] == '\0') { /* abstract socket: shown as @name */
            path++;
            n--;
            if (cap > 1) {
                addr[0] = '@';
                addr++;
                cap--;
            }
        }
        n = strnlen((const char *)path, n);
        if (n >= cap)
            n = cap - 1;
        memcpy(addr, path, n);
        addr[n] = '\0';
        return 1;
    }
    return fam;
}
