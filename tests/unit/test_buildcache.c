/*
 * test_buildcache.c - the build cache (buildcache.h): hits, misses,
 * damaged and truncated files ignored and rewritten, concurrent writers,
 * manifests invalidated by changed inputs, and a reused build that is
 * byte-identical to a fresh one.
 */
#define _GNU_SOURCE
#include "buildcache.h"
#include "bundle.h"
#include "fz_error.h"
#include "fz_platform.h"
#include "pyembed.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/fz-buildcache-test-XXXXXX";
static char cachedir[256];
static fz_buildcache *cache;

static void
setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
    snprintf(cachedir, sizeof(cachedir), "%s/cache", dir);
    cr_assert_eq(fz_buildcache_open(&cache, cachedir), 0, "%s",
                 fz_error_message());
}

static void
teardown(void)
{
    char cmd[300];

    fz_buildcache_free(cache);
    cache = NULL;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(buildcache, .init = setup, .fini = teardown, .timeout = 120);

static void
make_key(uint8_t *key, unsigned seed)
{
    for (size_t i = 0; i < FZ_BUILDCACHE_KEY_SIZE; i++) {
        key[i] = (uint8_t)(seed * 31 + i);
    }
}

/* The path of key's file. */
static void
key_path(char *out, size_t cap, const uint8_t *key)
{
    int n = snprintf(out, cap, "%s/", cachedir);

    for (size_t i = 0; i < FZ_BUILDCACHE_KEY_SIZE; i++) {
        n += snprintf(out + n, cap - (size_t)n, "%02x", key[i]);
    }
}

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

static int64_t
wall_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

Test(buildcache, put_then_get_hits_other_key_misses)
{
    uint8_t key[FZ_BUILDCACHE_KEY_SIZE];
    uint8_t other[FZ_BUILDCACHE_KEY_SIZE];
    fz_buf b = FZ_BUF_INIT;
    struct stat st;
    size_t hits, misses;

    make_key(key, 1);
    make_key(other, 2);
    cr_assert_eq(fz_buildcache_get(cache, key, &b), 0);
    cr_assert_eq(fz_buildcache_put(cache, key, "hello", 5), 0);
    cr_assert_eq(fz_buildcache_get(cache, key, &b), 1);
    cr_assert_eq(b.size, 5);
    cr_assert_eq(memcmp(b.data, "hello", 5), 0);
    cr_assert_eq(fz_buildcache_get(cache, other, &b), 0);
    fz_buildcache_counts(cache, &hits, &misses);
    cr_assert_eq(hits, 1);
    cr_assert_eq(misses, 2);
    /* The directory is private. */
    cr_assert_eq(stat(cachedir, &st), 0);
    cr_assert_eq(st.st_mode & 077, 0);
    fz_buf_dispose(&b);
}

Test(buildcache, damaged_file_is_ignored_and_rewritten)
{
    uint8_t key[FZ_BUILDCACHE_KEY_SIZE];
    char path[512];
    fz_buf b = FZ_BUF_INIT;
    int fd;

    make_key(key, 3);
    cr_assert_eq(fz_buildcache_put(cache, key, "content!", 8), 0);
    key_path(path, sizeof(path), key);
    /* Flip one content byte: the header's hash no longer matches. */
    fd = open(path, O_WRONLY);
    cr_assert_geq(fd, 0);
    cr_assert_eq(pwrite(fd, "X", 1, FZ_BUILDCACHE_HEADER_SIZE + 2), 1);
    close(fd);
    cr_assert_eq(fz_buildcache_get(cache, key, &b), 0);
    cr_assert_eq(fz_buildcache_put(cache, key, "content!", 8), 0);
    cr_assert_eq(fz_buildcache_get(cache, key, &b), 1);
    cr_assert_eq(memcmp(b.data, "content!", 8), 0);
    /* A file under the wrong name (another key's) is a miss too. */
    {
        uint8_t other[FZ_BUILDCACHE_KEY_SIZE];
        char opath[512];

        make_key(other, 4);
        key_path(opath, sizeof(opath), other);
        cr_assert_eq(link(path, opath), 0);
        cr_assert_eq(fz_buildcache_get(cache, other, &b), 0);
    }
    fz_buf_dispose(&b);
}

/* Files in `path`, not counting "." and "..". */
static int
count_files(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int n = 0;

    cr_assert_not_null(d, "%s", path);
    while ((e = readdir(d)) != NULL) {
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    }
    closedir(d);
    return n;
}

/* A second cache at <dir>/<name> holding `key` -> `text`, closed again:
 * what scripts/shipped-cache leaves. */
static void
make_shipped(char *path, size_t cap, const char *name, const uint8_t *key,
             const char *text)
{
    fz_buildcache *other = NULL;

    snprintf(path, cap, "%s/%s", dir, name);
    cr_assert_eq(fz_buildcache_open(&other, path), 0, "%s", fz_error_message());
    cr_assert_eq(fz_buildcache_put(other, key, text, strlen(text)), 0);
    fz_buildcache_free(other);
    cr_assert_eq(chmod(path, 0755), 0);
}

Test(buildcache, the_shipped_cache_is_read_after_the_users)
{
    uint8_t key[FZ_BUILDCACHE_KEY_SIZE], mine[FZ_BUILDCACHE_KEY_SIZE];
    char shipped[300];
    fz_buf b = FZ_BUF_INIT;
    size_t hits, misses;

    make_key(key, 40);
    make_key(mine, 41);
    make_shipped(shipped, sizeof(shipped), "shipped", key, "stdlib");
    cr_assert_eq(fz_buildcache_put(cache, mine, "mine", 4), 0);
    cr_assert_eq(fz_buildcache_get(cache, key, &b), 0, "not added yet");
    cr_assert_eq(fz_buildcache_add_shipped(cache, shipped), 0, "%s",
                 fz_error_message());
    cr_assert_eq(fz_buildcache_get(cache, key, &b), 1);
    cr_assert_eq(b.size, 6);
    cr_assert_eq(memcmp(b.data, "stdlib", 6), 0);
    cr_assert_eq(fz_buildcache_get(cache, mine, &b), 1, "the user's too");
    /* The user's copy wins; nothing is ever written to the shipped one. */
    cr_assert_eq(fz_buildcache_put(cache, key, "newer", 5), 0);
    cr_assert_eq(fz_buildcache_get(cache, key, &b), 1);
    cr_assert_eq(memcmp(b.data, "newer", 5), 0);
    cr_assert_eq(count_files(shipped), 1, "%s was written to", shipped);
    fz_buildcache_counts(cache, &hits, &misses);
    cr_assert_eq(hits, 3);
    cr_assert_eq(misses, 1);
    fz_buf_dispose(&b);
}

Test(buildcache, a_damaged_shipped_entry_is_a_miss)
{
    uint8_t key[FZ_BUILDCACHE_KEY_SIZE];
    char shipped[300], path[600];
    fz_buf b = FZ_BUF_INIT;
    int n, fd;

    make_key(key, 42);
    make_shipped(shipped, sizeof(shipped), "shipped", key, "compressed");
    n = snprintf(path, sizeof(path), "%s/", shipped);
    for (size_t i = 0; i < FZ_BUILDCACHE_KEY_SIZE; i++) {
        n += snprintf(path + n, sizeof(path) - (size_t)n, "%02x", key[i]);
    }
    fd = open(path, O_WRONLY);
    cr_assert_geq(fd, 0);
    cr_assert_eq(pwrite(fd, "X", 1, FZ_BUILDCACHE_HEADER_SIZE + 1), 1);
    close(fd);
    cr_assert_eq(fz_buildcache_add_shipped(cache, shipped), 0);
    cr_assert_eq(fz_buildcache_get(cache, key, &b), 0);
    fz_buf_dispose(&b);
}

Test(buildcache, an_unsafe_shipped_cache_is_not_used)
{
    uint8_t key[FZ_BUILDCACHE_KEY_SIZE];
    char shipped[300], link_path[300];
    fz_buf b = FZ_BUF_INIT;

    make_key(key, 43);
    make_shipped(shipped, sizeof(shipped), "shipped", key, "stdlib");
    /* Writable by others: anyone could have planted entries. */
    cr_assert_eq(chmod(shipped, 0777), 0);
    cr_assert_eq(fz_buildcache_add_shipped(cache, shipped),
                 FZ_PLATFORM_EUNSAFE);
    cr_assert_eq(chmod(shipped, 0775), 0);
    cr_assert_eq(fz_buildcache_add_shipped(cache, shipped),
                 FZ_PLATFORM_EUNSAFE);
    /* Another user's (only root can give it away). */
    cr_assert_eq(chmod(shipped, 0755), 0);
    if (geteuid() == 0) {
        cr_assert_eq(chown(shipped, 4242, 4242), 0);
        cr_assert_eq(fz_buildcache_add_shipped(cache, shipped),
                     FZ_PLATFORM_EUNSAFE);
        cr_assert_eq(chown(shipped, 0, 0), 0);
    }
    /* A symlink to it, and a path that does not exist. */
    snprintf(link_path, sizeof(link_path), "%s/link", dir);
    cr_assert_eq(symlink(shipped, link_path), 0);
    cr_assert_eq(fz_buildcache_add_shipped(cache, link_path), FZ_EIO);
    snprintf(link_path, sizeof(link_path), "%s/none", dir);
    cr_assert_eq(fz_buildcache_add_shipped(cache, link_path), FZ_ENOTFOUND);
    cr_assert_eq(fz_buildcache_get(cache, key, &b), 0);
    fz_buf_dispose(&b);
}

Test(buildcache, truncated_file_and_garbage_are_misses)
{
    uint8_t key[FZ_BUILDCACHE_KEY_SIZE];
    char path[512];
    fz_buf b = FZ_BUF_INIT;
    static const size_t cuts[] = {0, 7, FZ_BUILDCACHE_HEADER_SIZE - 1,
                                  FZ_BUILDCACHE_HEADER_SIZE,
                                  FZ_BUILDCACHE_HEADER_SIZE + 5};

    make_key(key, 5);
    key_path(path, sizeof(path), key);
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        cr_assert_eq(fz_buildcache_put(cache, key, "0123456789", 10), 0);
        cr_assert_eq(truncate(path, (off_t)cuts[i]), 0);
        cr_assert_eq(fz_buildcache_get(cache, key, &b), 0, "cut at %zu",
                     cuts[i]);
    }
    write_file(path, "FZBCACHE but not really a cache file at all");
    cr_assert_eq(fz_buildcache_get(cache, key, &b), 0);
    /* A symlink in its place is not followed. */
    cr_assert_eq(unlink(path), 0);
    cr_assert_eq(symlink("/etc/passwd", path), 0);
    cr_assert_eq(fz_buildcache_get(cache, key, &b), 0);
    cr_assert_eq(fz_buildcache_put(cache, key, "0123456789", 10), 0);
    cr_assert_eq(fz_buildcache_get(cache, key, &b), 1);
    fz_buf_dispose(&b);
}

