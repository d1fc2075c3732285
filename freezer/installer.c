/*
 * installer.c - build the self-extracting per-user installer
 * (installer.h) by freezing freezer/installer/fz_install.py with the app.
 */
#define _GNU_SOURCE
#include "installer.h"

#include "pkgarchive.h"
#include "bundle.h"
#include "compress_runtime.h"
#include "fz_error.h"
#include "fz_platform.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INSTALL_SCRIPT "fz_install.py"

/* The install program: <prefix>/share/freeze/installer when installed,
 * else the source tree's freezer/installer. */
static char *
install_script(void)
{
    char *cand =
        fz_path_beside_self("../share/freeze/installer/" INSTALL_SCRIPT);

    if (cand != NULL && fz_is_file(cand)) {
        return cand;
    }
    free(cand);
    if (fz_is_file(FZ_INSTALLER_SOURCE_DIR "/" INSTALL_SCRIPT)) {
        return fz_strdup(FZ_INSTALLER_SOURCE_DIR "/" INSTALL_SCRIPT);
    }
    fz_error_set(FZ_ENOTFOUND, "no install program (looked next to freeze "
                               "and in " FZ_INSTALLER_SOURCE_DIR ")");
    return NULL;
}

/* A JSON string (the values are the user's options). */
static int
json_str(fz_buf *out, const char *s)
{
    int rc = fz_buf_puts(out, "\"");

    for (const unsigned char *p = (const unsigned char *)s; rc == 0 && *p;
         p++) {
        if (*p == '"' || *p == '\\') {
            rc = fz_buf_printf(out, "\\%c", *p);
        } else if (*p < 0x20) {
            rc = fz_buf_printf(out, "\\u%04x", *p);
        } else {
            rc = fz_buf_append(out, p, 1);
        }
    }
    return rc ? rc : fz_buf_puts(out, "\"");
}

static int
install_json(fz_buf *out, const fz_package_config *pc, const char *name)
{
    const char *id = fz_desktop_id(pc, name);
    int rc = fz_buf_puts(out, "{\"name\": ");

    rc = rc ? rc : json_str(out, name);
    rc = rc ? rc : fz_buf_puts(out, ", \"version\": ");
    rc = rc ? rc : json_str(out, pc->app_version ? pc->app_version : "0.1.0");
    rc = rc ? rc : fz_buf_puts(out, ", \"id\": ");
    rc = rc ? rc : json_str(out, id);
    return rc ? rc : fz_buf_puts(out, "}\n");
}

/* tmp/tree: app/, share/, install.json; tar'ed into tmp/payload. */
static int
stage(const char *tmp, const fz_package_config *pc, const fz_package_input *in)
{
    fz_buf a = FZ_BUF_INIT;
    fz_buf text = FZ_BUF_INIT;
    fz_buf tar = FZ_BUF_INIT;
    int rc;

    rc = fz_buf_printf(&a, "%s/tree", tmp);
    if (rc == 0 && mkdir(a.data, 0755) < 0) {
        rc = fz_error_set(FZ_EIO, "mkdir %s: %s", a.data, strerror(errno));
    }
    rc = rc ? rc : fz_buf_puts(&a, "/app");
    rc = rc ? rc : fz_package_copy_tree(in->onedir, a.data);
    fz_buf_clear(&a);
    /* Exec is rewritten to the installed launcher by the installer. */
    rc = rc ? rc : fz_buf_printf(&a, "%s/tree/share", tmp);
    rc = rc ? rc : fz_desktop_write(a.data, pc, in->name, in->name);
    fz_buf_clear(&a);
    rc = rc ? rc : install_json(&text, pc, in->name);
    rc = rc ? rc : fz_buf_printf(&a, "%s/tree/install.json", tmp);
    rc = rc ? rc : fz_package_write_file(a.data, text.data, text.size, 0644);
    fz_buf_clear(&a);
    rc = rc ? rc : fz_buf_printf(&a, "%s/tree", tmp);
    rc = rc ? rc
            : fz_archive_tar_dir(&tar, a.data, "", FZ_ARCHIVE_NONE,
                                 fz_archive_mtime());
    fz_buf_clear(&a);
    rc = rc ? rc : fz_buf_printf(&a, "%s/payload", tmp);
    if (rc == 0 && mkdir(a.data, 0755) < 0) {
        rc = fz_error_set(FZ_EIO, "mkdir %s: %s", a.data, strerror(errno));
    }
    rc = rc ? rc : fz_buf_puts(&a, "/fz-install.tar");
    rc = rc ? rc : fz_package_write_file(a.data, tar.data, tar.size, 0644);
    fz_buf_dispose(&a);
    fz_buf_dispose(&text);
    fz_buf_dispose(&tar);
    return rc;
}

int
fz_installer_write(char **out, const fz_package_config *pc,
                   const fz_package_input *in)
{
    fz_freeze_config cfg;
    fz_freeze_result *r = NULL;
    fz_strvec add_data = FZ_STRVEC_INIT;
    fz_buf spec = FZ_BUF_INIT;
    fz_buf name = FZ_BUF_INIT;
    char *script = NULL;
    char *tmp = NULL;
    const char *excludes[] = {"tkinter"};
    int rc;

    *out = NULL;
    if (in->onedir == NULL) {
        return fz_error_set(FZ_EINVAL, "--installer needs the onedir layout");
    }
    script = install_script();
    if (script == NULL) {
        return FZ_ENOTFOUND;
    }
    rc = fz_package_tmpdir(&tmp, in->distpath, "installer");
    rc = rc ? rc : stage(tmp, pc, in);
    rc = rc ? rc : fz_buf_printf(&spec, "%s/payload:.", tmp);
    rc = rc ? rc : fz_strvec_push(&add_data, spec.data);
    rc = rc ? rc : fz_buf_printf(&name, "%s-installer", in->name);
    if (rc < 0) {
        goto done;
    }
    memset(&cfg, 0, sizeof(cfg));
    cfg.script = script;
    cfg.name = name.data;
    cfg.distpath = in->distpath;
    cfg.python = in->python;
    cfg.stub = in->stub;
    /* A dialog needs Tk (some MB): only for windowed apps. */
    if (!pc->windowed) {
        cfg.excludes = excludes;
        cfg.exclude_count = 1;
    }
    cfg.extras.add_data = &add_data;
    cfg.no_cache = 1;
    /* Run once: a compressed runtime would be left in the user's cache. */
    cfg.compress_runtime = FZ_COMPRESS_RUNTIME_NEVER;
    rc = fz_freeze(&r, &cfg);
    if (rc == 0) {
        *out = fz_strdup(r->output);
        rc = *out ? 0 : FZ_ENOMEM;
    }
done:
    if (tmp != NULL) {
        fz_platform_remove_path(tmp);
    }
    fz_freeze_result_free(r);
    fz_strvec_dispose(&add_data);
    fz_buf_dispose(&spec);
    fz_buf_dispose(&name);
    free(script);
    free(tmp);
    return rc;
}
