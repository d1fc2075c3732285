/*
 * elf_attach.c - append the payload section to a copy of the runtime stub
 * with libelf, in a temp file renamed into place (elf_attach.h).
 */
#define _GNU_SOURCE
#include "elf_attach.h"

#include "buf.h"
#include "fz_error.h"
#include "fz_payload.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
elf_fail(int status, const char *what)
{
    return fz_error_set(status, "%s: %s", what, elf_errmsg(-1));
}

static int
copy_fd(int in, int out, const char *src, const char *dst)
{
    char chunk[1 << 16];

    for (;;) {
        ssize_t n = read(in, chunk, sizeof(chunk));
        ssize_t off = 0;

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return fz_error_set(FZ_EIO, "%s: %s", src, strerror(errno));
        }
        if (n == 0) {
            return 0;
        }
        while (off < n) {
            ssize_t m = write(out, chunk + off, (size_t)(n - off));

            if (m < 0 && errno == EINTR) {
                continue;
            }
            if (m < 0) {
                return fz_error_set(FZ_EIO, "%s: %s", dst, strerror(errno));
            }
            off += m;
        }
    }
}

static uint64_t
align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* Find a section by name; NULL when absent. */
static Elf_Scn *
find_section(Elf *e, size_t shstrndx, const char *name)
{
    Elf_Scn *scn = NULL;
    GElf_Shdr sh;

    while ((scn = elf_nextscn(e, scn)) != NULL) {
        const char *n;

        if (gelf_getshdr(scn, &sh) == NULL) {
            return NULL;
        }
        n = elf_strptr(e, shstrndx, sh.sh_name);
        if (n != NULL && strcmp(n, name) == 0) {
            return scn;
        }
    }
    return NULL;
}

/* Add the section to the ELF file open on `fd` (read-write). */
static int
attach_fd(int fd, const char *what, const void *payload, size_t size)
{
    static const char secname[] = FZ_PAYLOAD_SECTION;
    Elf *e = NULL;
    Elf_Scn *scn;
    Elf_Scn *strscn;
    Elf_Data *data;
    Elf_Data *strdata;
    GElf_Ehdr eh;
    GElf_Shdr sh;
    GElf_Shdr strsh;
    size_t shstrndx;
    char *strtab = NULL;
    size_t strsize;
    struct stat st;
    uint64_t off;
    int rc = 0;

    if (fstat(fd, &st) < 0) {
        return fz_error_set(FZ_EIO, "%s: %s", what, strerror(errno));
    }
    e = elf_begin(fd, ELF_C_RDWR, NULL);
    if (e == NULL || elf_kind(e) != ELF_K_ELF) {
        rc = fz_error_set(FZ_EFORMAT, "%s: not an ELF file", what);
        goto done;
    }
    if (gelf_getehdr(e, &eh) == NULL) {
        rc = elf_fail(FZ_EFORMAT, what);
        goto done;
    }
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
        rc = fz_error_set(FZ_EFORMAT, "%s: not an executable", what);
        goto done;
    }
    if (elf_getshdrstrndx(e, &shstrndx) != 0 || shstrndx == SHN_UNDEF) {
        rc = fz_error_set(FZ_EFORMAT, "%s: no section name table", what);
        goto done;
    }
    if (find_section(e, shstrndx, secname) != NULL) {
        rc = fz_error_set(FZ_EFORMAT, "%s: already has a %s section", what,
                          secname);
        goto done;
    }
    /* We place everything ourselves: libelf must not move a byte. */
    elf_flagelf(e, ELF_C_SET, ELF_F_LAYOUT);
    /* Dirty as a whole: libelf then builds a new section header table
     * instead of reusing the loaded one, which has no slot for ours. */
    elf_flagelf(e, ELF_C_SET, ELF_F_DIRTY);

    /* The payload, 4096-aligned after everything the stub holds. */
    off = align_up((uint64_t)st.st_size, FZ_ELF_PAYLOAD_ALIGN);
    strscn = elf_getscn(e, shstrndx);
    if (strscn == NULL || gelf_getshdr(strscn, &strsh) == NULL ||
        (strdata = elf_getdata(strscn, NULL)) == NULL) {
        rc = elf_fail(FZ_EFORMAT, what);
        goto done;
    }
    scn = elf_newscn(e);
    if (scn == NULL || (data = elf_newdata(scn)) == NULL) {
        rc = elf_fail(FZ_EFORMAT, what);
        goto done;
    }
    data->d_buf = (void *)payload;
    data->d_size = size;
    data->d_type = ELF_T_BYTE;
    data->d_align = FZ_ELF_PAYLOAD_ALIGN;
    data->d_off = 0;
    data->d_version = EV_CURRENT;
    if (gelf_getshdr(scn, &sh) == NULL) {
        rc = elf_fail(FZ_EFORMAT, what);
        goto done;
    }
    sh.sh_name = (GElf_Word)strdata->d_size;
    sh.sh_type = SHT_PROGBITS;
    sh.sh_flags = 0;
    sh.sh_addr = 0;
    sh.sh_offset = off;
    sh.sh_size = size;
    sh.sh_link = 0;
    sh.sh_info = 0;
    sh.sh_addralign = FZ_ELF_PAYLOAD_ALIGN;
    sh.sh_entsize = 0;
    if (!gelf_update_shdr(scn, &sh)) {
        rc = elf_fail(FZ_EFORMAT, what);
        goto done;
    }
    elf_flagscn(scn, ELF_C_SET, ELF_F_DIRTY);
    elf_flagdata(data, ELF_C_SET, ELF_F_DIRTY);
    off += size;

    /* .shstrtab, with the new name, moves after the payload. */
    if (strdata->d_size > UINT32_MAX - sizeof(secname)) {
        rc = fz_error_set(FZ_EFORMAT, "%s: section name table too big", what);
        goto done;
    }
    strsize = strdata->d_size + sizeof(secname);
    strtab = malloc(strsize);
    if (strtab == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    memcpy(strtab, strdata->d_buf, strdata->d_size);
    memcpy(strtab + strdata->d_size, secname, sizeof(secname));
    strdata->d_buf = strtab;
    strdata->d_size = strsize;
    strdata->d_off = 0;
    strsh.sh_offset = off;
    strsh.sh_size = strsize;
    if (!gelf_update_shdr(strscn, &strsh)) {
        rc = elf_fail(FZ_EFORMAT, what);
        goto done;
    }
    elf_flagscn(strscn, ELF_C_SET, ELF_F_DIRTY);
    elf_flagdata(strdata, ELF_C_SET, ELF_F_DIRTY);
    off += strsize;

    /* The section header table last. */
    eh.e_shoff = align_up(off, 8);
    if (!gelf_update_ehdr(e, &eh)) {
        rc = elf_fail(FZ_EFORMAT, what);
        goto done;
    }
    elf_flagehdr(e, ELF_C_SET, ELF_F_DIRTY);
    if (elf_update(e, ELF_C_WRITE) < 0) {
        rc = elf_fail(FZ_EIO, what);
        goto done;
    }
done:
    if (e != NULL) {
        elf_end(e);
    }
    free(strtab);
    return rc;
}

