/*
 * platform.c (Windows) - fz_platform.h and fz_platform_win.h on Win32,
 * built with mingw-w64 and tested under Wine (docs/windows.md). The
 * directory-fd functions of fz_platform.h have no Win32 equivalent yet and
 * report FZ_EIO ("not supported on Windows").
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include <errno.h>
#include <io.h>
#include <shellapi.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "fz_error.h"
#include "fz_platform.h"
#include "fz_platform_win.h"

/* The last Win32 error as one line. */
static int
win_error(int status, const char *what)
{
    char msg[256];
    DWORD err = GetLastError();
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM |
                                 FORMAT_MESSAGE_IGNORE_INSERTS,
                             NULL, err, 0, msg, sizeof(msg), NULL);

    while (n > 0 &&
           (msg[n - 1] == '\n' || msg[n - 1] == '\r' || msg[n - 1] == '.')) {
        msg[--n] = '\0';
    }
    if (n == 0) {
        return fz_error_set(status, "%s: error %lu", what, (unsigned long)err);
    }
    return fz_error_set(status, "%s: %s", what, msg);
}

char *
fz_win_utf8(const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *s;

    if (n <= 0) {
        win_error(FZ_EIO, "WideCharToMultiByte");
        return NULL;
    }
    s = malloc((size_t)n);
    if (s == NULL) {
        fz_error_set(FZ_ENOMEM, "out of memory");
        return NULL;
    }
    WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
    return s;
}

wchar_t *
fz_win_wide(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    wchar_t *w;

    if (n <= 0) {
        win_error(FZ_EINVAL, "not UTF-8");
        return NULL;
    }
    w = malloc((size_t)n * sizeof(*w));
    if (w == NULL) {
        fz_error_set(FZ_ENOMEM, "out of memory");
        return NULL;
    }
    MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
    return w;
}

int
fz_platform_self_exe(char **out)
{
    DWORD cap = 260;
    wchar_t *buf = NULL;
    int rc = 0;

    *out = NULL;
    for (;;) {
        wchar_t *grown = realloc(buf, cap * sizeof(*buf));
        DWORD n;

        if (grown == NULL) {
            rc = fz_error_set(FZ_ENOMEM, "out of memory");
            goto done;
        }
        buf = grown;
        n = GetModuleFileNameW(NULL, buf, cap);
        if (n == 0) {
            rc = win_error(FZ_EIO, "GetModuleFileNameW");
            goto done;
        }
        if (n < cap) {
            break;
        }
        if (cap > 32768) {
            rc = fz_error_set(FZ_EIO, "executable path too long");
            goto done;
        }
        cap *= 2;
    }
    *out = fz_win_utf8(buf);
    rc = *out ? 0 : FZ_ENOMEM;
done:
    free(buf);
    return rc;
}

int
fz_platform_map(fz_mapping *out, int fd, uint64_t offset, uint64_t size)
{
    SYSTEM_INFO si;
    HANDLE file = (HANDLE)_get_osfhandle(fd);
    HANDLE mapping;
    uint64_t start, end;
    void *base;

    memset(out, 0, sizeof(*out));
    if (size == 0) {
        return 0;
    }
    if (offset > UINT64_MAX - size || size > SIZE_MAX) {
        return fz_error_set(FZ_EINVAL, "mapping range overflows");
    }
    if (file == INVALID_HANDLE_VALUE) {
        return fz_error_set(FZ_EINVAL, "not a file descriptor");
    }
    GetSystemInfo(&si);
    /* views start on the allocation granularity (64 KiB), not a page */
    start = offset - offset % si.dwAllocationGranularity;
    end = offset + size;
    mapping = CreateFileMappingW(file, NULL, PAGE_READONLY, (DWORD)(end >> 32),
                                 (DWORD)end, NULL);
    if (mapping == NULL) {
        return win_error(FZ_EIO, "CreateFileMappingW");
    }
    base = MapViewOfFile(mapping, FILE_MAP_READ, (DWORD)(start >> 32),
                         (DWORD)start, (SIZE_T)(end - start));
    CloseHandle(mapping); /* the view keeps the mapping alive */
    if (base == NULL) {
        return win_error(FZ_EIO, "MapViewOfFile");
    }
    out->base = base;
    out->length = (size_t)(end - start);
    out->data = (const char *)base + (offset - start);
    out->size = (size_t)size;
    return 0;
}

