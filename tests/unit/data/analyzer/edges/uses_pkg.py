import pkgh
