/*
 * elfdeps.c - dynamic section and version needs of one ELF file, read with
 * libelf (elfdeps.h). Input is hostile: a damaged file is an error with
 * its name, never a crash.
 */
#include "elfdeps.h"

#include "fz_error.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#define HOST_MACHINE_NAME "x86-64"
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#define HOST_MACHINE_NAME "aarch64"
#elif defined(__i386__)
#define HOST_MACHINE EM_386
#define HOST_MACHINE_NAME "i386"
#else
#error "elfdeps.c: unknown host machine"
#endif

#if defined(__LP64__)
#define HOST_CLASS ELFCLASS64
#else
#define HOST_CLASS ELFCLASS32
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_DATA ELFDATA2LSB
#else
#define HOST_DATA ELFDATA2MSB
#endif

void
fz_elf_info_dispose(fz_elf_info *info)
{
    free(info->soname);
    fz_strvec_dispose(&info->needed);
    fz_strvec_dispose(&info->rpath);
    fz_strvec_dispose(&info->runpath);
    free(info->glibc);
    free(info->glibcxx);
    free(info->cxxabi);
    memset(info, 0, sizeof(*info));
}

int
fz_elf_version_cmp(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        return (a != NULL) - (b != NULL);
    }
    while (*a != '\0' || *b != '\0') {
        unsigned long x = 0;
        unsigned long y = 0;

        while (*a >= '0' && *a <= '9') {
            x = x < 100000000ul ? x * 10 + (unsigned long)(*a - '0') : x;
            a++;
        }
        while (*b >= '0' && *b <= '9') {
            y = y < 100000000ul ? y * 10 + (unsigned long)(*b - '0') : y;
            b++;
        }
        if (x != y) {
            return x < y ? -1 : 1;
        }
        /* skip to the next component */
        while (*a != '\0' && *a != '.') {
            a++;
        }
        while (*b != '\0' && *b != '.') {
            b++;
        }
        a += *a == '.';
        b += *b == '.';
    }
    return 0;
}

/* Keep in *slot the higher of *slot and `v` (copied). */
static int
keep_max(char **slot, const char *v)
{
    char *copy;

    if (*slot != NULL && fz_elf_version_cmp(*slot, v) >= 0) {
        return 0;
    }
    copy = fz_strdup(v);
    if (copy == NULL) {
        return FZ_ENOMEM;
    }
    free(*slot);
    *slot = copy;
    return 0;
}

/* One version-need name: GLIBC_2.34, GLIBCXX_3.4.30, CXXABI_1.3.13. */
static int
note_version(fz_elf_info *info, const char *name)
{
    static const struct {
        const char *prefix;
        size_t offset;
    } families[] = {
        {"GLIBC_", offsetof(fz_elf_info, glibc)},
        {"GLIBCXX_", offsetof(fz_elf_info, glibcxx)},
        {"CXXABI_", offsetof(fz_elf_info, cxxabi)},
    };

    /* The DT_RELR marker: such a file needs glibc 2.36's loader. */
    if (strcmp(name, "GLIBC_ABI_DT_RELR") == 0) {
        return keep_max(&info->glibc, "2.36");
    }
    for (size_t i = 0; i < sizeof(families) / sizeof(*families); i++) {
        size_t n = strlen(families[i].prefix);

        if (strncmp(name, families[i].prefix, n) == 0 && name[n] >= '0' &&
            name[n] <= '9') {
            return keep_max((char **)((char *)info + families[i].offset),
                            name + n);
        }
    }
    return 0; /* GLIBC_PRIVATE, other libraries' own versions */
}

/* Append the ':'-separated parts of `s` (empty parts dropped). */
static int
split_path(fz_strvec *v, const char *s)
{
    while (*s != '\0') {
        const char *colon = strchr(s, ':');
        size_t n = colon ? (size_t)(colon - s) : strlen(s);

        if (n > 0) {
            char *part = malloc(n + 1);
            int rc;

            if (part == NULL) {
                return fz_error_set(FZ_ENOMEM, "out of memory");
            }
            memcpy(part, s, n);
            part[n] = '\0';
            rc = fz_strvec_push(v, part);
            free(part);
            if (rc < 0) {
                return rc;
            }
        }
        s += n;
        s += *s == ':';
    }
    return 0;
}

