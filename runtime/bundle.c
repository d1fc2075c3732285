/*
 * bundle.c - choose and populate the bundle root (bundle.h): the per-user
 * content-addressed cache, else a private temp dir removed at exit.
 */
#include "bundle.h"

#include "fz_error.h"
#include "fz_platform.h"
#include "onedir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Longest <app> part of a root name; keeps it under NAME_MAX. */
#define APP_NAME_MAX 64

/* Extraction runs on this many threads at most, and on one below this many
 * bytes (a thread costs more than it saves on small files). */
#define EXTRACT_THREADS_MAX 4
#define EXTRACT_PARALLEL_MIN ((uint64_t)1 << 20)

/* The compressed runtime of a --compress-runtime app: the launcher's. */
#define RUNTIME_ENTRY ".freeze/runtime"

/* Is `e` a file of the bundle root (never the compressed runtime)? */
static int
on_disk_kind(const fz_entry *e)
{
    if (e->name_size == sizeof(RUNTIME_ENTRY) - 1 &&
        memcmp(e->name, RUNTIME_ENTRY, e->name_size) == 0) {
        return 0;
    }
    return e->kind == FZ_ENTRY_EXTENSION || e->kind == FZ_ENTRY_NATIVE_LIB ||
           e->kind == FZ_ENTRY_DATA || e->kind == FZ_ENTRY_METADATA;
}

int
fz_bundle_needs_disk(const fz_payload *p)
{
    uint64_t i, n = fz_payload_entry_count(p);
    fz_entry e;

    for (i = 0; i < n; i++) {
        fz_payload_entry_at(p, i, &e);
        if (on_disk_kind(&e)) {
            return 1;
        }
    }
    return 0;
}

/* "<app>-<hash>" in a new string: <app> is the main entry minus ".pyc". */
static char *
root_name(const fz_payload *p)
{
    fz_entry e;
    const char *app = "app";
    size_t n = 3;
    char *s;

    if (fz_payload_main(p, &e) == FZ_OK) {
        const char *slash = memrchr(e.name, '/', e.name_size);

        app = slash ? slash + 1 : e.name;
        n = e.name_size - (size_t)(app - e.name);
        if (n > 4 && memcmp(app + n - 4, ".pyc", 4) == 0) {
            n -= 4;
        }
    }
    if (n > APP_NAME_MAX) {
        n = APP_NAME_MAX;
    }
    s = malloc(n + 18);
    if (s) {
        memcpy(s, app, n);
        snprintf(s + n, 18, "-%016" PRIx64, fz_payload_content_hash(p));
    }
    return s;
}

/* Extract entry `e` of `p` below the directory `dirfd`, decoding it in
 * `buf`; `name` has room for FZ_PAYLOAD_NAME_MAX + 1 bytes. */
static int
extract_one(fz_payload *p, int dirfd, const fz_entry *e, fz_scratch *buf,
            char *name)
{
    char *slash;
    int fd = -1;
    int rc;

    memcpy(name, e->name, e->name_size);
    name[e->name_size] = '\0';
    slash = strrchr(name, '/');
    rc = fz_platform_mkdirs_at(&fd, dirfd, name,
                               slash ? (size_t)(slash - name) : 0);
    if (rc < 0) {
        return rc;
    }
    rc = fz_payload_check(p, e);
    rc = rc < 0 ? rc : fz_platform_scratch_reserve(buf, (size_t)e->raw_size);
    rc = rc < 0 ? rc : fz_payload_read(p, e, buf->data, buf->cap);
    if (rc < 0) {
        fz_error_wrap(rc, "%s", name);
    } else {
        /* The owner must be able to read what it loads. */
        rc = fz_platform_write_new_at(fd, slash ? slash + 1 : name,
                                      (e->mode & 0777) | 0400, buf->data,
                                      (size_t)e->raw_size);
    }
    close(fd);
    return rc;
}

/*
 * The on-disk entries, shared by the extracting threads: each takes the
 * next index of `order` (largest entry first, so that the big libraries
 * start at once and the small ones fill in around them).
 */
typedef struct extract_job {
    fz_payload *p;
    int dirfd;
    uint32_t *order;
    size_t count;
    atomic_size_t next;
    atomic_int failed;
} extract_job;

