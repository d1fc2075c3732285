/*
 * fz_platform.h - the only interface that knows which OS freeze runs on:
 * executable path, file mappings, the per-user cache and private dirs.
 */
#ifndef FZ_PLATFORM_H
#define FZ_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/*
 * A directory exists but is not safe to use: a symlink, owned by another
 * user, or writable by group/others. Callers warn about it (somebody may be
 * attacking) instead of silently falling back as for FZ_EIO.
 */
#define FZ_PLATFORM_EUNSAFE (-64)

/*
 * The absolute path of the running executable, symlinks resolved
 * (/proc/self/exe on Linux), in a new malloc'd string owned by the caller.
 * No length limit (the buffer grows). Errors: FZ_EIO, FZ_ENOMEM.
 */
int fz_platform_self_exe(char **out);

/* Room for a process name and its NUL (Linux: TASK_COMM_LEN). */
#define FZ_PLATFORM_NAME_MAX 16

/*
 * The name ps, top and pgrep show for this process, which the OS takes
 * from the file it executed (Linux: /proc/self/comm), into `buf`; "" where
 * no call can change it (macOS), so there is nothing to hand on. A process
 * that executes another file in its place (fz-launcher) hands its name on:
 * the program is still the app the user started.
 */
void fz_platform_process_name(char buf[FZ_PLATFORM_NAME_MAX]);

/*
 * Give this process `name`, cut to FZ_PLATFORM_NAME_MAX - 1 bytes as the
 * OS cuts it. Call it before any thread is made (Linux names threads: a
 * thread made later takes the name). Does nothing for "" or where
 * fz_platform_process_name gives "". FZ_OK; FZ_EIO when the OS refuses.
 */
int fz_platform_set_process_name(const char *name);

/* A read-only mapping of a byte range of a file. */
typedef struct fz_mapping {
    void *base;       /* what mmap returned (page aligned) */
    size_t length;    /* what was mapped from base */
    const void *data; /* the first byte of the requested range */
    size_t size;      /* the requested size */
} fz_mapping;

/*
 * Map `size` bytes of `fd` starting at `offset` read-only and private.
 * `offset` need not be page aligned: the mapping starts at the page
 * boundary below it. The caller has checked the range against the file
 * size; overflow of offset + size is refused (FZ_EINVAL). size 0 gives an
 * empty mapping (data NULL). Errors: FZ_EINVAL, FZ_EIO. On failure *out is
 * zeroed.
 */
int fz_platform_map(fz_mapping *out, int fd, uint64_t offset, uint64_t size);

/* Unmap; accepts a zeroed or already unmapped mapping. */
void fz_platform_unmap(fz_mapping *m);

/*
 * A reusable buffer for bytes written once in full and then copied out,
 * such as an entry decoded on its way to a file. Writing to fresh memory
 * costs a page fault per 4 KiB page; where the system allows it (Linux
 * transparent huge pages), buffers of 2 MiB and more are backed by huge
 * pages, which makes filling them about three times cheaper (6.3 MB: 2.5
 * -> 0.7 ms on the 2-core test VM). A child process does not inherit the
 * buffer (Linux: MADV_DONTFORK), so a fork costs no copy-on-write faults
 * to the threads filling theirs. A zeroed struct is an empty buffer.
 */
typedef struct fz_scratch {
    void *data; /* `cap` writable bytes, all of the platform's allocation */
    size_t cap;
} fz_scratch;

/* Make s->cap at least `size`; what the buffer held is lost when it grows.
 * FZ_ENOMEM, with the buffer left empty, when memory is short. */
int fz_platform_scratch_reserve(fz_scratch *s, size_t size);

/* Release the memory; the struct is an empty buffer again. */
void fz_platform_scratch_free(fz_scratch *s);

/*
 * The per-user cache base directory in a new malloc'd string:
 * $XDG_CACHE_HOME when it is absolute, else $HOME/.cache when $HOME is
 * absolute, else <passwd home>/.cache. Variables are read with
 * secure_getenv, so a setuid program ignores them. The directory may not
 * exist. Errors: FZ_ENOTFOUND (no home at all), FZ_ENOMEM.
 */
int fz_platform_cache_dir(char **out);

/*
 * Open the directory `name` (one path component, no '/') relative to
 * `dirfd` without following a symlink, creating it with mode 0700 when
 * missing and `create` is set. The directory must be owned by the
 * effective user and not writable by group or others, else
 * FZ_PLATFORM_EUNSAFE (also for a symlink or a non-directory). Errors:
 * FZ_ENOTFOUND (missing, !create), FZ_PLATFORM_EUNSAFE, FZ_EIO (including
 * EACCES/EROFS/ENOSPC while creating). *out is a new O_CLOEXEC fd, -1 on
 * failure.
 */
int fz_platform_secure_dir_open(int *out, int dirfd, const char *name,
                                int create);

/*
 * Open the absolute directory `path` (following symlinks: it is the user's
 * own configuration, e.g. a symlinked ~/.cache), creating its last
 * component with mode 0700 when missing and `create` is set. It must be a
 * directory owned by the effective user or root, and when group/world
 * writable it must be sticky (like /tmp), else FZ_PLATFORM_EUNSAFE.
 * Errors as for fz_platform_secure_dir_open.
 */
int fz_platform_base_dir_open(int *out, const char *path, int create);

