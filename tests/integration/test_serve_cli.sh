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
$W "$AIGOV" serve --listen 127.0.0.1:0 --port-file "$T/port" --max-body 4096 --max-upload 8192 \
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
req "proof before a checkpoint covers it: 404" 404 carol GET "/api/v1/ledger/proof?seq=3"
has "proof: what to do" "$T/body" "aigov ledger checkpoint"
"$AIGOV" ledger checkpoint > /dev/null
req "auditor proves an entry" 200 carol GET "/api/v1/ledger/proof?seq=3"
has "proof verified" "$T/body" '"verified":true'
leaf=$(sed -n 's/.*"leaf_hash":"\([0-9a-f]*\)".*/\1/p' "$T/body")
run "the CLI's proof" 0 ledger prove 3 --json
has "same leaf as the CLI's" "$T/out" "$leaf"
req "board may not prove" 403 bea GET "/api/v1/ledger/proof?seq=3"
req "proof needs seq" 400 carol GET /api/v1/ledger/proof
req "proof: seq 0" 400 carol GET "/api/v1/ledger/proof?seq=0"
req "proof beyond every checkpoint" 404 carol GET "/api/v1/ledger/proof?seq=100000"
req "proof in a checkpoint too small" 400 carol GET "/api/v1/ledger/proof?seq=3&checkpoint=1"
"$AIGOV" ledger append note.test --subject workspace --data '{"n":1}' > /dev/null
"$AIGOV" ledger checkpoint > /dev/null
req "auditor checks consistency" 200 carol GET "/api/v1/ledger/consistency?old=1&new=3"
has "consistency verified" "$T/body" '"verified":true'
req "consistency: swapped" 400 carol GET "/api/v1/ledger/consistency?old=3&new=1"
req "consistency: no such checkpoint" 404 carol GET "/api/v1/ledger/consistency?old=1&new=9"
req "unknown endpoint: 404" 404 carol GET /api/v1/nothing
req "traversal: 404" 404 carol GET /api/v1/../../etc/passwd --path-as-is
req "outside the API: 404" 404 carol GET /etc/passwd

# ---- evidence files ----
printf 'Model validation report, 2026-11\n' > "$T/report.txt"
F=/api/v1/systems/branch-queue-forecast/evidence/files
before=$(ledger_count)
req "auditor may not upload" 403 carol POST "$F?control=gov-technical-documentation&name=report.txt" --data-binary "@$T/report.txt"
req "other unit may not upload" 403 olga POST "$F?control=gov-technical-documentation&name=report.txt" --data-binary "@$T/report.txt"
req "upload without name: 400" 400 alice POST "$F?control=gov-technical-documentation" --data-binary "@$T/report.txt"
req "upload named as a path: 400" 400 alice POST "$F?control=gov-technical-documentation&name=../x" --data-binary "@$T/report.txt"
req "upload for an unknown control: 404" 404 alice POST "$F?control=no-such&name=report.txt" --data-binary "@$T/report.txt"
req "empty upload: 400" 400 alice POST "$F?control=gov-technical-documentation&name=report.txt" --data-binary ''
head -c 9000 /dev/zero > "$T/big.bin"
req "upload beyond --max-upload: 413" 413 alice POST "$F?control=gov-technical-documentation&name=big.bin" -H 'Content-Type: application/octet-stream' --data-binary "@$T/big.bin"
if [ "$(ledger_count)" -eq "$before" ]; then ok "refused uploads recorded nothing"; else
	bad "refused uploads changed the ledger"; fi
[ ! -d "$T/ws/.aigov/evidence" ] && ok "refused uploads stored no file" || bad "refused uploads stored files: $(ls "$T/ws/.aigov/evidence")"
req "owner uploads evidence" 201 alice POST "$F?control=gov-technical-documentation&name=report.txt&note=validation" -H 'Content-Type: text/plain' --data-binary "@$T/report.txt"
sha=$(sha256sum "$T/report.txt" | cut -c1-64)
has "upload: digest" "$T/body" "\"sha256\":\"$sha\""
if cmp -s "$T/report.txt" "$T/ws/.aigov/evidence/$sha"; then ok "upload kept by its digest"; else
	bad "upload not kept in .aigov/evidence"; fi
