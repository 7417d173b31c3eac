#!/bin/sh
# CLI tests: exit codes, messages, languages, input paths.
#   test_cli.sh AIGOV AIGOV_GEN_CSV
set -u
AIGOV=$1
GEN=$2
. "$(dirname "$0")/lib.sh"

# --- help, version, usage errors (exit 2) ---
run "version" 0 --version
has "version text" "$T/out" "aigov "
run "help" 0 help
has "help lists profile" "$T/out" "profile"
run "help profile" 0 help profile
has "help profile mentions --memory" "$T/out" "--memory"
run "profile --help" 0 profile --help
has "profile --help mentions exit code 3" "$T/out" "exit code 3"
run "unknown command" 2 frobnicate
has "unknown command named" "$T/err" "'frobnicate' is not an aigov command"
run "no command" 2
run "unknown option" 2 profile --bogus x.csv
has "unknown option named" "$T/err" "unknown option '--bogus'"
run "missing FILE" 2 profile
run "two FILEs" 2 profile a.csv b.csv
run "bad --memory" 2 profile --memory lots x.csv
has "bad --memory explained" "$T/err" "is not a size"
run "bad --delimiter" 2 profile --delimiter ab x.csv
run "--delimiter quote" 2 profile --delimiter '"' x.csv
run "bad --lang" 2 --lang fr help

# --- I/O errors (exit 4) ---
run "missing file" 4 profile "$T/nope.csv"
has "missing file named" "$T/err" "$T/nope.csv: cannot open"
run "directory" 4 profile "$T"

# --- malformed input (exit 3) with file:line:column ---
printf 'a,b\n1,2\n3,"open\n4,5\n' > "$T/unterminated.csv"
run "unterminated quote" 3 profile "$T/unterminated.csv"
has "unterminated at 3:3" "$T/err" "unterminated.csv:3:3: unterminated quoted field"
printf 'a,b\n1,2\n1,2,3\n' > "$T/wide.csv"
run "too many fields" 3 profile "$T/wide.csv"
has "too many at 3:5" "$T/err" "wide.csv:3:5: expected 2 fields as in the header, found 3"
printf 'a,b\n1,2\n3\n' > "$T/narrow.csv"
run "too few fields" 3 profile "$T/narrow.csv"
has "too few at 3:2" "$T/err" "narrow.csv:3:2: expected 2 fields as in the header, found 1"
printf 'name,city\n\244\375,\245\170\245\137\n' > "$T/big5.csv" # Big5 text
run "invalid UTF-8" 3 profile "$T/big5.csv"
has "invalid UTF-8 at 2:1" "$T/err" "big5.csv:2:1: invalid UTF-8"
: > "$T/empty.csv"
run "empty file" 3 profile "$T/empty.csv"
has "empty file explained" "$T/err" "empty file: no header row"
printf 'a,b\n1,x"y\n' > "$T/inner.csv"
run "quote in unquoted field" 3 profile "$T/inner.csv"
has "inner quote at 2:4" "$T/err" "inner.csv:2:4: quote inside an unquoted field"

# --- a small file with hand-computed results ---
# x: 1 2 3 4 -> mean 2.5, sample std sqrt(5/3) = 1.2909944487358056,
# median 2.5; y: "a" "b" "a" and one missing.
printf 'x,y\n1,a\n2,b\n3,a\n4,\n' > "$T/small.csv"
run "profile small" 0 profile "$T/small.csv"
has "table row for x" "$T/out" "x"
has "table shows mean 2.5" "$T/out" "2.5"
run "profile --json" 0 profile --json "$T/small.csv"
cp "$T/out" "$T/small.json"
has "json mean" "$T/small.json" '"mean": 2.5'
has "json std" "$T/small.json" '"std": 1.2909944487358056'
has "json median" "$T/small.json" '"0.5": 2.5'
has "json y missing" "$T/small.json" '"missing": 1'
has "json y top a" "$T/small.json" '"value": "a"'
if [ -x /usr/bin/python3 ]; then
	if /usr/bin/python3 -m json.tool "$T/small.json" > /dev/null; then ok "json parses"; else bad "json parses"; fi
