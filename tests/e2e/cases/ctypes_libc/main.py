import ctypes

libc = ctypes.CDLL("libc.so.6")
libc.strlen.restype = ctypes.c_size_t
libc.strlen.argtypes = [ctypes.c_char_p]
print(libc.strlen(b"frozen"))
buf = ctypes.create_string_buffer(32)
libc.snprintf(buf, 32, b"%d-%s", 42, b"ok")
print(buf.value.decode())
print(libc.abs(-7))
