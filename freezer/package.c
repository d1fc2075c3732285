/*
 * package.c - run the packagers a build asked for (package.h), and the
 * file helpers they share.
 */
#define _GNU_SOURCE
#include "package.h"

#include "appbundle.h"
#include "deb.h"
#include "fz_error.h"
#include "icon.h"
#include "fz_platform.h"
#include "installer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
fz_package_needs_onedir(const fz_package_config *pc)
{
    return pc != NULL && (pc->deb || pc->installer);
}

int
fz_package_wanted(const fz_package_config *pc)
{
    return pc != NULL && (pc->desktop || pc->deb || pc->installer || pc->app);
}

int
fz_package_check(const fz_package_config *pc, const char *name)
{
    fz_buf icon = FZ_BUF_INIT;
    int rc = 0;

    if (pc == NULL) {
        return 0;
    }
    if (pc->app_id != NULL && !fz_desktop_app_id_valid(pc->app_id)) {
        return fz_error_set(FZ_EINVAL,
                            "--app-id '%s' is not a reverse-DNS id "
                            "(e.g. org.example.MyApp)",
                            pc->app_id);
    }
    if (pc->deb) {
        rc = fz_deb_check(pc, name);
        if (rc < 0) {
            return rc;
        }
    }
    if (pc->icon != NULL) {
        size_t n = strlen(pc->icon);
        uint32_t side;

        rc = fz_file_read(&icon, pc->icon);
        if (rc < 0) {
            rc = fz_error_wrap(FZ_ENOTFOUND, "--icon");
        } else if (!(n > 4 && strcmp(pc->icon + n - 4, ".svg") == 0)) {
            /* decoded in full: a damaged icon fails before the build */
            rc = fz_icon_check(&side, icon.data, icon.size);
            if (rc < 0) {
                fz_error_wrap(rc, "--icon %s (a square PNG, or an SVG)",
                              pc->icon);
            }
        }
    }
    fz_buf_dispose(&icon);
    return rc;
}

int
fz_package_run(fz_strvec *outputs, const fz_package_config *pc,
               const fz_package_input *in)
{
    fz_buf path = FZ_BUF_INIT;
    char *out = NULL;
    int rc = 0;

    if (pc->desktop) {
        rc =
            fz_buf_printf(&path, "%s/%s.desktop-files", in->distpath, in->name);
        if (rc == 0 && fz_is_dir(path.data)) {
            rc = fz_platform_remove_path(path.data);
        }
        rc = rc ? rc : fz_desktop_write(path.data, pc, in->name, in->exe);
        rc = rc ? rc : fz_strvec_push(outputs, path.data);
    }
    if (rc == 0 && pc->deb) {
        rc = fz_deb_write(&out, pc, in);
        rc = rc ? rc : fz_strvec_push(outputs, out);
        free(out);
        out = NULL;
    }
    if (rc == 0 && pc->installer) {
        rc = fz_installer_write(&out, pc, in);
        rc = rc ? rc : fz_strvec_push(outputs, out);
        free(out);
        out = NULL;
    }
    if (rc == 0 && pc->app) {
        rc = fz_appbundle_write(&out, pc, in);
        rc = rc ? rc : fz_strvec_push(outputs, out);
        free(out);
        out = NULL;
    }
    fz_buf_dispose(&path);
    return rc;
}

int
fz_package_write_file(const char *path, const void *data, size_t size,
                      unsigned mode)
{
    const char *p = data;
    int fd;
    int rc = 0;

    unlink(path);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
              mode & 0777);
    if (fd < 0) {
        return fz_error_set(FZ_EIO, "%s: %s", path, strerror(errno));
    }
    while (size > 0) {
        ssize_t n = write(fd, p, size);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            rc = fz_error_set(FZ_EIO, "%s: %s", path, strerror(errno));
            break;
        }
        p += n;
        size -= (size_t)n;
    }
    if (rc == 0 && fchmod(fd, mode & 0777) < 0) {
        rc = fz_error_set(FZ_EIO, "%s: %s", path, strerror(errno));
    }
    if (close(fd) < 0 && rc == 0) {
        rc = fz_error_set(FZ_EIO, "%s: %s", path, strerror(errno));
    }
    return rc;
}

int
fz_package_copy_tree(const char *src, const char *dst)
{
    struct stat st;
    fz_buf data = FZ_BUF_INIT;
    fz_buf a = FZ_BUF_INIT;
    fz_buf b = FZ_BUF_INIT;
    DIR *d = NULL;
    struct dirent *de;
    int rc = 0;

    if (lstat(src, &st) < 0) {
        return fz_error_set(FZ_EIO, "%s: %s", src, strerror(errno));
    }
    if (S_ISLNK(st.st_mode)) {
        char *buf = malloc((size_t)st.st_size + 1);
        ssize_t n = buf ? readlink(src, buf, (size_t)st.st_size + 1) : -1;

        if (n < 0 || n > st.st_size) {
            rc = fz_error_set(FZ_EIO, "readlink %s", src);
        } else {
            buf[n] = '\0';
            if (symlink(buf, dst) < 0) {
                rc = fz_error_set(FZ_EIO, "symlink %s: %s", dst,
                                  strerror(errno));
            }
        }
        free(buf);
        goto done;
    }
    if (S_ISREG(st.st_mode)) {
        rc = fz_file_read(&data, src);
        rc = rc ? rc
                : fz_package_write_file(dst, data.data, data.size,
                                        (st.st_mode & S_IXUSR) ? 0755 : 0644);
        goto done;
    }
    if (!S_ISDIR(st.st_mode)) {
        rc = fz_error_set(FZ_EIO, "%s: not a file or directory", src);
        goto done;
    }
    if (mkdir(dst, 0755) < 0) {
        rc = fz_error_set(FZ_EIO, "mkdir %s: %s", dst, strerror(errno));
        goto done;
    }
    d = opendir(src);
    if (d == NULL) {
        rc = fz_error_set(FZ_EIO, "%s: %s", src, strerror(errno));
        goto done;
    }
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        fz_buf_clear(&a);
        fz_buf_clear(&b);
        rc = fz_buf_printf(&a, "%s/%s", src, de->d_name);
        rc = rc ? rc : fz_buf_printf(&b, "%s/%s", dst, de->d_name);
        rc = rc ? rc : fz_package_copy_tree(a.data, b.data);
    }
done:
    if (d != NULL) {
        closedir(d);
    }
    fz_buf_dispose(&data);
    fz_buf_dispose(&a);
    fz_buf_dispose(&b);
    return rc;
}

int
fz_package_tmpdir(char **out, const char *parent, const char *stem)
{
    fz_buf path = FZ_BUF_INIT;
    int rc = fz_buf_printf(&path, "%s/.%s.tmp-XXXXXX", parent, stem);

    *out = NULL;
    if (rc == 0 && mkdtemp(path.data) == NULL) {
        rc = fz_error_set(FZ_EIO, "cannot create a directory in %s: %s", parent,
                          strerror(errno));
    }
    if (rc == 0 && chmod(path.data, 0755) < 0) {
        rc = fz_error_set(FZ_EIO, "chmod %s: %s", path.data, strerror(errno));
    }
    if (rc == 0) {
        *out = fz_buf_detach(&path);
    }
    fz_buf_dispose(&path);
    return rc;
}
