/*
 * fz_platform_win.h - what the Windows runtime needs beyond fz_platform.h:
 * UTF-16 argv as UTF-8, restricted DLL loading, file locking and atomic
 * replacement. Paths are UTF-8 at this interface, UTF-16 inside.
 */
#ifndef FZ_PLATFORM_WIN_H
#define FZ_PLATFORM_WIN_H

#include <stddef.h>

/* UTF-8 <-> UTF-16 (malloc'd; NULL on failure with the error set). */
char *fz_win_utf8(const wchar_t *w);
wchar_t *fz_win_wide(const char *s);

/*
 * The process's command line (GetCommandLineW, split as CommandLineToArgvW
 * does) as UTF-8: *argv_out is one malloc'd block holding the pointers and
 * the strings (free it once). Errors: FZ_EIO, FZ_ENOMEM.
 */
int fz_win_argv(int *argc_out, char ***argv_out);

/*
 * LoadLibraryExW(path, LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR |
 * LOAD_LIBRARY_SEARCH_SYSTEM32): a DLL's own dependencies are found beside
 * it and in System32 only, never in the current directory or PATH (DLL
 * planting). `path` must be absolute. *out is the HMODULE. Errors: FZ_EIO
 * with the system message, FZ_EINVAL (relative path).
 */
int fz_win_load_library(void **out, const char *path);

/* Look a symbol up in a module from fz_win_load_library; NULL if absent. */
void *fz_win_symbol(void *module, const char *name);

/*
 * Atomically replace `to` with `from` (MoveFileExW with
 * MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH). Errors: FZ_EIO.
 */
int fz_win_rename(const char *from, const char *to);

/*
 * Take an exclusive lock on the whole file `fd` (LockFileEx; blocks), or
 * release it. Errors: FZ_EIO.
 */
int fz_win_lock(int fd);
int fz_win_unlock(int fd);

#endif /* FZ_PLATFORM_WIN_H */
