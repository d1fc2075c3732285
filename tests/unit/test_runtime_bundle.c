/*
 * test_runtime_bundle.c - the bundle root: nothing on disk for pure Python,
 * extraction into the cache, warm reuse, and the fallbacks.
 */
#include "bundle.h"
#include "fz_error.h"
#include "fz_payload.h"
#include "fz_platform.h"

#include <criterion/criterion.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PY311 ((3u << 24) | (11u << 16))
#define MAGIC311 (3495u | (0x0a0du << 16))

static char work[64];
static void *bytes;
static size_t bytes_size;
static fz_payload *payload;

static void
setup(void)
{
    char path[128];

    strcpy(work, "/tmp/fz-bundle-XXXXXX");
    cr_assert_not_null(mkdtemp(work));
    snprintf(path, sizeof(path), "%s/cache", work);
    setenv("XDG_CACHE_HOME", path, 1);
    snprintf(path, sizeof(path), "%s/tmp", work);
    cr_assert_eq(mkdir(path, 0700), 0);
    setenv("TMPDIR", path, 1);
}

static void
teardown(void)
{
    fz_payload_free(payload);
    free(bytes);
    payload = NULL;
    bytes = NULL;
    fz_platform_remove_path(work);
}

TestSuite(bundle, .init = setup, .fini = teardown);

/* A payload with app.pyc and, when `data`, a data file and an extension. */
static void
build(int data)
{
    fz_payload_writer_options o = {.python_version = PY311,
                                   .bytecode_magic = MAGIC311,
                                   .level = 1};
    fz_payload_writer *w = NULL;

    cr_assert_eq(fz_payload_writer_new(&w, &o), FZ_OK);
    cr_assert_eq(fz_payload_writer_add(w, "app.pyc", FZ_ENTRY_MODULE, 0, 0644,
                                       "code", 4),
                 FZ_OK);
    if (data) {
        cr_assert_eq(fz_payload_writer_add(w, "pkg/data/t.txt", FZ_ENTRY_DATA,
                                           0, 0644, "table", 5),
                     FZ_OK);
        cr_assert_eq(fz_payload_writer_add(w, "_x.abi3.so", FZ_ENTRY_EXTENSION,
                                           0, 0755,
                                           "\x7f"
                                           "ELF",
                                           4),
                     FZ_OK);
    }
    cr_assert_eq(fz_payload_writer_set_main(w, "app.pyc"), FZ_OK);
    cr_assert_eq(fz_payload_writer_finish(w, &bytes, &bytes_size), FZ_OK);
    fz_payload_writer_free(w);
    cr_assert_eq(fz_payload_open(&payload, bytes, bytes_size, PY311, MAGIC311),
                 FZ_OK, "%s", fz_error_message());
}

/* The expected cache root. */
static void
cache_root(char *out, size_t cap)
{
    snprintf(out, cap, "%s/cache/freeze/app-%016llx", work,
             (unsigned long long)fz_payload_content_hash(payload));
}

