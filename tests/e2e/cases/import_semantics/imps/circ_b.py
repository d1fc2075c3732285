import sys
import imps.circ_a
B = "b"
# circ_a is only partly executed here.
SEEN = hasattr(sys.modules["imps.circ_a"], "A")
