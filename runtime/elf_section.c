/*
 * elf_section.c - locate a named section of an ELF64 LE file with bounded
 * preads (elf_section.h); no libelf, since the runtime must stay small.
 */
#include "elf_section.h"

#include "fz_error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EHDR_SIZE 64
#define SHDR_SIZE 64
#define SHN_UNDEF 0
#define SHN_LORESERVE 0xff00u
#define SHN_XINDEX 0xffffu
#define SHT_NOBITS 8

static uint16_t
le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t
le32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static uint64_t
le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | ((uint64_t)le32(p + 4) << 32);
}

/* Read exactly `size` bytes at `off`, which the caller checked. */
static int
read_at(int fd, void *buf, size_t size, uint64_t off, const char *what)
{
    unsigned char *p = buf;

    while (size > 0) {
        ssize_t n = pread(fd, p, size, (off_t)off);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fz_error_set(FZ_EIO, "reading the %s: %s", what,
                                strerror(errno));
        }
        if (n == 0) {
            return fz_error_set(FZ_EFORMAT, "the %s is truncated", what);
        }
        p += n;
        size -= (size_t)n;
        off += (uint64_t)n;
    }
    return FZ_OK;
}

/* Is [off, off + size) inside a file of `file_size` bytes? */
static int
in_file(uint64_t off, uint64_t size, uint64_t file_size)
{
    return off <= file_size && size <= file_size - off;
}

int
fz_elf_find_section(int fd, uint64_t file_size, const char *name, uint64_t *off,
                    uint64_t *size)
{
    unsigned char eh[EHDR_SIZE];
    unsigned char *shdrs = NULL;
    unsigned char *strtab = NULL;
    uint64_t shoff, shnum, shstrndx, table_size, str_off, str_size;
    uint16_t shentsize;
    size_t name_len = strlen(name);
    int found = 0;
    int rc = FZ_OK;
    uint64_t i;

    *off = 0;
    *size = 0;
    if (file_size < EHDR_SIZE) {
        return fz_error_set(FZ_EFORMAT, "not an ELF file: %llu bytes",
                            (unsigned long long)file_size);
    }
    rc = read_at(fd, eh, sizeof(eh), 0, "ELF header");
    if (rc < 0) {
        goto done;
    }
    if (memcmp(eh,
               "\x7f"
               "ELF",
               4) != 0) {
        rc = fz_error_set(FZ_EFORMAT, "not an ELF file");
        goto done;
    }
    if (eh[4] != 2 || eh[5] != 1) {
        rc = fz_error_set(FZ_EFORMAT, "not a 64-bit little-endian ELF file");
        goto done;
    }
    shoff = le64(eh + 40);
    shentsize = le16(eh + 58);
    shnum = le16(eh + 60);
    shstrndx = le16(eh + 62);
    if (shoff == 0) {
        rc = fz_error_set(FZ_ENOTFOUND, "no section headers");
        goto done;
    }
    if (shentsize != SHDR_SIZE) {
        rc = fz_error_set(FZ_EFORMAT, "bad section header size %u",
                          (unsigned)shentsize);
        goto done;
    }
    if (!in_file(shoff, SHDR_SIZE, file_size)) {
        rc = fz_error_set(FZ_EFORMAT, "section headers beyond the end");
        goto done;
    }
    /* Extended numbering keeps the real count/index in section 0. */
    if (shnum == 0 || shstrndx == SHN_XINDEX) {
        unsigned char s0[SHDR_SIZE];

        rc = read_at(fd, s0, sizeof(s0), shoff, "section header table");
        if (rc < 0) {
            goto done;
        }
        if (shnum == 0) {
            shnum = le64(s0 + 32);
        }
        if (shstrndx == SHN_XINDEX) {
            shstrndx = le32(s0 + 40);
        }
    } else if (shstrndx >= SHN_LORESERVE) {
        rc = fz_error_set(FZ_EFORMAT, "bad section name table index");
        goto done;
    }
    if (shnum == 0 || shnum > file_size / SHDR_SIZE) {
        rc = fz_error_set(FZ_EFORMAT, "bad section count %llu",
                          (unsigned long long)shnum);
        goto done;
    }
    table_size = shnum * SHDR_SIZE;
    if (!in_file(shoff, table_size, file_size)) {
        rc = fz_error_set(FZ_EFORMAT, "section headers beyond the end");
        goto done;
    }
    if (shstrndx == SHN_UNDEF || shstrndx >= shnum) {
        rc = fz_error_set(FZ_EFORMAT,
                          "section name table index %llu out "
                          "of range",
                          (unsigned long long)shstrndx);
        goto done;
    }
    shdrs = malloc((size_t)table_size);
    if (!shdrs) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    rc = read_at(fd, shdrs, (size_t)table_size, shoff, "section header table");
    if (rc < 0) {
        goto done;
    }
    str_off = le64(shdrs + shstrndx * SHDR_SIZE + 24);
    str_size = le64(shdrs + shstrndx * SHDR_SIZE + 32);
    if (le32(shdrs + shstrndx * SHDR_SIZE + 4) == SHT_NOBITS ||
        !in_file(str_off, str_size, file_size) || str_size == 0) {
        rc = fz_error_set(FZ_EFORMAT, "section name table out of range");
        goto done;
    }
    strtab = malloc((size_t)str_size);
    if (!strtab) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    rc = read_at(fd, strtab, (size_t)str_size, str_off, "section name table");
    if (rc < 0) {
        goto done;
    }
    for (i = 0; i < shnum; i++) {
        const unsigned char *sh = shdrs + i * SHDR_SIZE;
        uint32_t name_off = le32(sh);
        const char *sec_name;

        if (name_off >= str_size ||
            !memchr(strtab + name_off, '\0', (size_t)(str_size - name_off))) {
            rc = fz_error_set(FZ_EFORMAT, "name of section %llu out of range",
                              (unsigned long long)i);
            goto done;
        }
        sec_name = (const char *)strtab + name_off;
        if (found || strlen(sec_name) != name_len ||
            memcmp(sec_name, name, name_len) != 0) {
            continue;
        }
        if (le32(sh + 4) == SHT_NOBITS) {
            rc = fz_error_set(FZ_EFORMAT, "section %s has no data", name);
            goto done;
        }
        *off = le64(sh + 24);
        *size = le64(sh + 32);
        if (!in_file(*off, *size, file_size)) {
            rc = fz_error_set(FZ_EFORMAT, "section %s beyond the end", name);
            goto done;
        }
        found = 1;
    }
    if (!found) {
        rc = fz_error_set(FZ_ENOTFOUND, "no section %s", name);
    }
done:
    if (rc < 0) {
        *off = 0;
        *size = 0;
    }
    free(shdrs);
    free(strtab);
    return rc;
}
