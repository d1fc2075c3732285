/*
 * gi.h - GObject-Introspection typelibs for PyGObject apps. extras.c
 * calls fz_gi_collect with the namespaces the program imports from
 * gi.repository; the typelibs are bundled under "gi_typelibs/" and the
 * libraries they name join the closure (natives.c), where the runtime
 * points GIRepository at them (runtime/stacks.c).
 *
 * The typelib header (gobject-introspection's gitypelib-internal.h,
 * format 4.x, little-endian on every platform freeze targets):
 *
 *   offset  size  field
 *        0    16  magic "GOBJ\nMETADATA\r\n\032"
 *       16     1  major version (4)
 *       17     1  minor version
 *       20     2  n_entries
 *       36     4  dependencies: offset of a NUL-terminated string,
 *                 "Name-Version|Name-Version...", 0 for none
 *       40     4  size: the typelib's length in bytes
 *       44     4  namespace: offset of "Gtk"
 *       48     4  nsversion: offset of "3.0"
 *       52     4  shared_library: offset of "libgtk-3.so.0[,lib...]", 0
 *                 for none
 *      ...   112  end of the header
 */
#ifndef FZ_GI_H
#define FZ_GI_H

#include "buf.h"
#include "data.h"

#include <stddef.h>

#define FZ_GI_HEADER_SIZE 112
#define FZ_GI_MAX_TYPELIB (64u << 20) /* larger files are refused */

/* The fields of a typelib header the freezer uses. */
typedef struct fz_typelib_info {
    char *name_space;       /* "Gtk" */
    char *version;          /* "3.0" */
    fz_strvec dependencies; /* "Gdk-3.0", ... */
    fz_strvec libraries;    /* "libgtk-3.so.0", ... */
} fz_typelib_info;

/*
 * Parse `size` bytes of a typelib (`what` names it in messages). Hostile
 * input: the magic, the major version, the recorded size and every
 * string offset are checked against `size`; names are checked to be
 * plain file names. Errors: FZ_EFORMAT (with `what` and the offset),
 * FZ_ENOMEM. On failure *out is empty.
 */
int fz_gi_typelib_parse(fz_typelib_info *out, const void *data, size_t size,
                        const char *what);

/* Read and parse the typelib at `path`. Errors: FZ_EIO, as above. */
int fz_gi_typelib_read(fz_typelib_info *out, const char *path);

/* Release. Accepts a zeroed struct. */
void fz_gi_typelib_dispose(fz_typelib_info *t);

/*
 * Find each of `wanted` ("Gtk-3.0"; "Gtk" for the newest version there
 * is; "GdkX11~3.0" for 3.0 if it exists, else the newest) in `dirs`
 * (':'-separated; NULL: $GI_TYPELIB_PATH, then
 * /usr/lib/<multiarch>/girepository-1.0 and /usr/lib/girepository-1.0,
 * GIRepository's default search path on Debian), follow the
 * dependencies, and add every typelib to `files` as DATA
 * "gi_typelibs/<Name>-<Version>.typelib". The shared libraries they name
 * are appended to `libraries` (unique). A namespace not found is appended
 * to `warnings`; "Name-Version" of each typelib bundled to `bundled`.
 * Errors: FZ_EFORMAT for a damaged typelib, FZ_EIO, FZ_ENOMEM.
 */
int fz_gi_collect(fz_filelist *files, fz_strvec *libraries, fz_strvec *warnings,
                  fz_strvec *bundled, const fz_strvec *wanted,
                  const char *dirs);

/* The payload directory of the typelibs; also the needs-table line of
 * their libraries. */
#define FZ_GI_TYPELIB_DIR "gi_typelibs"

#endif /* FZ_GI_H */
