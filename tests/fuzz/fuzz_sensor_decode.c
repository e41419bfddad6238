/* fuzz_sensor_decode.c - libFuzzer target: ring-buffer records from the BPF
 * sensor decoded into rule events (runtime/sensor/decode.c). The input is a
 * sequence of records, each prefixed by a 16-bit length, so that process
 * state (forks, execs, pending directory paths) builds up across records. */
#include <stdint.h>
#include <string.h>

#include "runtime/sensor/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static comb_decoder dec; /* large scratch: not on the stack */
    static _Alignas(8) unsigned char rec[65536];
    comb_proctable *procs = NULL;
    comb_err err;
    if (comb_proctable_new(256, 16, &procs, &err) != COMB_OK)
        return 0;
    /* no /proc healing: the fuzzer must not depend on this machine's processes */
    comb_decoder_init(&dec, procs, NULL, "/nonexistent-comb-fuzz", "fuzz");
    while (size >= 2) {
        size_t len = (size_t)data[0] | (size_t)data[1] << 8;
        data += 2;
        size -= 2;
        if (len > size)
            len = size;
        memcpy(rec, data, len); /* records arrive aligned from the ring */
        comb_event ev;
        comb_decode(&dec, rec, len, &ev);
        data += len;
        size -= len;
    }
    comb_proctable_free(procs);
    return 0;
}
