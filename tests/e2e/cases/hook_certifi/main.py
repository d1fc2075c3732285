# certifi: where() names the CA bundle; contents() reads it.
import os

import certifi

print(os.path.isfile(certifi.where()))
print("BEGIN CERTIFICATE" in certifi.contents())
