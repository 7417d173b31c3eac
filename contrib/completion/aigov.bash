# bash completion for aigov.
#   source contrib/completion/aigov.bash
# or install it as /usr/share/bash-completion/completions/aigov
_aigov_commands="appeal approve assess catalog demo evaluate evidence explain gaps guard help incident init ledger profile resume role serve shutdown stage stats system token user vendor version"

_aigov()
{
	local cur prev cmd i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}

	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--lang|--workspace|-C) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done

	if [[ -z $cmd ]]; then
		if [[ $prev == --lang ]]; then
			COMPREPLY=($(compgen -W "en zh-TW" -- "$cur"))
		elif [[ $prev == --workspace || $prev == -C ]]; then
			COMPREPLY=($(compgen -d -- "$cur"))
		elif [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--lang --workspace --version --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$_aigov_commands" -- "$cur"))
		fi
		return
	fi

	case $cmd in
	help)
		COMPREPLY=($(compgen -W "$_aigov_commands" -- "$cur")) ;;
	system|catalog|role|vendor|incident|appeal|evidence|user|token)
		local sub= subs
		case $cmd in
		system) subs="add show list export" ;;
		catalog) subs="list show check" ;;
		role) subs="grant list" ;;
		user) subs="add passwd list" ;;
		token) subs="create list revoke" ;;
		vendor) subs="add show list review" ;;
		incident) subs="open update close list" ;;
		appeal) subs="add resolve list" ;;
		evidence) subs="add" ;;
		esac
		for ((i = i + 1; i < COMP_CWORD; i++)); do
			[[ ${COMP_WORDS[i]} != -* ]] && { sub=${COMP_WORDS[i]}; break; }
		done
		if [[ -z $sub ]]; then
			COMPREPLY=($(compgen -W "$subs" -- "$cur"))
		elif [[ $cur == -* ]]; then
			local more=
			[[ $cmd == user ]] && more="--role --unit --password-stdin"
			[[ $cmd == token ]] && more="--days"
			COMPREPLY=($(compgen -W "$more --json --actor --workspace --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi ;;
	assess|approve|gaps|stage|shutdown|resume|demo)
		if [[ $cur == -* ]]; then
			case $cmd in
			assess) COMPREPLY=($(compgen -W "--override --justification --actor --workspace --json --help" -- "$cur")) ;;
			gaps) COMPREPLY=($(compgen -W "--all --json --workspace --help" -- "$cur")) ;;
			shutdown) COMPREPLY=($(compgen -W "--reason --drill --actor --workspace --help" -- "$cur")) ;;
			demo) COMPREPLY=($(compgen -W "--examples --help" -- "$cur")) ;;
			*) COMPREPLY=($(compgen -W "--note --reason --actor --workspace --help" -- "$cur")) ;;
			esac
		elif [[ $cmd == stage && $prev != stage ]]; then
			COMPREPLY=($(compgen -W "planning data modelling deployment retired" -- "$cur"))
		fi ;;
	init)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--actor --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -d -- "$cur"))
		fi ;;
	ledger)
		local sub=
		for ((i = i + 1; i < COMP_CWORD; i++)); do
			[[ ${COMP_WORDS[i]} != -* ]] && { sub=${COMP_WORDS[i]}; break; }
		done
		if [[ -z $sub ]]; then
			COMPREPLY=($(compgen -W "append log checkpoint verify prove consistency export verify-export" -- "$cur"))
			return
		fi
		case $prev in
		-C|--workspace) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		-k|--public-key) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		esac
		if [[ $cur == -* ]]; then
			case $sub in
			append) COMPREPLY=($(compgen -W "--subject --data --actor --workspace --json --help" -- "$cur")) ;;
			log) COMPREPLY=($(compgen -W "--since --subject --limit --workspace --json --help" -- "$cur")) ;;
			prove) COMPREPLY=($(compgen -W "--checkpoint --workspace --json --help" -- "$cur")) ;;
			verify-export) COMPREPLY=($(compgen -W "--public-key --json --help" -- "$cur")) ;;
			export) COMPREPLY=($(compgen -W "--workspace --help" -- "$cur")) ;;
			*) COMPREPLY=($(compgen -W "--workspace --json --help" -- "$cur")) ;;
			esac
		elif [[ $sub == export || $sub == verify-export ]]; then
			COMPREPLY=($(compgen -f -- "$cur"))
		fi ;;
	serve)
		case $prev in
		--tls-cert|--tls-key|--port-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		-C|--workspace) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		esac
		[[ $cur == -* ]] && COMPREPLY=($(compgen -W "--listen --tls-cert --tls-key --threads --max-body --max-upload --session-minutes --port-file --workspace --help" -- "$cur")) ;;
	explain)
		case $prev in
		--lang) COMPREPLY=($(compgen -W "en zh-TW" -- "$cur")); return ;;
		--adverse) COMPREPLY=($(compgen -W "high low" -- "$cur")); return ;;
		-C|--workspace) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		--top|--threads|--id-column|--system|--control|--actor) return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--model --data --id-column --top --reasons --lang --adverse --global --threads --contributions --json --csv --system --control --actor --workspace --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi ;;
	profile)
		case $prev in
		-d|--delimiter) COMPREPLY=($(compgen -W "tab , ; |" -- "$cur")); return ;;
		-m|--memory) COMPREPLY=($(compgen -W "64M 256M 1G 4G" -- "$cur")); return ;;
		--na|--top|--distinct-limit|--threads|-j) return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--json --delimiter --no-header --memory --distinct-limit --threads --na --top --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -X '!*.@(csv|CSV|tsv|txt)' -- "$cur") $(compgen -d -- "$cur"))
		fi ;;
	esac
}
shopt -s extglob 2>/dev/null
complete -F _aigov aigov
