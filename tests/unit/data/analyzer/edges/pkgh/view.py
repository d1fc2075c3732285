def show():
    import heavy  # an optional toolkit; the hook drops this edge

    return heavy
