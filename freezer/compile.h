/*
 * compile.h - source to marshalled code object with the embedded CPython's
 * compiler; what every MODULE/PACKAGE payload entry holds.
 */
#ifndef FZ_COMPILE_H
#define FZ_COMPILE_H

#include "buf.h"

#include <stddef.h>

/*
 * Compile `size` bytes of Python source (PEP 263 coding cookies and a
 * UTF-8 BOM honored) with co_filename `filename` (the path relative to the
 * bundle root, e.g. "json/decoder.py") at optimization level `optimize`
 * (-1..2, as python -O), and put marshal.dumps(code) into `out` (replacing
 * its contents). `display` names the file in errors. The source is hostile
 * input. Errors: FZ_ESYNTAX ("display:line:col: message"), FZ_ENOMEM,
 * FZ_EFAIL. Needs fz_pyembed_init().
 *
 * With `columns` 0 the code keeps its line numbers but not the column
 * ranges of each instruction (as `python3 -X no_debug_ranges`): they only
 * place the ^^^ marks under a source line in a traceback, and a module
 * bundled without its source never shows one. They are a quarter of the
 * compressed bytecode.
 */
int fz_compile(fz_buf *out, const char *source, size_t size,
               const char *filename, const char *display, int optimize,
               int columns);

#endif /* FZ_COMPILE_H */
