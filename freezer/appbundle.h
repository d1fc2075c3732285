/*
 * appbundle.h - the macOS .app layout (--app), written on any host:
 * Contents/Info.plist, Contents/MacOS/<name> (with _internal beside it for
 * a onedir build), Contents/Resources/<id>.icns. Called by package.c.
 */
#ifndef FZ_APPBUNDLE_H
#define FZ_APPBUNDLE_H

#include "package.h"

/*
 * Write <distpath>/<name>.app (replaced atomically). The icon, a PNG,
 * becomes an .icns holding it as one PNG element of the matching type
 * (ic07 128, ic08 256, ic09 512, ic10 1024, ic11 32, ic12 64, ic13 256@2x,
 * ic14 512@2x); other sizes are refused. *out (malloc'd) is the path.
 * Errors: FZ_EINVAL, FZ_EIO, FZ_ENOMEM.
 */
int fz_appbundle_write(char **out, const fz_package_config *pc,
                       const fz_package_input *in);

/* The .icns file for one square PNG of a supported size, appended to
 * `out`. FZ_EINVAL for another size, FZ_EFORMAT for a non-PNG. */
int fz_appbundle_icns(fz_buf *out, const void *png, size_t size);

/* Info.plist text (XML plist 1.0) appended to `out`. */
int fz_appbundle_plist(fz_buf *out, const fz_package_config *pc,
                       const char *name, int has_icon);

#endif /* FZ_APPBUNDLE_H */
