/*
 * test_natives.c - the ELF reader (elfdeps), the ld.so.cache parser
 * (ldcache) and the library closure (natives) on shared libraries these
 * tests compile themselves with gcc, and on crafted hostile files.
 */
#define _GNU_SOURCE
#include "elfdeps.h"
#include "fz_error.h"
#include "ldcache.h"
#include "natives.h"

#include <criterion/criterion.h>
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/fz-natives-test-XXXXXX";

static void
setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(elfdeps, .init = setup, .fini = teardown);
TestSuite(natives, .init = setup, .fini = teardown);
TestSuite(ldcache);

/* A path below the test dir (static buffer rotation: 8 at a time). */
static const char *
at(const char *rel)
{
    static char bufs[8][512];
    static int k;
    char *b = bufs[k++ % 8];

    snprintf(b, 512, "%s/%s", dir, rel);
    return b;
}

/*
 * Compile a shared object `out` (relative to dir) from one C line with
 * extra gcc/linker flags (libraries to link are given with -L/-l).
 */
static void
build_so(const char *out, const char *code, const char *flags)
{
    char cmd[2048];
    char *slash;
    char sub[512];

    snprintf(sub, sizeof(sub), "%s/%s", dir, out);
    slash = strrchr(sub, '/');
    *slash = '\0';
    snprintf(cmd, sizeof(cmd),
             "mkdir -p '%s' && printf '%%s\\n' '%s' > '%s/src.c' && "
             "cd '%s' && gcc -shared -fPIC -o '%s/%s' '%s/src.c' %s",
             sub, code, dir, dir, dir, out, dir, flags);
    cr_assert_eq(system(cmd), 0, "gcc failed: %s", cmd);
}

static void
make_chain(void)
{
    /* lib/liba.so.1 <- lib/libb.so.1 (needs liba, no path of its own) */
    build_so("lib/liba.so.1",
             "int puts(const char *); int a(void) { return puts(\"a\"); }",
             "-Wl,-soname,liba.so.1");
    build_so("lib/libb.so.1",
             "int a(void); int puts(const char *);"
             " int b(void) { return a() + puts(\"b\"); }",
             "-Wl,-soname,libb.so.1 -Llib -l:liba.so.1");
}

Test(elfdeps, needed_soname_and_rpath)
{
    fz_elf_info info;

    make_chain();
    build_so("ext/ext_rpath.so", "int b(void); int e(void) { return b(); }",
             "-Llib -l:libb.so.1 -Wl,--disable-new-dtags,-rpath,"
             "\\$ORIGIN/../lib");
    cr_assert_eq(fz_elf_read(&info, at("lib/libb.so.1")), 0, "%s",
                 fz_error_message());
    cr_expect_str_eq(info.soname, "libb.so.1");
    cr_expect(fz_strvec_contains(&info.needed, "liba.so.1"));
    cr_expect(fz_strvec_contains(&info.needed, "libc.so.6"));
    cr_expect_not(info.has_rpath);
    cr_expect_not(info.has_runpath);
    cr_expect_not_null(info.glibc, "libc's version needs are read");
    fz_elf_info_dispose(&info);

    cr_assert_eq(fz_elf_read(&info, at("ext/ext_rpath.so")), 0);
    cr_expect(info.has_rpath);
    cr_expect_not(info.has_runpath);
    cr_assert_eq(info.rpath.count, 1);
    cr_expect_str_eq(info.rpath.items[0], "$ORIGIN/../lib");
    fz_elf_info_dispose(&info);
}

Test(elfdeps, runpath)
{
    fz_elf_info info;

    make_chain();
    build_so("ext/ext_runpath.so", "int b(void); int e(void) { return b(); }",
             "-Llib -l:libb.so.1 -Wl,--enable-new-dtags,-rpath,"
             "/nowhere:\\$ORIGIN/../lib");
    cr_assert_eq(fz_elf_read(&info, at("ext/ext_runpath.so")), 0);
    cr_expect(info.has_runpath);
    cr_expect_not(info.has_rpath);
    cr_assert_eq(info.runpath.count, 2);
    cr_expect_str_eq(info.runpath.items[0], "/nowhere");
    cr_expect_str_eq(info.runpath.items[1], "$ORIGIN/../lib");
    fz_elf_info_dispose(&info);
}

