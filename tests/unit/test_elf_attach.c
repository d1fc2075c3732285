/*
 * test_elf_attach.c - attaching the payload section to a copy of a real
 * executable: found by libelf with the exact bytes, 4096-aligned, nothing
 * loadable moved, still runs; failures leave no file behind.
 */
#define _GNU_SOURCE
#include "elf_attach.h"
#include "fz_error.h"
#include "fz_payload.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A small real executable of the machine. */
#define STUB "/bin/true"

static char dir[] = "/tmp/fz-elf-test-XXXXXX";

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

TestSuite(elf_attach, .init = setup, .fini = teardown);

static unsigned char *
read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;

    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static size_t
count_entries(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    cr_assert_not_null(d);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            n++;
        }
    }
    closedir(d);
    return n;
}

static unsigned char *
make_payload(size_t n)
{
    unsigned char *p = malloc(n);

    cr_assert_not_null(p);
    for (size_t i = 0; i < n; i++) {
        p[i] = (unsigned char)(i * 131 + (i >> 8));
    }
    return p;
}

Test(elf_attach, section_holds_the_exact_bytes_aligned)
{
    char out[256];
    size_t n = 100000;
    unsigned char *payload = make_payload(n);
    unsigned char *file;
    uint64_t off = 0;
    uint64_t size = 0;
    uint64_t written = 0;
    size_t fsize;
    struct stat st;

    snprintf(out, sizeof(out), "%s/app", dir);
    cr_assert_eq(fz_elf_attach(STUB, out, payload, n, &written), 0, "%s",
                 fz_error_message());
    cr_assert_eq(fz_elf_find_payload(out, &off, &size), 0, "%s",
                 fz_error_message());
    cr_expect_eq(off % 4096, 0, "payload offset %llu not 4096-aligned",
                 (unsigned long long)off);
    cr_expect_eq(size, n);
    file = read_all(out, &fsize);
    cr_expect_eq(written, fsize);
    cr_assert_leq(off + size, fsize);
    cr_expect_eq(memcmp(file + off, payload, n), 0);
    cr_assert_eq(stat(out, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0755);
    /* only the file and no temp file */
    cr_expect_eq(count_entries(), 1);
    free(file);
    free(payload);
}

Test(elf_attach, loadable_segments_do_not_move)
{
    char out[256];
    unsigned char *payload = make_payload(5000);
    unsigned char *orig;
    unsigned char *file;
    size_t osize;
    size_t fsize;
    Elf64_Ehdr eh;

    snprintf(out, sizeof(out), "%s/app", dir);
    cr_assert_eq(fz_elf_attach(STUB, out, payload, 5000, NULL), 0);
    orig = read_all(STUB, &osize);
    file = read_all(out, &fsize);
    cr_assert_gt(fsize, osize);
    memcpy(&eh, orig, sizeof(eh));
    cr_assert_eq(eh.e_ident[EI_CLASS], ELFCLASS64);
    /* program headers and every PT_LOAD range are byte-identical */
    cr_expect_eq(memcmp(file + eh.e_phoff, orig + eh.e_phoff,
                        (size_t)eh.e_phnum * eh.e_phentsize),
                 0);
    for (size_t i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;

        memcpy(&ph, orig + eh.e_phoff + i * eh.e_phentsize, sizeof(ph));
        if (ph.p_type == PT_LOAD) {
            /* the ELF header (often inside the first PT_LOAD) may only
             * change its section-header fields, checked below */
            uint64_t start =
                ph.p_offset < sizeof(eh) ? sizeof(eh) : ph.p_offset;
            uint64_t end = ph.p_offset + ph.p_filesz;

            cr_assert_leq(end, osize);
            if (start < end) {
                cr_expect_eq(memcmp(file + start, orig + start, end - start), 0,
                             "PT_LOAD %zu changed", i);
            }
        }
    }
    {
        Elf64_Ehdr neh;

        memcpy(&neh, file, sizeof(neh));
        cr_expect_eq(memcmp(neh.e_ident, eh.e_ident, EI_NIDENT), 0);
        cr_expect_eq(neh.e_entry, eh.e_entry);
        cr_expect_eq(neh.e_phoff, eh.e_phoff);
        cr_expect_eq(neh.e_phnum, eh.e_phnum);
        cr_expect_eq(neh.e_shnum, eh.e_shnum + 1);
        cr_expect_eq(neh.e_shoff % 8, 0);
        cr_expect_geq(neh.e_shoff, osize);
    }
    free(orig);
    free(file);
    free(payload);
}

Test(elf_attach, the_executable_still_runs)
{
    char out[256];
    unsigned char *payload = make_payload(70000);
    int status;

    snprintf(out, sizeof(out), "%s/app", dir);
    cr_assert_eq(fz_elf_attach(STUB, out, payload, 70000, NULL), 0);
    status = system(out);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    free(payload);
}

Test(elf_attach, survives_strip)
{
    char out[256];
    char stripped[300];
    char cmd[700];
    unsigned char *payload = make_payload(9000);
    unsigned char *file;
    size_t fsize;
    uint64_t off;
    uint64_t size;

    snprintf(out, sizeof(out), "%s/app", dir);
    snprintf(stripped, sizeof(stripped), "%s/app.stripped", dir);
    cr_assert_eq(fz_elf_attach(STUB, out, payload, 9000, NULL), 0);
    snprintf(cmd, sizeof(cmd), "strip -o '%s' '%s' 2>/dev/null", stripped, out);
    if (system(cmd) != 0) {
        cr_skip_test("strip is not installed");
    }
    cr_assert_eq(fz_elf_find_payload(stripped, &off, &size), 0);
    file = read_all(stripped, &fsize);
    cr_expect_eq(size, 9000);
    cr_expect_eq(off % 4096, 0);
    cr_expect_eq(memcmp(file + off, payload, 9000), 0);
    free(file);
    free(payload);
}

Test(elf_attach, refuses_a_stub_that_already_has_a_payload)
{
    char first[256];
    char second[256];
    unsigned char *payload = make_payload(100);

    snprintf(first, sizeof(first), "%s/app", dir);
    snprintf(second, sizeof(second), "%s/app2", dir);
    cr_assert_eq(fz_elf_attach(STUB, first, payload, 100, NULL), 0);
    cr_expect_eq(fz_elf_attach(first, second, payload, 100, NULL), FZ_EFORMAT);
    cr_expect_eq(access(second, F_OK), -1);
    cr_expect_eq(count_entries(), 1);
    free(payload);
}

Test(elf_attach, non_elf_stub_leaves_nothing)
{
    char stub[256];
    char out[256];
    FILE *f;

    snprintf(stub, sizeof(stub), "%s/not-elf", dir);
    snprintf(out, sizeof(out), "%s/app", dir);
    f = fopen(stub, "w");
    cr_assert_not_null(f);
    fputs("#!/bin/sh\necho not elf\n", f);
    fclose(f);
    cr_expect_eq(fz_elf_attach(stub, out, "x", 1, NULL), FZ_EFORMAT);
    cr_expect_eq(access(out, F_OK), -1);
    cr_expect_eq(count_entries(), 1); /* just the fake stub */
}

Test(elf_attach, missing_stub_is_an_io_error)
{
    char out[256];

    snprintf(out, sizeof(out), "%s/app", dir);
    cr_expect_eq(fz_elf_attach("/nonexistent/stub", out, "x", 1, NULL), FZ_EIO);
    cr_expect_eq(count_entries(), 0);
}

Test(elf_attach, no_section_is_not_found)
{
    uint64_t off;
    uint64_t size;

    cr_expect_eq(fz_elf_find_payload(STUB, &off, &size), FZ_ENOTFOUND);
}