run "ledger records the upload" 0 ledger log --subject system:branch-queue-forecast
has "upload in the ledger" "$T/out" "$sha"
req "board downloads the file" 200 bea GET "$F/$sha"
cmp -s "$T/body" "$T/report.txt" && ok "download: the same bytes" || bad "download: other bytes"
curl -s -D "$T/headers" -o /dev/null -H "Authorization: Bearer $(cat "$T/carol.tok")" "$U$F/$sha"
has "download: attachment" "$T/headers" 'Content-Disposition: attachment; filename="report.txt"'
has "download: octet-stream" "$T/headers" "Content-Type: application/octet-stream"
req "download: unknown digest" 404 bea GET "$F/$(echo "$sha" | tr '0-9a-f' 'a-f0-9')"
req "download: not a digest" 404 bea GET "$F/..%2f..%2fconfig"
req "download: another system's file" 404 bea GET "/api/v1/systems/card-fraud/evidence/files/$sha"
req "download: nobody" 401 - GET "$F/$sha"
cp "$T/ws/.aigov/evidence/$sha" "$T/kept"
printf 'altered\n' >> "$T/ws/.aigov/evidence/$sha"
req "download of an altered file: 500" 500 bea GET "$F/$sha"
has "altered: said so" "$T/body" "no longer matches its recorded SHA-256"
cp "$T/kept" "$T/ws/.aigov/evidence/$sha"
printf 'Fairness review\n' > "$T/zh.txt"
req "upload with a Chinese name" 201 alice POST "$F?control=gov-technical-documentation&name=%E5%A0%B1%E5%91%8A%22x.txt" --data-binary "@$T/zh.txt"
zsha=$(sha256sum "$T/zh.txt" | cut -c1-64)
curl -s -D "$T/headers" -o /dev/null -H "Authorization: Bearer $(cat "$T/carol.tok")" "$U$F/$zsha"
has "download: UTF-8 name" "$T/headers" "filename*=UTF-8''%E5%A0%B1%E5%91%8A%22x.txt"
has "download: ASCII fallback" "$T/headers" 'filename="_______x.txt"'

# ---- assessments, history, third parties, cases, statistics ----
before=$(ledger_count)
for u in alice carol bea; do
	req "$u may not assess" 403 $u POST /api/v1/systems/branch-queue-forecast/assessments --data-binary '{}'
done
req "override needs a known tier" 400 rita POST /api/v1/systems/branch-queue-forecast/assessments --data-binary '{"tier":"extreme","justification":"x"}'
req "justification without tier" 400 rita POST /api/v1/systems/branch-queue-forecast/assessments --data-binary '{"justification":"x"}'
req "assess unknown system: 404" 404 rita POST /api/v1/systems/nope/assessments --data-binary '{}'
if [ "$(ledger_count)" -eq "$before" ]; then ok "refused assessments recorded nothing"; else
	bad "refused assessments changed the ledger"; fi
req "risk assesses" 201 rita POST /api/v1/systems/branch-queue-forecast/assessments --data-binary '{}'
has "assessment: tier" "$T/body" '"tier":"low"'
has "assessment: factor points" "$T/body" '"factor_points"'
req "risk overrides" 201 rita POST /api/v1/systems/branch-queue-forecast/assessments --data-binary '{"tier":"medium","justification":"new data source pending review"}'
has "override: tier" "$T/body" '"tier":"medium"'
req "list shows the tier" 200 bea GET /api/v1/systems
has "list: overridden" "$T/body" '"overridden":true'
req "history (owner)" 200 alice GET /api/v1/systems/branch-queue-forecast/history
has "history: assessment by rita" "$T/body" '"actor":"user:rita","action":"assess.record"'
hasnt "history: only this system" "$T/body" '"subject":"workspace"'
req "history of nothing: 404" 404 alice GET /api/v1/systems/nope/history
for ep in vendors incidents appeals stats; do
	req "board reads $ep" 200 bea GET /api/v1/$ep
done
for ep in stats; do
	req "POST $ep: 405" 405 rita POST /api/v1/$ep --data-binary '{}'
