# fish completion for relapi: commands and options read from relapi's --help.
function __relapi_commands
	relapi --help 2>/dev/null | sed -n '/^commands:/,/^$/s/^  \([a-z-]*\)  *\(.*\)/\1\t\2/p'
end
function __relapi_options
	set -l cmd (commandline -opc)[2]
	relapi $cmd --help 2>/dev/null | sed -n 's/^  \(-[a-zA-Z], \)\{0,1\}\(--[a-z-]*\).*/\2/p'
end
complete -c relapi -f -n '__fish_use_subcommand' -a '(__relapi_commands)'
complete -c relapi -n 'not __fish_use_subcommand; and string match -q -- "-*" (commandline -ct)' -a '(__relapi_options)'
