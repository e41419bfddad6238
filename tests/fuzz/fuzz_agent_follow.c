/* fuzz_agent_follow.c - libFuzzer target for comb agent's alert follower:
 * first byte 0, its persisted state file (a parsed state must format back
 * to text that parses to the same state); 1, the line taker (never consumes
 * more than it was given, keeps at most that much). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/follow.h"

static int same(const comb_follow_state *a, const comb_follow_state *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->offset == b->offset && a->head == b->head &&
           a->skipping == b->skipping && a->pending_ns == b->pending_ns && a->pending_end == b->pending_end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    if (data[0] % 2 == 0) {
        comb_follow_state st, again;
        char text[COMB_FOLLOW_STATE_MAX];
        if (comb_follow_state_parse(s, n, &st) == 0) {
            int len = comb_follow_state_format(&st, text, sizeof text);
            if (len <= 0 || comb_follow_state_parse(text, (size_t)len, &again) || !same(&st, &again))
                abort();
        }
        return 0;
    }
    char *batch = malloc(n + 1);
    size_t blen = 0, lines = 0, dropped = 0;
    int skipping = data[0] & 2 ? 1 : 0;
    size_t used = comb_follow_take(s, n, &skipping, batch, &blen, &lines, &dropped);
    if (used > n || blen > used)
        abort();
    free(batch);
    return 0;
}
