import hashlib
import ssl

print(hashlib.sha256(b"freeze").hexdigest())
print(hashlib.md5(b"freeze").hexdigest())
print(hashlib.blake2b(b"freeze", digest_size=8).hexdigest())
ctx = ssl.create_default_context()
print(ctx.verify_mode == ssl.CERT_REQUIRED, ctx.check_hostname)
print(ssl.OPENSSL_VERSION.startswith("OpenSSL"))
