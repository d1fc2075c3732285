# [tool.freeze] in the pyproject.toml next to the script: its settings
# apply, the command line wins, unknown keys and wrong types are errors
# (exit 2) that name the key and the closest valid one.
cp "$APP"/*.py .
cat >pyproject.toml <<'TOML'
[project]
name = "example"

[tool.freeze]
name = "fromconfig"
hidden-import = ["csv"]
exclude-module = ["_json"]
optimize = 1
TOML
echo "== config applies"
"$FREEZE" -v app.py >out.txt; echo "exit $?"
ls dist | grep -v report
grep -E '^  [a-z]+ +(csv|_json): ' out.txt
echo "_json bundled: $(grep -c '^  [a-z]* *_json:' out.txt)"
./dist/fromconfig; echo "exit $?"
echo "== the command line wins (and adds to lists)"
rm -rf dist
"$FREEZE" -v --name fromcli --hidden-import uuid app.py >out.txt
echo "exit $?"
ls dist | grep -v report
grep -E '^  [a-z]+ +(csv|uuid): ' out.txt
echo "== --config FILE"
mkdir conf
printf '[tool.freeze]\nname = "other"\ndistpath = "elsewhere"\n' \
    >conf/freeze.toml
"$FREEZE" -q --config conf/freeze.toml app.py; echo "exit $?"
ls elsewhere | grep -v report
echo "== unknown key"
printf '[tool.freeze]\nhiden-import = ["json"]\n' >pyproject.toml
"$FREEZE" app.py; echo "exit $?"
printf '[tool.freeze]\nonefil = true\n' >pyproject.toml
"$FREEZE" app.py; echo "exit $?"
echo "== wrong types and values"
printf '[tool.freeze]\nname = 3.5\n' >pyproject.toml
"$FREEZE" app.py; echo "exit $?"
printf '[tool.freeze]\ntrace = "yes"\n' >pyproject.toml
"$FREEZE" app.py; echo "exit $?"
printf '[tool.freeze]\noptimize = 7\n' >pyproject.toml
"$FREEZE" app.py; echo "exit $?"
printf '[tool.freeze]\nname = "a"\nname = "b"\n' >pyproject.toml
"$FREEZE" app.py; echo "exit $?"
printf '[tool.freeze]\nhelp = true\n' >pyproject.toml
"$FREEZE" app.py; echo "exit $?"
echo "== no [tool.freeze]: nothing changes"
rm -rf dist
printf '[project]\nname = "x"\n' >pyproject.toml
"$FREEZE" -q app.py; echo "exit $?"
ls dist | grep -v report