Test(buildcache, concurrent_writers_of_one_key)
{
    uint8_t key[FZ_BUILDCACHE_KEY_SIZE];
    char data[100000];
    pid_t pids[2];
    fz_buf b = FZ_BUF_INIT;
    DIR *d;
    struct dirent *e;

    make_key(key, 6);
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (char)(i * 7);
    }
    for (int p = 0; p < 2; p++) {
        pids[p] = fork();
        cr_assert_geq(pids[p], 0);
        if (pids[p] == 0) {
            fz_buildcache *c = NULL;
            fz_buf mine = FZ_BUF_INIT;
            int bad = 0;

            if (fz_buildcache_open(&c, cachedir) < 0) {
                _exit(2);
            }
            for (int i = 0; i < 200; i++) {
                bad |= fz_buildcache_put(c, key, data, sizeof(data)) != 0;
                /* A reader never sees a partial file. */
                bad |= fz_buildcache_get(c, key, &mine) != 1 ||
                       mine.size != sizeof(data);
            }
            _exit(bad);
        }
    }
    for (int p = 0; p < 2; p++) {
        int status;

        cr_assert_eq(waitpid(pids[p], &status, 0), pids[p]);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    cr_assert_eq(fz_buildcache_get(cache, key, &b), 1);
    cr_assert_eq(b.size, sizeof(data));
    cr_assert_eq(memcmp(b.data, data, sizeof(data)), 0);
    /* No temp file is left behind. */
    d = opendir(cachedir);
    cr_assert_not_null(d);
    while ((e = readdir(d)) != NULL) {
        cr_assert_neq(strncmp(e->d_name, ".tmp-", 5), 0, "%s", e->d_name);
    }
    closedir(d);
    fz_buf_dispose(&b);
}