typedef struct extract_worker {
    extract_job *job;
    fz_payload *view; /* this thread's decoder */
    pthread_t thread;
    int started;
    int rc;
    char *message; /* its error, copied out of its thread's slot */
} extract_worker;

static void *
extract_run(void *arg)
{
    extract_worker *w = arg;
    extract_job *job = w->job;
    char *name = malloc(FZ_PAYLOAD_NAME_MAX + 1);
    /* One buffer for all of this thread's entries: the first, its largest,
     * sizes it, so memory is faulted in once (see fz_scratch). */
    fz_scratch buf = {0};
    size_t i;

    w->rc = name ? FZ_OK : fz_error_set(FZ_ENOMEM, "out of memory");
    while (w->rc == FZ_OK && !atomic_load(&job->failed) &&
           (i = atomic_fetch_add(&job->next, 1)) < job->count) {
        fz_entry e;

        fz_payload_entry_at(job->p, job->order[i], &e);
        w->rc = extract_one(w->view, job->dirfd, &e, &buf, name);
    }
    fz_platform_scratch_free(&buf);
    if (w->rc < 0) {
        atomic_store(&job->failed, 1);
        w->message = strdup(fz_error_message());
    }
    free(name);
    return NULL;
}

/* Larger raw size first; ties by index, for a stable order. */
static int
by_size_desc(const void *a, const void *b, void *ctx)
{
    const fz_payload *p = ctx;
    uint32_t ia = *(const uint32_t *)a, ib = *(const uint32_t *)b;
    fz_entry ea, eb;

    fz_payload_entry_at(p, ia, &ea);
    fz_payload_entry_at(p, ib, &eb);
    if (ea.raw_size != eb.raw_size) {
        return ea.raw_size > eb.raw_size ? -1 : 1;
    }
    return ia < ib ? -1 : 1;
}

/* How many threads extract `bytes` in `count` files, at most `max` (0:
 * as many as there are cores). */
static size_t
extract_threads(uint64_t bytes, size_t count, size_t max)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = cpus > 0 ? (size_t)cpus : 1;

    if (bytes < EXTRACT_PARALLEL_MIN) {
        return 1;
    }
    n = max > 0 && max < n ? max : n;
    n = n < EXTRACT_THREADS_MAX ? n : EXTRACT_THREADS_MAX;
    return n < count ? n : (count ? count : 1);
}

/*
 * Extract every on-disk entry of `p` below the directory `dirfd`. On a
 * first run this is most of the wait (libcrypto alone is 4.7 MB to
 * decompress), so it is spread over the cores: this thread and up to
 * EXTRACT_THREADS_MAX - 1 more (fewer when `threads` says so, 0: no
 * limit), each with its own decoder. Threads that cannot be started leave
 * their share to the others.
 */
static int
extract_all(fz_payload *p, int dirfd, size_t threads)
{
    uint64_t i, n = fz_payload_entry_count(p), bytes = 0;
    extract_worker workers[EXTRACT_THREADS_MAX];
    extract_job job;
    size_t k, nthreads;
    int rc = FZ_OK;

    memset(&job, 0, sizeof(job));
    memset(workers, 0, sizeof(workers));
    job.p = p;
    job.dirfd = dirfd;
    atomic_init(&job.next, 0);
    atomic_init(&job.failed, 0);
    job.order = malloc((n ? (size_t)n : 1) * sizeof(*job.order));
    if (!job.order) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    for (i = 0; i < n; i++) {
        fz_entry e;

        fz_payload_entry_at(p, i, &e);
        if (on_disk_kind(&e)) {
            job.order[job.count++] = (uint32_t)i;
            bytes += e.raw_size;
        }
    }
    qsort_r(job.order, job.count, sizeof(*job.order), by_size_desc, p);
    nthreads = extract_threads(bytes, job.count, threads);
    for (k = 0; k < nthreads; k++) {
        workers[k].job = &job;
        if (k == 0) {
            workers[k].view = p;
            continue;
        }
        if (fz_payload_share(&workers[k].view, p) < 0) {
            break;
        }
        workers[k].started = pthread_create(&workers[k].thread, NULL,
                                            extract_run, &workers[k]) == 0;
        if (!workers[k].started) {
            break;
        }
    }
    fz_error_clear();
    extract_run(&workers[0]);
    for (k = 0; k < nthreads; k++) {
        if (workers[k].started) {
            pthread_join(workers[k].thread, NULL);
        }
        if (rc == FZ_OK && workers[k].rc < 0) {
            rc = workers[k].rc;
            fz_error_set(rc, "%s",
                         workers[k].message ? workers[k].message
                                            : "out of memory");
        }
        if (k > 0) {
            fz_payload_free(workers[k].view);
        }
        free(workers[k].message);
    }
    free(job.order);
    return rc;
}

