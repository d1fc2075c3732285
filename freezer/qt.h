/*
 * qt.h - Qt's plugins for PyQt5 and PySide2 apps. Called by natives.c
 * when the closure is finished: the plugin groups an app can need are
 * bundled with their own closure under the binding's package, where the
 * runtime (runtime/stacks.c) points QCoreApplication's library paths.
 */
#ifndef FZ_QT_H
#define FZ_QT_H

#include "natives.h"

/* The groups bundled when --qt-plugins does not change them. */
#define FZ_QT_DEFAULT_GROUPS                                                   \
    "platforms,platformthemes,platforminputcontexts,imageformats,"             \
    "iconengines,styles,xcbglintegrations"

/*
 * If the closure `n` holds a Qt binding's extensions (PyQt5/Qt*.so,
 * PySide2/Qt*.so) and Qt's core library, find Qt's plugin directory
 * (<dir of libQt5Core>/qt5/plugins, Debian's compiled-in path, else
 * <dir of libQt5Core>/../plugins, the wheels' layout) and add every
 * plugin of the selected groups to `n` as
 * "PyQt5/Qt5/plugins/<group>/<file>" (PySide2: "PySide2/Qt/plugins/...")
 * with the libraries it needs, each with the reason "stack Qt: plugin
 * group <group>". `spec` is the --qt-plugins value (NULL: the defaults),
 * read by fz_qt_select_groups; default groups that do not exist are
 * skipped. A line per group added is appended to `added`
 * ("Qt: PyQt5/Qt5/plugins/platforms: 10 plugins").
 * Errors: FZ_EINVAL (a bad --qt-plugins, even when the app has no Qt),
 * FZ_EFORMAT/FZ_EIO from a plugin file, FZ_ENOMEM.
 */
int fz_qt_add_plugins(fz_natives *n, const char *spec, fz_strvec *added);

/*
 * The plugin groups --qt-plugins `spec` selects, into `out` (replacing
 * it), in this order: the defaults (FZ_QT_DEFAULT_GROUPS) or, when the
 * list has plain names ("a,b"), those names; then the "+a" items; minus
 * the "-b" items. `spec` NULL means the defaults. Items are separated by
 * commas (spaces around them are ignored). "all" (plain or "+all") is
 * every group of `available`, the subdirectories of Qt's plugin
 * directory; a name must be one of those or a default group (a default
 * that is not installed is skipped later). `available` NULL checks only
 * the syntax and keeps "all" as a name.
 * Errors (FZ_EINVAL, one line starting "--qt-plugins: "): an empty list
 * or item, a bad name (not a-z, 0-9, '-', '_'), a group named twice (in
 * any form: "a,+a"), "-all", an unknown group (the message lists the
 * groups there are); FZ_ENOMEM.
 */
int fz_qt_select_groups(fz_strvec *out, const char *spec,
                        const fz_strvec *available);

#endif /* FZ_QT_H */
