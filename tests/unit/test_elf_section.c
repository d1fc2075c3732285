/*
 * test_elf_section.c - the runtime's ELF section finder on a crafted ELF64
 * file, on the test binary itself, and on every kind of hostile header.
 */
#include "elf_section.h"
#include "fz_error.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The crafted file: ELF header (64), payload bytes at 64, shstrtab at 128,
 * three section headers (null, .fzpayload, .shstrtab) at 192.
 */
#define F_PAYLOAD 64
#define F_PAYLOAD_SIZE 40
#define F_STRTAB 128
#define F_SHDRS 192
#define F_SIZE (F_SHDRS + 3 * 64)

static const char strtab[] = "\0.fzpayload\0.shstrtab\0";

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static void
put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static void
craft(uint8_t *f)
{
    uint8_t *sh;

    memset(f, 0, F_SIZE);
    memcpy(f,
           "\x7f"
           "ELF",
           4);
    f[4] = 2; /* ELFCLASS64 */
    f[5] = 1; /* ELFDATA2LSB */
    f[6] = 1;
    put16(f + 16, 2);  /* ET_EXEC */
    put16(f + 18, 62); /* EM_X86_64 */
    put32(f + 20, 1);
    put64(f + 40, F_SHDRS);
    put16(f + 52, 64);
    put16(f + 58, 64);
    put16(f + 60, 3);
    put16(f + 62, 2);
    memset(f + F_PAYLOAD, 'P', F_PAYLOAD_SIZE);
    memcpy(f + F_STRTAB, strtab, sizeof(strtab));
    sh = f + F_SHDRS + 64;
    put32(sh, 1); /* ".fzpayload" */
    put32(sh + 4, 1);
    put64(sh + 24, F_PAYLOAD);
    put64(sh + 32, F_PAYLOAD_SIZE);
    sh += 64;
    put32(sh, 12); /* ".shstrtab" */
    put32(sh + 4, 3);
    put64(sh + 24, F_STRTAB);
    put64(sh + 32, sizeof(strtab));
}

/* Write `size` bytes to a new unlinked temp file; return its fd. */
static int
temp_file(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/fz-elf-XXXXXX";
    int fd = mkstemp(path);

    cr_assert_geq(fd, 0);
    unlink(path);
    cr_assert_eq(write(fd, data, size), (ssize_t)size);
    return fd;
}

/* Run the finder on a buffer. */
static int
find(const uint8_t *data, size_t size, const char *name, uint64_t *off,
     uint64_t *len)
{
    int fd = temp_file(data, size);
    int rc = fz_elf_find_section(fd, size, name, off, len);

    close(fd);
    return rc;
}

Test(elf_section, finds_the_payload_in_a_crafted_file)
{
    uint8_t f[F_SIZE];
    uint64_t off, len;

    craft(f);
    cr_assert_eq(find(f, sizeof(f), ".fzpayload", &off, &len), FZ_OK, "%s",
                 fz_error_message());
    cr_assert_eq(off, F_PAYLOAD);
    cr_assert_eq(len, F_PAYLOAD_SIZE);
    cr_assert_eq(find(f, sizeof(f), ".shstrtab", &off, &len), FZ_OK);
    cr_assert_eq(off, F_STRTAB);
}

Test(elf_section, a_missing_section_is_not_found)
{
    uint8_t f[F_SIZE];
    uint64_t off = 1, len = 1;

    craft(f);
    cr_assert_eq(find(f, sizeof(f), ".fzpay", &off, &len), FZ_ENOTFOUND);
    cr_assert_eq(off, 0);
    cr_assert_eq(len, 0);
    cr_assert_eq(find(f, sizeof(f), ".fzpayloadx", &off, &len), FZ_ENOTFOUND);
}

Test(elf_section, reads_the_real_test_binary)
{
    int fd = open("/proc/self/exe", O_RDONLY);
    struct stat st;
    uint64_t off, len;

    cr_assert_geq(fd, 0);
    cr_assert_eq(fstat(fd, &st), 0);
    cr_assert_eq(
        fz_elf_find_section(fd, (uint64_t)st.st_size, ".text", &off, &len),
        FZ_OK, "%s", fz_error_message());
    cr_assert_gt(len, 0);
    cr_assert_leq(off + len, (uint64_t)st.st_size);
    cr_assert_eq(
        fz_elf_find_section(fd, (uint64_t)st.st_size, ".fzpayload", &off, &len),
        FZ_ENOTFOUND);
    close(fd);
}

/* One hostile edit of the crafted file and the words its error holds. */
typedef struct {
    char what[40]; /* arrays, not pointers: Criterion copies the table */
    size_t at;
    int width; /* 1, 2, 4 or 8 bytes */
    uint64_t value;
    char expect[16];
} damage;

