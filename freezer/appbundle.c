/*
 * appbundle.c - the macOS .app layout and its .icns icon (appbundle.h).
 * The executable inside is whatever this host's build produced; a
 * macOS runtime stub is the next step (docs/macos.md).
 */
#define _GNU_SOURCE
#include "appbundle.h"

#include "fz_error.h"
#include "fz_platform.h"
#include "icon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

int
fz_appbundle_icns(fz_buf *out, const void *png, size_t size)
{
    /* The PNG-holding element types, smallest first. */
    static const struct {
        uint32_t px;
        const char *type;
    } types[] = {{16, "icp4"},  {32, "icp5"},  {64, "icp6"},  {128, "ic07"},
                 {256, "ic08"}, {512, "ic09"}, {1024, "ic10"}};
    fz_icon_image img = {0};
    fz_buf body = FZ_BUF_INIT;
    fz_buf one = FZ_BUF_INIT;
    uint8_t head[8];
    int rc = fz_icon_decode(&img, png, size);

    if (rc == 0 && (img.width != img.height || img.width < 16)) {
        rc = fz_error_set(FZ_EINVAL,
                          "an .icns icon must be a square PNG of at least "
                          "16 pixels (got %ux%u)",
                          (unsigned)img.width, (unsigned)img.height);
    }
    /* one element per size up to the source's: type, length, PNG */
    for (size_t i = 0; rc == 0 && i < sizeof(types) / sizeof(*types) &&
                       types[i].px <= img.width;
         i++) {
        fz_buf_clear(&one);
        rc = fz_icon_png_at(&one, png, size, &img, types[i].px);
        if (rc == 0 && one.size > UINT32_MAX - 8 - body.size - 8) {
            rc = fz_error_set(FZ_EINVAL, "the .icns would exceed 4 GiB");
        }
        if (rc == 0) {
            memcpy(head, types[i].type, 4);
            put_be32(head + 4, (uint32_t)(8 + one.size));
            rc = fz_buf_append(&body, head, sizeof(head));
        }
        rc = rc ? rc : fz_buf_append(&body, one.data, one.size);
    }
    if (rc == 0) {
        memcpy(head, "icns", 4);
        put_be32(head + 4, (uint32_t)(8 + body.size));
        rc = fz_buf_append(out, head, sizeof(head));
        rc = rc ? rc : fz_buf_append(out, body.data, body.size);
    }
    fz_icon_image_dispose(&img);
    fz_buf_dispose(&body);
    fz_buf_dispose(&one);
    return rc;
}

/* XML character data. */
static int
xml_text(fz_buf *out, const char *s)
{
    int rc = 0;

    for (; rc == 0 && *s != '\0'; s++) {
        switch (*s) {
        case '<':
            rc = fz_buf_puts(out, "&lt;");
            break;
        case '>':
            rc = fz_buf_puts(out, "&gt;");
            break;
        case '&':
            rc = fz_buf_puts(out, "&amp;");
            break;
        default:
            rc = fz_buf_append(out, s, 1);
        }
    }
    return rc;
}

static int
key_string(fz_buf *out, const char *key, const char *value)
{
    int rc = fz_buf_printf(out, "\t<key>%s</key>\n\t<string>", key);

    rc = rc ? rc : xml_text(out, value);
    return rc ? rc : fz_buf_puts(out, "</string>\n");
}

int
fz_appbundle_plist(fz_buf *out, const fz_package_config *pc, const char *name,
                   int has_icon)
{
    const char *version = pc->app_version ? pc->app_version : "0.1.0";
    fz_buf id = FZ_BUF_INIT;
    fz_buf icon = FZ_BUF_INIT;
    int rc = 0;

    if (pc->app_id != NULL) {
        rc = fz_buf_puts(&id, pc->app_id);
    } else {
        rc = fz_buf_printf(&id, "org.freeze.%s", name);
    }
    rc = rc ? rc
            : fz_buf_puts(
                  out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                       "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
                       "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
                       "<plist version=\"1.0\">\n<dict>\n");
    rc = rc ? rc : key_string(out, "CFBundleDevelopmentRegion", "en");
    rc = rc ? rc : key_string(out, "CFBundleDisplayName", name);
    rc = rc ? rc : key_string(out, "CFBundleExecutable", name);
    if (rc == 0 && has_icon) {
        rc = fz_buf_printf(&icon, "%s.icns", fz_desktop_id(pc, name));
        rc = rc ? rc : key_string(out, "CFBundleIconFile", icon.data);
    }
    rc = rc ? rc : key_string(out, "CFBundleIdentifier", id.data);
    rc = rc ? rc : key_string(out, "CFBundleInfoDictionaryVersion", "6.0");
    rc = rc ? rc : key_string(out, "CFBundleName", name);
    rc = rc ? rc : key_string(out, "CFBundlePackageType", "APPL");
    rc = rc ? rc : key_string(out, "CFBundleShortVersionString", version);
    rc = rc ? rc : key_string(out, "CFBundleVersion", version);
    rc = rc ? rc : key_string(out, "LSMinimumSystemVersion", "10.13");
    rc = rc ? rc
            : fz_buf_printf(out, "\t<key>NSHighResolutionCapable</key>\n"
                                 "\t<true/>\n</dict>\n</plist>\n");
    fz_buf_dispose(&id);
    fz_buf_dispose(&icon);
    return rc;
}

