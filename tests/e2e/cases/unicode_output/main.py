import sys

print("héllo wörld — ☃ 日本語 🐍")
print(sys.stdout.encoding, sys.getfilesystemencoding())
print(len("🐍"), "ß".upper(), "İ".lower() == "i̇")