static int
damaged(const char *name, const char *what)
{
    const char *detail = elf_errmsg(-1);

    return fz_error_set(FZ_EFORMAT, "%s: damaged ELF file (%s%s%s)", name, what,
                        detail ? ": " : "", detail ? detail : "");
}

/* The section `ndx` and its header, checked to lie inside the file. */
static Elf_Scn *
section(Elf *elf, size_t ndx, size_t shnum, size_t file_size, GElf_Shdr *sh)
{
    Elf_Scn *scn;

    if (ndx == 0 || ndx >= shnum) {
        return NULL;
    }
    scn = elf_getscn(elf, ndx);
    if (scn == NULL || gelf_getshdr(scn, sh) == NULL) {
        return NULL;
    }
    if (sh->sh_type != SHT_NOBITS &&
        (sh->sh_offset > file_size ||
         sh->sh_size > file_size - sh->sh_offset)) {
        return NULL;
    }
    return scn;
}

static int
read_dynamic(fz_elf_info *info, Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh,
             size_t shnum, size_t file_size, const char *name)
{
    GElf_Shdr strsh;
    Elf_Data *data;
    size_t count;
    int rc = 0;

    if (section(elf, sh->sh_link, shnum, file_size, &strsh) == NULL ||
        strsh.sh_type != SHT_STRTAB) {
        return damaged(name, "bad string table of .dynamic");
    }
    data = elf_getdata(scn, NULL);
    if (data == NULL || data->d_buf == NULL) {
        return damaged(name, "unreadable .dynamic");
    }
    count = data->d_size / gelf_fsize(elf, ELF_T_DYN, 1, EV_CURRENT);
    for (size_t i = 0; i < count; i++) {
        GElf_Dyn dyn;
        const char *s;

        if (gelf_getdyn(data, (int)i, &dyn) == NULL) {
            return damaged(name, "bad .dynamic entry");
        }
        if (dyn.d_tag == DT_NULL) {
            break;
        }
        if (dyn.d_tag == DT_FLAGS_1) {
            info->nodeflib |= (dyn.d_un.d_val & DF_1_NODEFLIB) != 0;
            continue;
        }
        if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_SONAME &&
            dyn.d_tag != DT_RPATH && dyn.d_tag != DT_RUNPATH) {
            continue;
        }
        s = elf_strptr(elf, sh->sh_link, dyn.d_un.d_val);
        if (s == NULL) {
            return damaged(name, "dynamic string out of bounds");
        }
        switch (dyn.d_tag) {
        case DT_NEEDED:
            if (s[0] == '\0') {
                return damaged(name, "empty DT_NEEDED");
            }
            rc = fz_strvec_push(&info->needed, s);
            break;
        case DT_SONAME:
            free(info->soname);
            info->soname = fz_strdup(s);
            rc = info->soname ? 0 : FZ_ENOMEM;
            break;
        case DT_RPATH:
            info->has_rpath = 1;
            rc = split_path(&info->rpath, s);
            break;
        default:
            info->has_runpath = 1;
            rc = split_path(&info->runpath, s);
            break;
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static int
read_verneed(fz_elf_info *info, Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh,
             size_t shnum, size_t file_size, const char *name)
{
    GElf_Shdr strsh;
    Elf_Data *data;
    size_t off = 0;
    int rc;

    if (section(elf, sh->sh_link, shnum, file_size, &strsh) == NULL ||
        strsh.sh_type != SHT_STRTAB) {
        return damaged(name, "bad string table of the version needs");
    }
    data = elf_getdata(scn, NULL);
    if (data == NULL || data->d_buf == NULL) {
        return damaged(name, "unreadable version needs");
    }
    if (data->d_size > INT32_MAX) {
        return damaged(name, "version needs too large");
    }
    /* Offsets only grow (next > 0), so both loops end within d_size. */
    for (size_t i = 0; i < sh->sh_info; i++) {
        GElf_Verneed vn;
        size_t aux;
        size_t step;

        if (off >= data->d_size ||
            gelf_getverneed(data, (int)off, &vn) == NULL) {
            return damaged(name, "version need out of bounds");
        }
        aux = off;
        step = vn.vn_aux;
        for (size_t j = 0; j < vn.vn_cnt; j++) {
            GElf_Vernaux va;
            const char *s;

            if (step > data->d_size - aux) {
                return damaged(name, "version need auxiliary out of bounds");
            }
            aux += step;
            if (aux >= data->d_size ||
                gelf_getvernaux(data, (int)aux, &va) == NULL) {
                return damaged(name, "version need auxiliary out of bounds");
            }
            s = elf_strptr(elf, sh->sh_link, va.vna_name);
            if (s == NULL) {
                return damaged(name, "version name out of bounds");
            }
            rc = note_version(info, s);
            if (rc < 0) {
                return rc;
            }
            step = va.vna_next;
            if (step == 0) {
                break;
            }
        }
        if (vn.vn_next == 0) {
            break;
        }
        if (vn.vn_next > data->d_size - off) {
            return damaged(name, "version need chain out of bounds");
        }
        off += vn.vn_next;
    }
    return 0;
}

static int
read_elf(fz_elf_info *out, Elf *elf, size_t file_size, const char *name)
{
    const char *ident;
    size_t ident_size = 0;
    GElf_Ehdr eh;
    size_t shnum = 0;
    int rc = 0;

    if (elf == NULL || elf_kind(elf) != ELF_K_ELF) {
        return fz_error_set(FZ_EFORMAT, "%s: not an ELF file", name);
    }
    ident = elf_getident(elf, &ident_size);
    if (ident == NULL || ident_size < EI_NIDENT) {
        return damaged(name, "no identification");
    }
    if ((unsigned char)ident[EI_CLASS] != HOST_CLASS ||
        (unsigned char)ident[EI_DATA] != HOST_DATA) {
        return fz_error_set(FZ_EFORMAT,
                            "%s: ELF for another machine (%s, %s-endian; "
                            "freeze runs on %d-bit " HOST_MACHINE_NAME ")",
                            name,
                            ident[EI_CLASS] == ELFCLASS32   ? "32-bit"
                            : ident[EI_CLASS] == ELFCLASS64 ? "64-bit"
                                                            : "unknown class",
                            ident[EI_DATA] == ELFDATA2MSB ? "big" : "little",
                            (int)(sizeof(void *) * 8));
    }
    if (gelf_getehdr(elf, &eh) == NULL) {
        return damaged(name, "ELF header");
    }
    if (eh.e_machine != HOST_MACHINE) {
        return fz_error_set(FZ_EFORMAT,
                            "%s: ELF for another machine (e_machine %u; "
                            "freeze runs on " HOST_MACHINE_NAME ")",
                            name, (unsigned)eh.e_machine);
    }
    if (elf_getshdrnum(elf, &shnum) != 0) {
        return damaged(name, "section headers");
    }
    for (size_t i = 1; i < shnum; i++) {
        GElf_Shdr sh;
        Elf_Scn *scn = section(elf, i, shnum, file_size, &sh);

        if (scn == NULL) {
            return damaged(name, "section header out of bounds");
        }
        if (sh.sh_type == SHT_DYNAMIC) {
            rc = read_dynamic(out, elf, scn, &sh, shnum, file_size, name);
        } else if (sh.sh_type == SHT_GNU_verneed) {
            rc = read_verneed(out, elf, scn, &sh, shnum, file_size, name);
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

int
fz_elf_read_mem(fz_elf_info *out, const void *data, size_t size,
                const char *name)
{
    Elf *elf = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    elf_version(EV_CURRENT);
    elf = elf_memory((char *)data, size);
    rc = read_elf(out, elf, size, name);
    elf_end(elf);
    if (rc < 0) {
        fz_elf_info_dispose(out);
    }
    return rc;
}

int
fz_elf_read(fz_elf_info *out, const char *path)
{
    struct stat st;
    Elf *elf = NULL;
    int fd;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    elf_version(EV_CURRENT);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return fz_error_set(FZ_EIO, "%s: %s", path, strerror(errno));
    }
    if (fstat(fd, &st) < 0) {
        rc = fz_error_set(FZ_EIO, "%s: %s", path, strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = fz_error_set(FZ_EFORMAT, "%s: not a regular file", path);
        goto done;
    }
    elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    rc = read_elf(out, elf, (size_t)st.st_size, path);
done:
    elf_end(elf);
    close(fd);
    if (rc < 0) {
        fz_elf_info_dispose(out);
    }
    return rc;
}
