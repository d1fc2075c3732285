"""fz_install: the program inside every `freeze --installer` executable.

It installs the app it carries (the DATA entry fz-install.tar) for the
current user, without root:

    ~/.local/share/<name>/            the onedir app (XDG_DATA_HOME honoured)
    ~/.local/bin/<name>               launcher (a symlink to the app)
    ~/.local/share/applications/<id>.desktop
    ~/.local/share/icons/hicolor/.../<id>.png|svg

Its own payload is extracted to the freeze cache while it runs, like any
onefile app's, and removed when it is done. Every path it creates is
listed in ~/.local/share/<name>/.install-manifest;
`--uninstall` removes exactly those (and the directories it created, when
empty). Asking: on a terminal, a y/N prompt; with a display and no
terminal, a Tk dialog (class Dialog: Install/Cancel, then a progress bar
and a Close button) when the installer carries tkinter (--windowed apps);
otherwise (double-clicked without either, or --yes) it proceeds.
"""

import json
import os
import sys
import tarfile

MANIFEST = ".install-manifest"
USAGE = """usage: {prog} [--yes] [--uninstall]

Install {name} {version} for the current user into {dest}.

  -y, --yes      do not ask
  --uninstall    remove every file a previous install wrote
"""


def data_home():
    d = os.environ.get("XDG_DATA_HOME", "")
    if not os.path.isabs(d):
        d = os.path.join(os.path.expanduser("~"), ".local", "share")
    return d


def bin_home():
    return os.path.join(os.path.expanduser("~"), ".local", "bin")


def payload():
    return tarfile.open(os.path.join(sys._MEIPASS, "fz-install.tar"))


def read_info(tar):
    return json.load(tar.extractfile("install.json"))


def safe_name(name):
    parts = name.split("/")
    return (
        not name.startswith("/")
        and ".." not in parts
        and all(p not in ("", ".") for p in parts)
    )


class Progress:
    """One line, rewritten in place on a terminal; the last state otherwise."""

    def __init__(self, total, verb, gui=None):
        self.total = max(total, 1)
        self.done = 0
        self.verb = verb
        self.tty = sys.stdout.isatty()
        self.gui = gui

    def step(self):
        self.done += 1
        last = 100 * (self.done - 1) // self.total
        pct = 100 * self.done // self.total
        if self.tty:
            sys.stdout.write("\r%s: %3d%% (%d/%d files)" %
                             (self.verb, pct, self.done, self.total))
            sys.stdout.flush()
        if self.gui is not None and pct != last:
            self.gui(pct)

    def finish(self):
        if self.tty:
            sys.stdout.write("\n")
        print("%s: %d files" % (self.verb, self.done))


def mkdirs(path, created):
    """Create path's missing directories, recording each one."""
    missing = []
    while not os.path.isdir(path):
        missing.append(path)
        path = os.path.dirname(path)
    for d in reversed(missing):
        os.mkdir(d, 0o755)
        created.append(d)


def desktop_text(data, launcher):
    out = []
    for line in data.decode("utf-8").splitlines():
        if line.startswith("Exec="):
            q = launcher.replace("\\", "\\\\\\\\")
            for c in '"`$':
                q = q.replace(c, "\\\\" + c)
            line = 'Exec="%s"' % q
        out.append(line)
    return ("\n".join(out) + "\n").encode("utf-8")


def uninstall(dest, quiet=False):
    manifest = os.path.join(dest, MANIFEST)
    try:
        with open(manifest, encoding="utf-8") as f:
            entries = json.load(f)
    except FileNotFoundError:
        print("nothing to uninstall: %s does not exist" % manifest,
              file=sys.stderr)
        return 1
    progress = Progress(len(entries["files"]), "removing")
    for path in reversed(entries["files"]):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        progress.step()
    os.unlink(manifest)
    for d in sorted(entries["dirs"], key=len, reverse=True):
        try:
            os.rmdir(d)
        except OSError:
            pass  # not empty: something else lives there now
    if not quiet:
        progress.finish()
    return 0


