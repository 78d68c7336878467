# bash completion for relapi. The commands and each command's options are
# read from relapi's own --help, so they never drift from the binary.
_relapi()
{
	local cur=${COMP_WORDS[COMP_CWORD]} cmd="" i words
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	if [[ -z $cmd ]]; then
		words=$(relapi --help 2>/dev/null | sed -n '/^commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p')
		COMPREPLY=($(compgen -W "$words help --help --version" -- "$cur"))
	elif [[ $cmd == help ]]; then
		words=$(relapi --help 2>/dev/null | sed -n '/^commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p')
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
	elif [[ $cur == -* ]]; then
		words=$(relapi "$cmd" --help 2>/dev/null | sed -n 's/^  \(-[a-zA-Z], \)\{0,1\}\(--[a-z-]*\).*/\2/p')
		COMPREPLY=($(compgen -W "$words --help" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -F _relapi relapi