done

# ---- the second line's writes: incidents, appeals, vendor reviews,
# stage moves, oversight.  Every refusal leaves the ledger as it was. ----
"$AIGOV" vendor add "$AIGOV_SOURCE_DIR/examples/vendors/acme-analytics.yaml" > /dev/null
INC='{"system":"branch-queue-forecast","title":"Forecast feed late","severity":"medium"}'
APP='{"system":"branch-queue-forecast","decision_ref":"Q-2026-118","reason":"Staffing plan was wrong for my branch"}'
before=$(ledger_count)
for who in carol bea alice olga; do
	req "$who may not open incidents" 403 $who POST /api/v1/incidents --data-binary "$INC"
	req "$who may not close incidents" 403 $who POST /api/v1/incidents/1/close --data-binary '{"resolution":"x"}'
	req "$who may not resolve appeals" 403 $who POST /api/v1/appeals/1/resolve --data-binary '{"outcome":"upheld"}'
	req "$who may not review vendors" 403 $who POST /api/v1/vendors/acme-analytics/reviews --data-binary '{"result":"pass"}'
done
for who in carol bea olga; do
	req "$who may not record appeals here" 403 $who POST /api/v1/appeals --data-binary "$APP"
	req "$who may not move the stage" 403 $who POST /api/v1/systems/branch-queue-forecast/stage --data-binary '{"to":"data"}'
	req "$who may not shut it down" 403 $who POST /api/v1/systems/branch-queue-forecast/oversight --data-binary '{"kind":"drill","reason":"quarterly drill"}'
	req "$who may not edit it" 403 $who PUT /api/v1/systems/branch-queue-forecast --data-binary "@$T/sys.json"
done
req "incident: unknown field" 400 rita POST /api/v1/incidents --data-binary '{"system":"branch-queue-forecast","title":"t","severity":"low","owner":"x"}'
req "incident: bad severity" 400 rita POST /api/v1/incidents --data-binary '{"system":"branch-queue-forecast","title":"t","severity":"huge"}'
has "bad severity: the choices" "$T/body" "low, medium, high, critical"
req "incident: breach not a boolean" 400 rita POST /api/v1/incidents --data-binary '{"system":"branch-queue-forecast","title":"t","severity":"low","breach":"yes"}'
req "incident: no such system" 404 rita POST /api/v1/incidents --data-binary '{"system":"nope","title":"t","severity":"low"}'
req "incident: malformed JSON" 400 rita POST /api/v1/incidents --data-binary '{"system":'
req "incident 0 is no path" 404 rita POST /api/v1/incidents/0/close --data-binary '{"resolution":"x"}'
req "incident 99: 404" 404 rita POST /api/v1/incidents/99/close --data-binary '{"resolution":"the feed is back"}'
req "stage: not a stage" 400 rita POST /api/v1/systems/branch-queue-forecast/stage --data-binary '{"to":"moon"}'
req "edit: the id must be the path's" 400 rita PUT /api/v1/systems/card-fraud --data-binary "@$T/sys.json"
req "edit: no such system" 404 rita PUT /api/v1/systems/nope --data-binary "$(sed 's/branch-queue-forecast/nope/' "$T/sys.json")"
req "appeal: no decision" 400 alice POST /api/v1/appeals --data-binary '{"system":"branch-queue-forecast","reason":"r"}'
if [ "$(ledger_count)" -eq "$before" ]; then ok "refused writes recorded nothing"; else
	bad "refused writes changed the ledger"; fi