/* "<a>/<b>" in a new string. */
static char *
join(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *s = malloc(na + nb + 2);

    if (s) {
        memcpy(s, a, na);
        s[na] = '/';
        memcpy(s + na + 1, b, nb + 1);
    }
    return s;
}

/*
 * Is every on-disk entry of `p` a regular file of the right size under the
 * published `root`, reached without a symlink? A file deleted, truncated or
 * replaced by a link since publication makes it damaged; *bad then receives
 * the first such entry's name (malloc'd). Content is not hashed: the root
 * is private to this user, so only the user could have changed it. Each
 * directory is checked once, with the first of its entries: names are
 * sorted, so the entries below a directory come one after another
 * (plot example: 537 fstatat per warm start, not 1,647).
 */
static int
root_intact(fz_payload *p, const char *root, char **bad)
{
    uint64_t i, n = fz_payload_entry_count(p);
    size_t checked = 0; /* name[0, checked): directories checked */
    char *name = NULL;
    int dirfd, ok = 1;

    *bad = NULL;
    dirfd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dirfd < 0) {
        *bad = strdup(".");
        return 0;
    }
    name = malloc(FZ_PAYLOAD_NAME_MAX + 1);
    for (i = 0; name && i < n && ok; i++) {
        size_t same = 0, j;
        const char *last;
        fz_entry e;

        fz_payload_entry_at(p, i, &e);
        if (!on_disk_kind(&e)) {
            continue;
        }
        /* The directories the last name checked that this one shares. */
        for (j = 0; j < checked && j < e.name_size && e.name[j] == name[j];
             j++) {
            if (name[j] == '/') {
                same = j + 1;
            }
        }
        memcpy(name, e.name, e.name_size);
        name[e.name_size] = '\0';
        ok = fz_platform_file_check_at(dirfd, name, same, e.raw_size);
        if (!ok) {
            *bad = strdup(name);
        }
        last = strrchr(name, '/');
        checked = last ? (size_t)(last - name) + 1 : 0;
    }
    free(name);
    close(dirfd);
    return ok;
}

/*
 * Make <cache>/freeze/<name> exist with every on-disk entry: FZ_OK, or
 * FZ_PLATFORM_EUNSAFE (hostile location) / another error to fall back.
 * With `replace`, a damaged published root is swapped atomically for a
 * fresh copy (runs still using the old one keep their open files).
 * `threads` as for extract_all.
 */
static int
populate_cache(fz_payload *p, const char *cache, const char *name,
               const char *root, int replace, size_t threads)
{
    int base = -1, freeze = -1, tmp = -1;
    char *tmp_name = NULL;
    int rc;

    rc = fz_platform_base_dir_open(&base, cache, 1);
    if (rc < 0) {
        goto done;
    }
    rc = fz_platform_secure_dir_open(&freeze, base, "freeze", 1);
    if (rc < 0) {
        fz_error_wrap(rc, "%s", cache);
        goto done;
    }
    rc = fz_platform_private_dir_at(&tmp_name, &tmp, freeze, ".tmp-");
    if (rc < 0) {
        goto done;
    }
    rc = extract_all(p, tmp, threads);
    if (rc < 0) {
        goto done;
    }
    if (replace) {
        /* tmp_name holds the damaged copy afterwards; done: removes it. */
        rc = fz_platform_exchange_dir(freeze, tmp_name, name);
        goto done;
    }
    rc = fz_platform_rename_dir(freeze, tmp_name, name);
    if (rc < 0) {
        goto done;
    }
    if (rc == 1) {
        /* Another process published the same content first: use it. */
        fz_platform_remove_tree(freeze, tmp_name);
        rc = fz_platform_private_dir_check(root);
        rc = rc == 1 ? FZ_OK
                     : fz_error_set(FZ_PLATFORM_EUNSAFE,
                                    "%s is not a private directory", root);
    }
    free(tmp_name);
    tmp_name = NULL;
done:
    if (tmp_name) {
        fz_platform_remove_tree(freeze, tmp_name);
        free(tmp_name);
    }
    if (tmp >= 0) {
        close(tmp);
    }
    if (freeze >= 0) {
        close(freeze);
    }
    if (base >= 0) {
        close(base);
    }
    return rc;
}

