import argparse

parser = argparse.ArgumentParser(prog="greet", description="Greets people.")
parser.add_argument("name", help="who to greet")
parser.add_argument("--shout", action="store_true", help="use capitals")
args = parser.parse_args()
print(args)
