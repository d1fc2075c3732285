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
 * with the libraries it needs. `spec` is the --qt-plugins value (NULL:
 * the defaults): a comma-separated list of group names replaces the
 * defaults, "+group" adds to and "-group" removes from them; "all" takes
 * every group. Groups that do not exist are skipped. The names of the
 * groups added are appended to `added` ("platforms: 6 files").
 * Errors: FZ_EINVAL (a bad group name), FZ_EFORMAT/FZ_EIO from a plugin
 * file, FZ_ENOMEM.
 */
int fz_qt_add_plugins(fz_natives *n, const char *spec, fz_strvec *added);

#endif /* FZ_QT_H */
