/*
 * appbundle.h - the macOS .app layout (--app), written on any host:
 * Contents/Info.plist, Contents/MacOS/<name> (with _internal beside it for
 * a onedir build), Contents/Resources/<id>.icns. Called by package.c.
 */
#ifndef FZ_APPBUNDLE_H
#define FZ_APPBUNDLE_H

#include "package.h"

/*
 * Write <distpath>/<name>.app (replaced atomically). The icon, a square
 * PNG, becomes an .icns (fz_appbundle_icns). *out (malloc'd) is the path.
 * Errors: FZ_EINVAL, FZ_EIO, FZ_ENOMEM.
 */
int fz_appbundle_write(char **out, const fz_package_config *pc,
                       const fz_package_input *in);

/* The .icns file for a square PNG (hostile input: checked) of at least
 * 16 pixels, appended to `out`: one PNG element per size of 16 (icp4),
 * 32 (icp5), 64 (icp6), 128 (ic07), 256 (ic08), 512 (ic09) and 1024
 * (ic10) up to the source's own, the source's bytes at its own size and
 * area-averaged shrinks (icon.h) below it. FZ_EINVAL when not square or
 * smaller than 16, FZ_EFORMAT for a damaged or non-PNG. */
int fz_appbundle_icns(fz_buf *out, const void *png, size_t size);

/* Info.plist text (XML plist 1.0) appended to `out`. */
int fz_appbundle_plist(fz_buf *out, const fz_package_config *pc,
                       const char *name, int has_icon);

#endif /* FZ_APPBUNDLE_H */