/*
 * Drop what never changes a path's meaning: repeated '/', "." segments
 * and a trailing '/' ($XDG_CACHE_HOME=~/.cache/, TMPDIR=/tmp/), in place.
 * ".." stays: through a symlink it is not lexical. multiprocessing hands a
 * child normpath(__main__.__file__); with a tidy root it names the same
 * directory as sys.path[0] and sys._MEIPASS.
 */
static void
tidy_path(char *s)
{
    char *out = s;
    const char *in = s;

    while (*in) {
        if (in[0] == '/' && (in[1] == '/' || in[1] == '\0')) {
            in++;
        } else if (in[0] == '/' && in[1] == '.' &&
                   (in[2] == '/' || in[2] == '\0')) {
            in += 2;
        } else {
            *out++ = *in++;
        }
    }
    if (out == s && *s == '/') {
        out++; /* "/" itself */
    }
    *out = '\0';
}

/*
 * A private root names its creator in this file, written as soon as the
 * root is flock'ed (shared: the creator and its forks, for their lifetime),
 * before anything is extracted. sweep_private removes a root only when the
 * creator is gone and nobody holds the lock: a process killed by a signal
 * (Pool.terminate sends SIGTERM to spawn workers, even to one still
 * extracting) cannot remove its own root at exit. Sweeps run when a
 * process makes a private root and when its creator removes it at exit
 * (by then a pool's terminated workers have been reaped).
 */
#define OWNER_FILE ".freeze-owner"

/* Is `name` a private root's name, "freeze-" and six letters or digits? */
static int
private_name(const char *name)
{
    size_t n = sizeof(FZ_PLATFORM_PRIVATE_PREFIX) - 1;
    size_t i;

    if (strncmp(name, FZ_PLATFORM_PRIVATE_PREFIX, n) != 0 ||
        strlen(name) != n + FZ_PLATFORM_PRIVATE_RANDOM) {
        return 0;
    }
    for (i = n; name[i]; i++) {
        char c = name[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9'))) {
            return 0;
        }
    }
    return 1;
}

/*
 * An fd on <base>/<name>, locked exclusively, when it is a private root
 * left by a dead process: a directory (not a symlink) of ours, mode 0700,
 * whose OWNER_FILE (a regular file of ours) names a pid that no longer
 * exists, and that no process holds locked. Else -1. Nothing in it is
 * trusted beyond the pid: only its owner (this user) could write there.
 */