/* A manifest of app/ with main.py and mod.py, stored under key 7. */
static void
store_manifest(char *app, char *mod, int64_t start_ns)
{
    uint8_t key[FZ_BUILDCACHE_KEY_SIZE];
    fz_manifest *m = NULL;
    fz_manifest *back = NULL;

    sprintf(app, "%s/app", dir);
    sprintf(mod, "%s/app/mod.py", dir);
    make_key(key, 7);
    cr_assert_eq(fz_manifest_new(&m, start_ns), 0);
    cr_assert_eq(fz_manifest_add_path(m, app), 0);
    cr_assert_eq(fz_manifest_add_path(m, mod), 0);
    cr_assert_eq(fz_manifest_set(m, "payload", "abc", 3), 0);
    cr_assert_eq(fz_manifest_store(cache, key, m), 0);
    fz_manifest_free(m);
    cr_assert_eq(fz_manifest_check(&back, cache, key), 1);
    cr_assert_eq(fz_manifest_count(back), 2);
    cr_assert_eq(fz_manifest_get(back, "payload")->size, 3);
    fz_manifest_free(back);
}

static int
manifest_holds(void)
{
    uint8_t key[FZ_BUILDCACHE_KEY_SIZE];
    fz_manifest *m = NULL;
    int rc;

    make_key(key, 7);
    rc = fz_manifest_check(&m, cache, key);
    fz_manifest_free(m);
    return rc;
}

