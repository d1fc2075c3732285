# A small PyGObject program, headless: GLib, Gio and GObject calls and
# the GTK 3 objects that need no display (no window is shown: without a
# display Gtk.init_check returns False). Typelibs and GTK's libraries must
# come from the bundle: the system's typelibs are hidden in the sandbox.
import os
import sys

import gi

gi.require_version("Gtk", "3.0")
from gi.repository import Gio, GLib, GObject, Gtk  # noqa: E402

ok, _ = Gtk.init_check(sys.argv)
print("init", ok)
print("gtk", Gtk.get_major_version(), Gtk.check_version(3, 0, 0))
print("glib", GLib.markup_escape_text("<a&b>"))
variant = GLib.Variant("(si)", ("x", 3))
print("variant", variant.print_(True), variant.unpack())
f = Gio.File.new_for_path("/tmp/a b.txt")
print("gio", f.get_basename(), f.get_uri())


class Counter(GObject.Object):
    count = GObject.Property(type=int, default=0)


counter = Counter()
seen = []
counter.connect("notify::count", lambda o, p: seen.append(o.props.count))
counter.props.count = 5
print("notify", seen)

store = Gtk.ListStore(str, int)
for name, n in (("world", 2), ("hello", 1)):
    store.append([name, n])
store.set_sort_column_id(0, Gtk.SortType.ASCENDING)
print("store", [tuple(row) for row in store])
buf = Gtk.TextBuffer()
buf.set_text("Hello, world!")
print("buffer", buf.get_text(buf.get_start_iter(), buf.get_end_iter(), False))
adj = Gtk.Adjustment(value=5, lower=0, upper=10, step_increment=1)
adj.set_value(42)
print("adjustment", adj.get_value())
key, mods = Gtk.accelerator_parse("<Control>q")
print("accel", key, int(mods))

loop = GLib.MainLoop()
GLib.idle_add(lambda: (print("idle"), loop.quit()))
loop.run()

# Frozen: every typelib from <root>/gi_typelibs, GTK from the bundle.
repo = gi.Repository.get_default()
root = os.path.dirname(os.path.dirname(gi.__file__))
frozen = getattr(sys, "frozen", False)
want = os.path.join(root, "gi_typelibs") if frozen else "/usr/lib"
paths = [repo.get_typelib_path(ns) for ns in repo.get_loaded_namespaces()]
print("typelibs from bundle", all(p.startswith(want) for p in paths),
      "Gtk" in repo.get_loaded_namespaces())
with open("/proc/self/maps") as maps:
    gtk = {line.split()[-1] for line in maps if "libgtk-3.so" in line}
print("libgtk from bundle", len(gtk) == 1 and
      all(p.startswith(root if frozen else "/usr/lib") for p in gtk))
