import imps.circ_b
A = "a"
def b_value():
    return imps.circ_b.B
