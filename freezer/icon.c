/*
 * icon.c - PNG icons at the sizes desktops want (icon.h): libpng's
 * simplified API for decoding and encoding, and an area-averaging shrink.
 */
#include "icon.h"

#include "fz_error.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>

const uint32_t fz_icon_hicolor_sizes[FZ_ICON_HICOLOR_COUNT] = {16, 24,  32, 48,
                                                               64, 128, 256};

void
fz_icon_image_dispose(fz_icon_image *img)
{
    if (img != NULL) {
        free(img->rgba);
        memset(img, 0, sizeof(*img));
    }
}

int
fz_icon_decode(fz_icon_image *out, const void *png, size_t size)
{
    png_image im;
    uint8_t *pixels = NULL;

    memset(out, 0, sizeof(*out));
    memset(&im, 0, sizeof(im));
    im.version = PNG_IMAGE_VERSION;
    if (png == NULL || size == 0 ||
        !png_image_begin_read_from_memory(&im, png, size)) {
        int rc = fz_error_set(FZ_EFORMAT, "not a valid PNG image (%s)",
                              size == 0 ? "empty" : im.message);

        png_image_free(&im);
        return rc;
    }
    /* libpng has checked the IHDR (non-zero, at most 2^31-1); the size
     * of what is allocated below is bounded here. */
    if (im.width > FZ_ICON_MAX_PX || im.height > FZ_ICON_MAX_PX) {
        png_image_free(&im);
        return fz_error_set(
            FZ_EFORMAT, "PNG image of %ux%u pixels (at most %u a side)",
            (unsigned)im.width, (unsigned)im.height, FZ_ICON_MAX_PX);
    }
    im.format = PNG_FORMAT_RGBA;
    pixels = malloc((size_t)im.width * im.height * 4);
    if (pixels == NULL) {
        png_image_free(&im);
        return fz_error_set(FZ_ENOMEM, "out of memory for a %ux%u image",
                            (unsigned)im.width, (unsigned)im.height);
    }
    if (!png_image_finish_read(&im, NULL, pixels, 0, NULL)) {
        int rc = fz_error_set(FZ_EFORMAT, "damaged PNG image (%s)", im.message);

        png_image_free(&im);
        free(pixels);
        return rc;
    }
    out->width = im.width;
    out->height = im.height;
    out->rgba = pixels;
    return 0;
}

/* Where source pixel i of a row of `from` lands in a row of `to` (to <=
 * from): in units where a source pixel is `to` long and a destination
 * pixel `from` long, source pixel i covers [i*to, (i+1)*to), which meets
 * destination pixel first[i] for w0[i] units and, when it straddles a
 * boundary, first[i] + 1 for to - w0[i]. */
static void
spans(uint32_t *first, uint32_t *w0, uint32_t from, uint32_t to)
{
    for (uint32_t i = 0; i < from; i++) {
        uint64_t lo = (uint64_t)i * to;
        uint64_t hi = lo + to;
        uint64_t j = lo / from;
        uint64_t edge = (j + 1) * from;

        first[i] = (uint32_t)j;
        w0[i] = (uint32_t)((hi <= edge ? hi : edge) - lo);
    }
}

