/*
 * test_platform.c - the platform layer: executable path, mappings, cache
 * dir, private dirs, safe removal and the refusal of unsafe dirs. Built
 * twice: against platform/linux, and (FZ_TEST_MACOS) against
 * platform/macos with the Darwin calls shimmed (tests/macos/README.md),
 * each with the POSIX code they share, platform/posix.
 */
#include "fz_error.h"
#include "fz_platform.h"

#include <criterion/criterion.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static char work[64];
static int workfd = -1;

static void
setup(void)
{
    umask(022);
    strcpy(work, "/tmp/fz-platform-XXXXXX");
    cr_assert_not_null(mkdtemp(work));
    workfd = open(work, O_RDONLY | O_DIRECTORY);
    cr_assert_geq(workfd, 0);
}

static void
teardown(void)
{
    fz_platform_remove_path(work);
    close(workfd);
}

TestSuite(platform, .init = setup, .fini = teardown);

/* work + "/" + rel in a static buffer. */
static const char *
at(const char *rel)
{
    static char buf[256];

    snprintf(buf, sizeof(buf), "%s/%s", work, rel);
    return buf;
}

Test(platform, self_exe_is_this_test)
{
    char *exe = NULL;
    char link[4096];
    ssize_t n = readlink("/proc/self/exe", link, sizeof(link) - 1);

    cr_assert_gt(n, 0);
    link[n] = '\0';
    cr_assert_eq(fz_platform_self_exe(&exe), FZ_OK);
    cr_assert_str_eq(exe, link);
    free(exe);
}

