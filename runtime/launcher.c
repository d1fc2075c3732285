/*
 * launcher.c - fz-launcher, the stub of a `freeze --compress-runtime` app:
 * its payload holds the whole fz-runtime as the zstd entry ".freeze/runtime"
 * (docs/internals.md, "Compressed runtime"). It unpacks that runtime once
 * into <cache>/freeze/runtime-<hash> and execs it, handing it this
 * executable as the inherited descriptor named by "--fz-payload-fd=N".
 * No usable cache: the runtime runs from a memfd, or where the kernel
 * forbids executable memfds from a private temporary directory that the
 * runtime removes as it starts. Links no CPython.
 */
#include "bundle.h"
#include "elf_section.h"
#include "fz_error.h"
#include "fz_payload.h"
#include "fz_platform.h"
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: ask for an executable memfd */
#endif

/* The entry that holds the runtime. */
#define RUNTIME_ENTRY ".freeze/runtime"
/* The private temporary directory and file of the last fallback
 * (exec_temp_runtime; the runtime removes them, runtime/main.c). */
#define TEMP_DIR_TEMPLATE "fz-runtime-XXXXXX"
#define TEMP_EXE_NAME "fz-runtime"
/*
 * This executable and the runtime entry of its payload. The runtime is
 * decoded once, in one piece (the zstd frame straight into a buffer, no
 * window copy), and written from there to wherever it can run.
 */
typedef struct exe_file {
    int fd;           /* /proc/self/exe, inherited by the runtime */
    fz_mapping map;   /* the payload section */
    fz_payload *view; /* over map, for this thread */
    fz_entry runtime; /* RUNTIME_ENTRY */
    fz_scratch image; /* the decoded runtime, once `decoded` */
    int decoded;
    pid_t root; /* root_spawn's extractor, 0 when none */
} exe_file;

/* Decode and check the runtime entry into self->image, the first time. */
static int
decode_runtime(exe_file *self)
{
    const fz_entry *e = &self->runtime;
    int rc;

    if (self->decoded) {
        return FZ_OK;
    }
    if (e->compression != FZ_COMPRESSION_ZSTD_X86) {
        return fz_error_set(FZ_EFORMAT, "%s is not a zstd entry of x86 code",
                            RUNTIME_ENTRY);
    }
    rc = fz_payload_check(self->view, e);
    rc = rc < 0
             ? rc
             : fz_platform_scratch_reserve(&self->image, (size_t)e->raw_size);
    rc = rc < 0 ? rc
                : fz_payload_read(self->view, e, self->image.data,
                                  self->image.cap);
    self->decoded = rc == FZ_OK;
    return rc;
}

/*
 * Write the runtime into `fd`. FZ_OK; FZ_EIO (errno set) when writing
 * fails: the caller tries another place; else the entry is damaged
 * (FZ_EFORMAT, FZ_EHASH) or memory is short, with the error slot set.
 */
static int
unpack(int fd, exe_file *self)
{
    int rc = decode_runtime(self);

    if (rc < 0) {
        return rc;
    }
    /* In pieces: the runtime's text, mapped from these pages, then counts
     * no more resident memory than a file read from disk. */
    if (fz_platform_write_all(fd, self->image.data,
                              (size_t)self->runtime.raw_size) < 0) {
        return FZ_EIO;
    }
    return FZ_OK;
}

/* Is the open file a runtime we published: ours, 0700/0500, right size? */
static int
runtime_ok(int fd, uint64_t size)
{
    struct stat st;
    mode_t perm;

    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
        return 0;
    }
    perm = st.st_mode & 07777;
    return (perm == 0700 || perm == 0500) && (uint64_t)st.st_size == size;
}

