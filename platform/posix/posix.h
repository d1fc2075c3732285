/*
 * posix.h - what platform/posix/posix.c needs from the OS file it is built
 * with (platform/linux or platform/macos). Internal to fzplatform.
 */
#ifndef FZ_POSIX_H
#define FZ_POSIX_H

#include <stddef.h>

/* getenv(name), or NULL in a setuid/setgid program, whose environment may
 * be an attacker's. The string is borrowed from the environment. */
const char *fz_posix_trusted_env(const char *name);

/* Fill buf with n random bytes (n <= 16). Never fails and never blocks:
 * with no entropy yet it may fall back to weak bytes, so use it only where
 * a clash is harmless (names created with O_EXCL or mkdir). */
void fz_posix_random_bytes(unsigned char *buf, size_t n);

/* The per-user cache directory relative to $HOME, with a leading "/",
 * used when $XDG_CACHE_HOME is not set. A static string. */
const char *fz_posix_home_cache(void);

#endif
