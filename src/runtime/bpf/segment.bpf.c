// SPDX-License-Identifier: GPL-2.0
/* segment.bpf.c - the micro-segmentation learner (`comb segment run`).
 *
 * TCP: tp_btf/inet_sock_set_state sees every state change of every TCP
 * socket in every network namespace: CLOSE->SYN_SENT is a connect (in the
 * connecting process, so pid/comm/cgroup are right, and it fires even when
 * the SYN is then dropped by a policy), SYN_RECV->ESTABLISHED an accept on
 * the server side, CLOSE->LISTEN a listening socket.
 * UDP: cgroup/connect4 and cgroup/sendmsg4 on the root cgroup (v2) cgroup see the
 * destination of every connected or unconnected UDP socket; they always
 * allow the call (return 1) and report each (netns, destination) at most
 * once a second (an LRU map), so a chatty UDP client cannot flood the ring.
 * kprobes and fentry are refused on the target kernels, hence these hooks.
 *
 * Every record is counted; a full ring buffer is counted as a drop.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "../../segment/segment_abi.h"

#define AF_INET_ 2
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define TCP_ESTABLISHED_ 1
#define TCP_SYN_SENT_ 2
#define TCP_SYN_RECV_ 3
#define TCP_CLOSE_ 7
#define TCP_LISTEN_ 10

char LICENSE[] SEC("license") = "GPL";

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1 << 24);
} seg_events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, SEG_CNT_N);
    __type(key, __u32);
    __type(value, __u64);
} seg_counters SEC(".maps");

struct udp_key {
    __u64 cookie;
    __u32 daddr;
    __u32 dport;
};

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 16384);
    __type(key, struct udp_key);
    __type(value, __u64);
} seg_udp_seen SEC(".maps");

static __always_inline void count(__u32 which)
{
    __u64 *v = bpf_map_lookup_elem(&seg_counters, &which);
    if (v)
        *v += 1;
}

static __always_inline struct seg_record *reserve(void)
{
    struct seg_record *r = bpf_ringbuf_reserve(&seg_events, sizeof *r, 0);
    if (!r) {
        count(SEG_CNT_DROPS);
        return NULL;
    }
    __builtin_memset(r, 0, sizeof *r);
    r->ts_ns = bpf_ktime_get_ns();
    return r;
}

static __always_inline void with_process(struct seg_record *r)
{
    r->pid = (__u32)(bpf_get_current_pid_tgid() >> 32);
    r->cgroup_id = bpf_get_current_cgroup_id();
    bpf_get_current_comm(r->comm, sizeof r->comm);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(seg_tcp_state, const struct sock *sk, int oldstate, int newstate)
{
    __u8 kind;
    if (oldstate == TCP_CLOSE_ && newstate == TCP_SYN_SENT_)
        kind = SEG_REC_CONNECT;
    else if (oldstate == TCP_SYN_RECV_ && newstate == TCP_ESTABLISHED_)
        kind = SEG_REC_ACCEPT;
    else if (oldstate == TCP_CLOSE_ && newstate == TCP_LISTEN_)
        kind = SEG_REC_LISTEN;
    else
        return 0;
    if (sk->__sk_common.skc_family != AF_INET_ || sk->sk_protocol != IPPROTO_TCP_)
        return 0;
    struct seg_record *r = reserve();
    if (!r)
        return 0;
    r->kind = kind;
    r->proto = IPPROTO_TCP_;
    r->family = AF_INET_;
    r->saddr = sk->__sk_common.skc_rcv_saddr;
    r->daddr = sk->__sk_common.skc_daddr;
    r->sport = sk->__sk_common.skc_num;
    r->dport = bpf_ntohs(sk->__sk_common.skc_dport);
    r->netns_cookie = BPF_CORE_READ(sk, __sk_common.skc_net.net, net_cookie);
    if (kind != SEG_REC_ACCEPT)
        with_process(r);
    bpf_ringbuf_submit(r, 0);
    count(SEG_CNT_RECORDS);
    return 0;
}

static __always_inline int udp_dest(struct bpf_sock_addr *ctx)
{
    if (ctx->type != 2 /* SOCK_DGRAM */ || ctx->family != AF_INET_)
        return 1;
    struct udp_key k = {
        .cookie = bpf_get_netns_cookie(ctx),
        .daddr = ctx->user_ip4,
        .dport = bpf_ntohs((__u16)ctx->user_port),
    };
    __u64 now = bpf_ktime_get_ns();
    __u64 *last = bpf_map_lookup_elem(&seg_udp_seen, &k);
    if (last && now - *last < 1000000000ULL) {
        count(SEG_CNT_UDP_DEDUP);
        return 1;
    }
    bpf_map_update_elem(&seg_udp_seen, &k, &now, BPF_ANY);
    struct seg_record *r = reserve();
    if (!r)
        return 1;
    r->kind = SEG_REC_UDP;
    r->proto = IPPROTO_UDP_;
    r->family = AF_INET_;
    r->daddr = k.daddr;
    r->dport = (__u16)k.dport;
    r->netns_cookie = k.cookie;
    with_process(r);
    bpf_ringbuf_submit(r, 0);
    count(SEG_CNT_RECORDS);
    return 1;
}

SEC("cgroup/connect4")
int seg_udp_connect4(struct bpf_sock_addr *ctx)
{
    return udp_dest(ctx);
}

SEC("cgroup/sendmsg4")
int seg_udp_sendmsg4(struct bpf_sock_addr *ctx)
{
    return udp_dest(ctx);
}
