# unicodedata is an extension module here (the stub leaves it out), and the
# codecs that need extension modules are bundled only when something names
# them: each use below must work exactly as under python3.
import codecs
import re
import socket
import unicodedata

print(unicodedata.name("\u00e9"), unicodedata.normalize("NFKD", "\ufb01"))
print(re.sub(r"\N{EM DASH}", "-", "a\u2014b"))
print("\u2603".encode("ascii", "namereplace"))
print(codecs.decode(b"\\N{SNOWMAN}", "unicode_escape"))
print("b\u00fccher.example".encode("idna"))
print("\u65e5\u672c\u8a9e".encode("shift-jis").hex(), b"\x93\xfa".decode("sjis"))
print(socket.getaddrinfo("127.0.0.1", 80, socket.AF_INET)[0][4])
