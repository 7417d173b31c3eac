# bash completion for aigov.
#   source contrib/completion/aigov.bash
# or install it as /usr/share/bash-completion/completions/aigov
_aigov()
{
	local cur prev cmd i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}

	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--lang) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done

	if [[ -z $cmd ]]; then
		if [[ $prev == --lang ]]; then
			COMPREPLY=($(compgen -W "en zh-TW" -- "$cur"))
		elif [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--lang --version --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "help profile version" -- "$cur"))
		fi
		return
	fi

	case $cmd in
	help)
		COMPREPLY=($(compgen -W "profile version help" -- "$cur")) ;;
	profile)
		case $prev in
		-d|--delimiter) COMPREPLY=($(compgen -W "tab , ; |" -- "$cur")); return ;;
		-m|--memory) COMPREPLY=($(compgen -W "64M 256M 1G 4G" -- "$cur")); return ;;
		--na|--top|--distinct-limit) return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--json --delimiter --no-header --memory --distinct-limit --na --top --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -X '!*.@(csv|CSV|tsv|txt)' -- "$cur") $(compgen -d -- "$cur"))
		fi ;;
	esac
}
shopt -s extglob 2>/dev/null
complete -F _aigov aigov
