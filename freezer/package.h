/*
 * package.h - what is delivered to users beside the executable: the
 * desktop entry and icon (desktop.c), a Debian package (deb.c), a per-user
 * self-extracting installer (installer.c) and a macOS .app layout
 * (appbundle.c). Run by bundle.c after the app is built.
 */
#ifndef FZ_PACKAGE_H
#define FZ_PACKAGE_H

#include "buf.h"

#include <stddef.h>
#include <stdint.h>

typedef struct fz_package_config {
    const char *icon;        /* --icon: a square PNG or an SVG, or NULL */
    int windowed;            /* --windowed: Terminal=false */
    const char *app_id;      /* --app-id (reverse DNS), or NULL */
    const char *app_version; /* --app-version, NULL: "0.1.0" */
    const char *description; /* --description, or NULL */
    const char *categories;  /* --categories "A;B", NULL: "Utility;" */
    const char *maintainer;  /* --maintainer "Name <mail>", or NULL */
    int desktop;             /* --desktop: dist/<name>.desktop-files/ */
    int deb;                 /* --deb */
    int installer;           /* --installer */
    int app;                 /* --app: dist/<name>.app */
} fz_package_config;

/* The facts about the built app that packaging needs. */
typedef struct fz_package_input {
    const char *name;        /* the app's name (executable's base name) */
    const char *distpath;    /* where packages go */
    const char *exe;         /* the executable built */
    const char *onedir;      /* its onedir directory, or NULL (onefile) */
    const char *glibc_floor; /* "2.34", or NULL when unknown */
    const char *python;      /* the target interpreter (installer build) */
    const char *stub;        /* the runtime stub (installer build) */
} fz_package_input;

/* Does the configuration need the onedir tree (--deb, --installer)? */
int fz_package_needs_onedir(const fz_package_config *pc);

/* Is anything to be packaged at all? */
int fz_package_wanted(const fz_package_config *pc);

/*
 * Check the options before the build starts (app id syntax, the icon is a
 * square PNG or an SVG, version and package name valid for Debian), so a
 * bad option fails fast. Errors: FZ_EINVAL, FZ_ENOTFOUND (icon), FZ_EIO.
 */
int fz_package_check(const fz_package_config *pc, const char *name);

/*
 * Write every requested package; the paths written are pushed on
 * `outputs`. Errors: those of the packagers (FZ_EIO, FZ_EINVAL,
 * FZ_ENOMEM, and fz_freeze's for the installer).
 */
int fz_package_run(fz_strvec *outputs, const fz_package_config *pc,
                   const fz_package_input *in);

/* ---- shared by the packagers (desktop.c) ---- */

/* A freedesktop/D-Bus style reverse-DNS id: 2+ dot-separated elements of
 * [A-Za-z0-9_-], none empty or starting with a digit, at most 255 bytes. */
int fz_desktop_app_id_valid(const char *id);

/* The desktop file id and icon name: --app-id, else the app's name. */
const char *fz_desktop_id(const fz_package_config *pc, const char *name);

/*
 * Below the directory `share` (created as needed): applications/<id>.desktop
 * running `exec` (a path, quoted as the Desktop Entry spec says) and, with
 * --icon, icons/hicolor/<N>x<N>/apps/<id>.png for a square PNG of side W
 * (hostile input: decoded with checks) at N = W, its own bytes, and at each
 * of fz_icon_hicolor_sizes below W, shrunk by icon.c; or
 * icons/hicolor/scalable/apps/<id>.svg. Errors: FZ_EIO, FZ_EINVAL,
 * FZ_EFORMAT (a damaged PNG), FZ_ENOMEM.
 */
int fz_desktop_write(const char *share, const fz_package_config *pc,
                     const char *name, const char *exec);

/* ---- file helpers shared by the packagers ---- */

/* Write `size` bytes to the new or replaced file `path` with `mode`. */
int fz_package_write_file(const char *path, const void *data, size_t size,
                          unsigned mode);

/* Copy the file, directory tree or symlink `src` to `dst` (which must not
 * exist), keeping the executable bit. Errors: FZ_EIO, FZ_ENOMEM. */
int fz_package_copy_tree(const char *src, const char *dst);

/* A new empty directory "<parent>/.<stem>.tmp-XXXXXX" (malloc'd). */
int fz_package_tmpdir(char **out, const char *parent, const char *stem);

#endif /* FZ_PACKAGE_H */