Test(platform, maps_an_unaligned_range)
{
    char buf[10000];
    fz_mapping m;
    int fd;
    size_t i;

    for (i = 0; i < sizeof(buf); i++) {
        buf[i] = (char)(i * 7);
    }
    fd = openat(workfd, "f", O_RDWR | O_CREAT, 0600);
    cr_assert_eq(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
    cr_assert_eq(fz_platform_map(&m, fd, 4099, 5000), FZ_OK);
    cr_assert_eq(m.size, 5000);
    cr_assert_eq(memcmp(m.data, buf + 4099, 5000), 0);
    fz_platform_unmap(&m);
    cr_assert_null(m.base);
    fz_platform_unmap(&m);
    cr_assert_eq(fz_platform_map(&m, fd, UINT64_MAX - 1, 10), FZ_EINVAL);
    cr_assert_eq(fz_platform_map(&m, fd, 0, 0), FZ_OK);
    cr_assert_null(m.data);
    close(fd);
}

Test(platform, scratch_buffer_grows_and_is_reused)
{
    fz_scratch s = {0};
    void *small;

    cr_assert_eq(fz_platform_scratch_reserve(&s, 0), FZ_OK);
    cr_assert_not_null(s.data);
    cr_assert_eq(fz_platform_scratch_reserve(&s, 1000), FZ_OK);
    cr_assert_geq(s.cap, 1000);
    memset(s.data, 1, 1000);
    small = s.data;
    cr_assert_eq(fz_platform_scratch_reserve(&s, 10), FZ_OK);
    cr_assert_eq(s.data, small, "a smaller size reuses the buffer");
    /* Large: mapped, 2 MiB aligned and rounded, every byte writable. */
    cr_assert_eq(fz_platform_scratch_reserve(&s, 5 * 1000 * 1000), FZ_OK);
    cr_assert_not_null(s.data);
    cr_assert_eq((uintptr_t)s.data % (2u << 20), 0);
    cr_assert_eq(s.cap % (2u << 20), 0);
    cr_assert_geq(s.cap, 5 * 1000 * 1000);
    memset(s.data, 2, s.cap);
    cr_assert_eq(fz_platform_scratch_reserve(&s, SIZE_MAX - 5), FZ_ENOMEM);
    cr_assert_null(s.data);
    cr_assert_eq(s.cap, 0);
    fz_platform_scratch_free(&s);
    fz_platform_scratch_free(&s);
}

Test(platform, cache_dir_from_the_environment)
{
    char *dir = NULL;

    setenv("XDG_CACHE_HOME", "/x/cache", 1);
    cr_assert_eq(fz_platform_cache_dir(&dir), FZ_OK);
    cr_assert_str_eq(dir, "/x/cache");
    free(dir);
    /* A relative XDG_CACHE_HOME is ignored, as the spec says. */
    setenv("XDG_CACHE_HOME", "rel", 1);
    setenv("HOME", "/home/someone", 1);
    cr_assert_eq(fz_platform_cache_dir(&dir), FZ_OK);
#ifdef FZ_TEST_MACOS
    cr_assert_str_eq(dir, "/home/someone/Library/Caches");
#else
    cr_assert_str_eq(dir, "/home/someone/.cache");
#endif
    free(dir);
    unsetenv("XDG_CACHE_HOME");
    setenv("HOME", "relative", 1);
    cr_assert_eq(fz_platform_cache_dir(&dir), FZ_OK);
    cr_assert_eq(dir[0], '/', "fell back to the passwd home: %s", dir);
    free(dir);
}

Test(platform, tmp_base_from_the_environment)
{
    char *dir = NULL;

    setenv("TMPDIR", "/x/tmp", 1);
    cr_assert_eq(fz_platform_tmp_base(&dir), FZ_OK);
    cr_expect_str_eq(dir, "/x/tmp");
    free(dir);
    setenv("TMPDIR", "relative", 1);
    cr_assert_eq(fz_platform_tmp_base(&dir), FZ_OK);
    cr_expect_str_eq(dir, "/tmp");
    free(dir);
    unsetenv("TMPDIR");
    cr_assert_eq(fz_platform_tmp_base(&dir), FZ_OK);
    cr_expect_str_eq(dir, "/tmp");
    free(dir);
}

Test(platform, private_dir_is_0700)
{
    char *name = NULL;
    char *tmp = NULL;
    struct stat st;
    int fd;

    cr_assert_eq(fz_platform_private_dir_at(&name, &fd, workfd, ".tmp-"),
                 FZ_OK);
    cr_assert_eq(strncmp(name, ".tmp-", 5), 0);
    cr_assert_eq(strlen(name), 11);
    cr_assert_eq(fstat(fd, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0700);
    cr_assert_eq(fz_platform_private_dir_check(at(name)), 1);
    close(fd);
    free(name);

    setenv("TMPDIR", work, 1);
    cr_assert_eq(fz_platform_private_tmpdir(&tmp), FZ_OK);
    cr_assert_eq(strncmp(tmp, work, strlen(work)), 0, "%s", tmp);
    cr_assert_eq(lstat(tmp, &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
    cr_assert_eq(st.st_mode & 07777, 0700);
    free(tmp);
    unsetenv("TMPDIR");
}

Test(platform, removal_does_not_follow_a_planted_symlink)
{
    struct stat st;
    int fd;

    /* A victim outside the tree, and a tree with a symlink to it. */
    cr_assert_eq(mkdirat(workfd, "victim", 0700), 0);
    fd = openat(workfd, "victim/precious", O_WRONLY | O_CREAT, 0600);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(mkdirat(workfd, "tree", 0700), 0);
    cr_assert_eq(mkdirat(workfd, "tree/sub", 0700), 0);
    fd = openat(workfd, "tree/sub/file", O_WRONLY | O_CREAT, 0600);
    close(fd);
    cr_assert_eq(symlinkat(at("victim"), workfd, "tree/sub/link"), 0);
    cr_assert_eq(symlinkat(at("victim/precious"), workfd, "tree/flink"), 0);

    cr_assert_eq(fz_platform_remove_tree(workfd, "tree"), FZ_OK, "%s",
                 fz_error_message());
    cr_assert_neq(lstat(at("tree"), &st), 0);
    cr_assert_eq(stat(at("victim/precious"), &st), 0);
    /* A missing name is fine; a symlink itself is just unlinked. */
    cr_assert_eq(fz_platform_remove_tree(workfd, "tree"), FZ_OK);
    cr_assert_eq(symlinkat(at("victim"), workfd, "alink"), 0);
    cr_assert_eq(fz_platform_remove_tree(workfd, "alink"), FZ_OK);
    cr_assert_eq(stat(at("victim/precious"), &st), 0);
}

Test(platform, secure_dir_creates_and_accepts_a_private_dir)
{
    struct stat st;
    int fd;

    cr_assert_eq(fz_platform_secure_dir_open(&fd, workfd, "c", 0),
                 FZ_ENOTFOUND);
    cr_assert_eq(fz_platform_secure_dir_open(&fd, workfd, "c", 1), FZ_OK);
    cr_assert_eq(fstat(fd, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0700);
    close(fd);
    cr_assert_eq(fz_platform_secure_dir_open(&fd, workfd, "c", 0), FZ_OK);
    close(fd);
}

Test(platform, secure_dir_refuses_a_symlink)
{
    int fd = 5;

    cr_assert_eq(mkdirat(workfd, "real", 0700), 0);
    cr_assert_eq(symlinkat("real", workfd, "link"), 0);
    cr_assert_eq(fz_platform_secure_dir_open(&fd, workfd, "link", 1),
                 FZ_PLATFORM_EUNSAFE);
    cr_assert_eq(fd, -1);
    cr_assert_eq(fz_platform_private_dir_check(at("link")),
                 FZ_PLATFORM_EUNSAFE);
}

Test(platform, secure_dir_refuses_group_or_world_writable)
{
    int fd;

    cr_assert_eq(mkdirat(workfd, "open", 0700), 0);
    cr_assert_eq(fchmodat(workfd, "open", 0770, 0), 0);
    cr_assert_eq(fz_platform_secure_dir_open(&fd, workfd, "open", 1),
                 FZ_PLATFORM_EUNSAFE);
    cr_assert_eq(fchmodat(workfd, "open", 0702, 0), 0);
    cr_assert_eq(fz_platform_secure_dir_open(&fd, workfd, "open", 1),
                 FZ_PLATFORM_EUNSAFE);
    /* A bundle root must not even be readable by others. */
    cr_assert_eq(fchmodat(workfd, "open", 0755, 0), 0);
    cr_assert_eq(fz_platform_private_dir_check(at("open")),
                 FZ_PLATFORM_EUNSAFE);
    cr_assert_eq(fz_platform_private_dir_check(at("missing")), 0);
}

Test(platform, base_dir_allows_sticky_shared_dirs_only)
{
    int fd;

    cr_assert_eq(mkdirat(workfd, "shared", 0700), 0);
    cr_assert_eq(fchmodat(workfd, "shared", 0777, 0), 0);
    cr_assert_eq(fz_platform_base_dir_open(&fd, at("shared"), 0),
                 FZ_PLATFORM_EUNSAFE);
    cr_assert_eq(fchmodat(workfd, "shared", 01777, 0), 0);
    cr_assert_eq(fz_platform_base_dir_open(&fd, at("shared"), 0), FZ_OK);
    close(fd);
    cr_assert_eq(fz_platform_base_dir_open(&fd, at("new"), 1), FZ_OK);
    close(fd);
}

Test(platform, mkdirs_and_new_files)
{
    char buf[8];
    struct stat st;
    int fd, f;

    cr_assert_eq(fz_platform_mkdirs_at(&fd, workfd, "a/b/c", 5), FZ_OK);
    cr_assert_eq(fz_platform_write_new_at(fd, "x.so", 0755, "hello", 5), FZ_OK);
    close(fd);
    cr_assert_eq(stat(at("a/b/c/x.so"), &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0755);
    f = open(at("a/b/c/x.so"), O_RDONLY);
    cr_assert_eq(read(f, buf, sizeof(buf)), 5);
    close(f);
    /* O_EXCL: an existing file (or planted symlink) is not overwritten. */
    cr_assert_eq(symlinkat("/etc/passwd", workfd, "a/b/c/y"), 0);
    cr_assert_eq(fz_platform_write_new_at(workfd, "a/b/c/y", 0644, "x", 1),
                 FZ_EIO);
    /* A symlinked component is refused. */
    cr_assert_eq(symlinkat(work, workfd, "a/evil"), 0);
    cr_assert_eq(fz_platform_mkdirs_at(&fd, workfd, "a/evil/d", 8),
                 FZ_PLATFORM_EUNSAFE);
}

/* Resident kB of this process's mapping that starts at `addr`, from
 * /proc/self/smaps; -1 when it is not found. */
static long
mapping_rss_kib(const void *addr)
{
    char line[512], start[32];
    FILE *f = fopen("/proc/self/smaps", "r");
    int inside = 0;
    long rss = -1;

    snprintf(start, sizeof(start), "%lx-", (unsigned long)(uintptr_t)addr);
    while (f != NULL && rss < 0 && fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, start, strlen(start)) == 0) {
            inside = 1;
        } else if (inside && sscanf(line, "Rss: %ld kB", &rss) != 1) {
            rss = -1;
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    return rss;
}

Test(platform, new_files_are_written_in_pieces)
{
    size_t size = 64 * FZ_PLATFORM_WRITE_CHUNK + 123; /* 4 MiB and a bit */
    unsigned char *data = malloc(size), *back = malloc(size + 1);
    volatile unsigned char touched;
    unsigned char *p;
    ssize_t n;
    long rss;
    int f;

    cr_assert(data != NULL && back != NULL);
    for (size_t i = 0; i < size; i++) {
        data[i] = (unsigned char)(i * 7 + i / 4096);
    }
    cr_assert_eq(fz_platform_write_new_at(workfd, "big", 0644, data, size),
                 FZ_OK);
    f = open(at("big"), O_RDONLY);
    cr_assert_geq(f, 0);
    n = read(f, back, size + 1);
    cr_assert_eq(n, (ssize_t)size);
    cr_assert_eq(memcmp(data, back, size), 0);
    /* One page read from the mapping of the new file makes little of it
     * resident: written in one call, the page cache held it in 2 MiB
     * folios and the page brought in 2048 kB (Linux 6.18, ext4). */
    p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, f, 0);
    cr_assert_neq(p, MAP_FAILED);
    touched = p[size / 2];
    (void)touched;
    rss = mapping_rss_kib(p);
    cr_assert(rss >= 0 && rss <= 256, "%ld kB resident after one page", rss);
    munmap(p, size);
    close(f);
    free(data);
    free(back);
}

Test(platform, rename_dir_reports_a_winner)
{
    cr_assert_eq(mkdirat(workfd, "t1", 0700), 0);
    cr_assert_eq(mkdirat(workfd, "t1/inside", 0700), 0);
    cr_assert_eq(mkdirat(workfd, "t2", 0700), 0);
    cr_assert_eq(mkdirat(workfd, "t2/inside", 0700), 0);
    cr_assert_eq(fz_platform_rename_dir(workfd, "t1", "root"), 0);
    cr_assert_eq(fz_platform_rename_dir(workfd, "t2", "root"), 1);
}

Test(platform, exchange_dir_swaps_two_dirs)
{
    struct stat st;

    cr_assert_eq(mkdirat(workfd, "old", 0700), 0);
    cr_assert_eq(mkdirat(workfd, "old/a", 0700), 0);
    cr_assert_eq(mkdirat(workfd, "new", 0700), 0);
    cr_assert_eq(mkdirat(workfd, "new/b", 0700), 0);
    cr_assert_eq(fz_platform_exchange_dir(workfd, "old", "new"), FZ_OK);
    cr_assert_eq(fstatat(workfd, "old/b", &st, 0), 0);
    cr_assert_eq(fstatat(workfd, "new/a", &st, 0), 0);
    cr_assert_eq(fz_platform_exchange_dir(workfd, "old", "missing"), FZ_EIO);
}

Test(platform, dir_executable_follows_the_mount_flags)
{
    /* the answer is the mount's: /proc and /dev/shm are noexec on most
     * machines (not in every container), the rest exec */
    const char *dirs[] = {"/usr/bin", "/proc", "/dev/shm", work};

    for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
        struct statvfs st;

        if (statvfs(dirs[i], &st) < 0) {
            continue;
        }
        cr_expect_eq(fz_platform_dir_executable(dirs[i]),
                     (st.f_flag & ST_NOEXEC) == 0, "%s", dirs[i]);
    }
    cr_assert_eq(fz_platform_dir_executable("/nonexistent/dir"), 1);
}

Test(platform, file_check_sees_files_and_the_directories_not_yet_checked)
{
    int fd;

    cr_assert_eq(fz_platform_mkdirs_at(&fd, workfd, "a/b", 3), FZ_OK);
    cr_assert_eq(fz_platform_write_new_at(fd, "f", 0644, "hello", 5), FZ_OK);
    close(fd);
    cr_assert_eq(fz_platform_file_check_at(workfd, "a/b/f", 0, 5), 1);
    cr_assert_eq(fz_platform_file_check_at(workfd, "a/b/f", 0, 4), 0);
    cr_assert_eq(fz_platform_file_check_at(workfd, "a/b/g", 0, 5), 0);
    /* a/b becomes a symlink to a real copy of itself. */
    cr_assert_eq(renameat(workfd, "a/b", workfd, "real"), 0);
    cr_assert_eq(symlinkat("../real", workfd, "a/b"), 0);
    cr_assert_eq(fz_platform_file_check_at(workfd, "a/b/f", 0, 5), 0);
    cr_assert_eq(fz_platform_file_check_at(workfd, "a/b/f", 2, 5), 0,
                 "a/ checked before: a/b still is");
    /* What a caller says it checked is not looked at again. */
    cr_assert_eq(fz_platform_file_check_at(workfd, "a/b/f", 4, 5), 1);
    /* The file itself is always looked at. */
    cr_assert_eq(symlinkat("b/f", workfd, "a/l"), 0);
    cr_assert_eq(fz_platform_file_check_at(workfd, "a/l", 2, 5), 0);
}
