/* pathset.c - open addressing over SipHash-2-4 values; see pathset.h. */
#include "core/pathset.h"

#include <openssl/rand.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static uint64_t key0, key1;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static int key_given, key_used;

int comb_pathset_set_key(const unsigned char key[16])
{
    if (key_used)
        return -1;
    memcpy(&key0, key, 8);
    memcpy(&key1, key + 8, 8);
    key_given = 1;
    return 0;
}

static void init_key(void)
{
    key_used = 1;
    if (key_given)
        return;
    unsigned char k[16];
    if (RAND_bytes(k, sizeof k) != 1) {
        /* Fall back to the address-space layout; still not known to an image author. */
        uintptr_t a = (uintptr_t)&k;
        memcpy(k, &a, sizeof a);
        memcpy(k + 8, &a, sizeof a);
    }
    memcpy(&key0, k, 8);
    memcpy(&key1, k + 8, 8);
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                               \
    do {                                                                       \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);              \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                 \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                 \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);              \
    } while (0)

static uint64_t siphash24(const unsigned char *in, size_t len, uint64_t k0, uint64_t k1)
{
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
    uint64_t b = (uint64_t)len << 56;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t m;
        memcpy(&m, in + i, 8); /* little-endian hosts only (x86_64, aarch64) */
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    for (size_t j = 0; i + j < len; j++)
        b |= (uint64_t)in[i + j] << (8 * j);
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t comb_pathset_hash(const char *path, size_t len, unsigned tag)
{
    pthread_once(&key_once, init_key);
    uint64_t h = siphash24((const unsigned char *)path, len, key0 ^ tag, key1);
    return h ? h : 1;
}

void comb_pathset_init(comb_pathset *s) { memset(s, 0, sizeof *s); }

void comb_pathset_free(comb_pathset *s)
{
    free(s->slots);
    memset(s, 0, sizeof *s);
}

static void put(uint64_t *slots, size_t cap, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);
    while (slots[i] && slots[i] != h)
        i = (i + 1) & (cap - 1);
    slots[i] = h;
}

int comb_pathset_add(comb_pathset *s, uint64_t h)
{
    if ((s->n + 1) * 4 >= s->cap * 3) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        uint64_t *ns = calloc(cap, sizeof *ns);
        if (!ns)
            return -1;
        for (size_t i = 0; i < s->cap; i++)
            if (s->slots[i])
                put(ns, cap, s->slots[i]);
        free(s->slots);
        s->slots = ns;
        s->cap = cap;
    }
    size_t i = (size_t)h & (s->cap - 1);
    while (s->slots[i]) {
        if (s->slots[i] == h)
            return 0;
        i = (i + 1) & (s->cap - 1);
    }
    s->slots[i] = h;
    s->n++;
    return 0;
}

int comb_pathset_has(const comb_pathset *s, uint64_t h)
{
    if (!s->cap)
        return 0;
    size_t i = (size_t)h & (s->cap - 1);
    while (s->slots[i]) {
        if (s->slots[i] == h)
            return 1;
        i = (i + 1) & (s->cap - 1);
    }
    return 0;
}
