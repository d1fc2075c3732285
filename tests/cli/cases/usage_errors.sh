# Usage and configuration errors exit 2 with one line and a hint; a failed
# freeze exits 1.
cp "$APP"/*.py .
"$FREEZE"; echo "exit $?"
"$FREEZE" --frobnicate app.py; echo "exit $?"
"$FREEZE" --optimize 7 app.py; echo "exit $?"
"$FREEZE" --name app.py; echo "exit $?"
"$FREEZE" -v -q app.py; echo "exit $?"
"$FREEZE" app.py other.py; echo "exit $?"
"$FREEZE" --config missing.toml app.py; echo "exit $?"
"$FREEZE" inspect; echo "exit $?"
"$FREEZE" inspect --bogus dist/app; echo "exit $?"
"$FREEZE" inspect --json --extract out app.py; echo "exit $?"
# not usage errors: the work fails (exit 1)
"$FREEZE" no-such-script.py; echo "exit $?"
"$FREEZE" inspect app.py; echo "exit $?"
"$FREEZE" inspect /no/such/app; echo "exit $?"
