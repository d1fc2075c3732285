/*
 * Test-only stand-in for macOS <sys/mount.h> (tests/macos): statfs and
 * struct statfs with f_flags, and MNT_NOEXEC. On Linux those come from
 * <sys/statfs.h>, whose f_flags carry the ST_* bits, so MNT_NOEXEC is
 * Linux's ST_NOEXEC, 8 (glibc declares it only for _GNU_SOURCE); it is
 * 0x4 in the macOS SDK. Not Apple's header.
 */
#ifndef FZ_SHIM_SYS_MOUNT_H
#define FZ_SHIM_SYS_MOUNT_H

#include <sys/statfs.h>

#define MNT_NOEXEC 8

#endif