static int
open_stale(int base, const char *name)
{
    char buf[24];
    struct stat st;
    ssize_t n;
    long pid;
    char *end;
    int dfd, ofd;

    dfd = openat(base, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) {
        return -1;
    }
    if (fstat(dfd, &st) < 0 || st.st_uid != geteuid() ||
        (st.st_mode & 07777) != 0700) {
        goto keep;
    }
    ofd =
        openat(dfd, OWNER_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (ofd < 0) {
        goto keep; /* in use, extracting, or not ours */
    }
    n = -1;
    if (fstat(ofd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
        st.st_size < (off_t)sizeof(buf)) {
        n = read(ofd, buf, sizeof(buf) - 1);
    }
    close(ofd);
    if (n <= 0) {
        goto keep;
    }
    buf[n] = '\0';
    errno = 0;
    pid = strtol(buf, &end, 10);
    if (errno || end == buf || *end != '\n' || pid <= 0 ||
        kill((pid_t)pid, 0) == 0 || errno != ESRCH ||
        flock(dfd, LOCK_EX | LOCK_NB) < 0) {
        goto keep;
    }
    return dfd;
keep:
    close(dfd);
    return -1;
}

/* Remove the private roots in `base` that dead processes left. Best
 * effort: a root that cannot be checked or removed is left alone. */
static void
sweep_private(const char *base)
{
    struct dirent *de;
    DIR *d = NULL;
    int bfd, lfd;

    bfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    lfd = bfd >= 0 ? dup(bfd) : -1;
    d = lfd >= 0 ? fdopendir(lfd) : NULL;
    if (!d) {
        if (lfd >= 0) {
            close(lfd);
        }
        goto done;
    }
    while ((de = readdir(d)) != NULL) {
        int dfd;

        if (!private_name(de->d_name)) {
            continue;
        }
        dfd = open_stale(bfd, de->d_name);
        if (dfd >= 0) {
            /* Held locked while it goes: a second sweeper skips it. */
            fz_platform_remove_tree(bfd, de->d_name);
            close(dfd);
        }
    }
    closedir(d);
done:
    if (bfd >= 0) {
        close(bfd);
    }
    fz_error_clear();
}

/* Extract into a new private temp dir and make it b's root. */
static int
populate_private(fz_bundle *b, fz_payload *p)
{
    char *dir = NULL;
    char *base = NULL;
    char pid[24];
    struct stat st;
    int fd = -1;
    int locked, rc;

    rc = fz_platform_tmp_base(&base);
    if (rc < 0) {
        goto done;
    }
    sweep_private(base);
    rc = fz_platform_private_tmpdir(&dir);
    if (rc < 0) {
        goto done;
    }
    tidy_path(dir);
    free(b->root);
    b->root = dir;
    b->root_size = strlen(dir);
    b->is_private = 1;
    b->owner = (long)getpid();
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        rc = fz_error_set(FZ_EIO, "cannot open %s: %s", dir, strerror(errno));
        goto done;
    }
    /* Locked, then marked, then filled: a process killed while it
     * extracts (Pool.terminate SIGTERMs workers that are still starting)
     * leaves a root whose owner is gone and whose lock died with it, which
     * the next sweep removes. A root without the mark (no flock here) is
     * never swept. */
    locked = flock(fd, LOCK_SH) == 0;
    snprintf(pid, sizeof(pid), "%ld\n", b->owner);
    if (locked &&
        fz_platform_write_new_at(fd, OWNER_FILE, 0600, pid, strlen(pid)) < 0) {
        fz_error_clear();
    }
    rc = extract_all(p, fd, 0);
    if (rc < 0) {
        goto done;
    }
    if (fstat(fd, &st) == 0) {
        b->lock_fd = fd;
        b->lock_dev = st.st_dev;
        b->lock_ino = st.st_ino;
        fd = -1;
    }
done:
    if (fd >= 0) {
        close(fd);
    }
    free(base);
    return rc;
}

/* A onedir app: _internal beside the executable, checked, used as is. */
static int
open_onedir(fz_bundle **out, const fz_payload *p)
{
    fz_bundle *b = calloc(1, sizeof(*b));
    char *exe = NULL;
    int rc;

    if (!b) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    b->lock_fd = -1;
    rc = fz_platform_self_exe(&exe);
    rc = rc < 0 ? rc : fz_onedir_root(&b->root, p, exe);
    if (rc < 0) {
        free(b);
        b = NULL;
    } else {
        b->root_size = strlen(b->root);
        b->on_disk = 1;
    }
    free(exe);
    *out = b;
    return rc;
}

/* Does `p` hold native code (extensions, libraries) that must be mapped? */
static int
needs_exec(const fz_payload *p)
{
    uint64_t i, n = fz_payload_entry_count(p);
    fz_entry e;

    for (i = 0; i < n; i++) {
        fz_payload_entry_at(p, i, &e);
        if (e.kind == FZ_ENTRY_EXTENSION || e.kind == FZ_ENTRY_NATIVE_LIB) {
            return 1;
        }
    }
    return 0;
}

/* Can the native code of `p` be loaded from files under `root`? */
static int
exec_allowed(const fz_payload *p, const char *root)
{
    return !needs_exec(p) || fz_platform_dir_executable(root);
}

/*
 * Use or create the content-addressed root b->root in the cache: FZ_OK when
 * it holds every on-disk entry (restored first if it was damaged, with a
 * warning), else the error that sends the caller to a private dir.
 */
static int
open_cached(fz_bundle *b, fz_payload *p, const char *cache, const char *name,
            char **warning)
{
    char *bad = NULL;
    int rc;

    /* Warm start: an lstat of the root and of each file it must hold. */
    rc = fz_platform_private_dir_check(b->root);
    if (rc == 0) {
        return populate_cache(p, cache, name, b->root, 0, 0);
    }
    if (rc != 1) {
        return rc;
    }
    if (root_intact(p, b->root, &bad)) {
        return FZ_OK;
    }
    rc = populate_cache(p, cache, name, b->root, 1, 0);
    if (rc == FZ_OK) {
        size_t n = strlen(b->root) + (bad ? strlen(bad) : 0) + 64;

        *warning = malloc(n);
        if (*warning) {
            snprintf(*warning, n, "restored %s (%s was missing or replaced)",
                     b->root, bad ? bad : "a file");
        }
    }
    free(bad);
    return rc;
}

/* "<cache>/freeze/<name>", tidied, in a new string; NULL when out of
 * memory. */
static char *
root_under(const char *cache, const char *name)
{
    char *freeze_dir = join(cache, "freeze");
    char *root = freeze_dir ? join(freeze_dir, name) : NULL;

    free(freeze_dir);
    if (root) {
        tidy_path(root);
    }
    return root;
}

/*
 * The cache root of `p` that fz_bundle_open uses: *root, with the cache
 * base and the root's name it is made of, all malloc'd. Errors:
 * FZ_ENOTFOUND (no home at all), FZ_ENOMEM; nothing is allocated then.
 */
static int
cache_root(const fz_payload *p, char **cache, char **name, char **root)
{
    int rc;

    *cache = NULL;
    *root = NULL;
    *name = root_name(p);
    rc = *name ? fz_platform_cache_dir(cache)
               : fz_error_set(FZ_ENOMEM, "out of memory");
    *root = rc == FZ_OK ? root_under(*cache, *name) : NULL;
    if (rc == FZ_OK && !*root) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
    }
    if (rc < 0) {
        free(*cache);
        free(*name);
        *cache = NULL;
        *name = NULL;
    }
    return rc;
}

