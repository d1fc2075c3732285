/*
 * elfdeps.h - what the dynamic loader needs to know about one ELF file
 * (DT_NEEDED, DT_SONAME, DT_RPATH/DT_RUNPATH, version needs), read with
 * libelf and never by running anything. Used by natives.c (the library
 * closure) and by the glibc-floor report.
 */
#ifndef FZ_ELFDEPS_H
#define FZ_ELFDEPS_H

#include "buf.h"

#include <stddef.h>

typedef struct fz_elf_info {
    char *soname;      /* DT_SONAME, or NULL */
    fz_strvec needed;  /* DT_NEEDED, in file order */
    fz_strvec rpath;   /* DT_RPATH split on ':', unexpanded */
    fz_strvec runpath; /* DT_RUNPATH split on ':', unexpanded */
    int has_rpath;
    int has_runpath;
    int nodeflib; /* DF_1_NODEFLIB: no ld.so.cache, no default dirs */
    /* The highest version needed of each family ("2.34", "3.4.30",
     * "1.3.13"), or NULL when none is needed. */
    char *glibc;
    char *glibcxx;
    char *cxxabi;
} fz_elf_info;

/*
 * Read the ELF file at `path` (hostile input: every offset and size is
 * checked by libelf or here). It must be an ELF file of the machine and
 * class freeze runs on. Errors: FZ_EIO (cannot open), FZ_EFORMAT ("PATH:
 * not an ELF file", "PATH: ELF for another machine (...)", "PATH: damaged
 * ELF file (...)"), FZ_ENOMEM. *out is zeroed on failure; dispose it with
 * fz_elf_info_dispose either way.
 */
int fz_elf_read(fz_elf_info *out, const char *path);

/* Same, on `size` bytes at `data` (borrowed); `name` is for messages. */
int fz_elf_read_mem(fz_elf_info *out, const void *data, size_t size,
                    const char *name);

/* Release what an fz_elf_info holds; it may be read into again. */
void fz_elf_info_dispose(fz_elf_info *info);

/*
 * Compare dotted version numbers ("2.17" < "2.34" < "2.34.1"); missing
 * components count as 0, non-digits end a component. NULL is lowest.
 */
int fz_elf_version_cmp(const char *a, const char *b);

#endif /* FZ_ELFDEPS_H */
