from fzdemo._speed import checksum, where

__all__ = ["checksum", "where"]
