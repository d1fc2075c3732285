/*
 * deb.c - write a .deb (deb.h): "debian-binary", "control.tar.xz" and
 * "data.tar.xz" in an ar archive, following Debian policy so that lintian
 * reports no error.
 */
#define _GNU_SOURCE
#include "deb.h"

#include "pkgarchive.h"
#include "fz_error.h"
#include "fz_platform.h"
#include "md5.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_VERSION "0.1.0"
#define DEFAULT_MAINTAINER "Unknown <unknown@example.com>"

#if defined(__x86_64__)
#define DEB_ARCH "amd64"
#elif defined(__aarch64__)
#define DEB_ARCH "arm64"
#else
#error "add the Debian architecture name of this machine"
#endif

/* Debian package name from the app name: lowercase, '_' -> '-'. */
static char *
package_name(const char *name)
{
    char *s = fz_strdup(name);

    for (char *p = s; p != NULL && *p != '\0'; p++) {
        if (*p >= 'A' && *p <= 'Z') {
            *p = (char)(*p - 'A' + 'a');
        } else if (*p == '_') {
            *p = '-';
        }
    }
    return s;
}

static int
valid_package(const char *s)
{
    size_t n = strlen(s);

    if (n < 2 ||
        !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9'))) {
        return 0;
    }
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789+-.") == n;
}