Test(elfdeps, versions_compare)
{
    cr_expect_lt(fz_elf_version_cmp("2.17", "2.34"), 0);
    cr_expect_gt(fz_elf_version_cmp("2.34.1", "2.34"), 0);
    cr_expect_eq(fz_elf_version_cmp("2.34", "2.34.0"), 0);
    cr_expect_gt(fz_elf_version_cmp("2.4", "2.3.4"), 0);
    cr_expect_lt(fz_elf_version_cmp(NULL, "1"), 0);
}

Test(elfdeps, not_elf_and_missing)
{
    fz_elf_info info;
    FILE *f;

    cr_expect_eq(fz_elf_read(&info, at("nothing.so")), FZ_EIO);
    cr_expect_not_null(strstr(fz_error_message(), "nothing.so"));
    f = fopen(at("text.so"), "w");
    cr_assert_not_null(f);
    fputs("INPUT(libc.so.6)\n", f); /* a linker script, as libc.so is */
    fclose(f);
    cr_expect_eq(fz_elf_read(&info, at("text.so")), FZ_EFORMAT);
    cr_expect_not_null(strstr(fz_error_message(), "not an ELF file"), "%s",
                       fz_error_message());
}

/* A minimal 32-bit i386 ELF header: of another class, named in the error. */
Test(elfdeps, other_class_and_machine)
{
    unsigned char elf32[52] = {0x7f,       'E',         'L',       'F',
                               ELFCLASS32, ELFDATA2LSB, EV_CURRENT};
    unsigned char elf64[64] = {0x7f,       'E',         'L',       'F',
                               ELFCLASS64, ELFDATA2LSB, EV_CURRENT};
    fz_elf_info info;

    elf32[16] = ET_DYN;
    elf32[18] = EM_386;
    elf32[20] = EV_CURRENT;
    elf32[40] = 52; /* e_ehsize */
    cr_expect_eq(fz_elf_read_mem(&info, elf32, sizeof(elf32), "lib32.so"),
                 FZ_EFORMAT);
    cr_expect_not_null(strstr(fz_error_message(), "lib32.so"));
    cr_expect_not_null(strstr(fz_error_message(), "another machine"), "%s",
                       fz_error_message());
    cr_expect_not_null(strstr(fz_error_message(), "32-bit"));

    elf64[16] = ET_DYN;
    elf64[18] = EM_AARCH64 == 183 && EM_X86_64 == 62 ? 183 : 0;
#if defined(__aarch64__)
    elf64[18] = EM_X86_64;
#endif
    elf64[20] = EV_CURRENT;
    elf64[52] = 64; /* e_ehsize */
    cr_expect_eq(fz_elf_read_mem(&info, elf64, sizeof(elf64), "arm.so"),
                 FZ_EFORMAT);
    cr_expect_not_null(strstr(fz_error_message(), "arm.so: ELF for another "
                                                  "machine"),
                       "%s", fz_error_message());
}

static unsigned char *
slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;

    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return buf;
}

/* Every truncation of a real library: an error or a result, no crash;
 * cut before the section headers it must be an error. */
Test(elfdeps, truncated)
{
    size_t size;
    unsigned char *img;
    fz_elf_info info;
    int errors = 0;

    make_chain();
    img = slurp(at("lib/libb.so.1"), &size);
    for (size_t n = 0; n < size; n += n < 128 ? 1 : 61) {
        int rc = fz_elf_read_mem(&info, img, n, "cut.so");

        if (rc < 0) {
            errors++;
            cr_expect_not_null(strstr(fz_error_message(), "cut.so"));
        }
        fz_elf_info_dispose(&info);
    }
    cr_expect_gt(errors, 0);
    free(img);
}

