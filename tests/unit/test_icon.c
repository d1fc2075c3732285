/*
 * test_icon.c - icons at every size (icon.c): PNG decode/encode, the
 * area-averaging shrink, hostile PNGs, the hicolor sizes desktop.c writes
 * and the .icns appbundle.c writes.
 */
#include "appbundle.h"
#include "fz_error.h"
#include "icon.h"
#include "package.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An image of side px filled by f(x, y, rgba). */
static fz_icon_image
make(uint32_t px, void (*f)(uint32_t, uint32_t, uint8_t *))
{
    fz_icon_image img = {px, px, malloc((size_t)px * px * 4)};

    cr_assert_not_null(img.rgba);
    for (uint32_t y = 0; y < px; y++) {
        for (uint32_t x = 0; x < px; x++) {
            f(x, y, img.rgba + ((size_t)y * px + x) * 4);
        }
    }
    return img;
}

static void
gradient(uint32_t x, uint32_t y, uint8_t *p)
{
    p[0] = (uint8_t)(x * 2);
    p[1] = (uint8_t)(y * 2);
    p[2] = (uint8_t)(x ^ y);
    p[3] = (uint8_t)(255 - x);
}

static void
teal(uint32_t x, uint32_t y, uint8_t *p)
{
    p[0] = 0;
    p[1] = 128;
    p[2] = 128;
    p[3] = 255;
}

/* Left half transparent red, right half opaque blue. */
static void
half(uint32_t x, uint32_t y, uint8_t *p)
{
    static const uint8_t red0[4] = {255, 0, 0, 0};
    static const uint8_t blue[4] = {0, 0, 255, 255};

    memcpy(p, x % 2 == 0 ? red0 : blue, 4);
}

/* 3x3 black, a white centre. */
static void
dot(uint32_t x, uint32_t y, uint8_t *p)
{
    uint8_t v = x == 1 && y == 1 ? 255 : 0;

    p[0] = p[1] = p[2] = v;
    p[3] = 255;
}

static void
png_of(fz_buf *out, uint32_t px, void (*f)(uint32_t, uint32_t, uint8_t *))
{
    fz_icon_image img = make(px, f);

    cr_assert_eq(fz_icon_encode(out, &img), 0, "%s", fz_error_message());
    fz_icon_image_dispose(&img);
}

Test(icon, encode_decode_round_trip)
{
    fz_icon_image img = make(40, gradient);
    fz_icon_image back;
    fz_buf a = FZ_BUF_INIT;
    fz_buf b = FZ_BUF_INIT;

    cr_assert_eq(fz_icon_encode(&a, &img), 0, "%s", fz_error_message());
    cr_assert_eq(fz_icon_encode(&b, &img), 0);
    cr_expect_eq(a.size, b.size);
    cr_expect_eq(memcmp(a.data, b.data, a.size), 0, "two encodings differ");
    cr_assert_eq(fz_icon_decode(&back, a.data, a.size), 0, "%s",
                 fz_error_message());
    cr_expect_eq(back.width, 40);
    cr_expect_eq(back.height, 40);
    cr_expect_eq(memcmp(back.rgba, img.rgba, 40 * 40 * 4), 0);
    fz_icon_image_dispose(&back);
    fz_icon_image_dispose(&img);
    fz_buf_dispose(&a);
    fz_buf_dispose(&b);
}

Test(icon, scale_keeps_a_flat_colour)
{
    fz_icon_image img = make(100, teal);
    fz_icon_image out;

    for (uint32_t px = 1; px <= 100; px += 33) {
        cr_assert_eq(fz_icon_scale(&out, &img, px), 0, "%s",
                     fz_error_message());
        cr_assert_eq(out.width, px);
        for (size_t i = 0; i < (size_t)px * px; i++) {
            cr_assert_eq(memcmp(out.rgba + i * 4, img.rgba, 4), 0,
                         "pixel %zu of %u", i, (unsigned)px);
        }
        fz_icon_image_dispose(&out);
    }
    fz_icon_image_dispose(&img);
}

