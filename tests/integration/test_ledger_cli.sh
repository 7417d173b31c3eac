#!/bin/sh
# CLI tests of aigov init and aigov ledger: exit codes, messages, the
# workspace search, tampering found by verify, the auditor's export check,
# a read-only disk.
#   test_ledger_cli.sh AIGOV
set -u
AIGOV=$1
. "$(dirname "$0")/lib.sh"
unset AIGOV_WORKSPACE AIGOV_ACTOR AIGOV_LANG
export LANG=C

# --- help and usage ---
run "help ledger" 0 help ledger
has "help ledger lists verify-export" "$T/out" "verify-export"
run "help ledger append" 0 help ledger append
has "append help names --subject" "$T/out" "--subject"
run "ledger --help" 0 ledger --help
run "ledger alone" 2 ledger
run "unknown subcommand" 2 ledger frobnicate
has "unknown subcommand named" "$T/err" "'frobnicate' is not a subcommand of aigov ledger"
run "init --help" 0 init --help
run "init two dirs" 2 init a b

# --- no workspace: exit 2 with a way out ---
mkdir "$T/empty"
(cd "$T/empty" && $W "$AIGOV" ledger log > "$T/out" 2> "$T/err"); got=$?
[ "$got" -eq 2 ] && ok "no workspace (exit 2)" || bad "no workspace: exit $got"
has "no workspace explained" "$T/err" "run 'aigov init' or give --workspace DIR"
run "--workspace not a workspace" 2 --workspace "$T/empty" ledger verify
has "--workspace named" "$T/err" "$T/empty: not an aigov workspace"

# --- init ---
run "init" 0 init "$T/ws" --actor user:alice
has "init says where" "$T/out" "$T/ws/.aigov"
run "init again" 4 init "$T/ws"
has "init again explained" "$T/err" "already an aigov workspace"
perm=$(stat -c %a "$T/ws/.aigov/keys/ledger.key")
[ "$perm" = 600 ] && ok "secret key is 0600" || bad "secret key mode $perm"

# --- append, found from a subfolder like git ---
mkdir -p "$T/ws/sub/dir"
(cd "$T/ws/sub/dir" && $W "$AIGOV" ledger append committee.approved \
	--subject system:credit-v3 --data '{"decision":"approve","meeting":"2026-11-20"}' \
	> "$T/out" 2> "$T/err"); got=$?
[ "$got" -eq 0 ] && ok "append from a subfolder (exit 0)" || { bad "append from a subfolder: exit $got"; cat "$T/err"; }
has "append reports the entry" "$T/out" "entry 2 recorded"
printf '{"auditor": "KPMG", "scope": ["credit", "aml"]}' > "$T/data.json"
run "append @FILE" 0 -C "$T/ws" ledger append vendor.audit.done -s vendor:acme --data @"$T/data.json" --json
has "append --json" "$T/out" '"seq":3'
STDIN="$T/data.json" run "append from stdin" 0 -C "$T/ws" ledger append note.added -s system:x --data -
export AIGOV_WORKSPACE="$T/ws"
run "append via AIGOV_WORKSPACE" 0 ledger append note.added -s system:y --actor user:bob

# --- bad input changes nothing (exit 3) ---
run "invalid JSON" 3 ledger append a.b -s x --data '{"a": tru}'
has "invalid JSON located" "$T/err" "--data:1:"
run "not an object" 3 ledger append a.b -s x --data '[1]'
run "bad action" 3 ledger append Approve -s x
has "bad action explained" "$T/err" "lowercase dotted name"
run "missing --subject" 2 ledger append a.b
run "missing data file" 4 ledger append a.b -s x --data @"$T/nope.json"
run "log after bad input" 0 ledger log
n=$(wc -l < "$T/out")
[ "$n" -eq 5 ] && ok "bad input appended nothing (5 entries)" || bad "expected 5 entries, got $n"

# --- log ---
run "log --subject" 0 ledger log --subject system:credit-v3
has "log shows the payload" "$T/out" '{"decision":"approve","meeting":"2026-11-20"}'
run "log --json" 0 ledger log --json --since 2 --limit 1
has "log --json payload embedded" "$T/out" '"payload": {"decision":"approve"'
run "log --since not a number" 2 ledger log --since x

# --- checkpoint, verify, proofs ---
run "verify intact" 0 ledger verify
has "verify says intact" "$T/out" "intact: 5 entries"
has "verify names the unsigned tail" "$T/out" "4 newer entries are protected by the hash chain only"
run "checkpoint" 0 ledger checkpoint
has "checkpoint signed" "$T/out" "checkpoint 2 signed: 5 entries"
run "checkpoint again" 0 ledger checkpoint
has "nothing new" "$T/out" "no new entries"
run "prove" 0 ledger prove 3
has "prove verified" "$T/out" "verified: the path leads"
run "prove --json" 0 ledger prove 3 --json
has "prove --json verified" "$T/out" '"verified": true'
run "prove beyond" 4 ledger prove 99
has "prove beyond explained" "$T/err" "no checkpoint covers entry 99"
run "prove not a number" 2 ledger prove x
run "consistency" 0 ledger consistency 1 2
has "consistency verified" "$T/out" "verified: the newer ledger extends the older one"
run "consistency reversed" 2 ledger consistency 2 1
run "consistency unknown" 4 ledger consistency 1 9
run "verify --json" 0 ledger verify --json
has "verify --json intact" "$T/out" '"intact": true'

