/*
 * elf_section.h - find a named section in an ELF64 little-endian file, with
 * bounded reads only. The runtime uses it to locate its own payload.
 */
#ifndef FZ_ELF_SECTION_H
#define FZ_ELF_SECTION_H

#include <stdint.h>

/*
 * Find the section called `name` in the ELF file open on `fd`, whose size
 * is `file_size`, and return its file range in *off and *size. The file is
 * hostile: the header must be ELF64 little-endian, the section header
 * table, the section-name string table, each name (NUL-terminated inside
 * the table) and the found section's range must lie inside the file; a
 * SHT_NOBITS section is refused. Reads use pread, never more than the
 * section header table and the string table. Errors: FZ_ENOTFOUND (a valid
 * ELF file without that section), FZ_EFORMAT (not ELF64 LE, or damaged;
 * the message says what), FZ_EIO, FZ_ENOMEM.
 */
int fz_elf_find_section(int fd, uint64_t file_size, const char *name,
                        uint64_t *off, uint64_t *size);

#endif /* FZ_ELF_SECTION_H */