/* Contents of root/rel, or "" when missing. */
static const char *
slurp(const char *root, const char *rel)
{
    static char buf[64];
    char path[512];
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    fd = open(path, O_RDONLY);
    if (fd < 0) {
        return "";
    }
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

Test(bundle, pure_python_touches_nothing)
{
    fz_bundle *b = NULL;
    char *warning = NULL;
    char expect[512];
    struct stat st;

    build(0);
    cr_assert_eq(fz_bundle_open(&b, &warning, payload), FZ_OK);
    cache_root(expect, sizeof(expect));
    cr_assert_str_eq(b->root, expect);
    cr_assert_eq(b->root_size, strlen(expect));
    cr_assert_not(b->on_disk);
    cr_assert_null(warning);
    snprintf(expect, sizeof(expect), "%s/cache", work);
    cr_assert_neq(lstat(expect, &st), 0, "the cache was created");
    fz_bundle_free(b);
}

Test(bundle, extracts_once_then_reuses)
{
    fz_bundle *b = NULL;
    char *warning = NULL;
    char expect[512], marker[600];
    struct stat st;
    int fd;

    build(1);
    cr_assert_eq(fz_bundle_open(&b, &warning, payload), FZ_OK, "%s",
                 fz_error_message());
    cache_root(expect, sizeof(expect));
    cr_assert_str_eq(b->root, expect);
    cr_assert(b->on_disk);
    cr_assert_not(b->is_private);
    cr_assert_null(warning);
    cr_assert_str_eq(slurp(b->root, "pkg/data/t.txt"), "table");
    cr_assert_str_eq(slurp(b->root, "_x.abi3.so"), "\x7f"
                                                   "ELF");
    cr_assert_eq(lstat(b->root, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0700);
    /* Code is never extracted. */
    cr_assert_str_eq(slurp(b->root, "app.pyc"), "");
    fz_bundle_free(b);

    /* Warm: the existing root is used as it is. */
    snprintf(marker, sizeof(marker), "%s/marker", expect);
    fd = open(marker, O_WRONLY | O_CREAT, 0600);
    close(fd);
    cr_assert_eq(fz_bundle_open(&b, &warning, payload), FZ_OK);
    cr_assert_str_eq(b->root, expect);
    cr_assert_eq(lstat(marker, &st), 0);
    fz_bundle_free(b);
}

Test(bundle, a_planted_symlink_warns_and_falls_back)
{
    fz_bundle *b = NULL;
    char *warning = NULL;
    char root[512], path[512];
    struct stat st;

    build(1);
    cache_root(root, sizeof(root));
    snprintf(path, sizeof(path), "%s/cache", work);
    cr_assert_eq(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/cache/freeze", work);
    cr_assert_eq(mkdir(path, 0700), 0);
    cr_assert_eq(symlink(work, root), 0);

    cr_assert_eq(fz_bundle_open(&b, &warning, payload), FZ_OK);
    cr_assert_not_null(warning);
    cr_assert(strstr(warning, "not using the cache"), "%s", warning);
    cr_assert(b->is_private);
    snprintf(path, sizeof(path), "%s/tmp/freeze-", work);
    cr_assert_eq(strncmp(b->root, path, strlen(path)), 0, "%s", b->root);
    cr_assert_str_eq(slurp(b->root, "pkg/data/t.txt"), "table");
    snprintf(path, sizeof(path), "%s", b->root);
    fz_bundle_remove(b);
    cr_assert_neq(lstat(path, &st), 0, "the private root survived");
    fz_bundle_remove(b);
    fz_bundle_free(b);
    free(warning);
}

/* Make the cache unusable: its "directory" is a regular file. */
static void
block_cache(void)
{
    char path[512];
    int fd;

    snprintf(path, sizeof(path), "%s/cache", work);
    fd = open(path, O_WRONLY | O_CREAT, 0600);
    cr_assert_geq(fd, 0);
    close(fd);
}

Test(bundle, an_unusable_cache_falls_back_quietly)
{
    fz_bundle *b = NULL;
    char *warning = NULL;

    build(1);
    block_cache();
    cr_assert_eq(fz_bundle_open(&b, &warning, payload), FZ_OK);
    cr_assert_null(warning);
    cr_assert(b->is_private);
    cr_assert_str_eq(slurp(b->root, "pkg/data/t.txt"), "table");
    fz_bundle_remove(b);
    fz_bundle_free(b);
}

Test(bundle, the_root_path_is_tidy)
{
    fz_bundle *b = NULL;
    char *warning = NULL;
    char expect[512], path[512];
    int fd;

    /* XDG_CACHE_HOME=<work>//cache/./ names <work>/cache. */
    build(1);
    snprintf(path, sizeof(path), "%s/cache", work);
    cr_assert_eq(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s//cache/./", work);
    setenv("XDG_CACHE_HOME", path, 1);
    cr_assert_eq(fz_bundle_open(&b, &warning, payload), FZ_OK);
    cache_root(expect, sizeof(expect));
    cr_assert_str_eq(b->root, expect);
    cr_assert_eq(b->root_size, strlen(expect));
    fz_bundle_free(b);

    /* The same for a private root under TMPDIR=<work>/tmp/. */
    snprintf(path, sizeof(path), "%s/cache", work);
    fz_platform_remove_path(path);
    fd = open(path, O_WRONLY | O_CREAT, 0600);
    close(fd);
    snprintf(path, sizeof(path), "%s/tmp/", work);
    setenv("TMPDIR", path, 1);
    cr_assert_eq(fz_bundle_open(&b, &warning, payload), FZ_OK);
    cr_assert(b->is_private);
    snprintf(path, sizeof(path), "%s/tmp/freeze-", work);
    cr_assert_eq(strncmp(b->root, path, strlen(path)), 0, "%s", b->root);
    cr_assert_eq(strlen(b->root), strlen(path) + 6, "%s", b->root);
    fz_bundle_remove(b);
    fz_bundle_free(b);
    free(warning);
}

Test(bundle, a_forked_child_leaves_the_private_root_to_its_creator)
{
    fz_bundle *b = NULL;
    char *warning = NULL;
    char path[512];
    struct stat st;
    pid_t pid;
    int status = -1;
    int fd;

    build(1);
    snprintf(path, sizeof(path), "%s/cache", work);
    fd = open(path, O_WRONLY | O_CREAT, 0600);
    close(fd);
    cr_assert_eq(fz_bundle_open(&b, &warning, payload), FZ_OK);
    cr_assert(b->is_private);
    /* os.fork() in the app: the child exits normally, its atexit runs. */
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        fz_bundle_remove(b);
        _exit(0);
    }
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    cr_assert_eq(lstat(b->root, &st), 0, "the child removed %s", b->root);
    cr_assert_str_eq(slurp(b->root, "pkg/data/t.txt"), "table");
    snprintf(path, sizeof(path), "%s", b->root);
    fz_bundle_remove(b);
    cr_assert_neq(lstat(path, &st), 0, "the creator did not remove it");
    fz_bundle_free(b);
    free(warning);
}

/* <work>/tmp/<name>: a directory of `mode`, with an owner file naming
 * `pid` unless it is 0. */
static void
fake_root(const char *name, mode_t mode, long pid)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/tmp/%s", work, name);
    cr_assert_eq(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/tmp/%s/lib.so", work, name);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fclose(f);
    if (pid) {
        snprintf(path, sizeof(path), "%s/tmp/%s/.freeze-owner", work, name);
        f = fopen(path, "w");
        cr_assert_not_null(f);
        fprintf(f, "%ld\n", pid);
        fclose(f);
    }
    snprintf(path, sizeof(path), "%s/tmp/%s", work, name);
    cr_assert_eq(chmod(path, mode), 0);
}

static int
exists(const char *name)
{
    char path[512];
    struct stat st;

    snprintf(path, sizeof(path), "%s/tmp/%s", work, name);
    return lstat(path, &st) == 0;
}

Test(bundle, roots_that_dead_processes_left_are_swept)
{
    fz_bundle *b = NULL;
    char *warning = NULL;
    char path[512], victim[512];
    struct stat st;
    long dead;
    pid_t pid;
    int fd, locked;

    build(1);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        _exit(0);
    }
    cr_assert_eq(waitpid(pid, NULL, 0), pid);
    dead = (long)pid;

    fake_root("freeze-dead01", 0700, dead);           /* swept */
    fake_root("freeze-alive1", 0700, (long)getpid()); /* creator alive */
    fake_root("freeze-lockd1", 0700, dead);           /* a fork holds it */
    fake_root("freeze-nomark", 0700, 0);              /* extracting, or old */
    fake_root("freeze-opened", 0755, dead);           /* not private */
    fake_root("freeze-toolong1", 0700, dead);         /* not our name */
    /* A symlink to a directory that looks stale is not followed. */
    snprintf(victim, sizeof(victim), "%s/victim", work);
    cr_assert_eq(mkdir(victim, 0700), 0);
    snprintf(path, sizeof(path), "%s/victim/.freeze-owner", work);
    fd = open(path, O_WRONLY | O_CREAT, 0600);
    cr_assert_geq(fd, 0);
    dprintf(fd, "%ld\n", dead);
    close(fd);
    snprintf(path, sizeof(path), "%s/tmp/freeze-symlnk", work);
    cr_assert_eq(symlink(victim, path), 0);
    if (geteuid() == 0) {
        fake_root("freeze-foreig", 0700, dead); /* another user's */
        snprintf(path, sizeof(path), "%s/tmp/freeze-foreig", work);
        cr_assert_eq(chown(path, 65534, 65534), 0);
    }
    snprintf(path, sizeof(path), "%s/tmp/freeze-lockd1", work);
    locked = open(path, O_RDONLY | O_DIRECTORY);
    cr_assert_eq(flock(locked, LOCK_SH), 0);

    /* The cache "directory" is a regular file: a private root. */
    snprintf(path, sizeof(path), "%s/cache", work);
    fd = open(path, O_WRONLY | O_CREAT, 0600);
    close(fd);
    cr_assert_eq(fz_bundle_open(&b, &warning, payload), FZ_OK);
    cr_assert(b->is_private);

    cr_assert_not(exists("freeze-dead01"), "a stale root was kept");
    cr_assert(exists("freeze-alive1"));
    cr_assert(exists("freeze-lockd1"));
    cr_assert(exists("freeze-nomark"));
    cr_assert(exists("freeze-opened"));
    cr_assert(exists("freeze-toolong1"));
    cr_assert(exists("freeze-symlnk"));
    snprintf(path, sizeof(path), "%s/victim/.freeze-owner", work);
    cr_assert_eq(lstat(path, &st), 0, "the symlink was followed");
    if (geteuid() == 0) {
        cr_assert(exists("freeze-foreig"));
    }
    /* The new root names its creator, and is locked while in use. */
    snprintf(path, sizeof(path), "%s/.freeze-owner", b->root);
    cr_assert_eq(lstat(path, &st), 0);
    fd = open(b->root, O_RDONLY | O_DIRECTORY);
    cr_assert_lt(flock(fd, LOCK_EX | LOCK_NB), 0);
    close(fd);
    close(locked);
    fz_bundle_remove(b);
    fz_bundle_free(b);
    free(warning);
}

Test(bundle, a_damaged_entry_is_an_error_and_leaves_nothing)
{
    fz_bundle *b = NULL;
    char *warning = NULL;
    char path[512];
    struct stat st;

    build(1);
    /* Entry data is not covered by the meta hash: flip its last byte. */
    ((unsigned char *)bytes)[bytes_size - 1] ^= 0x55;
    cr_assert_lt(fz_bundle_open(&b, &warning, payload), 0);
    cr_assert_null(b);
    snprintf(path, sizeof(path), "%s/cache/freeze", work);
    cr_assert_eq(lstat(path, &st), 0);
    /* No temp dir and no root were left behind. */
    cr_assert_eq(rmdir(path), 0, "leftovers in %s", path);
}

/* Deterministic filler: entry `i`'s byte `j`. */
static unsigned char
filler(unsigned i, size_t j)
{
    uint32_t x = (uint32_t)(j * 2654435761u) ^ (i * 40503u);

    return (unsigned char)(x >> 13);
}

/* A payload of 16 data files of 100-250 kB (2.8 MB: extracted on several
 * threads) spread over four directories that several threads create at
 * once. */
static void
build_many(void)
{
    fz_payload_writer_options o = {.python_version = PY311,
                                   .bytecode_magic = MAGIC311,
                                   .level = 1};
    fz_payload_writer *w = NULL;
    unsigned i;

    cr_assert_eq(fz_payload_writer_new(&w, &o), FZ_OK);
    cr_assert_eq(fz_payload_writer_add(w, "app.pyc", FZ_ENTRY_MODULE, 0, 0644,
                                       "code", 4),
                 FZ_OK);
    for (i = 0; i < 16; i++) {
        size_t j, n = 100000 + (size_t)i * 10000;
        unsigned char *data = malloc(n);
        char name[64];

        cr_assert_not_null(data);
        for (j = 0; j < n; j++) {
            data[j] = filler(i, j);
        }
        snprintf(name, sizeof(name), "d%u/sub/f%02u.bin", i % 4, i);
        cr_assert_eq(fz_payload_writer_add(w, name, FZ_ENTRY_DATA, 0, 0644,
                                           data, n),
                     FZ_OK);
        free(data);
    }
    cr_assert_eq(fz_payload_writer_set_main(w, "app.pyc"), FZ_OK);
    cr_assert_eq(fz_payload_writer_finish(w, &bytes, &bytes_size), FZ_OK);
    fz_payload_writer_free(w);
    cr_assert_eq(fz_payload_open(&payload, bytes, bytes_size, PY311, MAGIC311),
                 FZ_OK, "%s", fz_error_message());
}

Test(bundle, extraction_on_several_threads_writes_every_file)
{
    fz_bundle *b = NULL;
    char *warning = NULL;
    unsigned i;

    build_many();
    cr_assert_eq(fz_bundle_open(&b, &warning, payload), FZ_OK, "%s",
                 fz_error_message());
    cr_assert_not(b->is_private);
    for (i = 0; i < 16; i++) {
        size_t j, n = 100000 + (size_t)i * 10000;
        char path[600];
        unsigned char *got = malloc(n + 1);
        ssize_t r;
        int fd;

        snprintf(path, sizeof(path), "%s/d%u/sub/f%02u.bin", b->root, i % 4, i);
        fd = open(path, O_RDONLY);
        cr_assert_geq(fd, 0, "%s is missing", path);
        r = read(fd, got, n + 1);
        close(fd);
        cr_assert_eq(r, (ssize_t)n, "%s: %zd bytes, want %zu", path, r, n);
        for (j = 0; j < n; j++) {
            cr_assert_eq(got[j], filler(i, j), "%s: byte %zu", path, j);
        }
        free(got);
    }
    fz_bundle_free(b);
}

/*
 * A directory of the published root replaced by a symlink, even to a
 * faithful copy, is noticed at the next start wherever it is (directories
 * are checked once, with the first entry below them) and the root is
 * restored.
 */
Test(bundle, a_symlinked_directory_anywhere_in_the_root_is_restored)
{
    static const char *const dirs[] = {"d0", "d0/sub", "d2/sub", "d3",
                                       "d3/sub"};
    fz_bundle *b = NULL;
    char *warning = NULL;
    char root[512], path[600], real[620];
    struct stat st;

    build_many();
    cr_assert_eq(fz_bundle_open(&b, &warning, payload), FZ_OK, "%s",
                 fz_error_message());
    cr_assert_str_eq(b->root, (cache_root(root, sizeof(root)), root));
    fz_bundle_free(b);
    cr_assert_eq(fz_bundle_open(&b, &warning, payload), FZ_OK);
    cr_assert_null(warning, "an intact root: %s", warning);
    fz_bundle_free(b);
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
        snprintf(real, sizeof(real), "%s.real", path);
        cr_assert_eq(rename(path, real), 0, "%s", path);
        cr_assert_eq(symlink(real, path), 0);
        cr_assert_eq(fz_bundle_open(&b, &warning, payload), FZ_OK, "%s",
                     fz_error_message());
        cr_assert_not_null(warning, "%s as a symlink was not noticed", dirs[i]);
        cr_assert(strstr(warning, "restored") != NULL, "%s", warning);
        free(warning);
        warning = NULL;
        cr_assert_eq(lstat(path, &st), 0);
        cr_assert(S_ISDIR(st.st_mode), "%s is still a symlink", dirs[i]);
        fz_bundle_free(b);
        cr_assert_eq(fz_platform_remove_path(real), FZ_OK);
    }
}

Test(bundle, a_damaged_entry_among_many_is_named_and_leaves_nothing)
{
    fz_bundle *b = NULL;
    char *warning = NULL;
    char path[512];
    struct stat st;
    fz_entry e;

    build_many();
    cr_assert_eq(fz_payload_find(payload, "d1/sub/f09.bin", 14, &e), FZ_OK);
    ((unsigned char *)bytes)[e.offset + e.stored_size / 2] ^= 0x55;
    cr_assert_lt(fz_bundle_open(&b, &warning, payload), 0);
    cr_assert_null(b);
    cr_assert(strstr(fz_error_message(), "d1/sub/f09.bin") != NULL, "%s",
              fz_error_message());
    snprintf(path, sizeof(path), "%s/cache/freeze", work);
    cr_assert_eq(lstat(path, &st), 0);
    cr_assert_eq(rmdir(path), 0, "leftovers in %s", path);
}

/* A child that runs fz_bundle_prepare, as the launcher's extractor does. */
static pid_t
spawn_prepare(size_t threads)
{
    pid_t pid = fork();

    cr_assert_geq(pid, 0);
    if (pid == 0) {
        _exit(fz_bundle_prepare(payload, threads) == FZ_OK ? 0 : 1);
    }
    return pid;
}

Test(bundle, a_pending_root_settles_into_the_cache_root)
{
    fz_bundle *b = NULL;
    char *warning = NULL;
    char expect[512];
    int status;

    build_many();
    cr_assert(fz_bundle_root_missing(payload));
    cr_assert_eq(fz_bundle_open_pending(&b, payload, spawn_prepare(1)), FZ_OK,
                 "%s", fz_error_message());
    cache_root(expect, sizeof(expect));
    cr_assert_str_eq(b->root, expect, "the path is decided at once");
    cr_assert(b->on_disk);
    cr_assert_gt(b->pending, 0);
    cr_assert_eq(fz_bundle_settle(b, &warning, payload), FZ_OK, "%s",
                 fz_error_message());
    cr_assert_null(warning);
    cr_assert_eq(b->pending, 0);
    cr_assert_not(b->is_private);
    cr_assert_str_eq(b->root, expect);
    cr_assert_not(fz_bundle_root_missing(payload));
    cr_assert_eq(waitpid(-1, &status, WNOHANG), -1, "the child was reaped");
    cr_assert_eq(fz_bundle_settle(b, &warning, payload), FZ_OK, "twice");
    fz_bundle_free(b);
}

Test(bundle, a_failed_extractor_leaves_the_work_to_settle)
{
    fz_bundle *b = NULL;
    char *warning = NULL;
    pid_t pid;

    build(1);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        _exit(1); /* made nothing */
    }
    cr_assert_eq(fz_bundle_open_pending(&b, payload, pid), FZ_OK);
    cr_assert_eq(fz_bundle_settle(b, &warning, payload), FZ_OK, "%s",
                 fz_error_message());
    cr_assert_not(b->is_private);
    cr_assert_str_eq(slurp(b->root, "pkg/data/t.txt"), "table");
    fz_bundle_free(b);
}

