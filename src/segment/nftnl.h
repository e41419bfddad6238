/* nftnl.h - bulk nftables set elements through libnftnl (see nftnl.c). */
#ifndef COMB_SEGMENT_NFTNL_H
#define COMB_SEGMENT_NFTNL_H

#include <stddef.h>

#define SEG_NFTNL_KEY_MAX 16 /* four 4-byte registers */

/* The kernel key of one element as seg_policy_nft writes it. */
int seg_nftnl_key(const char *elem, unsigned char key[SEG_NFTNL_KEY_MAX], size_t *len);
/* Add the elements to table/set (family bridge, or inet when inet != 0) in
 * the current network namespace, chunk elements per transaction. 0 ok; -1
 * with the reason in why. */
int seg_nftnl_add(int inet, const char *table, const char *set, char *const *elems, size_t n,
                  size_t chunk, char *why, size_t whysize);

#endif
