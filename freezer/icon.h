/*
 * icon.h - the app icon at the sizes desktops want: decode a PNG, shrink
 * it with area averaging, encode it again (libpng). Used by desktop.c
 * (hicolor sizes for --desktop, --deb, --installer) and appbundle.c
 * (the images of the .icns).
 */
#ifndef FZ_ICON_H
#define FZ_ICON_H

#include "buf.h"

#include <stddef.h>
#include <stdint.h>

/* The largest width or height accepted (a 4096x4096 RGBA image is 64 MiB
 * decoded; icons are at most 1024 pixels in practice). */
#define FZ_ICON_MAX_PX 4096u

/* The hicolor sizes generated below the source's own size, ascending. */
#define FZ_ICON_HICOLOR_COUNT 7
extern const uint32_t fz_icon_hicolor_sizes[FZ_ICON_HICOLOR_COUNT];

/* An 8-bit RGBA image (not premultiplied), rows top to bottom, no padding. */
typedef struct fz_icon_image {
    uint32_t width;
    uint32_t height;
    uint8_t *rgba; /* width * height * 4 bytes, malloc'd */
} fz_icon_image;

/*
 * Decode the PNG `png` (hostile input: every failure, truncation or a size
 * above FZ_ICON_MAX_PX is an error, never a crash) into `out`, which the
 * caller releases with fz_icon_image_dispose. On failure `out` is left
 * empty. Errors: FZ_EFORMAT (not a PNG, damaged, too large), FZ_ENOMEM.
 */
int fz_icon_decode(fz_icon_image *out, const void *png, size_t size);

/* Release the pixels of `img` (an empty or zeroed image is fine). */
void fz_icon_image_dispose(fz_icon_image *img);

/*
 * `out` = the square image `in` shrunk to `px` x `px` (1 <= px <=
 * in->width): every output pixel is the area-weighted mean of the source
 * pixels it covers, with colours weighted by alpha (premultiplied), so
 * transparent pixels lend no colour to the edges. Integer arithmetic: the
 * same input gives the same bytes everywhere. Errors: FZ_EINVAL, FZ_ENOMEM.
 */
int fz_icon_scale(fz_icon_image *out, const fz_icon_image *in, uint32_t px);

/* Append `img` as a PNG (RGBA, 8 bits, no time or text chunks: the bytes
 * depend only on the pixels) to `out`. Errors: FZ_EFAIL, FZ_ENOMEM. */
int fz_icon_encode(fz_buf *out, const fz_icon_image *img);

/*
 * The square PNG `png` of `side` pixels as a PNG of `px` pixels: a copy of
 * its bytes when px == side, else decoded, scaled and encoded again.
 * `img` is the decoded source (NULL to decode here). Errors: as above.
 */
int fz_icon_png_at(fz_buf *out, const void *png, size_t size,
                   const fz_icon_image *img, uint32_t px);

/*
 * Check that `png` is a square PNG that decodes, of at most
 * FZ_ICON_MAX_PX pixels; its side in `*side`. Errors: FZ_EFORMAT
 * (damaged), FZ_EINVAL (not square), FZ_ENOMEM.
 */
int fz_icon_check(uint32_t *side, const void *png, size_t size);

#endif /* FZ_ICON_H */
