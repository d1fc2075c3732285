# Codecs looked up by name, never imported: the analyzer reads the names.
data = "\u65e5\u672c".encode("Shift-JIS")
print(data.decode('sjis'), "b\u00fccher.example".encode("idna"))
