"""A small desktop app: a window with an image and a button.

Freeze it with `freeze examples/gui/app.py`; the frozen app carries
tkinter, Tcl/Tk and their script libraries (no python3-tk needed).
"""
import sys
import tkinter as tk


def make_image(width=160, height=100):
    """A colour gradient with a white disc: an image made without files."""
    img = tk.PhotoImage(width=width, height=height)
    for y in range(height):
        row = []
        for x in range(width):
            r = 40 + x * 200 // width
            g = 80 + y * 150 // height
            b = 200 - x * 150 // width
            if (x - width // 2) ** 2 + (y - height // 2) ** 2 < 30 ** 2:
                r = g = b = 255
            row.append("#%02x%02x%02x" % (r, g, b))
        img.put("{" + " ".join(row) + "}", to=(0, y))
    return img


def main():
    root = tk.Tk()
    root.title("freeze GUI example")
    root.configure(background="#204060")
    image = make_image()
    tk.Label(root, image=image, borderwidth=0).pack(padx=20, pady=(20, 10))
    status = tk.StringVar(value="Tk %s" % root.tk.call("info", "patchlevel"))
    tk.Label(root, textvariable=status, bg="#204060", fg="white").pack()
    clicks = [0]

    def on_click():
        clicks[0] += 1
        status.set("clicked %d time%s" % (clicks[0], "" if clicks[0] == 1 else "s"))

    tk.Button(root, text="Click me", command=on_click).pack(pady=(10, 20))
    if "--check" in sys.argv:
        # non-interactive: draw once, report, quit (used by the tests)
        root.update()
        print("window", root.winfo_width() > 0 and root.winfo_height() > 0)
        root.destroy()
        return
    print("ready", flush=True)
    root.mainloop()


if __name__ == "__main__":
    main()
