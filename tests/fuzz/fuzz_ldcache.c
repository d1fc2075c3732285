/*
 * fuzz_ldcache.c - libFuzzer target for the ld.so.cache parser: any bytes
 * are parsed as a cache and a few names looked up.
 */
#include "ldcache.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_ldcache *c = NULL;

    if (fz_ldcache_parse(&c, data, size, "fuzz") == 0) {
        (void)fz_ldcache_lookup(c, "libc.so.6");
        (void)fz_ldcache_lookup(c, "");
        (void)fz_ldcache_count(c);
    }
    fz_ldcache_free(c);
    return 0;
}
