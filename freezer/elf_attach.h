/*
 * elf_attach.h - write a onefile app: the runtime stub plus the payload as
 * the non-allocated ELF section ".fzpayload" (docs/internals.md).
 */
#ifndef FZ_ELF_ATTACH_H
#define FZ_ELF_ATTACH_H

#include <stddef.h>
#include <stdint.h>

/* Alignment of the payload's file offset, so the runtime can mmap it. */
#define FZ_ELF_PAYLOAD_ALIGN 4096

/*
 * Copy the ELF executable `stub` to `output` with `payload` appended as the
 * section FZ_PAYLOAD_SECTION (SHT_PROGBITS, flags 0, addralign 4096, at a
 * 4096-aligned file offset after the stub's last byte), followed by a
 * relocated .shstrtab and the section header table; nothing the loader
 * maps moves. The file is built under a temporary name in the output's
 * directory, made 0755, synced and renamed into place, so an interrupted
 * or failed attach leaves no output (and no temporary file). The stub is
 * untrusted input to libelf. Errors: FZ_EIO (file system), FZ_EFORMAT (the
 * stub is not a usable ELF file or already has the section), FZ_ENOMEM.
 * *out_size, when not NULL, receives the size of the written file.
 */
int fz_elf_attach(const char *stub, const char *output, const void *payload,
                  size_t payload_size, uint64_t *out_size);

/*
 * Find FZ_PAYLOAD_SECTION in the ELF file `path` and return its file offset
 * and size (for tests and `freeze --inspect`). FZ_ENOTFOUND when the file
 * has no such section, FZ_EFORMAT when it is not ELF.
 */
int fz_elf_find_payload(const char *path, uint64_t *offset, uint64_t *size);

#endif /* FZ_ELF_ATTACH_H */