void
fz_platform_unmap(fz_mapping *m)
{
    if (m->base != NULL) {
        UnmapViewOfFile(m->base);
    }
    memset(m, 0, sizeof(*m));
}

/* Plain heap memory: large pages need a privilege ordinary users lack. */
void
fz_platform_scratch_free(fz_scratch *s)
{
    free(s->data);
    memset(s, 0, sizeof(*s));
}

int
fz_platform_scratch_reserve(fz_scratch *s, size_t size)
{
    if (size <= s->cap && s->data) {
        return 0;
    }
    fz_platform_scratch_free(s);
    s->data = malloc(size ? size : 1);
    if (s->data == NULL) {
        return fz_error_set(FZ_ENOMEM, "out of memory for %llu bytes",
                            (unsigned long long)size);
    }
    s->cap = size;
    return 0;
}

int
fz_platform_cache_dir(char **out)
{
    const wchar_t *v = _wgetenv(L"LOCALAPPDATA");
    const wchar_t *profile;
    wchar_t *joined;
    size_t n;

    *out = NULL;
    if (v != NULL && v[0] != L'\0') {
        *out = fz_win_utf8(v);
        return *out ? 0 : FZ_ENOMEM;
    }
    profile = _wgetenv(L"USERPROFILE");
    if (profile == NULL || profile[0] == L'\0') {
        return fz_error_set(FZ_ENOTFOUND,
                            "neither LOCALAPPDATA nor USERPROFILE is set");
    }
    n = wcslen(profile) + 20;
    joined = malloc(n * sizeof(*joined));
    if (joined == NULL) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    swprintf(joined, n, L"%ls\\AppData\\Local", profile);
    *out = fz_win_utf8(joined);
    free(joined);
    return *out ? 0 : FZ_ENOMEM;
}

int
fz_platform_tmp_base(char **out)
{
    wchar_t base[MAX_PATH + 1];
    DWORD n = GetTempPathW(MAX_PATH + 1, base);

    *out = NULL;
    if (n == 0 || n > MAX_PATH) {
        return win_error(FZ_EIO, "GetTempPathW");
    }
    if (n > 3 && base[n - 1] == L'\\') {
        base[n - 1] = L'\0'; /* no trailing separator, except in a drive root */
    }
    *out = fz_win_utf8(base);
    return *out ? 0 : FZ_ENOMEM;
}

int
fz_platform_private_tmpdir(char **out)
{
    wchar_t base[MAX_PATH + 1];
    wchar_t path[MAX_PATH + 32];
    DWORD n = GetTempPathW(MAX_PATH + 1, base);

    *out = NULL;
    if (n == 0 || n > MAX_PATH) {
        return win_error(FZ_EIO, "GetTempPathW");
    }
    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned r = (unsigned)GetTickCount() ^
                     ((unsigned)GetCurrentProcessId() << 16) ^
                     (unsigned)(attempt * 2654435761u);

        swprintf(path, MAX_PATH + 32, L"%lsfreeze-%06x", base, r & 0xffffff);
        /* the default DACL of a new directory in the user's temp dir
         * grants the user (and SYSTEM/Administrators) only */
        if (CreateDirectoryW(path, NULL)) {
            *out = fz_win_utf8(path);
            return *out ? 0 : FZ_ENOMEM;
        }
        if (GetLastError() != ERROR_ALREADY_EXISTS) {
            return win_error(FZ_EIO, "CreateDirectoryW");
        }
    }
    return fz_error_set(FZ_EIO, "no free temporary directory name");
}