int
fz_elf_attach(const char *stub, const char *output, const void *payload,
              size_t payload_size, uint64_t *out_size)
{
    fz_buf tmp = FZ_BUF_INIT;
    char *dir = NULL;
    int in = -1;
    int fd = -1;
    int created = 0;
    struct stat st;
    int rc = 0;

    if (elf_version(EV_CURRENT) == EV_NONE) {
        return elf_fail(FZ_EFAIL, "libelf");
    }
    dir = fz_path_dirname(output);
    if (dir == NULL) {
        rc = FZ_ENOMEM;
        goto done;
    }
    rc = fz_buf_printf(&tmp, "%s/.%s.XXXXXX", dir, fz_path_basename(output));
    if (rc < 0) {
        goto done;
    }
    in = open(stub, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        rc = fz_error_set(FZ_EIO, "runtime stub %s: %s", stub, strerror(errno));
        goto done;
    }
    fd = mkostemp(tmp.data, O_CLOEXEC);
    if (fd < 0) {
        rc = fz_error_set(FZ_EIO, "cannot create a file in %s: %s", dir,
                          strerror(errno));
        goto done;
    }
    created = 1;
    rc = copy_fd(in, fd, stub, tmp.data);
    if (rc < 0) {
        goto done;
    }
    rc = attach_fd(fd, stub, payload, payload_size);
    if (rc < 0) {
        goto done;
    }
    if (fchmod(fd, 0755) < 0 || fsync(fd) < 0 || fstat(fd, &st) < 0) {
        rc = fz_error_set(FZ_EIO, "%s: %s", tmp.data, strerror(errno));
        goto done;
    }
    if (close(fd) < 0) {
        fd = -1;
        rc = fz_error_set(FZ_EIO, "%s: %s", tmp.data, strerror(errno));
        goto done;
    }
    fd = -1;
    if (rename(tmp.data, output) < 0) {
        rc = fz_error_set(FZ_EIO, "cannot write %s: %s", output,
                          strerror(errno));
        goto done;
    }
    created = 0;
    if (out_size != NULL) {
        *out_size = (uint64_t)st.st_size;
    }
done:
    if (in >= 0) {
        close(in);
    }
    if (fd >= 0) {
        close(fd);
    }
    if (created) {
        unlink(tmp.data);
    }
    fz_buf_dispose(&tmp);
    free(dir);
    return rc;
}

int
fz_elf_find_payload(const char *path, uint64_t *offset, uint64_t *size)
{
    Elf *e = NULL;
    Elf_Scn *scn;
    GElf_Shdr sh;
    size_t shstrndx;
    int fd;
    int rc = 0;

    if (elf_version(EV_CURRENT) == EV_NONE) {
        return elf_fail(FZ_EFAIL, "libelf");
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return fz_error_set(FZ_EIO, "%s: %s", path, strerror(errno));
    }
    e = elf_begin(fd, ELF_C_READ, NULL);
    if (e == NULL || elf_kind(e) != ELF_K_ELF ||
        elf_getshdrstrndx(e, &shstrndx) != 0) {
        rc = fz_error_set(FZ_EFORMAT, "%s: not an ELF file", path);
        goto done;
    }
    scn = find_section(e, shstrndx, FZ_PAYLOAD_SECTION);
    if (scn == NULL || gelf_getshdr(scn, &sh) == NULL) {
        rc = fz_error_set(FZ_ENOTFOUND, "%s: no %s section", path,
                          FZ_PAYLOAD_SECTION);
        goto done;
    }
    *offset = sh.sh_offset;
    *size = sh.sh_size;
done:
    if (e != NULL) {
        elf_end(e);
    }
    close(fd);
    return rc;
}
