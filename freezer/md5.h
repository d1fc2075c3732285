/*
 * md5.h - MD5 (RFC 1321), only for the md5sums file of a .deb, which dpkg
 * defines that way; never for anything security related.
 */
#ifndef FZ_MD5_H
#define FZ_MD5_H

#include <stddef.h>
#include <stdint.h>

/* The digest of `size` bytes at `data` as 32 lowercase hex digits + NUL. */
void fz_md5_hex(char out[33], const void *data, size_t size);

#endif /* FZ_MD5_H */