/* Random damage in the headers and dynamic data: no crash, no hang. */
Test(elfdeps, hostile)
{
    size_t size;
    unsigned char *img;
    unsigned char *copy;
    uint32_t seed = 12345;

    make_chain();
    img = slurp(at("lib/libb.so.1"), &size);
    copy = malloc(size);
    cr_assert_not_null(copy);
    for (int round = 0; round < 3000; round++) {
        fz_elf_info info;

        memcpy(copy, img, size);
        for (int k = 0; k < 1 + round % 8; k++) {
            size_t pos;

            seed = seed * 1103515245u + 12345u;
            /* the ELF header, the section headers at the end, or anywhere */
            pos = (seed >> 8) % 3 == 0   ? (seed >> 12) % 64
                  : (seed >> 8) % 3 == 1 ? size - 1 - (seed >> 12) % 1024
                                         : (seed >> 12) % size;
            copy[pos % size] = (unsigned char)(seed >> 24);
        }
        (void)fz_elf_read_mem(&info, copy, size, "hostile.so");
        fz_elf_info_dispose(&info);
    }
    free(copy);
    free(img);
}

/* ------------------------------------------------------------ closure */

static fz_natives *
closure(const char *max_glibc)
{
    static fz_natives_config cfg;
    fz_natives *n = NULL;

    memset(&cfg, 0, sizeof(cfg));
    cfg.ldcache = "/nonexistent/ld.so.cache";
    cfg.ld_library_path = "";
    cfg.default_dirs = "/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu";
    cfg.max_glibc = max_glibc;
    cr_assert_eq(fz_natives_new(&n, &cfg), 0, "%s", fz_error_message());
    return n;
}

static const fz_native *
find(const fz_natives *n, const char *entry)
{
    for (size_t i = 0; i < fz_natives_count(n); i++) {
        if (strcmp(fz_natives_at(n, i)->entry, entry) == 0) {
            return fz_natives_at(n, i);
        }
    }
    return NULL;
}

Test(natives, rpath_of_the_loader_reaches_indirect_needs)
{
    fz_natives *n;
    fz_buf needs = FZ_BUF_INIT;

    make_chain();
    build_so("site/pkg/ext.so", "int b(void); int e(void) { return b(); }",
             "-Llib -l:libb.so.1 -Wl,--disable-new-dtags,-rpath,"
             "\\$ORIGIN/../../lib");
    n = closure(NULL);
    cr_assert_eq(
        fz_natives_add_extension(n, at("site/pkg/ext.so"), "pkg/ext.so"), 0,
        "%s", fz_error_message());
    cr_assert_eq(fz_natives_finish(n), 0, "%s", fz_error_message());
    cr_expect_not_null(find(n, "libb.so.1"));
    cr_expect_not_null(find(n, "liba.so.1"),
                       "libb's need found through ext's DT_RPATH");
    cr_expect_null(find(n, "libc.so.6"), "glibc is never bundled");
    cr_expect_eq(fz_natives_warnings(n)->count, 0);
    cr_assert_eq(fz_natives_needs_text(n, &needs), 0);
    cr_expect_str_eq(needs.data, "pkg/ext.so\tliba.so.1\tlibb.so.1\n"
                                 "libb.so.1\tliba.so.1\n");
    cr_expect_not_null(fz_natives_glibc_floor(n));
    fz_buf_dispose(&needs);
    fz_natives_free(n);
}

Test(natives, runpath_is_not_used_for_indirect_needs)
{
    fz_natives *n;

    make_chain();
    build_so("site/pkg/ext.so", "int b(void); int e(void) { return b(); }",
             "-Llib -l:libb.so.1 -Wl,--enable-new-dtags,-rpath,"
             "\\$ORIGIN/../../lib");
    n = closure(NULL);
    cr_assert_eq(
        fz_natives_add_extension(n, at("site/pkg/ext.so"), "pkg/ext.so"), 0,
        "%s", fz_error_message());
    cr_expect_not_null(find(n, "libb.so.1"));
    cr_expect_null(find(n, "liba.so.1"));
    cr_assert_eq(fz_natives_warnings(n)->count, 1);
    cr_expect_not_null(strstr(fz_natives_warnings(n)->items[0],
                              "library liba.so.1 (needed by"),
                       "%s", fz_natives_warnings(n)->items[0]);
    fz_natives_free(n);
}

