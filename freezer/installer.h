/*
 * installer.h - the --installer output: one self-extracting executable
 * that installs the onedir app for the current user. It is itself a
 * frozen app: freezer/installer/fz_install.py as __main__, with the app
 * tree as one DATA entry ("fz-install.tar"). Called by package.c.
 */
#ifndef FZ_INSTALLER_H
#define FZ_INSTALLER_H

#include "package.h"

/*
 * Write <distpath>/<name>-installer from in->onedir (tar of app/, share/
 * with the desktop entry and icon, install.json) by freezing the install
 * program with it. *out is the path written (malloc'd). With --windowed
 * the installer also bundles tkinter for its dialog. Errors: FZ_EIO,
 * FZ_ENOTFOUND (install program not found), fz_freeze's errors.
 */
int fz_installer_write(char **out, const fz_package_config *pc,
                       const fz_package_input *in);

#endif /* FZ_INSTALLER_H */
