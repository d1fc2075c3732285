/*
 * fuzz_elf_section.c - libFuzzer target for the runtime's ELF section
 * locator: any bytes are searched for the .fzpayload section as if they
 * were the app's own executable.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create */
#endif
#include "elf_section.h"
#include "fz_payload.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    uint64_t off = 0, len = 0;

    /* One memfd reused: the locator only preads, so rewrite it each time. */
    if (fd < 0) {
        fd = memfd_create("fuzz-elf", MFD_CLOEXEC);
        if (fd < 0) {
            return 0;
        }
    }
    if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size) {
        return 0;
    }
    if (fz_elf_find_section(fd, size, FZ_PAYLOAD_SECTION, &off, &len) == 0) {
        /* A found section must lie inside the bytes. */
        if (off > size || len > size - off) {
            __builtin_trap();
        }
    }
    return 0;
}
