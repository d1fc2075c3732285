# A small Qt window (PySide2): widgets laid out, a signal connected, the
# window rendered offscreen to an image; plugins from the bundle only.
import os
import sys
import tempfile

import PySide2
from PySide2.QtCore import QCoreApplication, Qt, QTimer
from PySide2.QtGui import QColor, QImage, QImageWriter
from PySide2.QtWidgets import (QApplication, QLabel, QLineEdit, QPushButton,
                             QVBoxLayout, QWidget)

# Qt wants a private runtime directory; give it one whatever the machine.
os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp()
app = QApplication(sys.argv)
print("platform", app.platformName())
window = QWidget()
window.setWindowTitle("Greeter")
layout = QVBoxLayout(window)
name = QLineEdit("world")
label = QLabel("")
button = QPushButton("Greet")
button.clicked.connect(lambda: label.setText("Hello, %s!" % name.text()))
for w in (name, button, label):
    layout.addWidget(w)
window.resize(240, 120)
window.show()
button.click()
print("label", label.text())
image = window.grab().toImage()
print("grab", image.width(), image.height(), not image.isNull())
png = QImage(16, 16, QImage.Format_RGB32)
png.fill(QColor("steelblue"))
formats = [bytes(f).decode() for f in QImageWriter.supportedImageFormats()]
print("image formats", "png" in formats, "ico" in formats)
paths = QCoreApplication.libraryPaths()
frozen = getattr(sys, "frozen", False)
# Frozen: the bundled plugins first, then the executable's directory (Qt
# adds it itself); never Qt's compiled-in /usr/lib/.../qt5/plugins.
here = os.path.dirname(PySide2.__file__)
print("plugins from bundle", not frozen or (
    paths[0].startswith(here) and not any(p.startswith("/usr")
                                          for p in paths)))
QTimer.singleShot(0, app.quit)
print("exit", app.exec_())
