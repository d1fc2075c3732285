/*
 * fz_branch.h - the x86 branch filter of FZ_COMPRESSION_ZSTD_X86
 * (fz_payload.h). x86-64 machine code compresses better when calls, jumps
 * and RIP-relative loads hold the absolute address of their target instead
 * of a displacement: every call to one function, every load of one global,
 * then has the same four bytes. This comment is the specification.
 *
 * Scan the bytes from offset 0. An instruction with a displacement starts
 * at offset i when
 *   - byte i is 0xE8 (call rel32) or 0xE9 (jmp rel32), i + 5 <= size: the
 *     displacement is at i + 1;
 *   - byte i is 0x48 or 0x4C (REX.W), byte i + 1 is 0x8B, 0x8D or 0x89
 *     (mov load, lea, mov store), byte i + 2 & 0xC7 is 0x05 (RIP-relative)
 *     and i + 7 <= size: the displacement is at i + 3.
 * For such an instruction take the four displacement bytes as a
 * little-endian u32 v, ending at offset e; then continue the scan at e.
 * When v's high byte is 0x00 or 0xFF (within 16 MiB: a 25-bit two's
 * complement number), replace v by w = v + e when encoding, w = v - e when
 * decoding, modulo 2^25 and sign-extended from bit 24 back to 32 bits. At
 * any other offset the scan moves on by one byte.
 *
 * Decoding undoes encoding exactly for any input: the opcode bytes that
 * decide are never changed, the displacements never overlap (the scan
 * continues after each one whether it was changed or not), and both
 * directions keep the high byte in {0x00, 0xFF}, so both make the same
 * decisions at the same offsets.
 */
#ifndef FZ_BRANCH_H
#define FZ_BRANCH_H

#include <stddef.h>
#include <stdint.h>

/* Filter buf[0, size) in place: encode when `encode`, else decode. */
void fz_branch_filter(uint8_t *buf, size_t size, int encode);

/* Is `data` an x86-64 ELF file, the kind the writer filters? */
int fz_branch_is_x86_elf(const uint8_t *data, size_t size);

#endif
