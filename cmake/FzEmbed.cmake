# cmake -DIN=<file> -DOUT=<file.c> -DNAME=<symbol> -P FzEmbed.cmake
# Write <file> as a C array `const char NAME[]` (NUL-terminated) and
# `const size_t NAME_size`, for text the freezer carries (the HTML report
# template) without a runtime file to find.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" len)
math(EXPR size "${len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" body "${body}")
file(WRITE "${OUT}.tmp"
  "/* Generated from ${IN} by cmake/FzEmbed.cmake; do not edit. */\n"
  "#include <stddef.h>\n"
  "extern const char ${NAME}[];\n"
  "extern const size_t ${NAME}_size;\n"
  "const char ${NAME}[] = {\n${body}0x00};\n"
  "const size_t ${NAME}_size = ${size};\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
