from . import relmod
from .sibling import name_in_sibling