/* Does `p` keep files in a cache root (not onedir, not pure Python)? */
static int
uses_cache_root(const fz_payload *p)
{
    return !(fz_payload_flags(p) & FZ_PAYLOAD_F_ONEDIR) &&
           fz_bundle_needs_disk(p);
}

int
fz_bundle_root_missing(const fz_payload *p)
{
    char *name, *cache, *root;
    int missing;

    if (!uses_cache_root(p) || cache_root(p, &cache, &name, &root) < 0) {
        fz_error_clear();
        return 0;
    }
    missing = fz_platform_private_dir_check(root) == 0;
    fz_error_clear();
    free(root);
    free(cache);
    free(name);
    return missing;
}

int
fz_bundle_prepare(fz_payload *p, size_t threads)
{
    char *name, *cache, *root;
    int rc;

    if (!uses_cache_root(p)) {
        return FZ_OK;
    }
    rc = cache_root(p, &cache, &name, &root);
    if (rc == FZ_OK && fz_platform_private_dir_check(root) == 0) {
        rc = populate_cache(p, cache, name, root, 0, threads);
    }
    free(root); /* all NULL when cache_root failed */
    free(cache);
    free(name);
    return rc;
}

/* Wait for the child `pid` to end, whatever it did; ECHILD (not our
 * child, or already reaped) ends the wait too. */
static void
reap(pid_t pid)
{
    int status;

    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

int
fz_bundle_open_pending(fz_bundle **out, fz_payload *p, pid_t pid)
{
    fz_bundle *b = NULL;
    char *name, *cache;
    int rc;

    *out = NULL;
    rc = uses_cache_root(p)
             ? FZ_OK
             : fz_error_set(FZ_EINVAL, "this app has no cache root");
    if (rc == FZ_OK && !(b = calloc(1, sizeof(*b)))) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
    }
    rc = rc < 0 ? rc : cache_root(p, &cache, &name, &b->root);
    if (rc < 0) {
        free(b);
        reap(pid);
        return rc;
    }
    free(cache);
    free(name);
    b->root_size = strlen(b->root);
    b->on_disk = 1;
    b->lock_fd = -1;
    b->pending = pid;
    *out = b;
    return FZ_OK;
}

int
fz_bundle_settle(fz_bundle *b, char **warning, fz_payload *p)
{
    fz_bundle *now = NULL;
    int rc;

    *warning = NULL;
    if (b->pending <= 0) {
        return FZ_OK;
    }
    /* Its outcome does not matter: the root is checked below either way. */
    reap(b->pending);
    b->pending = 0;
    rc = fz_bundle_open(&now, warning, p);
    if (rc < 0) {
        return rc;
    }
    if (now->is_private || strcmp(now->root, b->root) != 0) {
        fz_bundle_remove(now); /* may use the error slot */
        rc =
            fz_error_set(FZ_BUNDLE_MOVED, "the bundle root moved from %s to %s",
                         b->root, now->root);
        fz_bundle_free(now);
        return rc;
    }
    free(b->root);
    *b = *now;
    free(now);
    return FZ_OK;
}

