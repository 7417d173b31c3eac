# Turn a file into a C array: cmake -DINPUT=f -DOUTPUT=f.c -DNAME=sym -P embed.cmake
# A byte array, not a string literal: C11 only promises 4095-character
# literals, and -Wpedantic says so.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" body "${body}")
file(WRITE "${OUTPUT}" "/* Generated from ${INPUT} by cmake/embed.cmake; do not edit. */\n#include <stddef.h>\nconst unsigned char ${NAME}[] = {\n${body}0x00 };\nconst size_t ${NAME}_len = ${len};\n")