static damage damages[] = {
    {"32-bit class", 4, 1, 1, "64-bit"},
    {"big-endian", 5, 1, 2, "little-endian"},
    {"bad magic", 1, 1, 'X', "not an ELF"},
    {"shoff beyond EOF", 40, 8, F_SIZE + 64, "beyond"},
    {"shoff huge", 40, 8, UINT64_MAX - 10, "beyond"},
    {"shoff overflows with the table", 40, 8, F_SIZE - 64, "beyond"},
    {"shentsize small", 58, 2, 40, "header size"},
    {"shentsize huge", 58, 2, 0xffff, "header size"},
    {"shnum too large", 60, 2, 0xfeff, "count"},
    {"shstrndx out of range", 62, 2, 3, "out of range"},
    {"shstrndx reserved", 62, 2, 0xff05, "name table"},
    {"shstrndx zero", 62, 2, 0, "out of range"},
    {"shstrtab offset beyond EOF", F_SHDRS + 128 + 24, 8, F_SIZE + 1,
     "name table"},
    {"shstrtab size overflows", F_SHDRS + 128 + 32, 8, UINT64_MAX,
     "name table"},
    {"shstrtab empty", F_SHDRS + 128 + 32, 8, 0, "name table"},
    {"shstrtab nobits", F_SHDRS + 128 + 4, 4, 8, "name table"},
    {"name offset out of range", F_SHDRS + 64, 4, 1000, "out of range"},
    {"name offset huge", F_SHDRS + 64, 4, UINT32_MAX, "out of range"},
    {"section beyond EOF", F_SHDRS + 64 + 32, 8, F_SIZE, "beyond"},
    {"section size overflows", F_SHDRS + 64 + 32, 8, UINT64_MAX - 8, "beyond"},
    {"section offset huge", F_SHDRS + 64 + 24, 8, UINT64_MAX, "beyond"},
    {"payload section nobits", F_SHDRS + 64 + 4, 4, 8, "no data"},
};

ParameterizedTestParameters(elf_section, refuses_hostile_headers)
{
    return cr_make_param_array(damage, damages,
                               sizeof(damages) / sizeof(damages[0]));
}

ParameterizedTest(damage *d, elf_section, refuses_hostile_headers)
{
    uint8_t f[F_SIZE];
    uint64_t off = 7, len = 7;
    int rc;

    craft(f);
    switch (d->width) {
    case 1:
        f[d->at] = (uint8_t)d->value;
        break;
    case 2:
        put16(f + d->at, (uint16_t)d->value);
        break;
    case 4:
        put32(f + d->at, (uint32_t)d->value);
        break;
    default:
        put64(f + d->at, d->value);
        break;
    }
    rc = find(f, sizeof(f), ".fzpayload", &off, &len);
    cr_assert_eq(rc, FZ_EFORMAT, "%s: rc %d (%s)", d->what, rc,
                 fz_error_message());
    cr_assert(strstr(fz_error_message(), d->expect), "%s: '%s'", d->what,
              fz_error_message());
    cr_assert_eq(off, 0);
    cr_assert_eq(len, 0);
}

Test(elf_section, name_not_nul_terminated_in_the_table)
{
    uint8_t f[F_SIZE];
    uint64_t off, len;

    craft(f);
    /* The table ends right inside ".shstrtab": no NUL before its end. */
    put64(f + F_SHDRS + 128 + 32, 16);
    cr_assert_eq(find(f, sizeof(f), ".fzpayload", &off, &len), FZ_EFORMAT);
    cr_assert(strstr(fz_error_message(), "out of range"), "%s",
              fz_error_message());
}

Test(elf_section, no_section_headers_is_not_found)
{
    uint8_t f[F_SIZE];
    uint64_t off, len;

    craft(f);
    put64(f + 40, 0);
    cr_assert_eq(find(f, sizeof(f), ".fzpayload", &off, &len), FZ_ENOTFOUND);
}

Test(elf_section, extended_section_numbering)
{
    uint8_t f[F_SIZE];
    uint64_t off, len;

    craft(f);
    put16(f + 60, 0);      /* e_shnum 0: count in section 0's sh_size */
    put16(f + 62, 0xffff); /* SHN_XINDEX: index in section 0's sh_link */
    put64(f + F_SHDRS + 32, 3);
    put32(f + F_SHDRS + 40, 2);
    cr_assert_eq(find(f, sizeof(f), ".fzpayload", &off, &len), FZ_OK, "%s",
                 fz_error_message());
    cr_assert_eq(off, F_PAYLOAD);
    put64(f + F_SHDRS + 32, UINT64_MAX / 32);
    cr_assert_eq(find(f, sizeof(f), ".fzpayload", &off, &len), FZ_EFORMAT);
}

Test(elf_section, every_truncation_fails_cleanly)
{
    uint8_t f[F_SIZE];
    size_t n;

    craft(f);
    for (n = 0; n < F_SIZE; n++) {
        uint64_t off = 9, len = 9;
        int rc;

        /* The file is cut, but the header still claims everything. */
        rc = find(f, n, ".fzpayload", &off, &len);
        cr_assert_eq(rc, FZ_EFORMAT, "length %zu: rc %d", n, rc);
        cr_assert_eq(off, 0);
        cr_assert_eq(len, 0);
    }
}

Test(elf_section, a_lying_file_size_is_caught_by_short_reads)
{
    uint8_t f[F_SIZE];
    uint64_t off, len;
    int fd;

    craft(f);
    fd = temp_file(f, F_SHDRS + 10);
    /* The caller claims the full size; pread comes back short. */
    cr_assert_eq(fz_elf_find_section(fd, F_SIZE, ".fzpayload", &off, &len),
                 FZ_EFORMAT);
    cr_assert(strstr(fz_error_message(), "truncated"), "%s",
              fz_error_message());
    close(fd);
}
