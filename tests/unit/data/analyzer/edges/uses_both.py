import heavy
import pkgh
