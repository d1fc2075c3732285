/*
 * fz_bytes.h - little-endian integers in byte buffers, for every on-disk
 * format the project reads or writes (payload, build cache, typelibs). No
 * struct is ever read from a file; fields are decoded with these.
 */
#ifndef FZ_BYTES_H
#define FZ_BYTES_H

#include <stdint.h>

static inline uint16_t
fz_get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t
fz_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static inline uint64_t
fz_get_u64(const uint8_t *p)
{
    return (uint64_t)fz_get_u32(p) | ((uint64_t)fz_get_u32(p + 4) << 32);
}

static inline void
fz_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void
fz_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static inline void
fz_put_u64(uint8_t *p, uint64_t v)
{
    fz_put_u32(p, (uint32_t)v);
    fz_put_u32(p + 4, (uint32_t)(v >> 32));
}

#endif /* FZ_BYTES_H */
