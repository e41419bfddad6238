/* syscalls.h - the syscalls the sensor captures: x86-64 numbers, Falco's
 * event type names, and how their arguments render (Falco's text forms, so
 * that rules written for Falco compare the same strings). */
#ifndef COMB_RUNTIME_SENSOR_SYSCALLS_H
#define COMB_RUNTIME_SENSOR_SYSCALLS_H

#include <stddef.h>
#include <stdint.h>

typedef struct comb_syscall_def {
    int nr;                    /* x86-64 number */
    const char *name;          /* Falco event type */
} comb_syscall_def;

/* Every syscall the sensor can capture at sys_exit. */
const comb_syscall_def *comb_syscalls(size_t *n);
/* Number of a captured syscall by event type name, -1 when not captured. */
int comb_syscall_nr(const char *name);
const char *comb_syscall_name(int64_t nr);
/* Event types delivered by the process hooks (exec, fork, exit), never
 * filtered in the kernel. */
int comb_syscall_is_lifecycle(const char *name);

/* Renderers write a NUL-terminated string into buf (always, truncated). */
void comb_render_open_flags(uint64_t flags, char *buf, size_t cap);
void comb_render_ptrace_request(int64_t req, char *buf, size_t cap);
void comb_render_socket_family(int64_t fam, char *buf, size_t cap);
void comb_render_clone_flags(uint64_t flags, char *buf, size_t cap); /* unshare, setns */
void comb_render_memfd_flags(uint64_t flags, char *buf, size_t cap);
/* A struct sockaddr of len bytes: sets the text address and port (AF_INET,
 * AF_INET6) or the path (AF_UNIX); returns the family, 0 when unusable. */
int comb_render_sockaddr(const uint8_t *sa, size_t len, char *addr, size_t cap, int64_t *port);

#endif
