/*
 * desktop.c - the freedesktop desktop entry and hicolor icon of an app
 * (package.h), used by --desktop, --deb and --installer.
 */
#define _GNU_SOURCE
#include "package.h"

#include "fz_error.h"
#include "icon.h"

#include <stdlib.h>
#include <string.h>

int
fz_desktop_app_id_valid(const char *id)
{
    size_t n = strlen(id);
    int elements = 0;
    const char *p = id;

    if (n == 0 || n > 255) {
        return 0;
    }
    for (;;) {
        size_t k = 0;

        while (p[k] != '\0' && p[k] != '.') {
            char c = p[k];

            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '_' || c == '-')) {
                return 0;
            }
            k++;
        }
        if (k == 0 || (p[0] >= '0' && p[0] <= '9')) {
            return 0;
        }
        elements++;
        if (p[k] == '\0') {
            break;
        }
        p += k + 1;
    }
    return elements >= 2;
}

const char *
fz_desktop_id(const fz_package_config *pc, const char *name)
{
    return pc->app_id ? pc->app_id : name;
}

/* Is the icon an SVG (by name, and it holds "<svg")? */
static int
is_svg(const char *path, const fz_buf *data)
{
    size_t n = strlen(path);

    return n > 4 && strcmp(path + n - 4, ".svg") == 0 && data->size > 0 &&
           memmem(data->data, data->size < 4096 ? data->size : 4096, "<svg",
                  4) != NULL;
}

/* A string value of a desktop entry: escapes as the spec says. */
static int
put_value(fz_buf *out, const char *key, const char *value)
{
    int rc = fz_buf_printf(out, "%s=", key);

    for (const char *p = value; rc == 0 && *p != '\0'; p++) {
        switch (*p) {
        case '\n':
            rc = fz_buf_puts(out, "\\n");
            break;
        case '\t':
            rc = fz_buf_puts(out, "\\t");
            break;
        case '\r':
            rc = fz_buf_puts(out, "\\r");
            break;
        case '\\':
            rc = fz_buf_puts(out, "\\\\");
            break;
        default:
            rc = fz_buf_append(out, p, 1);
        }
    }
    return rc ? rc : fz_buf_puts(out, "\n");
}

/* Exec= with the program quoted: "..." with \" \` \$ \\ escaped, and the
 * string escaping of the file format applied on top (\\ for \). */
static int
put_exec(fz_buf *out, const char *exec)
{
    int rc = fz_buf_puts(out, "Exec=\"");

    for (const char *p = exec; rc == 0 && *p != '\0'; p++) {
        if (*p == '"' || *p == '`' || *p == '$') {
            rc = fz_buf_puts(out, "\\\\");
        } else if (*p == '\\') {
            rc = fz_buf_puts(out, "\\\\\\");
        }
        rc = rc ? rc : fz_buf_append(out, p, 1);
    }
    return rc ? rc : fz_buf_puts(out, "\"\n");
}

static int
entry_text(fz_buf *out, const fz_package_config *pc, const char *name,
           const char *exec)
{
    const char *cats = pc->categories ? pc->categories : "Utility;";
    size_t n = strlen(cats);
    int rc;

    rc = fz_buf_puts(out, "[Desktop Entry]\nType=Application\n");
    rc = rc ? rc : put_value(out, "Name", name);
    if (rc == 0 && pc->description != NULL) {
        rc = put_value(out, "Comment", pc->description);
    }
    rc = rc ? rc : put_exec(out, exec);
    if (rc == 0 && pc->icon != NULL) {
        rc = put_value(out, "Icon", fz_desktop_id(pc, name));
    }
    rc = rc ? rc
            : fz_buf_printf(out, "Terminal=%s\n",
                            pc->windowed ? "false" : "true");
    rc = rc ? rc
            : fz_buf_printf(out, "Categories=%s%s\n", cats,
                            n > 0 && cats[n - 1] == ';' ? "" : ";");
    return rc;
}

/* mkdir -p, then write. */
static int
write_below(const char *share, const char *rel, const void *data, size_t size)
{
    fz_buf path = FZ_BUF_INIT;
    char *dir = NULL;
    int rc = fz_buf_printf(&path, "%s/%s", share, rel);

    if (rc == 0 && (dir = fz_path_dirname(path.data)) == NULL) {
        rc = FZ_ENOMEM;
    }
    rc = rc ? rc : fz_mkdir_p(dir);
    rc = rc ? rc : fz_package_write_file(path.data, data, size, 0644);
    free(dir);
    fz_buf_dispose(&path);
    return rc;
}

/* The PNG icon `data` under icons/hicolor/<N>x<N>/apps/<id>.png at its
 * own size and at each standard size below it. */
static int
write_png_sizes(const char *share, const char *id, const char *path,
                const fz_buf *data)
{
    const uint32_t *sizes = fz_icon_hicolor_sizes;
    fz_icon_image img = {0};
    fz_buf rel = FZ_BUF_INIT;
    fz_buf png = FZ_BUF_INIT;
    int rc = fz_icon_decode(&img, data->data, data->size);

    if (rc == 0 && img.width != img.height) {
        rc = fz_error_set(FZ_EINVAL, "%ux%u pixels; an icon must be square",
                          (unsigned)img.width, (unsigned)img.height);
    }
    if (rc < 0) {
        fz_error_wrap(rc, "--icon %s", path);
        goto done;
    }
    rc = fz_buf_printf(&rel, "icons/hicolor/%ux%u/apps/%s.png",
                       (unsigned)img.width, (unsigned)img.width, id);
    rc = rc ? rc : write_below(share, rel.data, data->data, data->size);
    for (size_t i = 0; rc == 0 && i < FZ_ICON_HICOLOR_COUNT; i++) {
        if (sizes[i] >= img.width) {
            break;
        }
        fz_buf_clear(&rel);
        fz_buf_clear(&png);
        rc = fz_icon_png_at(&png, data->data, data->size, &img, sizes[i]);
        rc = rc ? rc
                : fz_buf_printf(&rel, "icons/hicolor/%ux%u/apps/%s.png",
                                (unsigned)sizes[i], (unsigned)sizes[i], id);
        rc = rc ? rc : write_below(share, rel.data, png.data, png.size);
    }
done:
    fz_icon_image_dispose(&img);
    fz_buf_dispose(&rel);
    fz_buf_dispose(&png);
    return rc;
}

int
fz_desktop_write(const char *share, const fz_package_config *pc,
                 const char *name, const char *exec)
{
    const char *id = fz_desktop_id(pc, name);
    fz_buf text = FZ_BUF_INIT;
    fz_buf rel = FZ_BUF_INIT;
    fz_buf icon = FZ_BUF_INIT;
    int rc;

    rc = entry_text(&text, pc, name, exec);
    rc = rc ? rc : fz_buf_printf(&rel, "applications/%s.desktop", id);
    rc = rc ? rc : write_below(share, rel.data, text.data, text.size);
    if (rc < 0 || pc->icon == NULL) {
        goto done;
    }
    rc = fz_file_read(&icon, pc->icon);
    fz_buf_clear(&rel);
    if (rc == 0 && is_svg(pc->icon, &icon)) {
        rc = fz_buf_printf(&rel, "icons/hicolor/scalable/apps/%s.svg", id);
    } else if (rc == 0) {
        rc = write_png_sizes(share, id, pc->icon, &icon);
        goto done;
    }
    rc = rc ? rc : write_below(share, rel.data, icon.data, icon.size);
done:
    fz_buf_dispose(&text);
    fz_buf_dispose(&rel);
    fz_buf_dispose(&icon);
    return rc;
}
