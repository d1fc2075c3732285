# -q prints nothing; the default prints the summary; -v says why each
# module is there; -vv adds every importer. In a pipe there are no stage
# lines; on a terminal (script(1)) there are, coloured unless NO_COLOR.
cp "$APP"/*.py .
echo "== -q"
"$FREEZE" -q app.py; echo "exit $?"
ls dist
echo "== default"
"$FREEZE" --no-cache app.py | sed -e 's/[0-9][0-9.]* [kM]\?B/SIZE/g' \
    -e 's/[0-9][0-9]* /N /g' -e 's/glibc >= [0-9.]*/glibc >= X/'
echo "== -v"
"$FREEZE" -v app.py >v.txt; echo "exit $?"
grep -E '^  (source|package) +(app|greet|json): ' v.txt
grep -E '^(target Python|runtime stub|report):' v.txt
# -v's time line: the stages that ran, in order, each a part of the total
stages() { sed -n 's/^time: //p' "$1" | sed -e 's/ [0-9.]* s//g'; }
within() {
    sed -n 's/^time: //p' "$1" | tr ',' '\n' | awk '
        $1 == "total" { t = $2; next }
        { s += $2; n++ }
        END { if (n > 0 && s <= t + 0.0005 * (n + 1)) print "within the total"
              else print n " stages, " s " s, over the total " t " s" }'
}
echo "stages: $(stages v.txt); $(within v.txt)"
"$FREEZE" -v --no-cache app.py >fresh.txt; echo "exit $?"
echo "stages: $(stages fresh.txt); $(within fresh.txt)"
echo "== -vv"
"$FREEZE" -vv app.py >vv.txt; echo "exit $?"
grep -A1 -E '^  source +greet: ' vv.txt
echo "== terminal"
unset NO_COLOR
script -qec "\"$FREEZE\" app.py" /dev/null >tty.txt; echo "exit $?"
yesno() { if "$@"; then echo yes; else echo no; fi; }
esc=$(printf '\033')
echo "stage lines: $(yesno grep -q 'analysing imports' tty.txt)"
echo "progress bar: $(yesno grep -q 'compressing \[' tty.txt)"
echo "colour: $(yesno grep -q "$esc\\[32m" tty.txt)"
NO_COLOR=1 script -qec "\"$FREEZE\" --no-cache app.py" /dev/null >tty-nc.txt
echo "NO_COLOR: stage lines: $(yesno grep -q 'analysing imports' tty-nc.txt)"
echo "NO_COLOR: colour: $(yesno grep -q "$esc\\[[0-9;]*m" tty-nc.txt)"
"$FREEZE" --no-cache app.py 2>pipe-err.txt >/dev/null
echo "pipe: bytes on stderr: $(wc -c <pipe-err.txt)"
