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

for u in olga rita carol bea; do "$AIGOV" token create $u > "$T/$u.tok" 2> /dev/null; done

# ---- the server ----
run "serve help" 0 serve --help
has "serve help: healthz" "$T/out" "/healthz"
run "serve: bad listen" 2 serve --listen nowhere
run "serve: cert without key" 2 serve --tls-cert x.pem

if ! command -v curl > /dev/null 2>&1; then
	echo "SKIP: curl is not installed (scripts/install-deps test installs it)"
	[ "$fails" -eq 0 ] || exit 1
	exit 0
fi
$W "$AIGOV" serve --listen 127.0.0.1:0 --port-file "$T/port" --max-body 4096 \
	> "$T/serve.out" 2> "$T/serve.err" &
srv=$!
stop_server() { kill "$srv" 2> /dev/null && wait "$srv"; }
trap 'stop_server; rm -rf "$T"' EXIT
i=0
while [ ! -s "$T/port" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$T/port" ] || { bad "server did not start"; cat "$T/serve.err"; exit 1; }
U="http://127.0.0.1:$(cat "$T/port")"

# req NAME STATUS USER METHOD PATH [BODY]: the response body in $T/body
req() {
	name=$1 want=$2 who=$3 method=$4 path=$5
	shift 5
	set -- -s -o "$T/body" -w '%{http_code}' -X "$method" "$@"
	[ "$who" = - ] || set -- "$@" -H "Authorization: Bearer $(cat "$T/$who.tok")"
	got=$(curl "$@" -H 'Content-Type: application/json' "$U$path")
	if [ "$got" = "$want" ]; then ok "$name (HTTP $got)"; else
		bad "$name: HTTP $got, want $want"; sed 's/^/    /' "$T/body" | head -5; fi
}
ledger_count() { "$AIGOV" ledger log | wc -l; }

req "healthz without a token" 200 - GET /healthz
req "no token: 401" 401 - GET /api/v1/systems
has "problem details" "$T/body" '"status":401'
curl -s -D "$T/headers" -o /dev/null "$U/api/v1/systems"
has "WWW-Authenticate" "$T/headers" "WWW-Authenticate: Bearer"
has "problem+json" "$T/headers" "application/problem+json"
printf 'agt_%s_%s' "$alice_id" 0000000000000000000000000000000000000000000000000000000000000000 > "$T/forged.tok"
req "forged secret: 401" 401 forged GET /api/v1/systems
req "me" 200 alice GET /api/v1/me
has "me: role" "$T/body" '"role":"owner"'

cat > "$T/sys.json" <<'JSON'
{"id": "branch-queue-forecast", "name": {"en": "Branch queue forecast", "zh-TW": "分行等候人數預測"},
 "purpose": "Forecasts branch queues to plan counter staffing; no customer decisions.",
 "business_line": "bank", "use_case": "internal_admin", "ai_type": "machine_learning",
 "owner_unit": "retail", "stage": "planning", "jurisdictions": ["TW"], "critical": false,
 "risk_factors": {"customer_facing": "no", "personal_data": "none", "autonomy": "human_in_the_loop",
  "complexity": "low", "stakeholder_impact": "low", "remedy": "complete"}}
JSON
before=$(ledger_count)
req "auditor may not register" 403 carol POST /api/v1/systems --data-binary "@$T/sys.json"
req "board may not register" 403 bea POST /api/v1/systems --data-binary "@$T/sys.json"
req "owner of another unit may not register" 403 olga POST /api/v1/systems --data-binary "@$T/sys.json"
req "malformed JSON: 400" 400 alice POST /api/v1/systems --data-binary '{"id": '
has "malformed JSON: position" "$T/body" "line 1, column"
req "bad descriptor: 400" 400 alice POST /api/v1/systems --data-binary '{"id": "x"}'
head -c 5000 /dev/zero | tr '\0' ' ' > "$T/big.json"
req "oversized body: 413" 413 alice POST /api/v1/systems --data-binary "@$T/big.json"
if [ "$(ledger_count)" -eq "$before" ]; then ok "refused requests recorded nothing"; else
	bad "refused requests changed the ledger"; fi
req "owner registers in their unit" 201 alice POST /api/v1/systems --data-binary "@$T/sys.json"
has "registered: id" "$T/body" '"id":"branch-queue-forecast"'
req "registered twice: 409" 409 alice POST /api/v1/systems --data-binary "@$T/sys.json"

req "list systems (board)" 200 bea GET /api/v1/systems
has "list has the new system" "$T/body" "branch-queue-forecast"
req "one system" 200 carol GET /api/v1/systems/branch-queue-forecast
has "one system: descriptor" "$T/body" '"descriptor"'
req "unknown system: 404" 404 carol GET /api/v1/systems/nope
req "gaps" 200 carol GET "/api/v1/gaps?system=branch-queue-forecast"
has "gaps: controls" "$T/body" '"controls"'

E='{"control":"gov-inventory","url":"https://wiki.example/inventory","note":"entered"}'
before=$(ledger_count)
req "auditor may not add evidence" 403 carol POST /api/v1/systems/branch-queue-forecast/evidence --data-binary "$E"
req "other unit may not add evidence" 403 olga POST /api/v1/systems/branch-queue-forecast/evidence --data-binary "$E"
req "unknown field: 400" 400 alice POST /api/v1/systems/branch-queue-forecast/evidence --data-binary '{"control":"gov-inventory","url":"https://x.example","colour":"red"}'
has "unknown field named" "$T/body" "colour"
req "missing url: 400" 400 alice POST /api/v1/systems/branch-queue-forecast/evidence --data-binary '{"control":"gov-inventory"}'
req "not JSON: 415" 415 alice POST /api/v1/systems/branch-queue-forecast/evidence -H 'Content-Type: text/plain' --data-binary "$E"
if [ "$(ledger_count)" -eq "$before" ]; then ok "refused evidence recorded nothing"; else
	bad "refused evidence changed the ledger"; fi
req "owner adds evidence" 201 alice POST /api/v1/systems/branch-queue-forecast/evidence --data-binary "$E"
req "owner may not approve" 403 alice POST /api/v1/systems/branch-queue-forecast/approvals --data-binary '{"control":"gov-inventory"}'
req "wrong method: 405" 405 alice GET /api/v1/systems/branch-queue-forecast/evidence

req "owner may not read the ledger" 403 alice GET /api/v1/ledger/log
req "board may not read the ledger" 403 bea GET /api/v1/ledger/log
req "auditor reads the ledger" 200 carol GET "/api/v1/ledger/log?limit=1000"
has "evidence attributed to alice" "$T/body" '"actor":"user:alice","action":"evidence.add"'
has "registration attributed to alice" "$T/body" '"actor":"user:alice","action":"system.register"'
req "bad limit: 400" 400 carol GET "/api/v1/ledger/log?limit=0"
req "auditor verifies the ledger" 200 carol GET /api/v1/ledger/verify
has "ledger intact" "$T/body" '"intact":true'
req "unknown endpoint: 404" 404 carol GET /api/v1/nothing
req "traversal: 404" 404 carol GET /api/v1/../../etc/passwd --path-as-is
req "outside the API: 404" 404 carol GET /etc/passwd

"$AIGOV" token revoke "$alice_id" > /dev/null
req "revoked token: 401" 401 alice GET /api/v1/me

stop_server
got=$?
if [ "$got" -eq 0 ]; then ok "server stops cleanly on SIGTERM"; else
	bad "server exit $got"; cat "$T/serve.err"; fi
trap 'rm -rf "$T"' EXIT
run "ledger still verifies" 0 ledger verify

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
