# --help and the inspect subcommand's help: the grouped option list.
"$FREEZE" --help; echo "exit $?"
"$FREEZE" inspect --help; echo "exit $?"
"$FREEZE" --version | sed 's/[0-9][0-9.]*/X/g'; echo "exit $?"