Test(icon, scale_weights_colour_by_alpha)
{
    fz_icon_image img = make(4, half);
    fz_icon_image out;

    cr_assert_eq(fz_icon_scale(&out, &img, 2), 0);
    for (int i = 0; i < 4; i++) {
        const uint8_t *p = out.rgba + i * 4;

        /* blue at half alpha: the transparent red lends no colour */
        cr_expect(p[0] == 0 && p[1] == 0 && p[2] == 255 && p[3] == 128,
                  "pixel %d = %u %u %u %u", i, p[0], p[1], p[2], p[3]);
    }
    fz_icon_image_dispose(&out);
    fz_icon_image_dispose(&img);
}

Test(icon, scale_averages_areas_across_pixel_boundaries)
{
    fz_icon_image img = make(3, dot);
    fz_icon_image out;

    /* 3 -> 2: each output pixel covers 1.5 x 1.5 source pixels, a quarter
     * of the white centre: 255 * 0.25 / 2.25 = 28.3 */
    cr_assert_eq(fz_icon_scale(&out, &img, 2), 0);
    for (int i = 0; i < 4; i++) {
        cr_expect_eq(out.rgba[i * 4], 28, "pixel %d is %u", i, out.rgba[i * 4]);
        cr_expect_eq(out.rgba[i * 4 + 3], 255);
    }
    fz_icon_image_dispose(&out);
    /* 3 -> 1: the mean, 255 / 9 = 28.3 */
    cr_assert_eq(fz_icon_scale(&out, &img, 1), 0);
    cr_expect_eq(out.rgba[0], 28);
    fz_icon_image_dispose(&out);
    cr_expect_eq(fz_icon_scale(&out, &img, 4), FZ_EINVAL);
    cr_expect_eq(fz_icon_scale(&out, &img, 0), FZ_EINVAL);
    fz_icon_image_dispose(&img);
}

/* ---- hostile PNGs ---- */

static uint32_t
crc32_of(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;

    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
        }
    }
    return c ^ 0xffffffffu;
}

static void
be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* A PNG whose IHDR says w x h (8-bit RGBA) with a correct CRC, and a
 * tiny IDAT (zlib of a few zero bytes): far too little image data. */
static size_t
lying_png(uint8_t *buf, uint32_t w, uint32_t h)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const uint8_t idat[] = {0x78, 0x9c, 0x63, 0x00, 0x00,
                                   0x00, 0x01, 0x00, 0x01};
    size_t n = 0;

    memcpy(buf, sig, 8);
    n = 8;
    be32(buf + n, 13);
    memcpy(buf + n + 4, "IHDR", 4);
    be32(buf + n + 8, w);
    be32(buf + n + 12, h);
    memcpy(buf + n + 16, "\x08\x06\x00\x00\x00", 5);
    be32(buf + n + 21, crc32_of(buf + n + 4, 17));
    n += 25;
    be32(buf + n, sizeof(idat));
    memcpy(buf + n + 4, "IDAT", 4);
    memcpy(buf + n + 8, idat, sizeof(idat));
    be32(buf + n + 8 + sizeof(idat), crc32_of(buf + n + 4, 4 + sizeof(idat)));
    n += 12 + sizeof(idat);
    be32(buf + n, 0);
    memcpy(buf + n + 4, "IEND", 4);
    be32(buf + n + 8, crc32_of(buf + n + 4, 4));
    return n + 12;
}

/* The error is one line that says what is wrong. */
static void
expect_one_line(const char *what)
{
    const char *m = fz_error_message();

    cr_expect(m != NULL && *m != '\0', "%s: no message", what);
    cr_expect_null(strchr(m, '\n'), "%s: '%s'", what, m);
}

