def run():
    return "gamma ran"
