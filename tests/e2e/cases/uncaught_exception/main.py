import helper

print("start", flush=True)
helper.explode({"key": 1})