/* upstream_version[-revision], no epoch: starts with a digit. */
static int
valid_version(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && s[0] >= '0' && s[0] <= '9' &&
           strspn(s, "0123456789abcdefghijklmnopqrstuvwxyz"
                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ.+~-") == n;
}

int
fz_deb_check(const fz_package_config *pc, const char *name)
{
    char *pkg = package_name(name);
    const char *v = pc->app_version ? pc->app_version : DEFAULT_VERSION;
    int rc = 0;

    if (pkg == NULL) {
        return FZ_ENOMEM;
    }
    if (!valid_package(pkg)) {
        rc = fz_error_set(FZ_EINVAL,
                          "--deb: '%s' cannot be a Debian package name "
                          "(letters, digits, '+', '-', '.'; use --name)",
                          pkg);
    } else if (!valid_version(v)) {
        rc = fz_error_set(FZ_EINVAL,
                          "--app-version '%s' is not a Debian version "
                          "(starts with a digit; digits, letters, . + ~ -)",
                          v);
    } else if (pc->maintainer != NULL &&
               (strchr(pc->maintainer, '<') == NULL ||
                strchr(pc->maintainer, '\n') != NULL)) {
        rc = fz_error_set(FZ_EINVAL,
                          "--maintainer '%s': expected \"Name <email>\"",
                          pc->maintainer);
    }
    free(pkg);
    return rc;
}

/* libfoo.so, libfoo.so.1.2, mod.cpython-311-x86_64-linux-gnu.so */
static int
shared_object(const char *base)
{
    const char *so = strstr(base, ".so");

    while (so != NULL && so[3] != '\0' && so[3] != '.') {
        so = strstr(so + 1, ".so");
    }
    return so != NULL;
}

/* md5sums lines and the installed size (KiB, as dpkg counts) of `dir`;
 * shared objects lose their executable bits (policy 8.1; lintian's
 * shared-library-is-executable). */
static int
walk_sums(fz_buf *sums, uint64_t *kib, const char *dir, const char *rel)
{
    struct dirent **names = NULL;
    fz_buf path = FZ_BUF_INIT;
    fz_buf sub = FZ_BUF_INIT;
    fz_buf data = FZ_BUF_INIT;
    int n = scandir(dir, &names, NULL, alphasort);
    int rc = 0;

    if (n < 0) {
        return fz_error_set(FZ_EIO, "%s: %s", dir, strerror(errno));
    }
    for (int i = 0; i < n; i++) {
        const char *base = names[i]->d_name;
        struct stat st;

        if (rc < 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
            continue;
        }
        fz_buf_clear(&path);
        fz_buf_clear(&sub);
        rc = fz_buf_printf(&path, "%s/%s", dir, base);
        rc = rc ? rc
                : fz_buf_printf(&sub, "%s%s%s", rel, rel[0] ? "/" : "", base);
        if (rc == 0 && lstat(path.data, &st) < 0) {
            rc = fz_error_set(FZ_EIO, "%s: %s", path.data, strerror(errno));
        }
        if (rc < 0) {
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            *kib += 1;
            rc = walk_sums(sums, kib, path.data, sub.data);
        } else if (S_ISREG(st.st_mode)) {
            char hex[33];

            *kib += ((uint64_t)st.st_size + 1023) / 1024;
            if (shared_object(base) && (st.st_mode & 0111) &&
                chmod(path.data, 0644) < 0) {
                rc = fz_error_set(FZ_EIO, "chmod %s: %s", path.data,
                                  strerror(errno));
                continue;
            }
            rc = fz_file_read(&data, path.data);
            if (rc == 0) {
                fz_md5_hex(hex, data.data, data.size);
                rc = fz_buf_printf(sums, "%s  %s\n", hex, sub.data);
            }
        } else {
            *kib += 1;
        }
    }
    for (int i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
    fz_buf_dispose(&path);
    fz_buf_dispose(&sub);
    fz_buf_dispose(&data);
    return rc;
}

/* Description: synopsis line, then the extended text (policy 5.6.13). */
static int
put_description(fz_buf *out, const fz_package_config *pc, const char *name)
{
    const char *d = pc->description;
    int rc;

    if (d == NULL || d[0] == '\0') {
        /* Not "<name> ...": lintian's description-starts-with-package-name
         * is an error. */
        rc = fz_buf_puts(out, "Description: application made with freeze\n");
        return rc ? rc
                  : fz_buf_printf(out,
                                  " %s is a Python program made into one "
                                  "native executable\n"
                                  " by freeze; it needs no Python on the "
                                  "system.\n",
                                  name);
    }
    rc = fz_buf_puts(out, "Description: ");
    for (const char *p = d; rc == 0 && *p != '\0' && *p != '\n'; p++) {
        rc = fz_buf_append(out, p, 1);
    }
    rc = rc ? rc
            : fz_buf_printf(out,
                            "\n %s is a Python program made into one "
                            "native executable\n by freeze; it needs no "
                            "Python on the system.\n",
                            name);
    return rc;
}

static int
control_text(fz_buf *out, const fz_package_config *pc,
             const fz_package_input *in, const char *pkg, const char *version,
             uint64_t kib)
{
    const char *maint = pc->maintainer;
    int rc;

    if (maint == NULL) {
        maint = DEFAULT_MAINTAINER;
    }
    rc = fz_buf_printf(out,
                       "Package: %s\nVersion: %s\nArchitecture: " DEB_ARCH
                       "\nMaintainer: %s\nInstalled-Size: %llu\n",
                       pkg, version, maint, (unsigned long long)kib);
    if (rc == 0 && in->glibc_floor != NULL) {
        rc = fz_buf_printf(out, "Depends: libc6 (>= %s)\n", in->glibc_floor);
    }
    rc = rc ? rc : fz_buf_puts(out, "Section: misc\nPriority: optional\n");
    return rc ? rc : put_description(out, pc, in->name);
}

static const char copyright_fmt[] =
    "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/"
    "1.0/\n"
    "Upstream-Name: %s\n"
    "Comment: This package was made by freeze from a Python program. The\n"
    " program's own license applies to it. The files in\n"
    " /usr/lib/%s/_internal and the executable also hold CPython (PSF-2.0)\n"
    " and the libraries the program uses, each under its own license.\n"
    "\n"
    "Files: *\n"
    "Copyright: the authors of %s\n"
    "License: other\n"
    " See the documentation of %s.\n";

/* usr/share/doc/<pkg>/{copyright,changelog.gz} */
static int
write_doc(const char *root, const char *pkg, const char *version,
          const char *maint, const char *name, int64_t mtime)
{
    fz_buf dir = FZ_BUF_INIT;
    fz_buf path = FZ_BUF_INIT;
    fz_buf text = FZ_BUF_INIT;
    fz_buf gz = FZ_BUF_INIT;
    char date[64];
    time_t t = (time_t)mtime;
    struct tm tm;
    int rc;

    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    rc = fz_buf_printf(&dir, "%s/usr/share/doc/%s", root, pkg);
    rc = rc ? rc : fz_mkdir_p(dir.data);
    rc = rc ? rc : fz_buf_printf(&text, copyright_fmt, name, pkg, name, name);
    rc = rc ? rc : fz_buf_printf(&path, "%s/copyright", dir.data);
    rc = rc ? rc : fz_package_write_file(path.data, text.data, text.size, 0644);
    fz_buf_clear(&text);
    fz_buf_clear(&path);
    rc = rc ? rc
            : fz_buf_printf(&text,
                            "%s (%s) unstable; urgency=medium\n\n"
                            "  * Built by freeze.\n\n -- %s  %s\n",
                            pkg, version, maint, date);
    rc = rc ? rc : fz_archive_gzip(&gz, text.data, text.size);
    rc = rc ? rc : fz_buf_printf(&path, "%s/changelog.gz", dir.data);
    rc = rc ? rc : fz_package_write_file(path.data, gz.data, gz.size, 0644);
    fz_buf_dispose(&dir);
    fz_buf_dispose(&path);
    fz_buf_dispose(&text);
    fz_buf_dispose(&gz);
    return rc;
}

/*
 * A frozen app carries its libraries and packages by design (that is what
 * makes it run without Python or -dev packages): say so to lintian. Its
 * embedded-library check otherwise reports each bundled copy of zlib,
 * expat, libpng... as an error; the files of bundled Python packages are
 * theirs, as shipped by their Debian packages (matplotlib's extensions are
 * not stripped there, its web backend has an .eslintrc.js); and libmount's
 * mention of sensible-pager is not a dependency of the app.
 */
static int
write_overrides(const char *root, const char *pkg)
{
    fz_buf path = FZ_BUF_INIT;
    fz_buf text = FZ_BUF_INIT;
    int rc = fz_buf_printf(&path, "%s/usr/share/lintian/overrides", root);

    rc = rc ? rc : fz_mkdir_p(path.data);
    rc = rc ? rc : fz_buf_printf(&path, "/%s", pkg);
    rc = rc ? rc
            : fz_buf_printf(&text,
                            "# made by freeze: the app bundles the libraries "
                            "and packages it was built with\n"
                            "%s: embedded-library\n"
                            "%s: unstripped-binary-or-object\n"
                            "%s: package-contains-eslint-config-file\n"
                            "%s: missing-depends-on-sensible-utils\n",
                            pkg, pkg, pkg, pkg);
    rc = rc ? rc : fz_package_write_file(path.data, text.data, text.size, 0644);
    fz_buf_dispose(&path);
    fz_buf_dispose(&text);
    return rc;
}

/* Fill tmp/root with the installed tree. */
static int
stage_root(const char *root, const fz_package_config *pc,
           const fz_package_input *in, const char *pkg, const char *version,
           int64_t mtime)
{
    fz_buf a = FZ_BUF_INIT;
    fz_buf b = FZ_BUF_INIT;
    int rc;

    rc = fz_buf_printf(&a, "%s/usr/lib", root);
    rc = rc ? rc : fz_mkdir_p(a.data);
    rc = rc ? rc : fz_buf_printf(&a, "/%s", pkg);
    rc = rc ? rc : fz_package_copy_tree(in->onedir, a.data);
    rc = rc ? rc : fz_buf_printf(&b, "%s/usr/bin", root);
    rc = rc ? rc : fz_mkdir_p(b.data);
    rc = rc ? rc : fz_buf_printf(&b, "/%s", in->name);
    fz_buf_clear(&a);
    rc = rc ? rc : fz_buf_printf(&a, "../lib/%s/%s", pkg, in->name);
    if (rc == 0 && symlink(a.data, b.data) < 0) {
        rc = fz_error_set(FZ_EIO, "symlink %s: %s", b.data, strerror(errno));
    }
    fz_buf_clear(&a);
    fz_buf_clear(&b);
    rc = rc ? rc : fz_buf_printf(&a, "%s/usr/share", root);
    rc = rc ? rc : fz_buf_printf(&b, "/usr/bin/%s", in->name);
    rc = rc ? rc : fz_desktop_write(a.data, pc, in->name, b.data);
    rc = rc ? rc : write_overrides(root, pkg);
    rc = rc ? rc
            : write_doc(root, pkg, version,
                        pc->maintainer ? pc->maintainer : DEFAULT_MAINTAINER,
                        in->name, mtime);
    fz_buf_dispose(&a);
    fz_buf_dispose(&b);
    return rc;
}

int
fz_deb_write(char **out, const fz_package_config *pc,
             const fz_package_input *in)
{
    const char *version = pc->app_version ? pc->app_version : DEFAULT_VERSION;
    int64_t mtime = fz_archive_mtime();
    char *pkg = NULL;
    char *tmp = NULL;
    fz_buf root = FZ_BUF_INIT;
    fz_buf ctl = FZ_BUF_INIT;
    fz_buf sums = FZ_BUF_INIT;
    fz_buf text = FZ_BUF_INIT;
    fz_buf control_tar = FZ_BUF_INIT;
    fz_buf data_tar = FZ_BUF_INIT;
    fz_buf path = FZ_BUF_INIT;
    uint64_t kib = 0;
    int rc;

    *out = NULL;
    if (in->onedir == NULL) {
        return fz_error_set(FZ_EINVAL, "--deb needs the onedir layout");
    }
    rc = fz_deb_check(pc, in->name);
    if (rc < 0) {
        return rc;
    }
    pkg = package_name(in->name);
    rc = pkg ? 0 : FZ_ENOMEM;
    rc = rc ? rc : fz_package_tmpdir(&tmp, in->distpath, "deb");
    rc = rc ? rc : fz_buf_printf(&root, "%s/root", tmp);
    rc = rc ? rc : fz_buf_printf(&ctl, "%s/control", tmp);
    if (rc < 0) {
        goto done;
    }
    if (mkdir(root.data, 0755) < 0 || mkdir(ctl.data, 0755) < 0) {
        rc = fz_error_set(FZ_EIO, "mkdir in %s: %s", tmp, strerror(errno));
        goto done;
    }
    rc = stage_root(root.data, pc, in, pkg, version, mtime);
    rc = rc ? rc : walk_sums(&sums, &kib, root.data, "");
    rc = rc ? rc : control_text(&text, pc, in, pkg, version, kib);
    rc = rc ? rc : fz_buf_printf(&path, "%s/control", ctl.data);
    rc = rc ? rc : fz_package_write_file(path.data, text.data, text.size, 0644);
    fz_buf_clear(&path);
    rc = rc ? rc : fz_buf_printf(&path, "%s/md5sums", ctl.data);
    rc = rc ? rc : fz_package_write_file(path.data, sums.data, sums.size, 0644);
    rc = rc ? rc
            : fz_archive_tar_dir(&control_tar, ctl.data, "./", FZ_ARCHIVE_XZ,
                                 mtime);
    rc = rc ? rc
            : fz_archive_tar_dir(&data_tar, root.data, "./", FZ_ARCHIVE_XZ,
                                 mtime);
    fz_buf_clear(&path);
    rc = rc ? rc
            : fz_buf_printf(&path, "%s/%s_%s_" DEB_ARCH ".deb", in->distpath,
                            pkg, version);
    if (rc == 0) {
        fz_ar_member m[3] = {
            {"debian-binary", "2.0\n", 4},
            {"control.tar.xz", control_tar.data, control_tar.size},
            {"data.tar.xz", data_tar.data, data_tar.size},
        };

        rc = fz_archive_ar_write(path.data, m, 3, mtime);
    }
    if (rc == 0) {
        *out = fz_buf_detach(&path);
    }
done:
    if (tmp != NULL) {
        fz_platform_remove_path(tmp);
    }
    free(tmp);
    free(pkg);
    fz_buf_dispose(&root);
    fz_buf_dispose(&ctl);
    fz_buf_dispose(&sums);
    fz_buf_dispose(&text);
    fz_buf_dispose(&control_tar);
    fz_buf_dispose(&data_tar);
    fz_buf_dispose(&path);
    return rc;
}
