/*
 * fuzz_icon_png.c - libFuzzer target for the --icon PNG path (icon.c):
 * decode, and when that succeeds, shrink and encode as the packagers do.
 */
#include "icon.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_icon_image img;
    fz_buf out = FZ_BUF_INIT;
    uint32_t side;

    if (fz_icon_decode(&img, data, size) == 0) {
        /* small images only: the fuzzer's time goes to the decoder */
        if (img.width == img.height && img.width <= 64) {
            uint32_t px = img.width > 16 ? 16 : img.width;

            (void)fz_icon_png_at(&out, data, size, &img, px);
        }
        fz_icon_image_dispose(&img);
    }
    (void)fz_icon_check(&side, data, size);
    fz_buf_dispose(&out);
    return 0;
}
