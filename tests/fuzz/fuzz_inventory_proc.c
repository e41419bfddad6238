/* fuzz_inventory_proc.c - libFuzzer target for the /proc parsers of comb
 * inventory. The first byte picks the parser: 0 tcp, 1 tcp6 (one line each),
 * 2 mountinfo line, 3 status, 4 fib_trie, 5 if_inet6 line, 6 an fd link. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/procparse.h"

static void count(void *ud, const char *addr)
{
    (*(size_t *)ud) += strlen(addr) > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    switch (data[0] % 7) {
    case 0:
    case 1: {
        comb_inv_sock k;
        if (!comb_inv_parse_sock(s, n, data[0] % 7, &k) && (k.port > 65535 || k.rport > 65535))
            abort();
        break;
    }
    case 2: {
        static comb_inv_mount m;
        comb_inv_parse_mountinfo(s, n, &m);
        break;
    }
    case 3: {
        uint64_t caps;
        long ppid, uid;
        comb_inv_parse_status(s, n, &caps, &ppid, &uid);
        break;
    }
    case 4: {
        size_t found = 0;
        comb_inv_parse_fib_trie(s, n, count, &found, 16);
        if (found > 16)
            abort();
        break;
    }
    case 5: {
        char out[64];
        comb_inv_parse_if_inet6(s, n, out, sizeof out);
        break;
    }
    default: {
        char *z = malloc(n + 1);
        if (!z)
            return 0;
        memcpy(z, s, n);
        z[n] = '\0';
        unsigned long long ino;
        comb_inv_socket_inode(z, &ino);
        free(z);
    }
    }
    return 0;
}
