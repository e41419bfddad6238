/* fuzz_segment_flows.c - libFuzzer target: imported flow files and label
 * text (segment/flowfile.c), then policy generation over whatever graph they
 * built (NetworkPolicy YAML, the nftables ruleset, its delta and diff), so
 * that every string taken from the input reaches the generators. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "segment/segment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    seg_graph *g = seg_graph_new(64, 256); /* small bounds: the limits get hit */
    if (!g)
        return 0;
    comb_err err;
    seg_flowfile_parse("fuzz.flows", (const char *)data, size, g, &err);
    char labels[SEG_LABELS_MAX], text[1024];
    size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
    memcpy(text, data, n);
    text[n] = '\0';
    seg_labels_canon(text, labels, sizeof labels);
    char *y = seg_policy_k8s(g);
    char *a = seg_policy_nft(g, SEG_FAMILY_BRIDGE);
    if (g && seg_graph_ngroups(g))
        seg_graph_group_at(g, 0)->quarantined = 1;
    char *b = seg_policy_nft(g, SEG_FAMILY_BRIDGE);
    char *d = a && b ? seg_nft_delta(SEG_FAMILY_BRIDGE, a, b) : NULL;
    char *d2 = seg_nft_delta(SEG_FAMILY_BRIDGE, text, a ? a : "");
    char *diff = seg_policy_diff(text, b);
    free(y);
    free(a);
    free(b);
    free(d);
    free(d2);
    free(diff);
    seg_graph_free(g);
    return 0;
}
