/* procparse.h - the parsers of comb inventory, one line or one document at a
 * time, on untrusted text (files under /proc and engine state). They never
 * read past the given length, allocate nothing and keep no state, so they
 * are fuzzed directly (tests/fuzz/fuzz_inventory_parse.c). */
#ifndef COMB_INVENTORY_PROCPARSE_H
#define COMB_INVENTORY_PROCPARSE_H

#include <stddef.h>
#include <stdint.h>

/* One socket line of /proc/PID/net/{tcp,tcp6,udp,udp6}:
 * "  0: 0100007F:1F90 00000000:0000 0A ... uid timeout inode". */
typedef struct comb_inv_sock {
    char local[64];     /* the address in text form (inet_ntop) */
    unsigned port;
    char remote[64];
    unsigned rport;
    unsigned state;     /* TCP state number: 0x0A is LISTEN; UDP 0x07 unconnected */
    unsigned long uid;
    unsigned long long inode;
} comb_inv_sock;

/* 0 on a socket line, -1 on anything else (the header included). v6: the
 * addresses are 32 hex digits (tcp6, udp6), else 8. */
int comb_inv_parse_sock(const char *line, size_t len, int v6, comb_inv_sock *out);

/* One line of /proc/PID/mountinfo: "36 35 98:0 /root /mnt opts - fstype source super".
 * Octal escapes (\040) are decoded; fields that do not fit are cut. */
typedef struct comb_inv_mount {
    char root[1024];        /* the path inside the mounted filesystem */
    char mountpoint[1024];
    char fstype[64];
    char source[1024];
    int readonly;           /* "ro" in the per-mount options */
} comb_inv_mount;

int comb_inv_parse_mountinfo(const char *line, size_t len, comb_inv_mount *out);

/* The effective capability set in the text of /proc/PID/status ("CapEff:\t..."):
 * 0 with *mask set, -1 when absent or malformed. Also PPid and the real Uid
 * (-1 for a field that is missing). */
int comb_inv_parse_status(const char *text, size_t len, uint64_t *capeff, long *ppid, long *uid);

/* Local addresses of /proc/PID/net/fib_trie: calls fn with each address that
 * a "host LOCAL" leaf names (127.0.0.1 included), at most max of them. */
void comb_inv_parse_fib_trie(const char *text, size_t len, void (*fn)(void *ud, const char *addr),
                             void *ud, size_t max);

/* One line of /proc/PID/net/if_inet6 ("fe80...0001 02 40 20 80 eth0"): the
 * address in text form (out >= 64 bytes); 0, or -1 when malformed. */
int comb_inv_parse_if_inet6(const char *line, size_t len, char *out, size_t outsz);

/* The "socket:[INODE]" target of an fd link: 0 with *inode, else -1. */
int comb_inv_socket_inode(const char *link, unsigned long long *inode);

#endif
