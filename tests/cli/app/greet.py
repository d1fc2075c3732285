"""A module of the example app."""


def hello(what):
    return "hello " + what
