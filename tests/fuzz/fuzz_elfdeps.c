/*
 * fuzz_elfdeps.c - libFuzzer target for the freezer's ELF reader: any bytes
 * are read as a shared library (dynamic section, version needs).
 */
#include "elfdeps.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_elf_info info;

    if (fz_elf_read_mem(&info, data, size, "fuzz.so") == 0) {
        (void)fz_elf_version_cmp(info.glibc, "2.34");
    }
    fz_elf_info_dispose(&info);
    return 0;
}