# --- export, and the auditor's check on another machine (no workspace) ---
run "export" 0 ledger export "$T/ledger.jsonl"
has "export counts" "$T/out" "exported 5 entries and 2 checkpoints"
cp "$T/ws/.aigov/keys/ledger.pub" "$T/auditor.pub"
unset AIGOV_WORKSPACE
(cd "$T/empty" && $W "$AIGOV" ledger verify-export "$T/ledger.jsonl" --public-key "$T/auditor.pub" \
	> "$T/out" 2> "$T/err"); got=$?
[ "$got" -eq 0 ] && ok "verify-export without a workspace (exit 0)" || { bad "verify-export: exit $got"; cat "$T/err"; }
run "verify-export needs the key" 2 ledger verify-export "$T/ledger.jsonl"
run "verify-export hex key" 0 ledger verify-export "$T/ledger.jsonl" --public-key "$(cat "$T/auditor.pub")"
sed 's/"decision":"approve"/"decision":"reject"/' "$T/ledger.jsonl" > "$T/forged.jsonl"
run "verify-export forged" 1 ledger verify-export "$T/forged.jsonl" --public-key "$T/auditor.pub"
has "forged entry named" "$T/out" "entry 2: its content does not match its hash"
echo "not json" > "$T/junk.jsonl"
run "verify-export junk" 3 ledger verify-export "$T/junk.jsonl" --public-key "$T/auditor.pub"
has "junk located" "$T/err" "junk.jsonl:1:"
run "verify-export bad key" 3 ledger verify-export "$T/ledger.jsonl" --public-key "$T/data.json"

# --- an independent verifier, written from docs/ledger.md alone, agrees ---
VERIFIER="$AIGOV_SOURCE_DIR/contrib/verify-ledger-export.py"
if /usr/bin/python3 -c 'import nacl.signing' 2>/dev/null; then
	/usr/bin/python3 "$VERIFIER" "$T/ledger.jsonl" "$T/auditor.pub" > "$T/out" 2>&1; got=$?
	[ "$got" -eq 0 ] && ok "independent verifier: intact (exit 0)" || { bad "independent verifier: exit $got"; cat "$T/out"; }
	/usr/bin/python3 "$VERIFIER" "$T/forged.jsonl" "$T/auditor.pub" > "$T/out" 2>&1; got=$?
	[ "$got" -eq 1 ] && ok "independent verifier: forged (exit 1)" || { bad "independent verifier on forged: exit $got"; cat "$T/out"; }
else
	echo "SKIPPED: independent verifier: python3-nacl is not installed (scripts/install-deps test)"
fi
export AIGOV_WORKSPACE="$T/ws"

# --- tampering with the database itself (sqlite3 tool) ---
cp -a "$T/ws" "$T/ws-tampered"
sqlite3 "$T/ws-tampered/.aigov/aigov.db" \
	"UPDATE ledger_entry SET payload = replace(payload, 'approve', 'reject') WHERE seq = 2"
run "verify tampered" 1 -C "$T/ws-tampered" ledger verify
has "tampered entry named" "$T/out" "entry 2: its content does not match its hash"
has "tampered checkpoint named" "$T/out" "checkpoint 2: its root does not match"
run "prove in tampered ledger" 1 -C "$T/ws-tampered" ledger prove 2
has "prove refuses" "$T/out" "NOT VERIFIED"

# --- a secret key others can read is refused; nothing changes ---
chmod 644 "$T/ws/.aigov/keys/ledger.key"
run "readable key" 4 ledger append a.b -s x
has "readable key explained" "$T/err" "permissions 0644 are too open"
chmod 600 "$T/ws/.aigov/keys/ledger.key"

# --- Traditional Chinese ---
run "verify zh-TW" 0 --lang zh-TW ledger verify
has "verify in zh-TW" "$T/out" "完好"

# --- a read-only disk: writes fail cleanly, reads and verify still work ---
if unshare -m true 2>/dev/null; then
	# shellcheck disable=SC2016
	unshare -m sh -c '
		mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 77
		$2 "$3" ledger append a.b -s x > "$4/ro.out" 2> "$4/ro.err"; echo $? > "$4/ro.append"
		$2 "$3" ledger verify > "$4/ro.vout" 2> "$4/ro.verr"; echo $? > "$4/ro.verify"
	' sh "$T/ws" "$W" "$AIGOV" "$T"
	if [ $? -eq 77 ]; then
		echo "SKIPPED: read-only disk test: cannot bind-mount read-only here"
	else
		[ "$(cat "$T/ro.append")" = 4 ] && ok "append on a read-only disk (exit 4)" || { bad "read-only append: exit $(cat "$T/ro.append")"; cat "$T/ro.err"; }
		has "read-only explained" "$T/ro.err" "read-only"
		[ "$(cat "$T/ro.verify")" = 0 ] && ok "verify on a read-only disk (exit 0)" || { bad "read-only verify: exit $(cat "$T/ro.verify")"; cat "$T/ro.verr"; }
	fi
else
	echo "SKIPPED: read-only disk test: unshare -m is not permitted here"
fi
run "verify after read-only attempt" 0 ledger verify
has "nothing appended on the read-only disk" "$T/out" "intact: 5 entries"

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all ledger CLI checks passed"
