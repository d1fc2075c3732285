/*
 * fz_overlay.h - where a payload sits in an executable format without ELF
 * sections (Windows PE): appended after the image as an overlay, found
 * through a fixed trailer at the very end of the file. Shared by the
 * freezer (freezer/pe_attach.c) and the Windows runtime.
 *
 *   [ PE image ][ zero padding to a 4096 multiple ][ payload ][ trailer ]
 *
 * Trailer (32 bytes, little-endian, the last bytes of the file):
 *     0  u8[8]  magic    "FZOVRLY\x1a"
 *     8  u64    offset   of the payload from the start of the file; a
 *                        multiple of 4096 (mappable on every system)
 *    16  u64    size     of the payload
 *    24  u64    reserved 0
 * Rules: offset + size + 32 == file size; offset >= 64 (after a DOS
 * header). PE loaders ignore bytes after the last section (Authenticode
 * signing must come after attaching, and covers the overlay).
 */
#ifndef FZ_OVERLAY_H
#define FZ_OVERLAY_H

#include <stdint.h>
#include <string.h>

#define FZ_OVERLAY_MAGIC "FZOVRLY\x1a"
#define FZ_OVERLAY_TRAILER_SIZE 32
#define FZ_OVERLAY_ALIGN 4096

static inline uint64_t
fz_overlay_u64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

/*
 * Check the trailer (the last 32 bytes of a file of `file_size` bytes;
 * hostile) and return the payload's range: 0, or -1 when the file has no
 * valid overlay.
 */
static inline int
fz_overlay_parse(const uint8_t *trailer, uint64_t file_size, uint64_t *offset,
                 uint64_t *size)
{
    uint64_t off, n;

    if (file_size < FZ_OVERLAY_TRAILER_SIZE ||
        memcmp(trailer, FZ_OVERLAY_MAGIC, 8) != 0 ||
        fz_overlay_u64(trailer + 24) != 0) {
        return -1;
    }
    off = fz_overlay_u64(trailer + 8);
    n = fz_overlay_u64(trailer + 16);
    if (off < 64 || off % FZ_OVERLAY_ALIGN != 0 ||
        off > file_size - FZ_OVERLAY_TRAILER_SIZE ||
        n != file_size - FZ_OVERLAY_TRAILER_SIZE - off) {
        return -1;
    }
    *offset = off;
    *size = n;
    return 0;
}

#endif /* FZ_OVERLAY_H */
