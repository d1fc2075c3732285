/*
 * Test-only stand-in for the macOS SDK's <mach-o/dyld.h> (tests/macos):
 * the one declaration platform/macos/platform.c uses, as dyld(3) documents
 * it. Not Apple's header.
 */
#ifndef FZ_SHIM_MACH_O_DYLD_H
#define FZ_SHIM_MACH_O_DYLD_H

#include <stdint.h>

/* Copies the executable's path into buf; -1 with *bufsize set to the size
 * needed when buf is too small. */
int _NSGetExecutablePath(char *buf, uint32_t *bufsize);

#endif
