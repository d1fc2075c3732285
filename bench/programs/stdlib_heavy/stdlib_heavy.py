"""A program that pulls in a broad slice of the standard library, as a
real command-line tool does: about 55 direct imports, 250-320 modules."""
import argparse
import asyncio
import base64
import bisect
import calendar
import collections
import concurrent.futures
import contextlib
import csv
import dataclasses
import datetime
import decimal
import difflib
import email.message
import email.parser
import enum
import fnmatch
import fractions
import functools
import gettext
import glob
import gzip
import hashlib
import heapq
import hmac
import html
import http.client
import inspect
import io
import ipaddress
import itertools
import json
import logging
import logging.handlers
import multiprocessing
import operator
import pathlib
import pickle
import platform
import pprint
import queue
import random
import re
import shlex
import shutil
import socket
import sqlite3
import ssl
import statistics
import string
import struct
import subprocess
import tempfile
import textwrap
import threading
import typing
import unittest
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET
import zipfile


def main():
    parser = argparse.ArgumentParser(prog="stdlib-heavy")
    parser.add_argument("--n", type=int, default=3)
    args = parser.parse_args()
    data = {"n": args.n, "d": str(decimal.Decimal(1) / 7)[:8]}
    root = ET.fromstring("<a><b>1</b></a>")
    print(json.dumps(data, sort_keys=True), root.find("b").text,
          len(sys_modules()))


def sys_modules():
    import sys
    return sys.modules


if __name__ == "__main__":
    main()
