# Turns each file of FILES into a C array in OUT:
#   const unsigned char embed_<name>[]; const unsigned long embed_<name>_len;
# where <name> is the file name with every non-alphanumeric byte as '_'.
# Lookup by file name: const char *embed_find(const char *name, size_t *len).
file(WRITE ${OUT} "#include <stddef.h>\n#include <string.h>\n")
set(_table "")
foreach(f IN LISTS FILES)
  get_filename_component(n ${f} NAME)
  string(MAKE_C_IDENTIFIER ${n} id)
  file(READ ${f} hex HEX)
  string(LENGTH "${hex}" hexlen)
  math(EXPR len "${hexlen} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  file(APPEND ${OUT} "static const unsigned char embed_${id}[] = {${bytes}0x00};\n")
  string(APPEND _table "  {\"${n}\", (const char *)embed_${id}, ${len}},\n")
endforeach()
file(APPEND ${OUT} "static const struct { const char *name; const char *data; size_t len; } embed_table[] = {\n${_table}  {NULL, NULL, 0}\n};\n")
file(APPEND ${OUT} "const char *embed_find(const char *name, size_t *len)\n{\n  for (size_t i = 0; embed_table[i].name; i++)\n    if (strcmp(embed_table[i].name, name) == 0) {\n      if (len) *len = embed_table[i].len;\n      return embed_table[i].data;\n    }\n  return NULL;\n}\n")
