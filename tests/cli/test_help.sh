#!/bin/sh
# test_help.sh JITK - help, option checking and --version, all driven by the
# command table (cli/commands.c): every command it lists must have full
# help, accept each option it names, be documented in docs/cli.md with the
# same options, and appear in the man page and completion (test_pkg.sh).
. "$(dirname "$0")/lib.sh"
cli_setup help "$@"

run "$J" help --list commands
cp out commands
[ "$rc" -eq 0 ] && [ "$(wc -l < commands)" -ge 10 ] && ok "help --list commands lists the table" ||
	notok "help --list commands lists the table" "exit $rc, $(wc -l < commands) commands"

for c in $(cat commands); do
	expect 0 "help $c" "$J" help "$c"
	cp out help.$c
	has help.$c "usage: jitk $c" "help $c: synopsis"
	has help.$c "options:" "help $c: options"
	has help.$c '$ jitk '"$c" "help $c: an example of $c"
	expect 0 "$c --help" "$J" "$c" --help
	if cmp -s out help.$c; then ok "$c --help is help $c"; else notok "$c --help is help $c"; fi
	# Every option the table names is one the command accepts, and is in
	# the help and in the command's section of docs/cli.md.
	awk -v c="$c" '/^## jitk / { on = ($3 == c); blk = 0; next }
		on && /^```/ { blk++; next } on && blk == 1' "$R/docs/cli.md" > doc.$c
	[ -s doc.$c ] && ok "docs/cli.md has a synopsis of $c" || notok "docs/cli.md has a synopsis of $c"
	"$J" help --list options "$c" > opts.$c
	while IFS='	' read -r name alias kind values; do
		v=
		case $kind in none) ;; words | list) v=${values%% *} ;; *) v=x ;; esac
		"$J" "$c" "$name" $v >/dev/null 2>err
		lacks err "unknown option" "$c accepts $name"
		has help.$c -- "$name" "help $c describes $name"
		if grep -qE -- "(^|[^a-z-])($name|$alias)([^a-z-]|\$)" doc.$c; then
			ok "docs/cli.md shows $c $name"
		else
			notok "docs/cli.md shows $c $name" "the synopsis block of '## jitk $c' lacks it"
		fi
	done < opts.$c
	# ... and docs/cli.md names no option the table lacks.
	for o in $(grep -oE -- '(^|[ [])--?[a-z][a-z-]*' doc.$c | tr -d ' [' | sort -u); do
		if cut -f1,2 opts.$c | tr '\t' '\n' | grep -qx -- "$o"; then
			ok "$c $o of docs/cli.md is in the table"
		else
			notok "$c $o of docs/cli.md is in the table"
		fi
	done
done

# Every "## jitk X" section of docs/cli.md is a command of the table.
for c in $(sed -n 's/^## jitk \([a-z][a-z-]*\)$/\1/p' "$R/docs/cli.md"); do
	if grep -qx "$c" commands; then ok "docs/cli.md's $c is a command"; else notok "docs/cli.md's $c is a command"; fi
done

# Bad input: the nearest spelling, exit 2, nothing run.
expect 2 "help NOSUCH exits 2" "$J" help nosuch
has err "no command 'nosuch'" "help NOSUCH says so"
expect 2 "help of a misspelt command exits 2" "$J" help complie
has err "did you mean 'compile'?" "help suggests the nearest command"
expect 2 "an unknown command exits 2" "$J" disasmm x
has err "did you mean 'disasm'?" "an unknown command suggests the nearest"
expect 2 "a misspelt --version" "$J" --verison
has err "did you mean '--version'?" "a misspelt global option suggests the nearest"
expect 2 "an unknown option exits 2" "$J" compile "$R/policies/paper.scpl" -o x.bpf --fromat text
has err "did you mean '--format'?" "an unknown option suggests the nearest"
has err "usage: jitk compile" "an unknown option prints the usage"
absent x.bpf "nothing written after an unknown option"
expect 2 "an option far from any" "$J" check --zzzzzzzz x
lacks err "did you mean" "no suggestion for an implausible option"
expect 2 "a flag given a value" "$J" eval x --quiet=yes
has err "takes no value" "a flag given a value is refused"
"$J" asm "$R/tests/cli/data/paper.s" -o paper.bin 2>/dev/null
expect 0 "--opt=value is --opt value" "$J" disasm paper.bin --from=raw --output=p.s
"$J" disasm paper.bin --from raw -o q.s
if cmp -s p.s q.s; then ok "--opt=value gives the same output"; else notok "--opt=value gives the same output"; fi
expect 0 "options after -- belong to the command" "$J" exec "$R/tests/cli/data/allow.s" -- true --bogus
expect 0 "help --help" "$J" help --help
has out "commands:" "help --help is the overview"
expect 2 "help --list of nothing known" "$J" help --list nosuch
expect 2 "help --list options of no command" "$J" help --list options nosuch

# --version: jitk's version (the header's), Z3's, the tables' sources.
expect 0 "--version" "$J" --version
maj=$(sed -n 's/^#define JITK_VERSION_MAJOR //p' "$R/include/jitk.h")
min=$(sed -n 's/^#define JITK_VERSION_MINOR //p' "$R/include/jitk.h")
mic=$(sed -n 's/^#define JITK_VERSION_MICRO //p' "$R/include/jitk.h")
has out "jitk $maj.$min.$mic " "--version names jitk.h's version"
has out "Z3 4." "--version names Z3's version"
has out "syscall tables: generated at build time from the Linux " "--version names the UAPI version"
for a in $("$J" help --list archs); do
	h=$(awk -v a="$a" '$1 == a { print $2 }' out)
	if [ -n "$h" ] && [ -f "$h" ]; then ok "--version names the $a header ($h)"; else notok "--version names the $a header" "'$h'"; fi
done
expect 2 "--version takes no argument" "$J" --version x
exit 0