Test(natives, vendored_libs_keep_their_place)
{
    fz_natives *n;

    build_so("site/pkg.libs/libv-1234.so", "int v(void) { return 1; }",
             "-Wl,-soname,libv-1234.so");
    build_so("site/pkg/sub/ext.so", "int v(void); int e(void) { return v(); }",
             "-Lsite/pkg.libs -l:libv-1234.so -Wl,--enable-new-dtags,-rpath,"
             "\\$ORIGIN/../../pkg.libs");
    n = closure(NULL);
    cr_assert_eq(fz_natives_add_extension(n, at("site/pkg/sub/ext.so"),
                                          "pkg/sub/ext.so"),
                 0, "%s", fz_error_message());
    cr_expect_not_null(find(n, "pkg.libs/libv-1234.so"));
    fz_natives_free(n);
}

Test(natives, missing_library_is_a_warning)
{
    fz_natives *n;

    make_chain();
    build_so("site/ext.so", "int a(void); int e(void) { return a(); }",
             "-Llib -l:liba.so.1");
    n = closure(NULL);
    cr_assert_eq(fz_natives_add_extension(n, at("site/ext.so"), "ext.so"), 0);
    cr_assert_eq(fz_natives_warnings(n)->count, 1);
    cr_expect_not_null(strstr(fz_natives_warnings(n)->items[0], "liba.so.1"));
    fz_natives_free(n);
}

Test(natives, ld_library_path_and_default_dirs)
{
    static fz_natives_config cfg;
    fz_natives *n;

    make_chain();
    build_so("site/ext.so",
             "const char *zlibVersion(void); int a(void);"
             " int e(void) { return a() + *zlibVersion(); }",
             "-Llib -l:liba.so.1 -lz");
    memset(&cfg, 0, sizeof(cfg));
    cfg.ldcache = "/nonexistent";
    cfg.ld_library_path = at("lib");
    cfg.default_dirs = "/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu";
    cr_assert_eq(fz_natives_new(&n, &cfg), 0);
    cr_assert_eq(fz_natives_add_extension(n, at("site/ext.so"), "ext.so"), 0,
                 "%s", fz_error_message());
    cr_expect_not_null(find(n, "liba.so.1"));
    cr_expect_not_null(find(n, "libz.so.1"), "found in the default dirs");
    cr_expect_eq(fz_natives_warnings(n)->count, 0);
    fz_natives_free(n);
}

Test(natives, max_glibc_names_the_files)
{
    fz_natives *n;

    make_chain();
    build_so("site/ext.so",
             "unsigned arc4random(void); int a(void);"
             " int e(void) { return a() + (int)arc4random(); }",
             "-Llib -l:liba.so.1 -Wl,-rpath,\\$ORIGIN/../lib");
    n = closure("2.35");
    cr_assert_eq(fz_natives_add_extension(n, at("site/ext.so"), "ext.so"), 0);
    cr_expect_lt(fz_natives_finish(n), 0);
    cr_expect_not_null(strstr(fz_error_message(), "--max-glibc 2.35"), "%s",
                       fz_error_message());
    cr_expect_not_null(strstr(fz_error_message(), "ext.so"));
    fz_natives_free(n);
}

Test(natives, exclude_list)
{
    cr_expect(fz_natives_excluded("libc.so.6"));
    cr_expect(fz_natives_excluded("libm.so.6"));
    cr_expect(fz_natives_excluded("libpthread.so.0"));
    cr_expect(fz_natives_excluded("ld-linux-x86-64.so.2"));
    cr_expect(fz_natives_excluded("libnss_files.so.2"));
    cr_expect(fz_natives_excluded("libGL.so.1"));
    cr_expect(fz_natives_excluded("libEGL.so.1"));
    cr_expect(fz_natives_excluded("libnvidia-ml.so.1"));
    cr_expect(fz_natives_excluded("libdrm.so.2"));
    cr_expect_not(fz_natives_excluded("libcrypt.so.1"),
                  "libxcrypt is not glibc on Debian 12");
    cr_expect_not(fz_natives_excluded("libssl.so.3"));
    cr_expect_not(fz_natives_excluded("libmagic.so.1"));
}

/* ------------------------------------------------------------ ldcache */

