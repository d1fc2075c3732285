# jsonschema loads its metaschemas (jsonschema/schemas/*.json) through
# importlib.resources and its version through importlib.metadata.
from importlib.metadata import version

import jsonschema

schema = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}},
          "required": ["n"]}
jsonschema.validate({"n": 3}, schema)
try:
    jsonschema.validate({"n": 0}, schema)
except jsonschema.ValidationError as e:
    print("invalid:", e.message)
print(jsonschema.Draft202012Validator.check_schema(schema) is None)
print(sorted(jsonschema.validators._META_SCHEMAS)[:2])
print(version("jsonschema").count(".") >= 1)
