/* segment_abi.h - the record the segment learner's BPF program
 * (src/runtime/bpf/segment.bpf.c) writes into its ring buffer, shared with
 * the user-space reader (src/segment/learner.c). Fixed-size, no pointers. */
#ifndef COMB_SEGMENT_ABI_H
#define COMB_SEGMENT_ABI_H

#define SEG_COMM_LEN 16

enum seg_rec_kind {
    SEG_REC_CONNECT = 1, /* TCP CLOSE->SYN_SENT (process context) */
    SEG_REC_ACCEPT = 2,  /* TCP SYN_RECV->ESTABLISHED (server side, softirq) */
    SEG_REC_LISTEN = 3,  /* TCP CLOSE->LISTEN (process context) */
    SEG_REC_UDP = 4,     /* UDP connect() or sendmsg() to an address */
};

enum seg_counter {
    SEG_CNT_RECORDS = 0, /* records written */
    SEG_CNT_DROPS = 1,   /* records lost: the ring buffer was full */
    SEG_CNT_UDP_DEDUP = 2, /* UDP sends not reported again within a second */
    SEG_CNT_N = 3,
};

struct seg_record {
    unsigned long long ts_ns;      /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
    unsigned long long netns_cookie;
    unsigned long long cgroup_id;  /* 0 outside process context */
    unsigned int pid;              /* tgid; 0 outside process context */
    unsigned int saddr;            /* IPv4, network byte order */
    unsigned int daddr;
    unsigned short sport;          /* host byte order */
    unsigned short dport;
    unsigned char kind;            /* enum seg_rec_kind */
    unsigned char proto;           /* IPPROTO_TCP / IPPROTO_UDP */
    unsigned char family;          /* AF_INET (IPv6 is not recorded yet) */
    unsigned char pad;
    char comm[SEG_COMM_LEN];
};

#endif
