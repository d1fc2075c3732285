print("ok")
def f(:
    pass