Test(icon, hostile_dimensions)
{
    static const uint32_t dims[][2] = {
        {100000, 100000}, {FZ_ICON_MAX_PX + 1, 16},   {16, FZ_ICON_MAX_PX + 1},
        {0x7fffffffu, 1}, {0xffffffffu, 0xffffffffu}, {0, 16},
        {16, 0}};
    uint8_t buf[128];
    fz_icon_image img;
    uint32_t side;

    for (size_t i = 0; i < sizeof(dims) / sizeof(*dims); i++) {
        size_t n = lying_png(buf, dims[i][0], dims[i][1]);

        cr_expect_eq(fz_icon_decode(&img, buf, n), FZ_EFORMAT, "%ux%u",
                     (unsigned)dims[i][0], (unsigned)dims[i][1]);
        cr_expect_null(img.rgba);
        expect_one_line("huge");
        cr_expect_eq(fz_icon_check(&side, buf, n), FZ_EFORMAT);
    }
    /* a size within the limit but far too little data for it */
    cr_expect_eq(fz_icon_decode(&img, buf, lying_png(buf, 512, 512)),
                 FZ_EFORMAT);
    expect_one_line("short data");
}

Test(icon, truncated_or_damaged_pngs)
{
    fz_buf png = FZ_BUF_INIT;
    fz_icon_image img;
    uint8_t *copy;

    png_of(&png, 48, gradient);
    /* every prefix that loses image data (libpng does not need the
     * 12-byte IEND chunk once it has the pixels) */
    for (size_t n = 0; n < png.size - 12; n++) {
        cr_assert_eq(fz_icon_decode(&img, png.data, n), FZ_EFORMAT,
                     "a PNG cut at %zu of %zu bytes decoded", n, png.size);
        cr_assert_null(img.rgba);
    }
    expect_one_line("truncated");
    cr_assert_eq(fz_icon_decode(&img, png.data, png.size - 12), 0);
    fz_icon_image_dispose(&img);
    /* each byte flipped: an error or (an ancillary byte) an image, never
     * a crash */
    copy = malloc(png.size);
    cr_assert_not_null(copy);
    for (size_t i = 0; i < png.size; i++) {
        memcpy(copy, png.data, png.size);
        copy[i] ^= 0x5a;
        if (fz_icon_decode(&img, copy, png.size) == 0) {
            cr_expect_eq(img.width, 48);
            fz_icon_image_dispose(&img);
        }
    }
    free(copy);
    cr_expect_eq(fz_icon_decode(&img, "GIF89a", 6), FZ_EFORMAT);
    cr_expect_eq(fz_icon_decode(&img, NULL, 0), FZ_EFORMAT);
    fz_buf_dispose(&png);
}

Test(icon, check_wants_a_square)
{
    fz_icon_image img = {32, 16, calloc(32 * 16, 4)};
    fz_buf png = FZ_BUF_INIT;
    uint32_t side;

    cr_assert_eq(fz_icon_encode(&png, &img), 0);
    cr_expect_eq(fz_icon_check(&side, png.data, png.size), FZ_EINVAL);
    expect_one_line("not square");
    fz_buf_clear(&png);
    png_of(&png, 24, teal);
    cr_expect_eq(fz_icon_check(&side, png.data, png.size), 0);
    cr_expect_eq(side, 24);
    fz_icon_image_dispose(&img);
    fz_buf_dispose(&png);
}

/* ---- where the sizes go ---- */

static uint32_t
get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

