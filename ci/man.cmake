# Writes relapi's man pages from its own --help texts, so that the two never
# drift: relapi.1 from `relapi --help`, relapi-CMD.1 from `relapi CMD --help`
# for every command `relapi --help` lists. The help is set as it is printed
# (no-fill), under NAME (the command's summary) and DESCRIPTION.
# Usage: cmake -DRELAPI=path/to/relapi -DOUT=dir -DVERSION=x.y.z -P ci/man.cmake
cmake_minimum_required(VERSION 3.16)

# roff: a backslash is \e; a line starting with '.' or "'" gets \& first.
function(roff_escape text out)
  string(REPLACE "\\" "\\e" text "${text}")
  # (a leading line break, not '^': REGEX REPLACE would match '^' again
  # wherever the previous match ended)
  string(REGEX REPLACE "\n([.'])" "\n\\\\&\\1" text "\n${text}")
  string(SUBSTRING "${text}" 1 -1 text)
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

function(write_page file title name summary help)
  roff_escape("${help}" body)
  roff_escape("${summary}" summary)
  string(TOUPPER "${title}" upper)
  set(see "")
  if(NOT title STREQUAL "relapi")
    set(see ".SH SEE ALSO\nrelapi(1)\n")
  endif()
  file(WRITE "${file}"
    ".TH ${upper} 1 \"\" \"relapi ${VERSION}\" \"relapi manual\"\n"
    ".SH NAME\n${name} \\- ${summary}\n"
    ".SH DESCRIPTION\n.nf\n${body}.fi\n${see}")
endfunction()

execute_process(COMMAND "${RELAPI}" --help OUTPUT_VARIABLE top RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "relapi --help failed: ${rc}")
endif()
file(MAKE_DIRECTORY "${OUT}")
write_page("${OUT}/relapi.1" relapi relapi
  "cut a release across many GitLab and GitHub repositories" "${top}")

# The command list: "  NAME  SUMMARY" lines after "commands:", up to a blank line.
string(REGEX MATCH "commands:\n(  [^\n]+\n)+" list "${top}")
string(REGEX MATCHALL "  [a-z-]+ +[^\n]+" lines "${list}")
foreach(line IN LISTS lines)
  string(REGEX MATCH "^  ([a-z-]+) +(.*)$" _ "${line}")
  set(cmd "${CMAKE_MATCH_1}")
  set(summary "${CMAKE_MATCH_2}")
  execute_process(COMMAND "${RELAPI}" ${cmd} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "relapi ${cmd} --help failed: ${rc}")
  endif()
  write_page("${OUT}/relapi-${cmd}.1" "relapi-${cmd}" "relapi-${cmd}" "${summary}" "${help}")
endforeach()
