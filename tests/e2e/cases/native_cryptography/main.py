# cryptography: its Rust extension and OpenSSL bindings.
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

d = hashes.Hash(hashes.SHA256())
d.update(b"freeze")
print(d.finalize().hex())
key = bytes(range(32))
nonce = bytes(12)
ct = AESGCM(key).encrypt(nonce, b"secret", None)
print(ct.hex())
print(AESGCM(key).decrypt(nonce, ct, None))
f = Fernet(Fernet.generate_key())
print(f.decrypt(f.encrypt(b"hello")))
