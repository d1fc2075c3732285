"""A small GTK 3 window (PyGObject) for the gtk-screenshot test: a form
with an entry and a spin button, a list, a progress bar and buttons.

Prints where GI found its typelibs and GTK (the bundle, when frozen), then
"ready" once the window is shown; quits by itself with --once.
"""
import os
import sys

import gi

gi.require_version("Gtk", "3.0")
from gi.repository import GLib, Gtk  # noqa: E402

TITLE = "freeze GTK example"


class Window(Gtk.Window):
    def __init__(self):
        super().__init__(title=TITLE)
        self.set_default_size(360, 300)
        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=6)
        box.set_border_width(8)
        grid = Gtk.Grid(column_spacing=6, row_spacing=6)
        grid.attach(Gtk.Label(label="Name:"), 0, 0, 1, 1)
        self.name = Gtk.Entry(text="Ada", hexpand=True)
        grid.attach(self.name, 1, 0, 1, 1)
        grid.attach(Gtk.Label(label="Greetings:"), 0, 1, 1, 1)
        self.count = Gtk.SpinButton.new_with_range(1, 10, 1)
        self.count.set_value(3)
        grid.attach(self.count, 1, 1, 1, 1)
        box.pack_start(grid, False, False, 0)
        buttons = Gtk.Box(spacing=6)
        greet = Gtk.Button(label="Greet")
        clear = Gtk.Button(label="Clear")
        buttons.pack_start(greet, True, True, 0)
        buttons.pack_start(clear, True, True, 0)
        box.pack_start(buttons, False, False, 0)
        self.items = Gtk.ListBox()
        box.pack_start(self.items, True, True, 0)
        self.progress = Gtk.ProgressBar(show_text=True)
        box.pack_start(self.progress, False, False, 0)
        self.add(box)
        greet.connect("clicked", lambda _b: self.greet())
        clear.connect("clicked", lambda _b: self.clear())
        self.connect("destroy", Gtk.main_quit)

    def greet(self):
        for i in range(self.count.get_value_as_int()):
            self.items.add(Gtk.Label(
                label="Hello, %s! (%d)" % (self.name.get_text(), i + 1),
                xalign=0))
        n = len(self.items.get_children())
        self.progress.set_fraction(min(n / 10, 1.0))
        self.items.show_all()

    def clear(self):
        for row in self.items.get_children():
            self.items.remove(row)
        self.progress.set_fraction(0)


def where():
    """Where the typelibs and libgtk were loaded from."""
    repo = gi.Repository.get_default()
    paths = sorted({os.path.dirname(repo.get_typelib_path(ns))
                    for ns in repo.get_loaded_namespaces()})
    with open("/proc/self/maps") as maps:
        gtk = sorted({line.split()[-1] for line in maps
                      if "libgtk-3.so" in line})
    print("typelibs:", " ".join(paths))
    print("libgtk:", " ".join(gtk))
    print("bundle:", os.path.dirname(os.path.dirname(gi.__file__)))


def main():
    if not Gtk.init_check(sys.argv)[0]:
        print("cannot open the display", file=sys.stderr)
        return 1
    window = Window()
    window.show_all()
    window.greet()
    # "ready" once the window is mapped and the main loop is idle again
    # (drawn). Not from "draw": its cairo.Context needs python3-gi-cairo.
    window.connect("map-event", lambda *_: GLib.idle_add(
        lambda: print("ready", flush=True) and False) and False)
    where()
    if "--once" in sys.argv:
        GLib.timeout_add(300, Gtk.main_quit)
    Gtk.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