static void
make_app(void)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/app", dir);
    cr_assert_eq(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/app/mod.py", dir);
    write_file(path, "X = 1\n");
}

Test(buildcache, manifest_sees_a_new_mtime)
{
    char app[512], mod[512];
    struct timespec ts[2] = {{1000000, 0}, {1000000, 0}};

    make_app();
    store_manifest(app, mod, wall_ns() + 10 * 1000000000LL);
    ts[1].tv_sec = 2000000; /* same bytes, another time */
    cr_assert_eq(utimensat(AT_FDCWD, mod, ts, 0), 0);
    cr_assert_eq(manifest_holds(), 0);
}

Test(buildcache, manifest_sees_same_size_content_change)
{
    char app[512], mod[512];
    struct stat before;
    struct timespec ts[2];

    make_app();
    /* A build that started now: inputs this recent are also hashed. */
    store_manifest(app, mod, wall_ns());
    cr_assert_eq(stat(mod, &before), 0);
    write_file(mod, "X = 2\n");
    /* Even with the old mtime put back. */
    ts[0] = before.st_atim;
    ts[1] = before.st_mtim;
    cr_assert_eq(utimensat(AT_FDCWD, mod, ts, 0), 0);
    cr_assert_eq(manifest_holds(), 0);
}

Test(buildcache, manifest_sees_a_new_module_in_the_app_dir)
{
    char app[512], mod[512], added[600];

    make_app();
    store_manifest(app, mod, wall_ns());
    cr_assert_eq(manifest_holds(), 1);
    snprintf(added, sizeof(added), "%s/json.py", app);
    write_file(added, "# shadows the stdlib json\n");
    cr_assert_eq(manifest_holds(), 0);
}

