/*
 * pe_attach.h - write a Windows app: a PE runtime stub with the payload
 * appended as an overlay (include/fz_overlay.h). The Windows counterpart
 * of elf_attach.h; no Windows runtime with CPython exists yet
 * (docs/windows.md).
 */
#ifndef FZ_PE_ATTACH_H
#define FZ_PE_ATTACH_H

#include <stddef.h>
#include <stdint.h>

/*
 * Copy the PE executable `stub` (checked: "MZ", e_lfanew in range,
 * "PE\0\0", no overlay yet) to `output` followed by zero padding to a
 * 4096 multiple, the payload and the trailer. Written to a temporary file
 * and renamed into place. Errors: FZ_EIO, FZ_EFORMAT (not a PE file, or
 * it already carries an overlay), FZ_ENOMEM.
 */
int fz_pe_attach(const char *stub, const char *output, const void *payload,
                 size_t payload_size, uint64_t *out_size);

#endif /* FZ_PE_ATTACH_H */
