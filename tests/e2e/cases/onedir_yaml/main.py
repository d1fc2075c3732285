# PyYAML's C loader and dumper (yaml._yaml + libyaml).
import yaml

print(yaml.__with_libyaml__)
doc = yaml.load("a: [1, 2, {b: c}]\nd: 2.5\n", Loader=yaml.CSafeLoader)
print(doc)
print(yaml.dump(doc, Dumper=yaml.CSafeDumper, default_flow_style=False), end="")