Test(bundle, a_root_that_must_move_is_reported_not_used)
{
    fz_bundle *b = NULL;
    char *warning = NULL;
    char path[512];

    build(1);
    /* The cache is unusable (the extractor fails): the files can only go
     * to a private root, at another path than the pending one. */
    block_cache();
    cr_assert_eq(fz_bundle_open_pending(&b, payload, spawn_prepare(0)), FZ_OK);
    cr_assert_eq(fz_bundle_settle(b, &warning, payload), FZ_BUNDLE_MOVED);
    cr_assert(strstr(fz_error_message(), "moved") != NULL, "%s",
              fz_error_message());
    cr_assert_not(b->is_private);
    free(warning);
    fz_bundle_free(b);
    snprintf(path, sizeof(path), "%s/tmp", work);
    cr_assert_eq(rmdir(path), 0, "the private root was left in %s", path);
}

Test(bundle, no_pending_root_without_a_cache_root)
{
    fz_bundle *b = (fz_bundle *)1;
    pid_t pid;

    build(0);
    cr_assert_not(fz_bundle_root_missing(payload), "pure Python");
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        _exit(0);
    }
    cr_assert_eq(fz_bundle_open_pending(&b, payload, pid), FZ_EINVAL);
    cr_assert_null(b);
    cr_assert_eq(waitpid(pid, NULL, WNOHANG), -1, "the child was reaped");
}
