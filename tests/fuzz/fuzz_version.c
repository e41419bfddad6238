/* fuzz_version.c - version comparison under every scheme. The first byte
 * picks the scheme, the rest splits at the first NUL or newline into two
 * versions. Aborts when a comparison is not antisymmetric or not
 * reflexive, when compare and valid disagree, or on any memory error. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sign(int v) { return (v > 0) - (v < 0); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    comb_vscheme s = (comb_vscheme)(1 + data[0] % (COMB_VS_COUNT - 1));
    data++;
    size--;
    size_t cut = 0;
    while (cut < size && data[cut] != '\0' && data[cut] != '\n')
        cut++;
    /* exact-size copies so ASan sees any over-read */
    char *a = malloc(cut + 1), *b = malloc(size - cut + 1);
    if (!a || !b)
        abort();
    memcpy(a, data, cut);
    a[cut] = '\0';
    size_t bl = cut < size ? size - cut - 1 : 0;
    memcpy(b, data + size - bl, bl);
    b[bl] = '\0';
    b[strcspn(b, "\n")] = '\0'; /* the second version also ends at a newline */

    int ab = 7, ba = 7, aa = 7, bb = 7;
    int rab = comb_version_compare(s, a, b, &ab);
    int rba = comb_version_compare(s, b, a, &ba);
    int va = comb_version_valid(s, a), vb = comb_version_valid(s, b);
    if ((rab == 0) != (va && vb) || (rba == 0) != (va && vb))
        abort();
    if (rab == 0 && (ab < -1 || ab > 1 || sign(ab) != -sign(ba)))
        abort();
    if (va && (comb_version_compare(s, a, a, &aa) != 0 || aa != 0))
        abort();
    if (vb && (comb_version_compare(s, b, b, &bb) != 0 || bb != 0))
        abort();
    if (rab != 0 && ab != 7)
        abort(); /* *cmp untouched on failure */
    free(a);
    free(b);
    return 0;
}