req "risk opens an incident" 201 rita POST /api/v1/incidents --data-binary "$INC"
has "incident: its number" "$T/body" '"id":'
inc=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$T/body")
req "risk updates it" 200 rita POST /api/v1/incidents/$inc --data-binary '{"root_cause":"upstream batch job ran late"}'
req "an update needs something" 400 rita POST /api/v1/incidents/$inc --data-binary '{}'
req "risk closes it" 200 rita POST /api/v1/incidents/$inc/close --data-binary '{"resolution":"batch moved earlier"}'
req "closed twice: 400" 400 rita POST /api/v1/incidents/$inc/close --data-binary '{"resolution":"again"}'
req "incidents: the closed one" 200 carol GET /api/v1/incidents
has "closed: status" "$T/body" '"status":"closed"'
has "closed: when" "$T/body" '"closed_at":"20'
req "owner records an appeal" 201 alice POST /api/v1/appeals --data-binary "$APP"
app=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$T/body")
req "appeal: open" 200 carol GET /api/v1/appeals
has "appeal listed" "$T/body" "Q-2026-118"
req "appeal: bad outcome" 400 rita POST /api/v1/appeals/$app/resolve --data-binary '{"outcome":"maybe"}'
req "risk resolves it" 200 rita POST /api/v1/appeals/$app/resolve --data-binary '{"outcome":"amended","note":"plan redone by hand"}'
has "resolved: outcome" "$T/body" '"outcome":"amended"'
V='{"id":"queue-data-co","name":{"en":"Queue Data Co.","zh-TW":"排隊數據公司"},"services":"Branch footfall counts","competence":"Two years of branch sensors","due_diligence":{"date":"2026-10-01","result":"pass"},"contract_clauses":["liability","data_protection"],"review_frequency":"annual"}'
before=$(ledger_count)
for who in alice carol bea; do
	req "$who may not register vendors" 403 $who POST /api/v1/vendors --data-binary "$V"
done
req "vendor: malformed JSON" 400 rita POST /api/v1/vendors --data-binary '{"id":'
req "vendor: a bad field" 400 rita POST /api/v1/vendors --data-binary "$(echo "$V" | sed 's/"annual"/"hourly"/')"
has "vendor: names the field" "$T/body" "review_frequency"
req "vendor: not JSON" 415 rita POST /api/v1/vendors -H 'Content-Type: text/yaml' --data-binary 'id: x'
req "vendor: replace what is not there" 404 rita PUT /api/v1/vendors/queue-data-co --data-binary "$V"
if [ "$(ledger_count)" -eq "$before" ]; then ok "refused vendor writes recorded nothing"; else
	bad "refused vendor writes changed the ledger"; fi
req "risk registers a vendor" 201 rita POST /api/v1/vendors --data-binary "$V"
has "vendor: its name" "$T/body" "Queue Data Co."
req "vendor registered twice: 409" 409 rita POST /api/v1/vendors --data-binary "$V"
req "vendor: the path's id" 400 rita PUT /api/v1/vendors/acme-analytics --data-binary "$V"
req "risk updates the vendor" 200 rita PUT /api/v1/vendors/queue-data-co --data-binary "$(echo "$V" | sed 's/Two years/Three years/')"
req "board reads the vendor" 200 bea GET /api/v1/vendors/queue-data-co
has "vendor: updated" "$T/body" "Three years"
req "no such vendor: 404" 404 bea GET /api/v1/vendors/nope
req "risk reviews a vendor" 201 rita POST /api/v1/vendors/acme-analytics/reviews --data-binary '{"result":"conditional","note":"exit plan pending"}'
has "review: shown with the vendor" "$T/body" "exit plan pending"
req "review of no vendor: 404" 404 rita POST /api/v1/vendors/nope/reviews --data-binary '{"result":"pass"}'
req "owner runs a drill" 201 alice POST /api/v1/systems/branch-queue-forecast/oversight --data-binary '{"kind":"drill","reason":"quarterly shutdown drill"}'
req "risk shuts it down" 201 rita POST /api/v1/systems/branch-queue-forecast/oversight --data-binary '{"kind":"shutdown","reason":"forecast drifted badly"}'
req "the system says it is down" 200 bea GET /api/v1/systems/branch-queue-forecast
has "shut_down: true" "$T/body" '"shut_down":true'
req "owner resumes it" 201 alice POST /api/v1/systems/branch-queue-forecast/oversight --data-binary '{"kind":"resume","reason":"model retrained and checked"}'
req "the system runs again" 200 bea GET /api/v1/systems/branch-queue-forecast
has "shut_down: false" "$T/body" '"shut_down":false'
req "resume what runs: 400" 400 alice POST /api/v1/systems/branch-queue-forecast/oversight --data-binary '{"kind":"resume","reason":"nothing to resume"}'
sed 's/Forecasts branch queues/Forecasts branch queues hourly/' "$T/sys.json" > "$T/sys2.json"
req "owner edits the descriptor" 200 alice PUT /api/v1/systems/branch-queue-forecast --data-binary "@$T/sys2.json"
has "edit: new purpose" "$T/body" "hourly"
sed 's/"owner_unit": "retail"/"owner_unit": "wealth"/' "$T/sys2.json" > "$T/sys3.json"
req "owner may not give it away" 403 alice PUT /api/v1/systems/branch-queue-forecast --data-binary "@$T/sys3.json"
req "stage: the gate decides" 403 alice POST /api/v1/systems/branch-queue-forecast/stage --data-binary '{"to":"data"}'
has "gate: why" "$T/body" "cannot leave stage planning"
run "ledger: the writes by their users" 0 ledger log
for a in "user:rita incident.open" "user:rita incident.close" "user:alice appeal.add" "user:rita appeal.resolve" \
	"user:rita vendor.review" "user:rita vendor.register" "user:rita vendor.update" \
	"user:alice oversight.drill" "user:alice system.update"; do
	set -- $a
	grep "$1" "$T/out" | grep -q "$2" && ok "ledger: $2 by $1" || bad "ledger: no $2 by $1"
