/*
 * tcltk.h - the Tcl/Tk script libraries (init.tcl, tk.tcl, encodings,
 * clock data) that tkinter needs at run time, found by asking the build
 * Python's Tcl for `info library`. Used by collect.c when the _tkinter
 * extension is bundled; the runtime points Tcl at them (runtime/natives.c).
 */
#ifndef FZ_TCLTK_H
#define FZ_TCLTK_H

#include "buf.h"

/*
 * Run `python` (the Python freeze was built against: _tkinter is a
 * standard-library extension) once to learn Tcl's library directory
 * ("/usr/share/tcltk/tcl8.6"), then list every regular file below it and
 * below its sibling Tk directory ("tk8.6") into `paths`, with the payload
 * entry names "tcl8.6/..." and "tk8.6/..." in `names`. Errors: FZ_EFAIL
 * when python cannot tell (tkinter missing), FZ_EIO, FZ_ENOMEM.
 */
int fz_tcltk_files(fz_strvec *paths, fz_strvec *names, const char *python);

#endif /* FZ_TCLTK_H */