def install(tar, info, dest, gui=None):
    """Install; on any failure, remove what this run wrote and re-raise
    (the user is left with no half-installed app)."""
    files, dirs = [], []
    try:
        link = install_files(tar, info, dest, gui, files, dirs)
    except BaseException:
        for path in reversed(files):
            try:
                os.unlink(path)
            except OSError:
                pass
        for d in sorted(dirs, key=len, reverse=True):
            try:
                os.rmdir(d)
            except OSError:
                pass
        raise
    print("installed %s %s: run %s" % (info["name"], info["version"], link))
    if bin_home() not in os.environ.get("PATH", "").split(os.pathsep):
        print("note: %s is not on your PATH" % bin_home())


def install_files(tar, info, dest, gui, files, dirs):
    """Write the app, recording every file and directory created in
    `files` and `dirs` as it goes. Returns the launcher's path."""
    name, ident = info["name"], info["id"]
    share = data_home()
    bindir = bin_home()
    members = [m for m in tar.getmembers() if safe_name(m.name)]
    progress = Progress(len(members), "installing", gui)
    mkdirs(dest, dirs)
    for m in members:
        progress.step()
        if m.name == "app" or m.name == "install.json":
            continue
        if m.name.startswith("app/"):
            target = os.path.join(dest, m.name[4:])
        elif m.name.startswith("share/"):
            target = os.path.join(share, m.name[6:])
        else:
            continue
        if m.isdir():
            mkdirs(target, dirs)
            continue
        if not m.isfile():
            continue
        mkdirs(os.path.dirname(target), dirs)
        data = tar.extractfile(m).read()
        if m.name.startswith("share/applications/"):
            data = desktop_text(data, os.path.join(bindir, name))
        tmp = target + ".fz-new"
        files.append(tmp)  # removed on failure; replaced just below
        with open(tmp, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o755 if m.mode & 0o100 else 0o644)
        os.replace(tmp, target)
        files[-1] = target
    mkdirs(bindir, dirs)
    link = os.path.join(bindir, name)
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(os.path.join(dest, name), link)
    files.append(link)
    manifest = os.path.join(dest, MANIFEST)
    files.append(manifest)  # only for a rollback: not listed in itself
    with open(manifest, "w", encoding="utf-8") as f:
        json.dump({"name": name, "version": info["version"], "id": ident,
                   "files": files[:-1], "dirs": dirs}, f, indent=1)
    progress.finish()
    return link


class Dialog:
    """The installer as a double-click program: a small Tk window that
    asks, shows the progress of the install, then says it is done. Its
    title follows the state ("Install <name>", "Installing <name>: <N>%",
    "<name> installed", "<name> not installed"), which is what a task bar
    shows. Return presses the focused button, Escape or closing the
    window cancels (only before the install starts)."""

    def __init__(self, tk, ttk, root, info, dest):
        self.tk, self.ttk, self.root, self.info = tk, ttk, root, info
        self.dest = dest
        self.answer = None
        self.name = info["name"]
        root.title("Install %s" % self.name)
        root.resizable(False, False)
        frame = ttk.Frame(root, padding=16)
        frame.pack(fill="both", expand=True)
        self.text = tk.StringVar(
            value="Install %s %s for you (no administrator rights needed)"
                  "\ninto %s?" % (self.name, info["version"], dest))
        ttk.Label(frame, textvariable=self.text, wraplength=420,
                  justify="left").pack(anchor="w")
        self.bar = ttk.Progressbar(frame, length=420, maximum=100)
        self.bar.pack(pady=12)
        self.buttons = ttk.Frame(frame)
        self.buttons.pack(anchor="e")
        self.cancel = ttk.Button(self.buttons, text="Cancel",
                                 command=self.on_cancel)
        self.cancel.pack(side="right", padx=(8, 0))
        self.ok = ttk.Button(self.buttons, text="Install",
                             command=self.on_install, default="active")
        self.ok.pack(side="right")
        root.protocol("WM_DELETE_WINDOW", self.on_close)
        root.bind("<Return>", lambda e: root.focus_get().invoke()
                  if hasattr(root.focus_get(), "invoke") else None)
        root.bind("<Escape>", lambda e: self.on_close())
        self.ok.focus_set()

    def on_install(self):
        self.answer = True
        self.root.quit()

    def on_cancel(self):
        self.answer = False
        self.root.quit()

    def on_close(self):
        if self.answer is None:
            self.on_cancel()
        elif self.answer == "done":
            self.root.quit()

    def progress(self, pct):
        self.bar["value"] = pct
        self.root.title("Installing %s: %d%%" % (self.name, pct))
        self.root.update()

    def working(self):
        self.root.title("Installing %s: 0%%" % self.name)
        self.text.set("Installing %s %s into %s" %
                      (self.name, self.info["version"], self.dest))
        self.ok.state(["disabled"])
        self.cancel.state(["disabled"])
        self.root.update()

    def finished(self, message, ok):
        self.answer = "done"
        self.root.title("%s %s" % (self.name,
                                   "installed" if ok else "not installed"))
        if ok:
            self.bar["value"] = 100
        self.text.set(message)
        self.cancel.pack_forget()
        self.ok.configure(text="Close", command=self.root.quit)
        self.ok.state(["!disabled"])
        self.ok.focus_set()
        self.root.mainloop()


