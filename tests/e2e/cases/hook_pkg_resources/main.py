# pkg_resources: its vendored packages (hook pkg_resources.toml), the
# working set built from the bundled metadata, requirement parsing.
import pkg_resources

dist = pkg_resources.get_distribution("setuptools")
print(dist.project_name, dist.key)
print(pkg_resources.parse_version("2.0.1") > pkg_resources.parse_version("2.0"))
req = pkg_resources.Requirement.parse("setuptools>=1.0")
print(dist in req)
print(pkg_resources.resource_exists("pkg_resources", "__init__.py") in (True, False))
