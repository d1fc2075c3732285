__all__ = ["starred", "value"]
value = 1