/*
 * Create a new private directory (mode 0700) named `prefix` plus six random
 * characters inside `dirfd` (mkdtemp-style, retried on a name clash).
 * *out_name is the new entry name (malloc'd, caller frees), *out_fd an
 * O_CLOEXEC fd on it. Errors: FZ_EIO, FZ_ENOMEM.
 */
int fz_platform_private_dir_at(char **out_name, int *out_fd, int dirfd,
                               const char *prefix);

/*
 * Create a new private directory (0700) "freeze-XXXXXX" under $TMPDIR
 * (secure_getenv, when absolute) or /tmp. *out is its absolute path
 * (malloc'd). Errors: FZ_EIO, FZ_ENOMEM.
 */
int fz_platform_private_tmpdir(char **out);

/* The name of a private temp dir: this prefix, then six random
 * characters (ASCII letters and digits on Linux, hex digits on Windows). */
#define FZ_PLATFORM_PRIVATE_PREFIX "freeze-"
#define FZ_PLATFORM_PRIVATE_RANDOM 6

/*
 * The directory fz_platform_private_tmpdir creates in, as it is decided
 * now (a new string in *out, as the environment gives it: not
 * normalized). Errors: FZ_ENOMEM, FZ_EIO.
 */
int fz_platform_tmp_base(char **out);

/*
 * Remove `name` inside `dirfd` and, when it is a directory, everything
 * below it. Never follows a symlink: a symlink is unlinked, not its target
 * (openat with O_NOFOLLOW, unlinkat with AT_REMOVEDIR). A missing `name` is
 * success. Errors: FZ_EIO (the first failure; removal goes on).
 */
int fz_platform_remove_tree(int dirfd, const char *name);

/* Same for an absolute path. */
int fz_platform_remove_path(const char *path);

/*
 * Create the directories of the relative path `dir` (components separated
 * by '/', validated by the caller) inside `dirfd`, each with mode 0700,
 * never following a symlink, and return an O_CLOEXEC fd on the last one in
 * *out (a dup of dirfd for ""). Errors: FZ_EIO, FZ_PLATFORM_EUNSAFE (a
 * component is a symlink or not a directory).
 */
int fz_platform_mkdirs_at(int *out, int dirfd, const char *dir, size_t size);

/*
 * The most a file is written in one call when the runtime unpacks it. The
 * page cache keeps a write's data in folios about as large as the write
 * (Linux 6.x, up to 2 MiB), and mapping a page maps its whole folio: a
 * library written in one call and then loaded counted 2.3 MB of resident
 * text (liblapack, numpy) where the same file read from disk, or written in
 * 64 KiB pieces, counts 0.77 MB. The calls cost little: 6.3 MB took
 * 1.0-1.3 ms either way (16 KiB pieces: 1.9 ms).
 */
#define FZ_PLATFORM_WRITE_CHUNK ((size_t)64 << 10)

/*
 * Write all of `data` to the open file `fd`, FZ_PLATFORM_WRITE_CHUNK at a
 * time, again after EINTR. 0, or -1 with errno set (EIO for a write that
 * wrote nothing); no error message: the caller names the file.
 */
int fz_platform_write_all(int fd, const void *data, size_t size);

/*
 * Create the new file `name` in `dirfd` (O_EXCL, O_NOFOLLOW) with
 * permission bits `mode & 0777` and write `size` bytes, in pieces of at
 * most FZ_PLATFORM_WRITE_CHUNK. Errors: FZ_EIO.
 */
int fz_platform_write_new_at(int dirfd, const char *name, uint32_t mode,
                             const void *data, size_t size);

/*
 * Atomically rename the directory `from` to `to`, both inside `dirfd`.
 * Returns 0 when renamed, 1 when `to` already exists (another process
 * published it first; both are left in place). Errors: FZ_EIO.
 */
int fz_platform_rename_dir(int dirfd, const char *from, const char *to);

/*
 * lstat-style check that `path` is a real directory (not a symlink) owned
 * by the effective user with no group/other permission bits. Returns 1
 * when it is, 0 when it does not exist, FZ_PLATFORM_EUNSAFE when it exists
 * but is something else, FZ_EIO on other errors.
 */
int fz_platform_private_dir_check(const char *path);

/*
 * Atomically swap the directories `a` and `b` inside `dirfd` (both must
 * exist): a damaged published root is replaced by a fresh copy without a
 * moment where the name is missing. Errors: FZ_EIO.
 */
int fz_platform_exchange_dir(int dirfd, const char *a, const char *b);

/*
 * Check that the relative path `name` below `dirfd` is a regular file of
 * `size` bytes owned by the effective user, reached through real
 * directories of the user's only (no component may be a symlink). The
 * first `dirs_checked` bytes of `name` (0, or up to and including a '/')
 * are directories a previous call checked: a caller going through sorted
 * names checks each directory once. Returns 1 when it is, 0 when it is
 * missing or anything else (the caller restores it). Never follows a
 * symlink. `name` is trusted (validated payload name).
 */
int fz_platform_file_check_at(int dirfd, const char *name, size_t dirs_checked,
                              uint64_t size);

/*
 * May code be mapped executable from files below `path` (it is not on a
 * noexec mount)? 1 yes, 0 no; when the file system cannot be asked, 1 (the
 * loader reports the failure then).
 */
int fz_platform_dir_executable(const char *path);

#endif /* FZ_PLATFORM_H */