def open_dialog(info, dest):
    """A Dialog, or None when no dialog can be shown (no display, or an
    installer built without tkinter)."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return None
    try:
        import tkinter
        from tkinter import ttk
    except ImportError:
        return None
    try:
        root = tkinter.Tk(className="freeze-installer")
    except tkinter.TclError:
        return None
    return Dialog(tkinter, ttk, root, info, dest)


def install_with_dialog(dialog, tar, info, dest):
    """Ask in the dialog; install with its progress bar. The exit status."""
    dialog.root.mainloop()
    if dialog.answer is not True:
        print("not installed")
        return 1
    dialog.working()
    try:
        if os.path.exists(os.path.join(dest, MANIFEST)):
            uninstall(dest, quiet=True)
        install(tar, info, dest, dialog.progress)
    except (OSError, tarfile.TarError) as e:
        print("install failed: %s" % e, file=sys.stderr)
        dialog.finished("%s was not installed:\n%s" % (info["name"], e),
                        False)
        return 1
    link = os.path.join(bin_home(), info["name"])
    dialog.finished("%s %s is installed.\nStart it from your applications "
                    "menu, or run %s" % (info["name"], info["version"], link),
                    True)
    return 0


def main(argv):
    prog = os.path.basename(sys.argv[0]) if sys.argv else "installer"
    with payload() as tar:
        info = read_info(tar)
        dest = os.path.join(data_home(), info["name"])
        if "-h" in argv or "--help" in argv:
            print(USAGE.format(prog=prog, dest=dest, **info), end="")
            return 0
        unknown = [a for a in argv if a not in ("-y", "--yes", "--uninstall")]
        if unknown:
            print("%s: unknown argument %s" % (prog, unknown[0]),
                  file=sys.stderr)
            return 2
        if "--uninstall" in argv:
            status = uninstall(dest)
            forget_extraction()
            return status
        question = "Install %s %s into %s?" % (info["name"], info["version"],
                                               dest)
        if "-y" not in argv and "--yes" not in argv:
            if sys.stdin.isatty():
                sys.stdout.write(question + " [y/N] ")
                sys.stdout.flush()
                if sys.stdin.readline().strip().lower() not in ("y", "yes"):
                    print("not installed")
                    return 1
            else:
                dialog = open_dialog(info, dest)
                if dialog is not None:
                    status = install_with_dialog(dialog, tar, info, dest)
                    forget_extraction()
                    return status
        try:
            if os.path.exists(os.path.join(dest, MANIFEST)):
                uninstall(dest, quiet=True)  # an upgrade: old files go first
            install(tar, info, dest)
        except (OSError, tarfile.TarError) as e:
            print("install failed: %s" % e, file=sys.stderr)
            forget_extraction()
            return 1
    forget_extraction()
    return 0


def forget_extraction():
    """Remove this installer's own extracted files from the freeze cache
    (<cache>/freeze/fz_install-<hash>): they were only needed for this
    run, and the next run extracts them again."""
    root = os.path.realpath(sys._MEIPASS)
    parent = os.path.dirname(root)
    if (os.path.basename(parent) == "freeze"
            and os.path.basename(root).startswith("fz_install-")
            and os.lstat(root).st_uid == os.getuid()):
        import shutil
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