Test(icon, icns_holds_every_size_up_to_the_source)
{
    static const char *types[] = {"icp4", "icp5", "icp6", "ic07"};
    static const uint32_t sides[] = {16, 32, 64, 128};
    fz_buf png = FZ_BUF_INIT;
    fz_buf out = FZ_BUF_INIT;
    const uint8_t *p;
    size_t off = 8;

    png_of(&png, 128, gradient);
    cr_assert_eq(fz_appbundle_icns(&out, png.data, png.size), 0, "%s",
                 fz_error_message());
    p = (const uint8_t *)out.data;
    cr_assert_geq(out.size, 8);
    cr_expect_eq(memcmp(p, "icns", 4), 0);
    cr_expect_eq(get_be32(p + 4), out.size);
    for (size_t i = 0; i < 4; i++) {
        fz_icon_image img;
        uint32_t len;

        cr_assert_leq(off + 8, out.size);
        cr_expect_eq(memcmp(p + off, types[i], 4), 0, "element %zu", i);
        len = get_be32(p + off + 4);
        cr_assert_leq(off + len, out.size);
        cr_assert_eq(fz_icon_decode(&img, p + off + 8, len - 8), 0, "%s",
                     fz_error_message());
        cr_expect_eq(img.width, sides[i]);
        fz_icon_image_dispose(&img);
        if (sides[i] == 128) { /* the source itself, as it was */
            cr_expect_eq(len - 8, png.size);
            cr_expect_eq(memcmp(p + off + 8, png.data, png.size), 0);
        }
        off += len;
    }
    cr_expect_eq(off, out.size, "more than 4 elements");
    fz_buf_dispose(&out);
    /* a size that is not an .icns size: the sizes below it */
    fz_buf_clear(&png);
    png_of(&png, 100, gradient);
    cr_assert_eq(fz_appbundle_icns(&out, png.data, png.size), 0);
    p = (const uint8_t *)out.data;
    cr_expect_eq(memcmp(p + 8, "icp4", 4), 0);
    fz_buf_dispose(&out);
    fz_buf_clear(&png);
    png_of(&png, 8, gradient);
    cr_expect_eq(fz_appbundle_icns(&out, png.data, png.size), FZ_EINVAL);
    fz_buf_dispose(&out);
    fz_buf_dispose(&png);
}

Test(icon, desktop_writes_the_hicolor_sizes)
{
    static const struct {
        unsigned px;
        int present;
    } want[] = {{16, 1}, {24, 1}, {32, 1}, {48, 1}, {64, 0}, {128, 0}};
    char dir[] = "/tmp/fz-icon-XXXXXX";
    fz_package_config pc = {0};
    fz_buf png = FZ_BUF_INIT;
    fz_buf path = FZ_BUF_INIT;
    fz_buf got = FZ_BUF_INIT;

    cr_assert_not_null(mkdtemp(dir));
    png_of(&png, 48, gradient);
    fz_buf_printf(&path, "%s/icon.png", dir);
    cr_assert_eq(fz_package_write_file(path.data, png.data, png.size, 0644), 0);
    pc.icon = fz_strdup(path.data);
    pc.app_id = "org.example.Icons";
    cr_assert_eq(fz_desktop_write(dir, &pc, "demo", "/usr/bin/demo"), 0, "%s",
                 fz_error_message());
    for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
        fz_icon_image img;

        fz_buf_clear(&path);
        fz_buf_printf(&path,
                      "%s/icons/hicolor/%ux%u/apps/org.example.Icons.png", dir,
                      want[i].px, want[i].px);
        cr_expect_eq(access(path.data, F_OK) == 0, want[i].present, "%s",
                     path.data);
        if (!want[i].present) {
            continue;
        }
        fz_buf_clear(&got);
        cr_assert_eq(fz_file_read(&got, path.data), 0);
        cr_assert_eq(fz_icon_decode(&img, got.data, got.size), 0);
        cr_expect_eq(img.width, want[i].px);
        fz_icon_image_dispose(&img);
    }
    free((char *)pc.icon);
    fz_buf_clear(&path);
    fz_buf_printf(&path, "rm -rf %s", dir);
    cr_expect_eq(system(path.data), 0);
    fz_buf_dispose(&path);
    fz_buf_dispose(&png);
    fz_buf_dispose(&got);
}