/* Remove a file or a directory tree (reparse points are not followed). */
static int
remove_w(const wchar_t *path)
{
    DWORD attr = GetFileAttributesW(path);
    WIN32_FIND_DATAW fd;
    HANDLE h;
    size_t n = wcslen(path);
    wchar_t *pattern;
    int rc = 0;

    if (attr == INVALID_FILE_ATTRIBUTES) {
        return 0;
    }
    if (!(attr & FILE_ATTRIBUTE_DIRECTORY) ||
        (attr & FILE_ATTRIBUTE_REPARSE_POINT)) {
        SetFileAttributesW(path, FILE_ATTRIBUTE_NORMAL);
        if ((attr & FILE_ATTRIBUTE_DIRECTORY) ? !RemoveDirectoryW(path)
                                              : !DeleteFileW(path)) {
            return win_error(FZ_EIO, "remove");
        }
        return 0;
    }
    pattern = malloc((n + 3) * sizeof(*pattern));
    if (pattern == NULL) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    swprintf(pattern, n + 3, L"%ls\\*", path);
    h = FindFirstFileW(pattern, &fd);
    free(pattern);
    if (h != INVALID_HANDLE_VALUE) {
        do {
            wchar_t *child;
            size_t cn;

            if (wcscmp(fd.cFileName, L".") == 0 ||
                wcscmp(fd.cFileName, L"..") == 0) {
                continue;
            }
            cn = n + wcslen(fd.cFileName) + 2;
            child = malloc(cn * sizeof(*child));
            if (child == NULL) {
                rc = fz_error_set(FZ_ENOMEM, "out of memory");
                break;
            }
            swprintf(child, cn, L"%ls\\%ls", path, fd.cFileName);
            if (remove_w(child) < 0 && rc == 0) {
                rc = FZ_EIO;
            }
            free(child);
        } while (FindNextFileW(h, &fd));
        FindClose(h);
    }
    if (!RemoveDirectoryW(path) && rc == 0) {
        rc = win_error(FZ_EIO, "RemoveDirectoryW");
    }
    return rc;
}

int
fz_platform_remove_path(const char *path)
{
    wchar_t *w = fz_win_wide(path);
    int rc;

    if (w == NULL) {
        return FZ_ENOMEM;
    }
    rc = remove_w(w);
    free(w);
    return rc;
}

/* ---- directory-fd functions: no Win32 equivalent yet ---- */

static int
unsupported(const char *what)
{
    return fz_error_set(FZ_EIO, "%s is not supported on Windows yet", what);
}

int
fz_platform_secure_dir_open(int *out, int dirfd, const char *name, int create)
{
    *out = -1;
    return unsupported("fz_platform_secure_dir_open");
}

int
fz_platform_base_dir_open(int *out, const char *path, int create)
{
    *out = -1;
    return unsupported("fz_platform_base_dir_open");
}

int
fz_platform_private_dir_at(char **out_name, int *out_fd, int dirfd,
                           const char *prefix)
{
    *out_name = NULL;
    *out_fd = -1;
    return unsupported("fz_platform_private_dir_at");
}

int
fz_platform_remove_tree(int dirfd, const char *name)
{
    return unsupported("fz_platform_remove_tree");
}

int
fz_platform_mkdirs_at(int *out, int dirfd, const char *dir, size_t size)
{
    *out = -1;
    return unsupported("fz_platform_mkdirs_at");
}