int
fz_appbundle_write(char **out, const fz_package_config *pc,
                   const fz_package_input *in)
{
    fz_buf app = FZ_BUF_INIT;
    fz_buf p = FZ_BUF_INIT;
    fz_buf text = FZ_BUF_INIT;
    fz_buf icon = FZ_BUF_INIT;
    char *tmp = NULL;
    int has_icon = pc->icon != NULL;
    int rc;

    *out = NULL;
    if (has_icon) {
        size_t n = strlen(pc->icon);

        if (n > 4 && strcmp(pc->icon + n - 4, ".svg") == 0) {
            return fz_error_set(FZ_EINVAL,
                                "--app needs a PNG --icon (an .icns holds "
                                "PNG images, not SVG)");
        }
        rc = fz_file_read(&p, pc->icon);
        rc = rc ? rc : fz_appbundle_icns(&icon, p.data, p.size);
        fz_buf_clear(&p);
        if (rc < 0) {
            fz_error_wrap(rc, "--icon %s", pc->icon);
            goto done;
        }
    }
    rc = fz_package_tmpdir(&tmp, in->distpath, "app");
    rc = rc ? rc : fz_buf_printf(&p, "%s/Contents/MacOS", tmp);
    rc = rc ? rc : fz_mkdir_p(p.data);
    rc = rc ? rc : fz_buf_printf(&p, "/%s", in->name);
    rc = rc ? rc : fz_package_copy_tree(in->exe, p.data);
    if (rc == 0 && in->onedir != NULL) {
        fz_buf src = FZ_BUF_INIT;

        fz_buf_clear(&p);
        rc = fz_buf_printf(&p, "%s/Contents/MacOS/_internal", tmp);
        rc = rc ? rc : fz_buf_printf(&src, "%s/_internal", in->onedir);
        rc = rc ? rc : fz_package_copy_tree(src.data, p.data);
        fz_buf_dispose(&src);
    }
    fz_buf_clear(&p);
    rc = rc ? rc : fz_buf_printf(&p, "%s/Contents/Resources", tmp);
    rc = rc ? rc : fz_mkdir_p(p.data);
    if (rc == 0 && has_icon) {
        rc = fz_buf_printf(&p, "/%s.icns", fz_desktop_id(pc, in->name));
        rc =
            rc ? rc : fz_package_write_file(p.data, icon.data, icon.size, 0644);
    }
    fz_buf_clear(&p);
    rc = rc ? rc : fz_appbundle_plist(&text, pc, in->name, has_icon);
    rc = rc ? rc : fz_buf_printf(&p, "%s/Contents/Info.plist", tmp);
    rc = rc ? rc : fz_package_write_file(p.data, text.data, text.size, 0644);
    fz_buf_clear(&p);
    rc = rc ? rc : fz_buf_printf(&p, "%s/Contents/PkgInfo", tmp);
    rc = rc ? rc : fz_package_write_file(p.data, "APPL????", 8, 0644);
    rc = rc ? rc : fz_buf_printf(&app, "%s/%s.app", in->distpath, in->name);
    if (rc < 0) {
        goto done;
    }
    if (rename(tmp, app.data) < 0) {
        if ((errno == EEXIST || errno == ENOTEMPTY) &&
            renameat2(AT_FDCWD, tmp, AT_FDCWD, app.data, RENAME_EXCHANGE) ==
                0) {
            fz_platform_remove_path(tmp); /* the old .app */
        } else {
            rc = fz_error_set(FZ_EIO, "rename to %s: %s", app.data,
                              strerror(errno));
            goto done;
        }
    }
    free(tmp);
    tmp = NULL;
    *out = fz_buf_detach(&app);
done:
    if (tmp != NULL) {
        fz_platform_remove_path(tmp);
    }
    free(tmp);
    fz_buf_dispose(&app);
    fz_buf_dispose(&p);
    fz_buf_dispose(&text);
    fz_buf_dispose(&icon);
    return rc;
}
