# tkinter's Tcl with its bundled script library (init.tcl, clock, encodings).
import tkinter

tcl = tkinter.Tcl()
print(tcl.eval("info patchlevel").startswith("8.6"))
print(tcl.eval("file exists [file join [info library] init.tcl]"))
print(tcl.eval("clock format 0 -gmt 1 -format %Y-%m-%d"))
print(tcl.eval("encoding convertto utf-8 \u00e9") == "\u00c3\u00a9")
print(tcl.eval("lsort {c a b}"))