int
fz_platform_write_all(int fd, const void *data, size_t size)
{
    const char *p = data;

    while (size > 0) {
        unsigned want = size < FZ_PLATFORM_WRITE_CHUNK
                            ? (unsigned)size
                            : (unsigned)FZ_PLATFORM_WRITE_CHUNK;
        int n = _write(fd, p, want);

        if (n <= 0) {
            if (n == 0) {
                errno = EIO;
            }
            return -1;
        }
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

int
fz_platform_write_new_at(int dirfd, const char *name, uint32_t mode,
                         const void *data, size_t size)
{
    return unsupported("fz_platform_write_new_at");
}

int
fz_platform_rename_dir(int dirfd, const char *from, const char *to)
{
    return unsupported("fz_platform_rename_dir");
}

int
fz_platform_private_dir_check(const char *path)
{
    return unsupported("fz_platform_private_dir_check");
}

int
fz_platform_exchange_dir(int dirfd, const char *a, const char *b)
{
    return unsupported("fz_platform_exchange_dir");
}

int
fz_platform_file_check_at(int dirfd, const char *name, size_t dirs_checked,
                          uint64_t size)
{
    return 0;
}

void
fz_platform_process_name(char buf[FZ_PLATFORM_NAME_MAX])
{
    buf[0] = '\0'; /* Windows shows the image's name, which no call sets */
}

int
fz_platform_set_process_name(const char *name)
{
    return FZ_OK;
}

/* ---- fz_platform_win.h ---- */

int
fz_win_argv(int *argc_out, char ***argv_out)
{
    int argc = 0;
    wchar_t **wargv = CommandLineToArgvW(GetCommandLineW(), &argc);
    size_t total = 0;
    char **argv;
    char *p;
    int rc = 0;

    *argc_out = 0;
    *argv_out = NULL;
    if (wargv == NULL) {
        return win_error(FZ_EIO, "CommandLineToArgvW");
    }
    for (int i = 0; i < argc; i++) {
        int n =
            WideCharToMultiByte(CP_UTF8, 0, wargv[i], -1, NULL, 0, NULL, NULL);

        if (n <= 0) {
            rc = win_error(FZ_EIO, "WideCharToMultiByte");
            goto done;
        }
        total += (size_t)n;
    }
    argv = malloc((size_t)(argc + 1) * sizeof(*argv) + total);
    if (argv == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    p = (char *)(argv + argc + 1);
    for (int i = 0; i < argc; i++) {
        int n = WideCharToMultiByte(CP_UTF8, 0, wargv[i], -1, p, (int)total,
                                    NULL, NULL);

        argv[i] = p;
        p += n;
        total -= (size_t)n;
    }
    argv[argc] = NULL;
    *argc_out = argc;
    *argv_out = argv;
done:
    LocalFree(wargv);
    return rc;
}

int
fz_win_load_library(void **out, const char *path)
{
    wchar_t *w;
    HMODULE h;

    *out = NULL;
    if (!((path[0] != '\0' && path[1] == ':' &&
           (path[2] == '\\' || path[2] == '/')) ||
          (path[0] == '\\' && path[1] == '\\'))) {
        return fz_error_set(FZ_EINVAL, "%s: not an absolute path", path);
    }
    w = fz_win_wide(path);
    if (w == NULL) {
        return FZ_ENOMEM;
    }
    h = LoadLibraryExW(w, NULL,
                       LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR |
                           LOAD_LIBRARY_SEARCH_SYSTEM32);
    free(w);
    if (h == NULL) {
        return win_error(FZ_EIO, path);
    }
    *out = (void *)h;
    return 0;
}

void *
fz_win_symbol(void *module, const char *name)
{
    return (void *)GetProcAddress((HMODULE)module, name);
}

int
fz_win_rename(const char *from, const char *to)
{
    wchar_t *a = fz_win_wide(from);
    wchar_t *b = fz_win_wide(to);
    int rc = 0;

    if (a == NULL || b == NULL) {
        rc = FZ_ENOMEM;
    } else if (!MoveFileExW(
                   a, b, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
        rc = win_error(FZ_EIO, "MoveFileExW");
    }
    free(a);
    free(b);
    return rc;
}

int
fz_win_lock(int fd)
{
    OVERLAPPED ov;
    HANDLE h = (HANDLE)_get_osfhandle(fd);

    memset(&ov, 0, sizeof(ov));
    if (h == INVALID_HANDLE_VALUE ||
        !LockFileEx(h, LOCKFILE_EXCLUSIVE_LOCK, 0, MAXDWORD, MAXDWORD, &ov)) {
        return win_error(FZ_EIO, "LockFileEx");
    }
    return 0;
}

int
fz_win_unlock(int fd)
{
    OVERLAPPED ov;
    HANDLE h = (HANDLE)_get_osfhandle(fd);

    memset(&ov, 0, sizeof(ov));
    if (h == INVALID_HANDLE_VALUE ||
        !UnlockFileEx(h, 0, MAXDWORD, MAXDWORD, &ov)) {
        return win_error(FZ_EIO, "UnlockFileEx");
    }
    return 0;
}
