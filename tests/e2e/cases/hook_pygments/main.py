# Pygments loads lexers, formatters and styles by name (hook pygments.toml).
from pygments import highlight
from pygments.formatters import get_formatter_by_name
from pygments.lexers import get_lexer_by_name, guess_lexer_for_filename
from pygments.styles import get_style_by_name

code = "def f(x):\n    return x + 1\n"
print(highlight(code, get_lexer_by_name("python"), get_formatter_by_name("html")), end="")
print(guess_lexer_for_filename("a.rs", "fn main() {}").name)
print(get_lexer_by_name("yaml").name, get_lexer_by_name("c").name)
print(get_style_by_name("monokai").background_color)
print(len(highlight(code, get_lexer_by_name("py"), get_formatter_by_name("terminal256"))) > 0)
