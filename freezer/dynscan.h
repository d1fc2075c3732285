/*
 * dynscan.h - what a module loads by name at run time, found statically:
 * import_module / __import__ with names built from literals and
 * module-level constants (f-strings over a literal list in a for loop),
 * entry-point groups it queries, packages it reads resources of, the
 * GObject-Introspection namespaces it imports (gi.repository). Used by
 * extras.c after the analyzer; the module is parsed, never run.
 */
#ifndef FZ_DYNSCAN_H
#define FZ_DYNSCAN_H

#include "buf.h"

#include <stddef.h>

typedef struct fz_dynscan {
    fz_strvec imports;   /* absolute module names */
    fz_strvec groups;    /* entry_points(group=...) and friends */
    fz_strvec resources; /* packages named by importlib.resources,
                            pkgutil.get_data, pkg_resources calls */
    fz_strvec gi;        /* GI namespaces: "Gtk-3.0" from
                            gi.require_version("Gtk", "3.0") or
                            require_versions({...}), "Gtk" from
                            from gi.repository import Gtk */
} fz_dynscan;

/*
 * 1 when `source` mentions anything the scan looks for (a cheap test
 * before parsing), else 0.
 */
int fz_dynscan_wanted(const char *source, size_t size);

/*
 * Scan `size` bytes of source of module `module` (`package`: its
 * __package__, "" for top level). Results are appended to `out` (no
 * duplicates). Source that does not parse adds nothing. Hostile input:
 * names are checked to be dotted identifiers; at most 256 names come from
 * one expression. Errors: FZ_EFAIL (helper failure), FZ_ENOMEM. Needs
 * fz_pyembed_init().
 */
int fz_dynscan_source(fz_dynscan *out, const char *source, size_t size,
                      const char *module, const char *package);

/* Release the lists. */
void fz_dynscan_dispose(fz_dynscan *s);

#endif /* FZ_DYNSCAN_H */
