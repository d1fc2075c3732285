/*
 * deb.h - a Debian binary package of a onedir app, written with libarchive
 * (no dpkg-deb at freeze time). Called by package.c.
 */
#ifndef FZ_DEB_H
#define FZ_DEB_H

#include "package.h"

/* The options a .deb needs are valid (package name from `name`, version).
 * FZ_EINVAL with the reason. */
int fz_deb_check(const fz_package_config *pc, const char *name);

/*
 * Write <distpath>/<package>_<version>_<arch>.deb from in->onedir: the app
 * in /usr/lib/<package>/, the launcher /usr/bin/<name> (a symlink), the
 * desktop entry and icon under /usr/share, copyright and changelog under
 * /usr/share/doc/<package>, md5sums; Depends: libc6 (>= glibc floor).
 * Deterministic (SOURCE_DATE_EPOCH or 0, sorted, root-owned). *out is the
 * path written (malloc'd). Errors: FZ_EINVAL, FZ_EIO, FZ_ENOMEM.
 */
int fz_deb_write(char **out, const fz_package_config *pc,
                 const fz_package_input *in);

#endif /* FZ_DEB_H */
