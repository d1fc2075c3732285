# freeze inspect (listing, totals, --json, --extract) and --explain on the
# example app. Sizes vary with the Python build: numbers become N.
cp "$APP"/*.py .
"$FREEZE" -q app.py; echo "exit $?"
echo "== inspect"
"$FREEZE" inspect dist/app >list.txt; echo "exit $?"
norm() { sed -e 's/[0-9][0-9]*/N/g' -e 's/  */ /g'; }
head -2 list.txt | norm
grep -E '^ .* (app|greet)\.pyc?$' list.txt | norm
grep -E '^(totals by package:|total: )' list.txt | norm
grep -E '^ .* (app|greet|json)$' list.txt | norm
echo "== inspect --json"
"$FREEZE" inspect --json dist/app >list.json; echo "exit $?"
python3 - <<'PY'
import json
d = json.load(open("list.json"))
names = {e["name"]: e for e in d["entries"]}
print(d["python"].count("."), d["main"], sorted(d["totals"]))
print(names["app.pyc"]["kind"], names["app.py"]["kind"],
      names["greet.pyc"]["kind"])
# Bytecode is LZ4 with the dictionary, what is extracted zstd (x86 code
# through the branch filter).
ext = [e for e in d["entries"] if e["name"].startswith("_json.")]
print(names["json/decoder.pyc"]["compression"], ext[0]["kind"],
      ext[0]["compression"], d["dictionary_size"] > 0)
assert d["totals"]["entries"] == len(d["entries"])
assert d["totals"]["size"] == sum(e["size"] for e in d["entries"])
assert any(p["package"] == "json" for p in d["packages"])
PY
echo "== inspect --extract"
"$FREEZE" inspect --extract out dist/app | norm; echo "exit $?"
cmp out/app.py app.py && echo "app.py identical"
cmp out/greet.py greet.py 2>/dev/null || echo "greet.py: no source entry"
test -f out/json/__init__.pyc && echo "json/__init__.pyc extracted"
echo "== extract again: existing files are refused"
"$FREEZE" inspect --extract out dist/app 2>err.txt; echo "exit $?"
echo "says it exists: $(grep -c 'exists' err.txt)"
echo "== a symlink in the target directory is never followed"
mkdir trap outside
ln -s ../outside trap/json
"$FREEZE" inspect --extract trap dist/app >/dev/null 2>&1; echo "exit $?"
ls outside | wc -l
echo "== --explain"
"$FREEZE" --explain json.decoder app.py; echo "exit $?"
"$FREEZE" --explain greet app.py; echo "exit $?"
"$FREEZE" --explain encodings.utf_8 app.py; echo "exit $?"
"$FREEZE" --explain _json --hidden-import json app.py; echo "exit $?"
"$FREEZE" --explain tkinter app.py; echo "exit $?"
echo "== a hook's excluded_imports also drop names loaded by name"
mkdir -p dyn/optpkg hooks
echo "import optpkg" >dyn/main.py
printf 'try:\n    __import__("heavy").setup(__name__)\nexcept ImportError:\n    pass\n' \
    >dyn/optpkg/__init__.py
echo "X = 1" >dyn/heavy.py
"$FREEZE" --explain heavy dyn/main.py; echo "exit $?"
echo 'excluded_imports = ["heavy"]' >hooks/optpkg.toml
"$FREEZE" --additional-hooks-dir hooks --explain heavy dyn/main.py; echo "exit $?"
