/*
 * test_platform_win.c - the Windows platform layer (platform/windows),
 * run under Wine. Plain C with a tiny assert macro: Criterion has no mingw
 * build. Exit status 0 when every check passed.
 */
#include "fz_error.h"
#include "fz_platform.h"
#include "fz_platform_win.h"

#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <windows.h>

static int failures;
static int checks;

#define CHECK(cond)                                                            \
    do {                                                                       \
        checks++;                                                              \
        if (!(cond)) {                                                         \
            failures++;                                                        \
            printf("FAIL %s:%d: %s (%s)\n", __FILE__, __LINE__, #cond,         \
                   fz_error_message());                                        \
        }                                                                      \
    } while (0)

static char *
temp_path(const char *name)
{
    char *dir = NULL;
    char *p;

    if (fz_platform_private_tmpdir(&dir) < 0) {
        return NULL;
    }
    p = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s\\%s", dir, name);
    free(dir);
    return p;
}

static void
test_self_exe(void)
{
    char *exe = NULL;

    CHECK(fz_platform_self_exe(&exe) == 0);
    CHECK(exe != NULL && strstr(exe, "test_platform_win.exe") != NULL);
    CHECK(exe != NULL && exe[1] == ':');
    free(exe);
}

static void
test_cache_dir(void)
{
    char *dir = NULL;

    _wputenv(L"LOCALAPPDATA=C:\\Users\\t\\AppData\\Local");
    CHECK(fz_platform_cache_dir(&dir) == 0);
    CHECK(dir != NULL && strcmp(dir, "C:\\Users\\t\\AppData\\Local") == 0);
    free(dir);
    _wputenv(L"LOCALAPPDATA=");
    _wputenv(L"USERPROFILE=C:\\Users\\u");
    CHECK(fz_platform_cache_dir(&dir) == 0);
    CHECK(dir != NULL && strcmp(dir, "C:\\Users\\u\\AppData\\Local") == 0);
    free(dir);
}

static void
test_map_rename_lock(void)
{
    char *a = temp_path("a.bin");
    char *b = NULL;
    fz_mapping m;
    int fd;
    static char data[200000];

    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (char)(i * 7);
    }
    CHECK(a != NULL);
    fd = _open(a, _O_CREAT | _O_WRONLY | _O_BINARY | _O_TRUNC, 0644);
    CHECK(fd >= 0 && _write(fd, data, sizeof(data)) == (int)sizeof(data));
    _close(fd);
    fd = _open(a, _O_RDONLY | _O_BINARY);
    CHECK(fd >= 0);
    /* an offset that is neither page nor 64 KiB aligned */
    CHECK(fz_platform_map(&m, fd, 70001, 1000) == 0);
    CHECK(m.data != NULL && m.size == 1000 &&
          memcmp(m.data, data + 70001, 1000) == 0);
    fz_platform_unmap(&m);
    CHECK(m.base == NULL);
    CHECK(fz_platform_map(&m, fd, UINT64_MAX - 5, 10) == FZ_EINVAL);
    CHECK(fz_win_lock(fd) == 0);
    CHECK(fz_win_unlock(fd) == 0);
    _close(fd);
    /* atomic replace of an existing file */
    b = malloc(strlen(a) + 8);
    sprintf(b, "%s.new", a);
    fd = _open(b, _O_CREAT | _O_WRONLY | _O_BINARY, 0644);
    CHECK(fd >= 0 && _write(fd, "new", 3) == 3);
    _close(fd);
    CHECK(fz_win_rename(b, a) == 0);
    fd = _open(a, _O_RDONLY | _O_BINARY);
    {
        char got[8] = {0};

        CHECK(fd >= 0 && _read(fd, got, sizeof(got)) == 3 &&
              memcmp(got, "new", 3) == 0);
    }
    _close(fd);
    CHECK(GetFileAttributesA(b) == INVALID_FILE_ATTRIBUTES);
    {
        char *dir = strdup(a);

        *strrchr(dir, '\\') = '\0';
        CHECK(fz_platform_remove_path(dir) == 0);
        CHECK(GetFileAttributesA(dir) == INVALID_FILE_ATTRIBUTES);
        free(dir);
    }
    free(a);
    free(b);
}

static void
test_load_library(void)
{
    char *exe = NULL;
    char *dll;
    void *h = NULL;
    int (*answer)(void);

    CHECK(fz_platform_self_exe(&exe) == 0);
    dll = malloc(strlen(exe) + 32);
    strcpy(dll, exe);
    strcpy(strrchr(dll, '\\') + 1, "fztestdll.dll");
    CHECK(fz_win_load_library(&h, dll) == 0);
    *(void **)&answer = h ? fz_win_symbol(h, "fz_test_answer") : NULL;
    CHECK(answer != NULL && answer() == 42);
    CHECK(fz_win_load_library(&h, "fztestdll.dll") == FZ_EINVAL);
    strcpy(strrchr(dll, '\\') + 1, "missing.dll");
    CHECK(fz_win_load_library(&h, dll) == FZ_EIO);
    free(dll);
    free(exe);
}

static void
test_argv(void)
{
    int argc = 0;
    char **argv = NULL;

    CHECK(fz_win_argv(&argc, &argv) == 0);
    /* run as: test_platform_win.exe "h\xc3\xa9 llo" "\xe2\x82\xac" */
    CHECK(argc == 3);
    CHECK(argc == 3 && strcmp(argv[1], "h\xc3\xa9 llo") == 0);
    CHECK(argc == 3 && strcmp(argv[2], "\xe2\x82\xac") == 0);
    CHECK(argv != NULL && argv[argc] == NULL);
    free(argv);
}

int wmain(void);

int
wmain(void)
{
    test_self_exe();
    test_map_rename_lock();
    test_load_library();
    test_argv();
    test_cache_dir();
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