/* Open <freeze>/<name> when it is a good runtime: an fd, else -1. */
static int
open_cached(int freeze, const char *name, uint64_t size)
{
    int fd = openat(freeze, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    if (fd >= 0 && !runtime_ok(fd, size)) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Sync the unpacked runtime <freeze>/<tmp> (open as `fd`) and rename it
 * to <freeze>/<name>; on failure remove it. */
static void
sync_and_rename(int fd, int freeze, const char *tmp, const char *name)
{
    if (fsync(fd) < 0 || renameat(freeze, tmp, freeze, name) < 0) {
        unlinkat(freeze, tmp, 0);
    }
}

/* Close every descriptor but `a` and `b` (a < b; -1 keeps none). */
static void
close_others(int a, int b)
{
    int keep[2] = {a, b};
    unsigned lo = 0;
    long i, max;
    int k, ok = 1;

    for (k = 0; k < 2 && ok; k++) {
        if (keep[k] < 0) {
            continue;
        }
        if ((unsigned)keep[k] > lo) {
            ok = close_range(lo, (unsigned)keep[k] - 1, 0) == 0;
        }
        lo = (unsigned)keep[k] + 1;
    }
    if (ok && close_range(lo, ~0U, 0) == 0) {
        return;
    }
    max = sysconf(_SC_OPEN_MAX); /* kernels before 5.9 */
    for (i = 0; i < (max > 0 && max < 65536 ? max : 65536); i++) {
        if (i != a && i != b) {
            close((int)i);
        }
    }
}

/*
 * sync_and_rename, without making the first run wait for the disk: a
 * detached grandchild (its own session, no descriptor but these two, so
 * no terminal signal reaches it and no pipe waits for it) does it while
 * this process execs the file it has just written, which is complete in
 * the page cache. The program never sees that process: its parent, the
 * intermediate child, is reaped here. Where no process can be made, it is
 * done here.
 */
static void
publish_detached(int fd, int freeze, const char *tmp, const char *name)
{
    pid_t pid = fork();
    int status = 1;

    if (pid == 0) {
        pid_t worker = fork();

        if (worker == 0) {
            sigset_t all;

            sigfillset(&all);
            sigprocmask(SIG_SETMASK, &all, NULL);
            setsid();
            close_others(fd < freeze ? fd : freeze, fd < freeze ? freeze : fd);
            sync_and_rename(fd, freeze, tmp, name);
        }
        _exit(worker < 0);
    }
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        sync_and_rename(fd, freeze, tmp, name);
    }
}

/*
 * Publish the runtime entry `e` as <freeze>/<name>: decompressed into a
 * private temporary file, synced and renamed into place (replacing a
 * damaged or foreign file; a concurrent winner's identical file is as
 * good), the sync and rename in the background (publish_detached).
 * FZ_OK with *out a read-only fd on the file to run, or *out -1 when the
 * cache cannot take it (FZ_OK too: run it from elsewhere); a damaged entry
 * is unpack's error.
 */
static int
publish(int *out, int freeze, const char *name, exe_file *self)
{
    char tmp[64];
    int fd = -1, ro = -1, rc = FZ_OK;
    struct stat a, b;
    unsigned i;

    *out = -1;
    for (i = 0; i < 100 && fd < 0; i++) {
        snprintf(tmp, sizeof(tmp), ".tmp-runtime-%ld-%u", (long)getpid(), i);
        fd = openat(freeze, tmp,
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0700);
        if (fd < 0 && errno != EEXIST) {
            return FZ_OK;
        }
    }
    if (fd < 0) {
        return FZ_OK;
    }
    rc = unpack(fd, self);
    if (rc < 0 || fchmod(fd, 0700) < 0 || fstat(fd, &a) < 0) {
        goto done;
    }
    /* No writer may remain for the exec: run it through a read-only fd,
     * which must be the file we wrote. */
    ro = openat(freeze, tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (ro < 0 || fstat(ro, &b) < 0 || a.st_dev != b.st_dev ||
        a.st_ino != b.st_ino) {
        goto done;
    }
    close(fd);
    fd = -1;
    *out = open_cached(freeze, name, self->runtime.raw_size);
    if (*out >= 0) {
        /* A concurrent first run published it meanwhile: use that. */
        unlinkat(freeze, tmp, 0);
        close(ro);
        return FZ_OK;
    }
    publish_detached(ro, freeze, tmp, name);
    *out = ro;
    return FZ_OK;
done:
    if (ro >= 0) {
        close(ro);
    }
    if (fd >= 0) {
        close(fd);
    }
    unlinkat(freeze, tmp, 0);
    return rc == FZ_EIO ? FZ_OK : rc;
}

/*
 * On a first run the bundle root (extension modules, native libraries) is
 * extracted by a child process (fz_bundle_prepare) while this one unpacks
 * the runtime, and it goes on while the runtime starts CPython: the
 * runtime is told its pid (",root=PID"), waits for it just before it runs
 * the program and then checks the root as on any run (fz_bundle_settle).
 * A process, not a thread, because it must outlive the exec; our child,
 * so after the exec the runtime's, which reaps it: the program never sees
 * it. It keeps no descriptor (a pipe on our stdout must not wait for it).
 * When it fails the runtime finds no root and does the work itself; when
 * it cannot be made (0), so does the runtime.
 */
static pid_t
root_spawn(fz_payload *payload)
{
    pid_t pid;

    if (!fz_bundle_root_missing(payload)) {
        return 0;
    }
    pid = fork();
    if (pid == 0) {
        close_others(-1, -1);
        /* As many threads as the runtime's own extraction uses. With one,
         * a large root kept the started runtime waiting (numpy-yaml on 2
         * cores, first run - warm: 48 and 60 ms, with two 30 and 47); a
         * small one is done by the time CPython has started either way
         * (stdlib-heavy 17 and 21 ms, with two 17 and 16). */
        _exit(fz_bundle_prepare(payload, 0) == FZ_OK ? 0 : 1);
    }
    return pid > 0 ? pid : 0;
}

/* Reap the extractor when no runtime will. */
static void
root_reap(pid_t pid)
{
    while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
}

/* An O_CLOEXEC fd on <cache>/freeze, or -1 (no usable cache). */
static int
open_freeze_dir(void)
{
    char *cache = NULL;
    int base = -1, freeze = -1;

    if (fz_platform_cache_dir(&cache) == FZ_OK &&
        fz_platform_base_dir_open(&base, cache, 1) == FZ_OK) {
        if (fz_platform_secure_dir_open(&freeze, base, "freeze", 1) < 0) {
            freeze = -1;
        }
    }
    if (base >= 0) {
        close(base);
    }
    free(cache);
    fz_error_clear();
    return freeze;
}

/*
 * A memfd holding the runtime entry `e` in *out, or -1 when memfds cannot
 * be made or filled (FZ_OK). MFD_EXEC says we mean to run it (kernels
 * since 6.3 warn otherwise); older kernels refuse the flag.
 */
static int
memfd_runtime(int *out, exe_file *self)
{
    int fd = memfd_create("fz-runtime", MFD_CLOEXEC | MFD_EXEC);
    int rc = FZ_OK;

    if (fd < 0 && errno == EINVAL) {
        fd = memfd_create("fz-runtime", MFD_CLOEXEC);
    }
    if (fd >= 0 && (rc = unpack(fd, self)) < 0) {
        close(fd);
        fd = -1;
    }
    *out = fd;
    return rc == FZ_EIO ? FZ_OK : rc;
}

/*
 * exec the runtime (fexecve of `runtime`, or execve of `path` when not
 * NULL) with "--fz-payload-fd=<self>[,temp-exe][,root=<root>][,name=..]"
 * after argv[0]: the name this process has, which the exec replaces with
 * the runtime file's (ps and pgrep would show "runtime-<hash>", not the
 * app). Returns only on failure, with errno set.
 */
static void
exec_runtime(int runtime, const char *path, int self, pid_t root, int argc,
             char **argv)
{
    char arg[FZ_LAUNCH_ARG_MAX];
    fz_launch l = {self, path != NULL, root, ""};
    char **nargv;
    int err;

    fz_platform_process_name(l.name);
    fz_launch_arg(arg, &l);
    nargv = fz_launch_argv(argc > 0 ? argv[0] : "fz-launcher", argc, argv, arg);
    if (!nargv) {
        errno = ENOMEM;
        return;
    }
    if (path) {
        execve(path, nargv, environ);
    } else {
        fexecve(runtime, nargv, environ);
    }
    err = errno;
    free(nargv);
    errno = err;
}

/* $TMPDIR when it is an absolute path, else /tmp. */
static const char *
temp_base(void)
{
    const char *t = getenv("TMPDIR");

    return t && t[0] == '/' ? t : "/tmp";
}

/*
 * The kernel forbids executable memfds (vm.memfd_noexec=2, an LSM): write
 * the runtime into a new private directory (mkdtemp: 0700) as a new file
 * (O_EXCL|O_NOFOLLOW, 0700) and exec it by path. The runtime, told so by
 * ",temp-exe", removes both as it starts; they are removed here when the
 * exec fails. Returns only on failure: FZ_EIO with errno set, or
 * unpack's error for a damaged entry.
 */
static int
exec_temp_runtime(exe_file *self, int argc, char **argv)
{
    const char *base = temp_base();
    size_t n = strlen(base);
    char *dir = malloc(n + sizeof("/" TEMP_DIR_TEMPLATE));
    char *file = malloc(n + sizeof("/" TEMP_DIR_TEMPLATE "/" TEMP_EXE_NAME));
    int dfd = -1, fd = -1, err = 0, rc = FZ_EIO;

    if (!dir || !file) {
        err = ENOMEM;
        goto done;
    }
    memcpy(dir, base, n);
    memcpy(dir + n, "/" TEMP_DIR_TEMPLATE, sizeof("/" TEMP_DIR_TEMPLATE));
    if (!mkdtemp(dir)) {
        err = errno;
        dir[0] = '\0';
        goto done;
    }
    sprintf(file, "%s/" TEMP_EXE_NAME, dir);
    errno = 0;
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd >= 0) {
        fd = openat(dfd, TEMP_EXE_NAME,
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0700);
    }
    if (fd < 0) {
        err = errno ? errno : EIO;
        goto done;
    }
    rc = unpack(fd, self);
    if (rc < 0 || fchmod(fd, 0700) < 0) {
        err = errno ? errno : EIO;
        rc = rc < 0 ? rc : FZ_EIO;
        goto done;
    }
    rc = FZ_EIO;
    /* Closed before the exec: a file open for writing cannot run. */
    if (close(fd) < 0) {
        fd = -1;
        err = errno;
        goto done;
    }
    fd = -1;
    exec_runtime(-1, file, self->fd, self->root, argc, argv);
    err = errno;
done:
    if (fd >= 0) {
        close(fd);
    }
    if (dfd >= 0) {
        unlinkat(dfd, TEMP_EXE_NAME, 0);
        close(dfd);
    }
    if (dir && dir[0] != '\0') {
        rmdir(dir);
    }
    free(file);
    free(dir);
    errno = err;
    return rc;
}

/* The one line that says why the runtime could not start. */
static void
report_no_start(const char *argv0, int err)
{
    const char *base = temp_base();
    struct statvfs vfs;

    if (err == EACCES && statvfs(base, &vfs) == 0 && (vfs.f_flag & ST_NOEXEC)) {
        fprintf(stderr,
                "%s: cannot start the runtime: no usable cache, the kernel "
                "forbids executable memory files and %s is mounted noexec "
                "(set TMPDIR to a directory where programs may run)\n",
                argv0, base);
        return;
    }
    fprintf(stderr,
            "%s: cannot start the runtime from the cache, from memory or "
            "from %s (%s)\n",
            argv0, base, strerror(err));
}

int
main(int argc, char **argv)
{
    const char *argv0 = argc > 0 && argv[0] ? argv[0] : "fz-launcher";
    exe_file self;
    struct stat st;
    uint64_t offset = 0, size = 0;
    char name[32];
    int freeze = -1, runtime = -1;
    int rc;

    memset(&self, 0, sizeof(self));
    /* Inherited by the runtime (no O_CLOEXEC): it reads the payload. */
    self.fd = open("/proc/self/exe", O_RDONLY);
    if (self.fd < 0 || fstat(self.fd, &st) < 0) {
        fprintf(stderr, "%s: cannot open this executable (%s)\n", argv0,
                strerror(errno));
        return 1;
    }
    rc = fz_elf_find_section(self.fd, (uint64_t)st.st_size, FZ_PAYLOAD_SECTION,
                             &offset, &size);
    if (rc == FZ_ENOTFOUND) {
        fprintf(stderr,
                "%s: this is the freeze launcher stub; it holds no "
                "program\n",
                argv0);
        return 1;
    }
    /* A running executable cannot be written to (ETXTBSY), so the
     * mapping cannot change under us. */
    rc = rc < 0 ? rc : fz_platform_map(&self.map, self.fd, offset, size);
    rc = rc < 0
             ? rc
             : fz_payload_open(&self.view, self.map.data, self.map.size, 0, 0);
    if (rc == FZ_OK) {
        rc = fz_payload_find(self.view, RUNTIME_ENTRY, strlen(RUNTIME_ENTRY),
                             &self.runtime);
        if (rc == FZ_ENOTFOUND) {
            rc = fz_error_set(FZ_EFORMAT, "no %s entry", RUNTIME_ENTRY);
        }
    }
    if (rc < 0) {
        fprintf(stderr, "%s: this executable is damaged (%s)\n", argv0,
                fz_error_message());
        goto done;
    }
    snprintf(name, sizeof(name), "runtime-%016" PRIx64, self.runtime.hash);
    freeze = open_freeze_dir();
    if (freeze >= 0) {
        runtime = open_cached(freeze, name, self.runtime.raw_size);
        if (runtime >= 0) {
            exec_runtime(runtime, NULL, self.fd, 0, argc, argv);
            close(runtime); /* e.g. noexec: unpack it again below */
            runtime = -1;
        }
        self.root = root_spawn(self.view);
        rc = publish(&runtime, freeze, name, &self);
        if (runtime >= 0) {
            exec_runtime(runtime, NULL, self.fd, self.root, argc, argv);
            close(runtime);
        }
    }
    /* No usable cache (read-only, full, noexec): run it from memory. */
    rc = rc < 0 ? rc : memfd_runtime(&runtime, &self);
    if (rc == FZ_OK && runtime >= 0) {
        exec_runtime(runtime, NULL, self.fd, self.root, argc, argv);
        close(runtime);
    }
    /* No executable memfds either: a private temporary file. */
    rc = rc < 0 ? rc : exec_temp_runtime(&self, argc, argv);
    if (rc == FZ_EIO) {
        report_no_start(argv0, errno);
    } else if (rc == FZ_ENOMEM) {
        fprintf(stderr, "%s: cannot start the runtime (%s)\n", argv0,
                fz_error_message());
    } else {
        fprintf(stderr, "%s: this executable is damaged (%s)\n", argv0,
                fz_error_message());
    }
done:
    root_reap(self.root);
    fz_platform_scratch_free(&self.image);
    fz_payload_free(self.view);
    fz_platform_unmap(&self.map);
    if (freeze >= 0) {
        close(freeze);
    }
    close(self.fd);
    return 1;
}
