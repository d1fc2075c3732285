"""A small Qt desktop app (PyQt5): a form, a list and a progress bar.

Freeze it with `freeze examples/qt-app/app.py`; the frozen app carries Qt,
PyQt5 and the Qt plugins it can need (platforms, image formats, styles),
and never reads /usr/lib/x86_64-linux-gnu/qt5. Prints "ready" once the
window is shown (the screenshot test waits for it).
"""
import sys

from PyQt5.QtCore import Qt, QTimer
from PyQt5.QtWidgets import (QApplication, QFormLayout, QHBoxLayout, QLabel,
                             QLineEdit, QListWidget, QMainWindow,
                             QProgressBar, QPushButton, QSpinBox,
                             QVBoxLayout, QWidget)


class Window(QMainWindow):
    def __init__(self):
        super().__init__()
        self.setWindowTitle("freeze Qt example")
        central = QWidget()
        layout = QVBoxLayout(central)
        form = QFormLayout()
        self.name = QLineEdit("Ada")
        self.count = QSpinBox()
        self.count.setRange(1, 10)
        self.count.setValue(3)
        form.addRow("Name:", self.name)
        form.addRow("Greetings:", self.count)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        greet = QPushButton("Greet")
        clear = QPushButton("Clear")
        buttons.addWidget(greet)
        buttons.addWidget(clear)
        layout.addLayout(buttons)
        self.items = QListWidget()
        layout.addWidget(self.items)
        self.progress = QProgressBar()
        layout.addWidget(self.progress)
        self.status = QLabel("")
        self.status.setAlignment(Qt.AlignCenter)
        layout.addWidget(self.status)
        self.setCentralWidget(central)
        greet.clicked.connect(self.greet)
        clear.clicked.connect(self.items.clear)
        self.resize(360, 300)

    def greet(self):
        n = self.count.value()
        for i in range(n):
            self.items.addItem("Hello, %s! (%d)" % (self.name.text(), i + 1))
        self.progress.setValue(100 * self.items.count() // 10 % 101)
        self.status.setText("%d greetings" % self.items.count())


def main():
    app = QApplication(sys.argv)
    window = Window()
    window.show()
    window.greet()
    QTimer.singleShot(0, lambda: print("ready", flush=True))
    if "--once" in sys.argv:
        QTimer.singleShot(100, app.quit)
    return app.exec_()


if __name__ == "__main__":
    sys.exit(main())