else
	echo "skip json parse check: /usr/bin/python3 not installed"
fi

# --- standard input gives the same result ---
# shellcheck disable=SC2086
$W "$AIGOV" profile --json - < "$T/small.csv" > "$T/stdin.json" 2> "$T/err"
if [ $? -eq 0 ] && grep -v '"source"' "$T/stdin.json" | cmp -s - "$T/small.nosrc" 2>/dev/null; then :; fi
grep -v '"source"' "$T/small.json" > "$T/a"; grep -v '"source"' "$T/stdin.json" > "$T/b"
if cmp -s "$T/a" "$T/b"; then ok "stdin equals file"; else bad "stdin equals file"; fi

# --- numbers do not follow the locale ---
LC_ALL=de_DE.UTF-8 $W "$AIGOV" profile --json "$T/small.csv" > "$T/de.json" 2>/dev/null
LC_ALL=C $W "$AIGOV" profile --json "$T/small.csv" > "$T/c.json" 2>/dev/null
if cmp -s "$T/de.json" "$T/c.json"; then ok "de_DE output = C output"; else bad "de_DE output = C output"; fi
LC_ALL=de_DE.UTF-8 $W "$AIGOV" profile "$T/small.csv" > "$T/de.txt" 2>/dev/null
has "de_DE table keeps decimal point" "$T/de.txt" "2.5"

# --- Traditional Chinese ---
run "--lang zh-TW help" 0 --lang zh-TW help
has "zh-TW help" "$T/out" "用法"
LANG=zh_TW.UTF-8 LC_ALL= $W "$AIGOV" profile "$T/small.csv" > "$T/zh.txt" 2>&1
has "LANG=zh_TW output" "$T/zh.txt" "欄位"
AIGOV_LANG=zh-TW $W "$AIGOV" profile "$T/nope.csv" > /dev/null 2> "$T/zh.err"
has "zh-TW error" "$T/zh.err" "錯誤"

# --- dialect options ---
printf 'a;b\n1,5;x\n2,5;y\n' > "$T/semi.csv"
run "--delimiter ;" 0 profile --json -d ';' "$T/semi.csv"
has "semicolon: decimal comma is text" "$T/out" '"type": "category"'
printf 'a\tb\n1\t2\n' > "$T/tab.csv"
run "--delimiter tab" 0 profile --json --delimiter tab "$T/tab.csv"
has "tab: two columns" "$T/out" '"name": "b"'
printf 'v\n1\n-\n?\n4\n' > "$T/na.csv"
run "--na" 0 profile --json --na '-,?' "$T/na.csv"
has "--na: two missing" "$T/out" '"missing": 2'
run "--no-header" 0 profile --json --no-header "$T/small.csv"
has "--no-header names columns" "$T/out" '"name": "column_1"'
has "--no-header keeps the first line" "$T/out" '"count": 5'

# --- memory budget and sketches ---
"$GEN" --rows 20000 > "$T/gen.csv"
run "exact by default" 0 profile --json "$T/gen.csv"
if grep -q '"quantiles_exact": false' "$T/out"; then bad "default budget is exact"; else ok "default budget is exact"; fi
run "--memory 64K" 0 profile --json --memory 64K "$T/gen.csv"
has "64K: sketches say so" "$T/out" '"quantiles_exact": false'
has "64K: rank error stated" "$T/out" '"quantile_rank_error"'
run "--verbose says when sketches start" 0 profile -v --memory 64K "$T/gen.csv"
has "verbose names KLL" "$T/err" "quantiles from a KLL sketch"
run "--distinct-limit 2000" 0 profile --json --distinct-limit 2000 "$T/gen.csv"
has "distinct estimate stated" "$T/out" '"method": "hyperloglog"'

