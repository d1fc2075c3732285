/*
 * natives.h - the shared-library closure of a frozen app: every library
 * its extension modules need (DT_NEEDED, resolved as ld.so would), minus
 * the system libraries that must come from the target machine, and the
 * glibc floor of the whole app. Used by collect.c; reported by main.c.
 *
 * Never bundled (fz_natives_excluded): the glibc family and the dynamic
 * loader (libc, libm, libdl, libpthread, librt, libutil, libresolv, libanl,
 * libnsl, libnss_*, libBrokenLocale, libmvec, libthread_db,
 * libc_malloc_debug, ld-linux*, ld64*), which must match the target's
 * kernel-facing C library, and GPU/driver libraries (libGL*, libEGL*,
 * libGLX*, libGLES*, libGLdispatch, libOpenGL, libvulkan, libcuda,
 * libnvidia-*, libdrm), which must match the target's hardware drivers.
 */
#ifndef FZ_NATIVES_H
#define FZ_NATIVES_H

#include "buf.h"
#include "elfdeps.h"

#include <stddef.h>

typedef struct fz_natives_config {
    const char *const *exclude_globs; /* --exclude-binary (fnmatch) */
    size_t exclude_count;
    const char *const *add_binaries; /* --add-binary SRC:DEST */
    size_t add_count;
    const char *max_glibc;  /* --max-glibc X.Y, or NULL */
    const char *stub;       /* the runtime stub: counts for the floor */
    const char *qt_plugins; /* --qt-plugins GROUPS (qt.h), or NULL */
    /* Libraries GI typelibs name (gi.h), loaded by GI with dlopen: they
     * join the closure under the group FZ_GI_TYPELIB_DIR. NULL: none. */
    const fz_strvec *gi_libraries;
    /* Tests: NULL means /etc/ld.so.cache, $LD_LIBRARY_PATH and
     * /lib/<multiarch>:/usr/lib/<multiarch>:/lib:/usr/lib. */
    const char *ldcache;
    const char *ld_library_path;
    const char *default_dirs; /* ':'-separated */
} fz_natives_config;

/* A file the closure bundles (an extension, a library or --add-binary). */
typedef struct fz_native {
    char *entry;      /* payload entry name ("libfoo.so.1", "pkg.libs/x.so") */
    char *path;       /* the file to copy (symlinks resolved) */
    int is_extension; /* 1: an extension (collected elsewhere) */
    int is_group;     /* 1: no file, only a needs-table line naming
                         libraries loaded together ("gi_typelibs") */
    char *reason;     /* why a library was added itself, not as a
                         dependency ("stack Qt: plugin group platforms",
                         "--add-binary"); NULL otherwise */
    fz_elf_info info;
    size_t *deps; /* closure, dependencies first (indices of natives) */
    size_t dep_count;
} fz_native;

typedef struct fz_natives fz_natives;

/* A new, empty closure (cfg is copied; its strings are borrowed until
 * free). */
int fz_natives_new(fz_natives **out, const fz_natives_config *cfg);
void fz_natives_free(fz_natives *n);

/*
 * Add extension module `path`, bundled as `entry`, and the closure of the
 * libraries it needs. A library found below the extension's sys.path
 * directory keeps its relative place (numpy.libs/..., where the
 * extension's $ORIGIN RPATH expects it); any other goes to the top level
 * under the name it was asked for (its soname). A library not found is a
 * warning (fz_natives_warnings). Errors: an ELF file that is damaged or
 * of another machine (FZ_EFORMAT, naming it), FZ_EIO, FZ_ENOMEM.
 */
int fz_natives_add_extension(fz_natives *n, const char *path,
                             const char *entry);

/*
 * Add a library that is loaded with dlopen by other code (a Qt plugin),
 * bundled as `entry`, and the closure of the libraries it needs.
 * `reason` says which stack added it and why ("stack Qt: plugin group
 * platforms"); the build report lists it. Errors as
 * fz_natives_add_extension.
 */
int fz_natives_add_library(fz_natives *n, const char *path, const char *entry,
                           const char *reason);

/*
 * After the extensions: add Qt plugins (qt.h), the libraries of GI
 * typelibs (cfg->gi_libraries: resolved as if needed by an object
 * without RPATH; the group's needs-table line is "gi_typelibs\t<libs>"),
 * --add-binary files with their closure, compute
 * the glibc floor over the stub and every file, and enforce --max-glibc
 * (FZ_EFAIL naming every file that needs more).
 */
int fz_natives_finish(fz_natives *n);

size_t fz_natives_count(const fz_natives *n);
const fz_native *fz_natives_at(const fz_natives *n, size_t i);

/*
 * The ".freeze/needs" entry (docs/internals.md): one line per bundled
 * extension or library that needs bundled libraries,
 * "<entry>\t<dep>\t<dep>...\n", dependencies first.
 */
int fz_natives_needs_text(const fz_natives *n, fz_buf *out);

/* The highest GLIBC_x.y needed by the stub or a bundled file ("2.34"),
 * NULL when none; likewise GLIBCXX_ and CXXABI_. Borrowed. */
const char *fz_natives_glibc_floor(const fz_natives *n);
const char *fz_natives_glibcxx_floor(const fz_natives *n);

/* Libraries not found, and (for -v) what was left to the system. */
const fz_strvec *fz_natives_warnings(const fz_natives *n);

/* Add a warning of another stage (a typelib not found) to the list. */
int fz_natives_warn(fz_natives *n, const char *msg);
const fz_strvec *fz_natives_notes(const fz_natives *n);

/* What fz_natives_finish added for a stack ("PyQt5/Qt5/plugins/platforms:
 * 6 plugins"), for the report. Borrowed. */
const fz_strvec *fz_natives_stack_files(const fz_natives *n);

/* 1 when `name` (a soname or file name) is never bundled by default. */
int fz_natives_excluded(const char *name);

/* The payload entry name of the runtime's needs table. */
#define FZ_NATIVES_NEEDS_ENTRY ".freeze/needs"

#endif /* FZ_NATIVES_H */
