/* nftnl.c - bulk set elements through libnftnl: one netlink batch (one
 * transaction) per chunk, the element keys built directly in the kernel's
 * layout, so that 100,000 elements do not go through the nft text parser.
 * Used by the staged first apply (nft.c), inside the target namespace. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "segment/nftnl.h"

#define PER_MSG 1024            /* elements per NEWSETELEM message */
#define BATCH_BYTES (4u << 20)  /* one batch: a chunk of elements */

/* "10.0.0.1 . 10.0.0.2 . tcp . 8080" -> key: each field in a 4-byte
 * register (addresses and the port in network order, the protocol byte
 * first, padding zero). -1 when a field is not understood. */
int seg_nftnl_key(const char *elem, unsigned char key[SEG_NFTNL_KEY_MAX], size_t *len)
{
    size_t n = 0;
    const char *p = elem;
    memset(key, 0, SEG_NFTNL_KEY_MAX);
    while (*p) {
        const char *e = strstr(p, " . ");
        size_t flen = e ? (size_t)(e - p) : strlen(p);
        char f[32];
        if (!flen || flen >= sizeof f || n + 4 > SEG_NFTNL_KEY_MAX)
            return -1;
        memcpy(f, p, flen);
        f[flen] = '\0';
        struct in_addr a;
        if (inet_pton(AF_INET, f, &a) == 1) {
            memcpy(key + n, &a.s_addr, 4);
        } else if (!strcmp(f, "tcp") || !strcmp(f, "udp")) {
            key[n] = f[0] == 't' ? 6 : 17;
        } else {
            char *end;
            unsigned long v = strtoul(f, &end, 10);
            if (*end || v > 65535 || f[0] < '0' || f[0] > '9')
                return -1;
            uint16_t be = htons((uint16_t)v);
            memcpy(key + n, &be, 2);
        }
        n += 4;
        p += flen + (e ? 3 : 0);
    }
    *len = n;
    return n ? 0 : -1;
}

static int family_of(int inet)
{
    return inet ? NFPROTO_INET : NFPROTO_BRIDGE;
}

/* Send one batch and wait for every message's acknowledgement. */
static int send_batch(struct mnl_socket *nl, struct mnl_nlmsg_batch *b, uint32_t first_seq,
                      uint32_t nmsgs, char *rbuf, size_t rsize)
{
    if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b)) < 0)
        return -1;
    uint32_t portid = mnl_socket_get_portid(nl), acked = 0;
    while (acked < nmsgs) {
        ssize_t r = mnl_socket_recvfrom(nl, rbuf, rsize);
        if (r <= 0)
            return -1;
        /* one ack (or error) per message; mnl_cb_run stops at an error */
        for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(h, (int)r);
             h = mnl_nlmsg_next(h, (int *)&r)) {
            if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq < first_seq)
                continue;
            const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
            if (e->error) {
                errno = -e->error;
                return -1;
            }
            acked++;
        }
        (void)portid;
    }
    return 0;
}

int seg_nftnl_add(int inet, const char *table, const char *set, char *const *elems, size_t n,
                  size_t chunk, char *why, size_t whysize)
{
    struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
    char *buf = malloc(BATCH_BYTES), *rbuf = malloc(65536);
    int rc = -1;
    why[0] = '\0';
    if (!nl || !buf || !rbuf || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
        snprintf(why, whysize, "netlink: %s", strerror(errno));
        goto out;
    }
    int sz = (int)BATCH_BYTES * 2;
    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof sz);
    uint32_t seq = (uint32_t)time(NULL);
    for (size_t k = 0; k < n; k += chunk) {
        size_t end = k + chunk < n ? k + chunk : n;
        struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, BATCH_BYTES);
        nftnl_batch_begin(mnl_nlmsg_batch_current(b), seq++);
        mnl_nlmsg_batch_next(b);
        uint32_t first = seq, nmsgs = 0;
        for (size_t i = k; i < end; i += PER_MSG) {
            struct nftnl_set *s = nftnl_set_alloc();
            if (!s) {
                mnl_nlmsg_batch_stop(b);
                snprintf(why, whysize, "out of memory");
                goto out;
            }
            nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
            nftnl_set_set_str(s, NFTNL_SET_NAME, set);
            for (size_t j = i; j < end && j < i + PER_MSG; j++) {
                unsigned char key[SEG_NFTNL_KEY_MAX];
                size_t klen;
                struct nftnl_set_elem *e;
                if (seg_nftnl_key(elems[j], key, &klen) || !(e = nftnl_set_elem_alloc())) {
                    nftnl_set_free(s);
                    mnl_nlmsg_batch_stop(b);
                    snprintf(why, whysize, "set %s: element \"%.60s\" not understood", set,
                             elems[j]);
                    goto out;
                }
                nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, (uint32_t)klen);
                nftnl_set_elem_add(s, e);
            }
            struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(
                mnl_nlmsg_batch_current(b), NFT_MSG_NEWSETELEM, (uint16_t)family_of(inet),
                NLM_F_CREATE | NLM_F_ACK, seq++);
            nftnl_set_elems_nlmsg_build_payload(nlh, s);
            nftnl_set_free(s);
            mnl_nlmsg_batch_next(b);
            nmsgs++;
        }
        nftnl_batch_end(mnl_nlmsg_batch_current(b), seq++);
        mnl_nlmsg_batch_next(b);
        int sent = send_batch(nl, b, first, nmsgs, rbuf, 65536);
        mnl_nlmsg_batch_stop(b);
        if (sent) {
            snprintf(why, whysize, "set %s: %s", set, strerror(errno));
            goto out;
        }
    }
    rc = 0;
out:
    if (nl)
        mnl_socket_close(nl);
    free(buf);
    free(rbuf);
    return rc;
}
