# bash completion for jitk                                   -*- shell-script -*-
# Installed as $(datadir)/bash-completion/completions/jitk.  Commands,
# options and their values come from jitk itself (`jitk help --list ...`,
# generated from the command table cli/commands.c), so a new command or
# option completes without editing this file.

_jitk_words() # WORDS... : COMPREPLY = the words matching $cur
{
	local IFS=$'\n'
	COMPREPLY=($(compgen -W "$*" -- "$cur"))
}

_jitk_files()
{
	local IFS=$'\n'
	compopt -o filenames 2>/dev/null
	COMPREPLY=($(compgen -f -- "$cur"))
}

_jitk()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local jitk=${COMP_WORDS[0]} i
	COMPREPLY=()
	if ((COMP_CWORD == 1)); then
		_jitk_words $("$jitk" help --list commands 2>/dev/null) help --help --version
		return
	fi
	local cmd=${COMP_WORDS[1]}
	if [[ $cmd == help ]]; then
		((COMP_CWORD == 2)) && _jitk_words $("$jitk" help --list commands 2>/dev/null)
		return
	fi
	# After "--" comes a command line of its own.
	for ((i = 2; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == -- ]]; then
			if ((i + 1 == COMP_CWORD)); then
				local IFS=$'\n'
				COMPREPLY=($(compgen -c -- "$cur" | sort -u))
			else
				_jitk_files
			fi
			return
		fi
	done
	local opts
	opts=$("$jitk" help --list options "$cmd" 2>/dev/null) || return
	# The value of an option that takes one.
	local name alias kind values arch=x86_64
	for ((i = 2; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} == --arch ]] && arch=${COMP_WORDS[i+1]}
	done
	while IFS=$'\t' read -r name alias kind values; do
		[[ $prev == "$name" || $prev == "$alias" ]] || continue
		case $kind in
		file) _jitk_files ;;
		words) _jitk_words $values ;;
		list) # comma-separated: complete the last word, keep the others
			local pre=
			[[ $cur == *,* ]] && pre=${cur%,*},
			local w
			for w in $values; do
				[[ $pre$w == "$cur"* ]] && COMPREPLY+=("$pre$w")
			done
			compopt -o nospace 2>/dev/null ;;
		syscall) _jitk_words $("$jitk" help --list syscalls "$arch" 2>/dev/null) ;;
		arch) _jitk_words $("$jitk" help --list archs 2>/dev/null) ;;
		esac
		[[ $kind == none ]] || return
	done <<<"$opts"
	if [[ $cur == -* ]]; then
		_jitk_words $(cut -f1,2 <<<"$opts" | tr '\t' '\n' | grep -v '^-$') --help
		return
	fi
	case $("$jitk" help --list operands "$cmd" 2>/dev/null | head -n1) in
	syscall) _jitk_words $("$jitk" help --list syscalls "$arch" 2>/dev/null) ;;
	file) _jitk_files ;;
	esac
}
complete -F _jitk jitk