Test(buildcache, manifest_sees_a_missing_path_appear)
{
    uint8_t key[FZ_BUILDCACHE_KEY_SIZE];
    fz_manifest *m = NULL;
    char path[512];

    make_key(key, 7);
    snprintf(path, sizeof(path), "%s/later.py", dir);
    cr_assert_eq(fz_manifest_new(&m, wall_ns()), 0);
    cr_assert_eq(fz_manifest_add_path(m, path), 0);
    cr_assert_eq(fz_manifest_store(cache, key, m), 0);
    fz_manifest_free(m);
    cr_assert_eq(manifest_holds(), 1);
    write_file(path, "");
    cr_assert_eq(manifest_holds(), 0);
}

Test(buildcache, damaged_manifest_is_a_miss)
{
    uint8_t key[FZ_BUILDCACHE_KEY_SIZE];
    char app[512], mod[512];
    fz_buf b = FZ_BUF_INIT;

    make_app();
    store_manifest(app, mod, wall_ns());
    make_key(key, 7);
    cr_assert_eq(fz_buildcache_get(cache, key, &b), 1);
    /* Valid cache file, manifest cut short: parsed with bounds checks. */
    for (size_t cut = 0; cut < b.size; cut += 7) {
        cr_assert_eq(fz_buildcache_put(cache, key, b.data, cut), 0);
        cr_assert_eq(manifest_holds(), 0, "cut at %zu", cut);
    }
    fz_buf_dispose(&b);
}

/* ------------------------------------------------ whole freeze */

static void
read_all(fz_buf *out, const char *path)
{
    cr_assert_eq(fz_file_read(out, path), 0, "%s", fz_error_message());
}

static void
freeze(fz_freeze_result **r, const char *script, const char *out, int no_cache)
{
    fz_freeze_config cfg = {0};

    cfg.script = script;
    cfg.output = out;
    cfg.stub = "/bin/true";
    cfg.python = FZ_PYTHON;
    cfg.cache_dir = cachedir;
    cfg.no_cache = no_cache;
    cfg.write_report = 1;
    cr_assert_eq(fz_freeze(r, &cfg), 0, "%s", fz_error_message());
}

Test(buildcache, unchanged_rebuild_is_byte_identical)
{
    char script[512], mod[512], out1[512], out2[512], out3[512];
    fz_freeze_result *r = NULL;
    fz_buf a = FZ_BUF_INIT;
    fz_buf b = FZ_BUF_INIT;

    cr_assert_eq(fz_pyembed_init(), 0, "%s", fz_error_message());
    make_app();
    snprintf(script, sizeof(script), "%s/app/main.py", dir);
    snprintf(mod, sizeof(mod), "%s/app/mod.py", dir);
    snprintf(out1, sizeof(out1), "%s/out1", dir);
    snprintf(out2, sizeof(out2), "%s/out2", dir);
    snprintf(out3, sizeof(out3), "%s/out3", dir);
    write_file(script, "import mod\nprint(mod.X)\n");

    freeze(&r, script, out1, 0);
    cr_assert_eq(r->cached, 0);
    fz_freeze_result_free(r);
    /* -o differs, so a different build key: entries come from the cache. */
    freeze(&r, script, out2, 0);
    cr_assert_eq(r->cached, 0);
    cr_assert_gt(r->cache_hits, 0);
    cr_assert_eq(r->cache_misses, 0);
    fz_freeze_result_free(r);
    freeze(&r, script, out2, 0);
    cr_assert_eq(r->cached, 1);
    cr_assert_gt(r->stats.modules, 1);
    fz_freeze_result_free(r);
    freeze(&r, script, out3, 1);
    fz_freeze_result_free(r);
    read_all(&a, out1);
    read_all(&b, out2);
    cr_assert_eq(a.size, b.size);
    cr_assert_eq(memcmp(a.data, b.data, a.size), 0);
    read_all(&b, out3);
    cr_assert_eq(a.size, b.size);
    cr_assert_eq(memcmp(a.data, b.data, a.size), 0);

    /* A changed module: not reused, and the new bytes are in it. */
    write_file(mod, "X = 22\n");
    freeze(&r, script, out2, 0);
    cr_assert_eq(r->cached, 0);
    fz_freeze_result_free(r);
    read_all(&b, out2);
    cr_assert(a.size != b.size || memcmp(a.data, b.data, a.size) != 0);
    fz_buf_dispose(&a);
    fz_buf_dispose(&b);
}