done
req "board reads the catalog" 200 bea GET /api/v1/catalog
has "catalog: a control" "$T/body" '"id":"gov-inventory"'
has "catalog: titles in Chinese" "$T/body" '"zh-TW":"'
req "stats: counts" 200 carol GET /api/v1/stats
has "stats: systems" "$T/body" '"systems":1'

# The read cache: a repeated read is answered from it, and a change made
# meanwhile by another process (the CLI) is seen at the next request.
req "incidents, read" 200 carol GET /api/v1/incidents
req "incidents, read again" 200 carol GET /api/v1/incidents
hasnt "no incident yet" "$T/body" "Queue forecast offline"
"$AIGOV" incident open branch-queue-forecast --title "Queue forecast offline" --severity low > /dev/null
req "incidents after a CLI change" 200 carol GET /api/v1/incidents
has "the CLI's incident is seen at once" "$T/body" "Queue forecast offline"
req "stats after a CLI change" 200 carol GET /api/v1/stats
has "stats: the open incident" "$T/body" '"open_incidents":1'
req "gaps, plain" 200 carol GET /api/v1/gaps
cp "$T/body" "$T/gaps.plain"
for i in 1 2; do
	curl -s --compressed -D "$T/headers" -o "$T/body" -H "Authorization: Bearer $(cat "$T/carol.tok")" "$U/api/v1/gaps"
done
has "gaps: gzip when accepted" "$T/headers" "Content-Encoding: gzip"
has "gaps: Vary" "$T/headers" "Vary: Accept-Encoding"
cmp -s "$T/body" "$T/gaps.plain" && ok "gzip: the same JSON" || bad "gzip: other JSON"
curl -s -D "$T/headers" -o /dev/null -H 'Accept-Encoding: gzip;q=0' -H "Authorization: Bearer $(cat "$T/carol.tok")" "$U/api/v1/gaps"
hasnt "gzip;q=0 refuses it" "$T/headers" "Content-Encoding"
req "metrics: cache" 200 - GET /metrics
hits=$(sed -n 's/^aigov_read_cache_hits_total \([0-9]*\)$/\1/p' "$T/body")
[ "${hits:-0}" -ge 1 ] && ok "read cache hits: $hits" || bad "read cache hits: '${hits}'"

# ---- what needs no user ----
req "OpenAPI without a user" 200 - GET /api/v1/openapi.yaml
has "OpenAPI 3.1" "$T/body" "openapi: 3.1"
# Every path the description names is routed: as nobody, 401 (or the
# public answer), never "no such endpoint".
sed -n 's|^  \(/[^:]*\):$|\1|p' "$T/body" | sed 's|{id}|branch-queue-forecast|' > "$T/paths"
[ "$(wc -l < "$T/paths")" -ge 15 ] && ok "OpenAPI lists the paths" || bad "OpenAPI paths: $(wc -l < "$T/paths")"
# ...and every method it gives each path is routed, with that method: a
# risk user's request with an empty body never gets "no such endpoint"
# or 405.
awk '/^  \/[^:]*:$/ { p = substr($1, 1, length($1) - 1) }
     /^    (get|post|put|delete):$/ { m = $1; sub(":", "", m); print toupper(m), p }' "$T/body" |
	sed 's|{id}|branch-queue-forecast|; s|{n}|1|; s|{vendor}|acme-analytics|; s|{sha256}|0|' > "$T/ops"
