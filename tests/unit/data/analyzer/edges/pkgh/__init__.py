from . import view
