print("Hello from a frozen Python program!")