[ "$(wc -l < "$T/ops")" -gt "$(wc -l < "$T/paths")" ] && ok "OpenAPI lists the methods" ||
	bad "OpenAPI methods: $(wc -l < "$T/ops")"
# The permission matrix from the same list: every write but the log-in
# and log-out refuses auditors and board members, and leaves every table
# as it was (the whole store, dumped, before and after).
store_dump() { sqlite3 "$T/ws/.aigov/aigov.db" .dump | sha256sum; }
dump=$(store_dump)
writes=0
while read -r method path; do
	case "$method $path" in GET*|*" /api/v1/session") continue ;; esac
	writes=$((writes + 1))
	for who in carol bea; do
		code=$(curl -s -o "$T/body" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $(cat "$T/$who.tok")" \
			-H 'Content-Type: application/json' --data-binary '{}' "$U$path")
		[ "$code" = 403 ] || bad "$who: $method $path: HTTP $code, want 403"
	done
done < "$T/ops"
[ "$writes" -ge 15 ] && ok "auditor and board refused on all $writes writes" || bad "only $writes writes listed"
[ "$(store_dump)" = "$dump" ] && ok "refused writes left the whole store unchanged" ||
	bad "refused writes changed the store"
while read -r method path; do
	code=$(curl -s -o "$T/body" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $(cat "$T/rita.tok")" \
		-H 'Content-Type: application/json' --data-binary '{}' "$U$path")
	if [ "$code" = 405 ] || grep -q "no such endpoint" "$T/body"; then
		bad "OpenAPI's $method $path is not routed ($code)"; fi
done < "$T/ops"
req "metrics without a user" 200 - GET /metrics
has "metrics: requests" "$T/body" 'aigov_http_requests_total{code="2xx"}'
has "metrics: histogram" "$T/body" 'aigov_http_request_duration_seconds_bucket{le="+Inf"}'
req "static traversal: 404" 404 - GET /web/../../etc/passwd --path-as-is
req "static traversal, encoded: 404" 404 - GET /web/%2e%2e/%2e%2e/etc/passwd --path-as-is
req "no such static file: 404" 404 - GET /web/nothing.js

# ---- log-in sessions ----
printf 'alice-secret-1\n' | "$AIGOV" user passwd alice --password-stdin > /dev/null 2>&1 || bad "passwd alice"
printf 'rita-secret-12\n' | "$AIGOV" user passwd rita --password-stdin > /dev/null 2>&1 || bad "passwd rita"
printf 'bea-secret-123\n' | "$AIGOV" user passwd bea --password-stdin > /dev/null 2>&1 || bad "passwd bea"
# creq NAME STATUS JAR METHOD PATH [curl args]: with cookie jar JAR, no token
creq() {
	name=$1 want=$2 jar=$3 method=$4 path=$5
	shift 5
	got=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' -X "$method" \
		-b "$T/$jar.jar" -c "$T/$jar.jar" -H 'Content-Type: application/json' "$@" "$U$path")
	if [ "$got" = "$want" ]; then ok "$name (HTTP $got)"; else
		bad "$name: HTTP $got, want $want"; sed 's/^/    /' "$T/body" | head -5; fi
}
: > "$T/a.jar"
creq "log in: unknown field" 400 a POST /api/v1/session --data-binary '{"name":"alice","password":"alice-secret-1","remember":true}'
creq "log in: wrong password" 401 a POST /api/v1/session --data-binary '{"name":"alice","password":"not-her-password"}'
hasnt "wrong password: no cookie" "$T/headers" "Set-Cookie: aigov_session=ags_"
creq "log in: unknown user" 401 a POST /api/v1/session --data-binary '{"name":"zed","password":"not-a-password"}'
has "unknown user: same answer" "$T/body" "wrong user name or password"
creq "log in: token user without password" 401 a POST /api/v1/session --data-binary '{"name":"carol","password":"carol-secret-1"}'
creq "log in" 201 a POST /api/v1/session --data-binary '{"name":"alice","password":"alice-secret-1"}'
has "cookie: HttpOnly" "$T/headers" "HttpOnly"
has "cookie: SameSite=Strict" "$T/headers" "SameSite=Strict"
has "cookie: Path=/" "$T/headers" "Path=/"
has "cookie: Max-Age" "$T/headers" "Max-Age=28800"
has "log in: who" "$T/body" '"actor":"user:alice"'
csrf=$(sed -n 's/.*"csrf":"\([^"]*\)".*/\1/p' "$T/body")
[ ${#csrf} -eq 43 ] && ok "log in: CSRF token" || bad "log in: CSRF token '$csrf'"
creq "cookie: me" 200 a GET /api/v1/me
has "me: csrf" "$T/body" "\"csrf\":\"$csrf\""
E2='{"control":"gov-training","url":"https://lms.example/ai-course"}'
before=$(ledger_count)
creq "cookie without CSRF token: 403" 403 a POST /api/v1/systems/branch-queue-forecast/evidence --data-binary "$E2"
creq "cookie with a wrong CSRF token: 403" 403 a POST /api/v1/systems/branch-queue-forecast/evidence -H "X-CSRF-Token: $(echo "$csrf" | tr 'A-Za-z' 'B-ZaB-za')" --data-binary "$E2"
if [ "$(ledger_count)" -eq "$before" ]; then ok "CSRF refusals recorded nothing"; else
	bad "CSRF refusals changed the ledger"; fi
creq "cookie with CSRF token" 201 a POST /api/v1/systems/branch-queue-forecast/evidence -H "X-CSRF-Token: $csrf" --data-binary "$E2"
has "evidence by the session's user" "$T/body" '"actor":"user:alice"'
# Change the first secret digit to a different one (never to itself).
d=$(sed -n 's/.*ags_[0-9a-f]*_\([0-9a-f]\).*/\1/p' "$T/a.jar")
[ "$d" = 0 ] && nd=1 || nd=0
sed "s/\(ags_[0-9a-f]*_\)[0-9a-f]/\1$nd/" "$T/a.jar" > "$T/t.jar"
cmp -s "$T/a.jar" "$T/t.jar" && bad "tamper: cookie unchanged"
creq "tampered cookie: 401" 401 t GET /api/v1/me
has "tampered: cookie cleared" "$T/headers" "Max-Age=0"
req "token: DELETE session is 400" 400 rita DELETE /api/v1/session
creq "log out without CSRF: 403" 403 a DELETE /api/v1/session
cp "$T/a.jar" "$T/old.jar"
creq "log out" 204 a DELETE /api/v1/session -H "X-CSRF-Token: $csrf"
has "log out clears the cookie" "$T/headers" "Max-Age=0"
creq "ended session: 401" 401 old GET /api/v1/me
i=0
while [ $i -lt 5 ]; do
	curl -s -o /dev/null -H 'Content-Type: application/json' \
		--data-binary '{"name":"bea","password":"guessing-wrong"}' "$U/api/v1/session"
	i=$((i + 1))
done
: > "$T/b.jar"
creq "throttled after 5 failures: 429" 429 b POST /api/v1/session --data-binary '{"name":"bea","password":"bea-secret-123"}'
has "throttle: Retry-After" "$T/headers" "Retry-After:"
creq "another user is not throttled" 201 b POST /api/v1/session --data-binary '{"name":"rita","password":"rita-secret-12"}'
req "metrics: failed log-ins" 200 - GET /metrics
has "metrics: login failures" "$T/body" "aigov_login_failures_total 8"
run "ledger has the session" 0 ledger log
has "session.login recorded" "$T/out" "session.login"
has "session.logout recorded" "$T/out" "session.logout"

req "me, just before the revocation" 200 alice GET /api/v1/me
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