static int remove_root(fz_bundle *b);

int
fz_bundle_open(fz_bundle **out, char **warning, fz_payload *p)
{
    fz_bundle *b = NULL;
    char *cache = NULL;
    char *name = NULL;
    int rc;

    *out = NULL;
    *warning = NULL;
    if (fz_payload_flags(p) & FZ_PAYLOAD_F_ONEDIR) {
        return open_onedir(out, p);
    }
    b = calloc(1, sizeof(*b));
    if (!b) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    b->lock_fd = -1;
    /* The path fz_bundle_open_pending also takes. */
    rc = cache_root(p, &cache, &name, &b->root);
    if (rc == FZ_ENOTFOUND) {
        /* No home at all: a name for __file__ that is never created. */
        const char *tmp = secure_getenv("TMPDIR");

        name = root_name(p);
        cache = strdup(tmp && tmp[0] == '/' ? tmp : "/tmp");
        b->root = name && cache ? root_under(cache, name) : NULL;
        rc = b->root ? FZ_OK : fz_error_set(FZ_ENOMEM, "out of memory");
    }
    if (rc < 0) {
        goto done;
    }
    b->root_size = strlen(b->root);
    rc = FZ_OK;
    if (!fz_bundle_needs_disk(p)) {
        goto done;
    }
    b->on_disk = 1;
    rc = open_cached(b, p, cache, name, warning);
    if (rc == FZ_OK && !exec_allowed(p, b->root)) {
        /* Extracted, but native code cannot be mapped from there. */
        rc = fz_error_set(FZ_EIO, "%s is on a noexec file system", b->root);
    }
    if (rc == FZ_OK || rc == FZ_EHASH || rc == FZ_EFORMAT || rc == FZ_ENOMEM) {
        goto done; /* a damaged payload is not the cache's fault */
    }
    if (rc == FZ_PLATFORM_EUNSAFE) {
        const char *msg = fz_error_message();
        size_t n = strlen(msg) + 64;

        *warning = malloc(n);
        if (*warning) {
            snprintf(*warning, n, "not using the cache (%s)", msg);
        }
    }
    rc = populate_private(b, p);
    if (rc == FZ_OK && !exec_allowed(p, b->root)) {
        rc = fz_error_set(FZ_EIO,
                          "cannot load native code: %s is on a noexec file "
                          "system and the cache is unusable",
                          b->root);
    }
done:
    if (rc < 0) {
        if (b && b->is_private) {
            remove_root(b); /* keeps the error for the caller */
        }
        fz_bundle_free(b);
        b = NULL;
    }
    *out = b;
    free(cache);
    free(name);
    return rc;
}

/* Close b's lock fd while it is still ours: the program may have closed
 * it and reused the number. */
static void
close_lock(fz_bundle *b)
{
    struct stat st;

    if (b->lock_fd >= 0 && fstat(b->lock_fd, &st) == 0 &&
        st.st_dev == b->lock_dev && st.st_ino == b->lock_ino) {
        close(b->lock_fd);
    }
    b->lock_fd = -1;
}

/* Remove b's private root if this process made it; 1 when it did. */
static int
remove_root(fz_bundle *b)
{
    int removed = 0;

    if (b && b->is_private && b->root && b->owner == (long)getpid()) {
        fz_platform_remove_path(b->root);
        b->is_private = 0;
        removed = 1;
    }
    if (b && b->owner == (long)getpid()) {
        close_lock(b); /* forks keep their copy, and the lock */
    }
    return removed;
}

void
fz_bundle_remove(fz_bundle *b)
{
    char *base = NULL;

    /* At exit a pool's terminated workers have been reaped: what they
     * left goes too. */
    if (remove_root(b) && fz_platform_tmp_base(&base) == FZ_OK) {
        sweep_private(base);
    }
    free(base);
}

void
fz_bundle_free(fz_bundle *b)
{
    if (b) {
        close_lock(b);
        free(b->root);
        free(b);
    }
}
