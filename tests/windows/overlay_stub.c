/*
 * overlay_stub.c - a Windows stand-in for the runtime: find the payload
 * freeze appended to this executable (include/fz_overlay.h), map it with
 * the platform layer and print its magic, size and a checksum. Run under
 * Wine by tests/windows/run-wine.
 */
#include "fz_error.h"
#include "fz_overlay.h"
#include "fz_platform.h"
#include "fz_platform_win.h"

#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int wmain(void);

int
wmain(void)
{
    char *exe = NULL;
    wchar_t *wexe = NULL;
    uint8_t trailer[FZ_OVERLAY_TRAILER_SIZE];
    struct _stati64 st;
    uint64_t off, size, sum = 0;
    fz_mapping m;
    int fd = -1;
    int status = 1;

    if (fz_platform_self_exe(&exe) < 0 || (wexe = fz_win_wide(exe)) == NULL) {
        fprintf(stderr, "overlay_stub: %s\n", fz_error_message());
        goto done;
    }
    fd = _wopen(wexe, _O_RDONLY | _O_BINARY);
    if (fd < 0 || _fstati64(fd, &st) < 0 ||
        st.st_size < FZ_OVERLAY_TRAILER_SIZE ||
        _lseeki64(fd, st.st_size - FZ_OVERLAY_TRAILER_SIZE, SEEK_SET) < 0 ||
        _read(fd, trailer, sizeof(trailer)) != (int)sizeof(trailer)) {
        fprintf(stderr, "overlay_stub: cannot read %s\n", exe);
        goto done;
    }
    if (fz_overlay_parse(trailer, (uint64_t)st.st_size, &off, &size) < 0) {
        printf("no payload\n");
        goto done;
    }
    if (fz_platform_map(&m, fd, off, size) < 0) {
        fprintf(stderr, "overlay_stub: %s\n", fz_error_message());
        goto done;
    }
    for (size_t i = 0; i < m.size; i++) {
        sum = sum * 31 + ((const uint8_t *)m.data)[i];
    }
    printf("payload %.8s size %llu sum %llu\n", (const char *)m.data,
           (unsigned long long)size, (unsigned long long)sum);
    fz_platform_unmap(&m);
    status = 0;
done:
    if (fd >= 0) {
        _close(fd);
    }
    free(wexe);
    free(exe);
    return status;
}