int
fz_icon_scale(fz_icon_image *out, const fz_icon_image *in, uint32_t px)
{
    uint32_t s = in->width;
    uint32_t *first = NULL;
    uint32_t *w0 = NULL;
    uint64_t *row = NULL;
    uint64_t *acc = NULL;
    uint8_t *pixels = NULL;
    uint64_t area;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (in->rgba == NULL || in->width != in->height || px == 0 || px > s) {
        return fz_error_set(FZ_EINVAL, "cannot scale a %ux%u image to %u",
                            (unsigned)in->width, (unsigned)in->height,
                            (unsigned)px);
    }
    first = calloc(s, sizeof(*first));
    w0 = calloc(s, sizeof(*w0));
    row = calloc((size_t)px * 4, sizeof(*row));
    acc = calloc((size_t)px * px * 4, sizeof(*acc));
    pixels = malloc((size_t)px * px * 4);
    if (first == NULL || w0 == NULL || row == NULL || acc == NULL ||
        pixels == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory scaling an icon to %u",
                          (unsigned)px);
        goto done;
    }
    spans(first, w0, s, px);
    /* Sums of alpha-weighted colour (premultiplied) and of alpha, each
     * source pixel weighted by the area it shares with the destination
     * pixel: px units across, px units down, so s*s units a pixel. With
     * s <= 2^12 the sums stay below 2^24 * 2^16. */
    for (uint32_t y = 0; y < s; y++) {
        const uint8_t *src = in->rgba + (size_t)y * s * 4;
        uint32_t wy[2] = {w0[y], px - w0[y]};

        memset(row, 0, (size_t)px * 4 * sizeof(*row));
        for (uint32_t x = 0; x < s; x++) {
            const uint8_t *p = src + (size_t)x * 4;
            uint64_t a = p[3];
            uint64_t v[4] = {a * p[0], a * p[1], a * p[2], a};
            uint32_t wx[2] = {w0[x], px - w0[x]};

            for (int k = 0; k < 2 && wx[k] != 0; k++) {
                uint64_t *r = row + (size_t)(first[x] + k) * 4;

                for (int c = 0; c < 4; c++) {
                    r[c] += wx[k] * v[c];
                }
            }
        }
        for (int k = 0; k < 2 && wy[k] != 0; k++) {
            uint64_t *d = acc + (size_t)(first[y] + k) * px * 4;

            for (size_t i = 0; i < (size_t)px * 4; i++) {
                d[i] += wy[k] * row[i];
            }
        }
    }
    area = (uint64_t)s * s;
    for (size_t i = 0; i < (size_t)px * px; i++) {
        const uint64_t *a = acc + i * 4;
        uint8_t *p = pixels + i * 4;

        for (int c = 0; c < 3; c++) {
            p[c] = a[3] == 0 ? 0 : (uint8_t)((a[c] + a[3] / 2) / a[3]);
        }
        p[3] = (uint8_t)((a[3] + area / 2) / area);
    }
    out->width = out->height = px;
    out->rgba = pixels;
    pixels = NULL;
done:
    free(first);
    free(w0);
    free(row);
    free(acc);
    free(pixels);
    return rc;
}

int
fz_icon_encode(fz_buf *out, const fz_icon_image *img)
{
    png_image im;
    png_alloc_size_t n = 0;
    void *mem = NULL;
    int rc = 0;

    memset(&im, 0, sizeof(im));
    im.version = PNG_IMAGE_VERSION;
    im.width = img->width;
    im.height = img->height;
    im.format = PNG_FORMAT_RGBA;
    if (!png_image_write_get_memory_size(im, n, 0, img->rgba, 0, NULL)) {
        rc = fz_error_set(FZ_EFAIL, "encoding a %ux%u PNG: %s",
                          (unsigned)img->width, (unsigned)img->height,
                          im.message);
        goto done;
    }
    mem = malloc(n);
    if (mem == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory encoding a PNG");
        goto done;
    }
    png_image_free(&im);
    if (!png_image_write_to_memory(&im, mem, &n, 0, img->rgba, 0, NULL)) {
        rc = fz_error_set(FZ_EFAIL, "encoding a %ux%u PNG: %s",
                          (unsigned)img->width, (unsigned)img->height,
                          im.message);
        goto done;
    }
    rc = fz_buf_append(out, mem, n);
done:
    png_image_free(&im);
    free(mem);
    return rc;
}

int
fz_icon_png_at(fz_buf *out, const void *png, size_t size,
               const fz_icon_image *img, uint32_t px)
{
    fz_icon_image own = {0};
    fz_icon_image scaled = {0};
    int rc = 0;

    if (img == NULL) {
        rc = fz_icon_decode(&own, png, size);
        img = &own;
    }
    if (rc == 0 && px == img->width && img->width == img->height) {
        rc = fz_buf_append(out, png, size);
    } else if (rc == 0) {
        rc = fz_icon_scale(&scaled, img, px);
        rc = rc ? rc : fz_icon_encode(out, &scaled);
    }
    fz_icon_image_dispose(&own);
    fz_icon_image_dispose(&scaled);
    return rc;
}

int
fz_icon_check(uint32_t *side, const void *png, size_t size)
{
    fz_icon_image img;
    int rc = fz_icon_decode(&img, png, size);

    *side = 0;
    if (rc == 0 && img.width != img.height) {
        rc = fz_error_set(FZ_EINVAL, "%ux%u pixels; an icon must be square",
                          (unsigned)img.width, (unsigned)img.height);
    }
    if (rc == 0) {
        *side = img.width;
    }
    fz_icon_image_dispose(&img);
    return rc;
}
