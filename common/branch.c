/*
 * branch.c - the x86 branch filter (fz_branch.h, which specifies it).
 */
#include "fz_branch.h"

#include <string.h>

/* Offset of the displacement of the instruction at p (`left` bytes
 * remain from p, at least 5), or 0 when p starts none the filter knows. */
static size_t
displacement_at(const uint8_t *p, size_t left)
{
    if (p[0] == 0xe8 || p[0] == 0xe9) {
        return 1;
    }
    if ((p[0] == 0x48 || p[0] == 0x4c) && left >= 7 &&
        (p[1] == 0x8b || p[1] == 0x8d || p[1] == 0x89) &&
        (p[2] & 0xc7) == 0x05) {
        return 3;
    }
    return 0;
}

void
fz_branch_filter(uint8_t *buf, size_t size, int encode)
{
    size_t i = 0;

    while (size >= 5 && i <= size - 5) {
        size_t at = displacement_at(buf + i, size - i);
        uint8_t *d = buf + i + at;
        uint32_t v, w, end;

        if (at == 0) {
            i++;
            continue;
        }
        end = (uint32_t)(i + at + 4);
        if (d[3] == 0x00 || d[3] == 0xff) {
            v = (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 |
                (uint32_t)d[3] << 24;
            w = (encode ? v + end : v - end) & 0x01ffffffu;
            if (w & 0x01000000u) {
                w |= 0xfe000000u;
            }
            d[0] = (uint8_t)w;
            d[1] = (uint8_t)(w >> 8);
            d[2] = (uint8_t)(w >> 16);
            d[3] = (uint8_t)(w >> 24);
        }
        i += at + 4;
    }
}

int
fz_branch_is_x86_elf(const uint8_t *data, size_t size)
{
    /* ELF magic, 64-bit, little-endian; e_machine (offset 18) EM_X86_64. */
    return size >= 20 &&
           memcmp(data,
                  "\x7f"
                  "ELF",
                  4) == 0 &&
           data[4] == 2 && data[5] == 1 && data[18] == 62 && data[19] == 0;
}
