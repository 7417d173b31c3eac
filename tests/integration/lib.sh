# Shared by the CLI test scripts (sourced after AIGOV is set):
# a temporary folder $T, a failure count, and the checks.
# AIGOV_WRAPPER, when set, runs every aigov call under it (make
# test-valgrind sets it to valgrind with --error-exitcode).
W=${AIGOV_WRAPPER:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

ok()   { printf 'ok   %s\n' "$1"; }
bad()  { printf 'FAIL %s\n' "$1"; fails=$((fails + 1)); }

# run NAME WANT_EXIT ARGS...: stdout to $T/out, stderr to $T/err, stdin
# from $STDIN (default /dev/null)
run() {
	name=$1 want=$2
	shift 2
	# shellcheck disable=SC2086
	$W "$AIGOV" "$@" > "$T/out" 2> "$T/err" < "${STDIN:-/dev/null}"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$name (exit $got)"; else
		bad "$name: exit $got, want $want"; sed 's/^/    /' "$T/err" "$T/out" | head -8; fi
}

# has / hasnt NAME FILE TEXT: FILE contains (does not contain) TEXT
has() {
	if grep -qF -- "$3" "$2"; then ok "$1"; else
		bad "$1: '$3' not in $2"; sed 's/^/    /' "$2" | head -8; fi
}
hasnt() {
	if grep -qF -- "$3" "$2"; then bad "$1: '$3' in $2"; else ok "$1"; fi
}
