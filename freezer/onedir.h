/*
 * onedir.h - the --onedir output: dist/<name>/<name> (the stub with a
 * onedir payload) and dist/<name>/_internal/ (what onefile extracts).
 * Called by bundle.c; the packagers (deb.c, installer.c) reuse the tree.
 */
#ifndef FZ_ONEDIR_H
#define FZ_ONEDIR_H

#include <stddef.h>
#include <stdint.h>

/* The bundle root's name beside the executable. */
#define FZ_ONEDIR_INTERNAL "_internal"

/*
 * Turn the (validated, trusted: the freezer just wrote it) onefile payload
 * `payload` into a onedir one: every EXTENSION, NATIVE_LIB, DATA and
 * METADATA entry is written as a file below the existing directory
 * `internal` (directories 0755, files with the entry's mode) and kept in
 * the index as FZ_ENTRY_F_EXTERNAL with no stored bytes; names below
 * ".freeze/" are also kept stored. The header gets FZ_PAYLOAD_F_ONEDIR.
 * *out is malloc'd (caller frees). Errors: FZ_EIO, FZ_EFORMAT, FZ_ENOMEM.
 */
int fz_onedir_split(void **out, size_t *out_size, const void *payload,
                    size_t size, const char *internal);

/*
 * Write the onedir app `dir` (e.g. "dist/app"): dir/<basename of dir> is
 * `stub` with the onedir payload attached, dir/_internal the files. Built
 * in a temporary sibling directory and swapped into place atomically (an
 * existing file or directory `dir` is replaced). *exe_out (malloc'd) is
 * the executable's path, *exe_size its size. Errors: those of
 * fz_onedir_split and fz_elf_attach.
 */
int fz_onedir_write(char **exe_out, uint64_t *exe_size, const char *stub,
                    const char *dir, const void *payload, size_t size);

#endif /* FZ_ONEDIR_H */