Test(ldcache, real_cache)
{
    fz_ldcache *c = NULL;
    const char *p;

    if (access("/etc/ld.so.cache", R_OK) != 0) {
        cr_skip_test("no /etc/ld.so.cache");
    }
    cr_assert_eq(fz_ldcache_load(&c, NULL), 0, "%s", fz_error_message());
    cr_expect_gt(fz_ldcache_count(c), 10);
    p = fz_ldcache_lookup(c, "libc.so.6");
    cr_assert_not_null(p);
    cr_expect_eq(access(p, R_OK), 0, "%s", p);
    cr_expect_null(fz_ldcache_lookup(c, "libnot-a-library.so.9"));
    fz_ldcache_free(c);
}

static void
put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* A new-format cache with two entries: libfoo (baseline) and a hwcaps
 * variant that must be ignored. */
static size_t
craft(unsigned char *buf, size_t cap)
{
    static const char strings[] =
        "libfoo.so.1\0/usr/lib/x86_64-linux-gnu/libfoo.so.1\0"
        "libbar.so.2\0/usr/lib/glibc-hwcaps/x86-64-v3/libbar.so.2";
    size_t str_at = 48 + 2 * 24;

    cr_assert_geq(cap, str_at + sizeof(strings));
    memset(buf, 0, cap);
    memcpy(buf, "glibc-ld.so.cache1.1", 20);
    put32(buf + 20, 2);
    put32(buf + 24, (uint32_t)sizeof(strings));
    buf[28] = 2;
    put32(buf + 48, 0x0303);
    put32(buf + 52, (uint32_t)str_at);
    put32(buf + 56, (uint32_t)str_at + 12);
    put32(buf + 72, 0x0303);
    put32(buf + 76, (uint32_t)str_at + 50);
    put32(buf + 80, (uint32_t)str_at + 62);
    buf[72 + 16 + 7] = 0x40; /* hwcap bit 62: a glibc-hwcaps entry */
    memcpy(buf + str_at, strings, sizeof(strings));
    return str_at + sizeof(strings);
}

Test(ldcache, crafted)
{
    unsigned char buf[512];
    size_t size = craft(buf, sizeof(buf));
    fz_ldcache *c = NULL;

#if defined(__x86_64__)
    cr_assert_eq(fz_ldcache_parse(&c, buf, size, "crafted"), 0, "%s",
                 fz_error_message());
    cr_expect_str_eq(fz_ldcache_lookup(c, "libfoo.so.1"),
                     "/usr/lib/x86_64-linux-gnu/libfoo.so.1");
    cr_expect_null(fz_ldcache_lookup(c, "libbar.so.2"),
                   "hwcaps variants are not the portable baseline");
    fz_ldcache_free(c);
#endif
}

Test(ldcache, hostile)
{
    unsigned char buf[512];
    size_t size = craft(buf, sizeof(buf));
    fz_ldcache *c = NULL;

    /* every truncation */
    for (size_t n = 0; n < size - 1; n++) {
        int rc = fz_ldcache_parse(&c, buf, n, "cut");

        cr_expect(rc == FZ_EFORMAT || (rc == 0 && n >= 48 + 48),
                  "length %zu: %d", n, rc);
        fz_ldcache_free(c);
        c = NULL;
    }
    /* huge count */
    put32(buf + 20, 0xffffffffu);
    cr_expect_eq(fz_ldcache_parse(&c, buf, size, "count"), FZ_EFORMAT);
    cr_expect_not_null(strstr(fz_error_message(), "count"));
    put32(buf + 20, 2);
    /* a key past the end */
    put32(buf + 52, 0x7fffffffu);
    cr_expect_eq(fz_ldcache_parse(&c, buf, size, "key"), FZ_EFORMAT);
    cr_expect_not_null(strstr(fz_error_message(), "out of bounds"));
    craft(buf, sizeof(buf));
    /* an unterminated last string */
    cr_expect_eq(fz_ldcache_parse(&c, buf, size - 1, "unterminated"),
                 FZ_EFORMAT);
    /* wrong magic */
    buf[0] = 'x';
    cr_expect_eq(fz_ldcache_parse(&c, buf, size, "magic"), FZ_EFORMAT);
    /* an old-format prefix with an absurd count */
    memcpy(buf, "ld.so-1.7.0", 11);
    put32(buf + 12, 0x7fffffff);
    cr_expect_eq(fz_ldcache_parse(&c, buf, size, "old"), FZ_EFORMAT);
}
