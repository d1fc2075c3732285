/*
 * pe_attach.c - append a payload to a PE executable as an overlay
 * (pe_attach.h).
 */
#include "pe_attach.h"

#include "buf.h"
#include "fz_error.h"
#include "fz_overlay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint32_t
le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static int
write_all(int fd, const void *data, size_t size, const char *path)
{
    const char *p = data;

    while (size > 0) {
        ssize_t n = write(fd, p, size);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return fz_error_set(FZ_EIO, "%s: %s", path, strerror(errno));
        }
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

int
fz_pe_attach(const char *stub, const char *output, const void *payload,
             size_t payload_size, uint64_t *out_size)
{
    static const uint8_t zeros[FZ_OVERLAY_ALIGN];
    fz_buf image = FZ_BUF_INIT;
    fz_buf tmp = FZ_BUF_INIT;
    uint8_t trailer[FZ_OVERLAY_TRAILER_SIZE];
    uint64_t off, size;
    uint32_t lfanew;
    size_t pad;
    int fd = -1;
    int rc;

    rc = fz_file_read(&image, stub);
    if (rc < 0) {
        goto done;
    }
    lfanew = image.size >= 64 ? le32((const uint8_t *)image.data + 60) : 0;
    if (image.size < 64 || memcmp(image.data, "MZ", 2) != 0 ||
        lfanew > image.size - 4 || lfanew < 64 ||
        memcmp(image.data + lfanew, "PE\0\0", 4) != 0) {
        rc = fz_error_set(FZ_EFORMAT, "%s is not a PE executable", stub);
        goto done;
    }
    if (image.size >= FZ_OVERLAY_TRAILER_SIZE &&
        fz_overlay_parse((const uint8_t *)image.data + image.size -
                             FZ_OVERLAY_TRAILER_SIZE,
                         image.size, &off, &size) == 0) {
        rc = fz_error_set(FZ_EFORMAT, "%s already carries a payload", stub);
        goto done;
    }
    pad = (FZ_OVERLAY_ALIGN - image.size % FZ_OVERLAY_ALIGN) % FZ_OVERLAY_ALIGN;
    off = (uint64_t)image.size + pad;
    memcpy(trailer, FZ_OVERLAY_MAGIC, 8);
    for (int i = 0; i < 8; i++) {
        trailer[8 + i] = (uint8_t)(off >> (8 * i));
        trailer[16 + i] = (uint8_t)((uint64_t)payload_size >> (8 * i));
        trailer[24 + i] = 0;
    }
    rc = fz_buf_printf(&tmp, "%s.tmp-XXXXXX", output);
    if (rc < 0) {
        goto done;
    }
    fd = mkstemp(tmp.data);
    if (fd < 0) {
        rc = fz_error_set(FZ_EIO, "%s: %s", tmp.data, strerror(errno));
        goto done;
    }
    rc = write_all(fd, image.data, image.size, tmp.data);
    rc = rc ? rc : write_all(fd, zeros, pad, tmp.data);
    rc = rc ? rc : write_all(fd, payload, payload_size, tmp.data);
    rc = rc ? rc : write_all(fd, trailer, sizeof(trailer), tmp.data);
    if (rc == 0 && (fchmod(fd, 0755) < 0 || fsync(fd) < 0 ||
                    rename(tmp.data, output) < 0)) {
        rc = fz_error_set(FZ_EIO, "%s: %s", output, strerror(errno));
    }
    if (rc == 0 && out_size != NULL) {
        *out_size = off + payload_size + sizeof(trailer);
    }
done:
    if (fd >= 0) {
        close(fd);
        if (rc < 0) {
            unlink(tmp.data);
        }
    }
    fz_buf_dispose(&image);
    fz_buf_dispose(&tmp);
    return rc;
}