# --- --threads: parts of a file read in parallel ---
# A 6 MB file (so that it splits) whose text fields are sometimes quoted,
# with newlines, commas and doubled quotes inside.  Every statistic is the
# same with 1, 2 and 3 threads, except that mean and std may differ in
# their last digits (sums added in another order: 1e-12 relative is
# allowed) and memory_used_peak.
"$GEN" --rows 60000 --pii > "$T/par.csv"
same_profile() { # same_profile A B: equal up to the allowed differences
	paste -d '\t' "$1" "$2" | awk -F '\t' '
		$1 == $2 || $1 ~ /"memory_used_peak"/ { next }
		$1 ~ /"(mean|std)":/ && $2 ~ /"(mean|std)":/ {
			a = $1; b = $2; sub(/.*: /, "", a); sub(/.*: /, "", b)
			sub(/,$/, "", a); sub(/,$/, "", b); a += 0; b += 0
			d = a - b; if (d < 0) d = -d; m = a < 0 ? -a : a
			if (d <= 1e-12 * m) next
		}
		{ print "differs: " $1 " | " $2; bad = 1 }
		END { exit bad }' && [ "$(wc -l < "$1")" -eq "$(wc -l < "$2")" ] &&
		grep -q '"rows": 60000' "$2"
}
for n in 1 2 3; do
	$W "$AIGOV" profile --json --threads $n "$T/par.csv" > "$T/par$n.json" 2> "$T/par$n.err"
done
has "--threads 1: all rows" "$T/par1.json" '"rows": 60000'
if same_profile "$T/par1.json" "$T/par2.json" && same_profile "$T/par1.json" "$T/par3.json"
then ok "--threads 1, 2, 3: the same statistics"; else bad "--threads changes the statistics"; fi
if [ "$(wc -l < "$T/par.csv")" -gt 60001 ]; then ok "--threads: the file has quoted newlines"
else bad "--threads: the file has no quoted newlines"; fi
awk 'NR == 45000 { sub(/,[0-9]+,/, ",1,x,") } { print }' "$T/par.csv" > "$T/parbad.csv"
for n in 1 3; do
	$W "$AIGOV" profile --json --threads $n "$T/parbad.csv" > /dev/null 2> "$T/parbad$n.err"
	echo "exit $?" >> "$T/parbad$n.err"
done
if cmp -s "$T/parbad1.err" "$T/parbad3.err" && grep -q "exit 3" "$T/parbad1.err" &&
   grep -q "parbad.csv:[0-9]*:" "$T/parbad1.err"
then ok "--threads: an error deep in the file is reported as by one thread"; else
	bad "--threads: errors differ"; cat "$T/parbad1.err" "$T/parbad3.err"; fi
$W "$AIGOV" profile --json --threads 3 - < "$T/par.csv" 2>&1 |
	sed "s|\"<stdin>\"|\"$T/par.csv\"|" > "$T/parpipe.json"
if same_profile "$T/par1.json" "$T/parpipe.json"
then ok "--threads with standard input: one reader, same statistics"; else bad "--threads on a pipe"; fi
run "--threads with --memory 256K: sketches" 0 profile --json --threads 2 --memory 256K "$T/par.csv"
has "--threads 2 --memory 256K: approximate and says so" "$T/out" '"quantiles_exact": false'
has "--threads 2 --memory 256K: all rows" "$T/out" '"rows": 60000'

# --- personal data ---
"$GEN" --rows 300 --pii > "$T/pii.csv"
run "national IDs" 0 profile --json "$T/pii.csv"
has "national_id warning" "$T/out" '"code": "national_id"'
has "unique key warning" "$T/out" '"code": "unique_key"'

# --- output to a closed pipe is not a crash ---
$W "$AIGOV" profile "$T/gen.csv" 2>/dev/null | head -1 > /dev/null
ok "closed pipe"

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all CLI checks passed"
