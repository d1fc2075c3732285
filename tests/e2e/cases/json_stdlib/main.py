import json
import json.decoder

doc = json.loads('{"b": [1, 2.5, null, true], "a": "\\u00e9t\\u00e9"}')
print(json.dumps(doc, sort_keys=True))
print(json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True))
# The C accelerator is an extension module: it must be loaded, not skipped.
print(json.decoder.c_scanstring is not None, json.decoder.scanstring.__name__)
