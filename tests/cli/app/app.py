"""The CLI tests' example: a script, a module of its own, a stdlib package."""
import json

import greet

print(greet.hello(json.dumps({"frozen": True})))
