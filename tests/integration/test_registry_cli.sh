#!/bin/sh
# CLI tests of the inventory and risk assessment: aigov system, assess,
# catalog, role.   test_registry_cli.sh AIGOV  (AIGOV_SOURCE_DIR: the tree)
set -u
AIGOV=$1
EX="$AIGOV_SOURCE_DIR/examples"
. "$(dirname "$0")/lib.sh"
unset AIGOV_WORKSPACE AIGOV_LANG
export LANG=C AIGOV_ACTOR=user:alice

run "help system add" 0 help system add
has "help names the format doc" "$T/out" "docs/registry-formats.md"
run "help assess" 0 help assess
run "catalog list outside a workspace (built-in)" 0 catalog list --tier high
has "built-in catalog lists record keeping" "$T/out" "gov-record-keeping"
run "catalog check (built-in)" 0 catalog check
run "catalog show" 0 catalog show gov-record-keeping
has "catalog show maps to ISO/IEC 42001" "$T/out" "ISO/IEC 42001"
run "catalog show unknown" 4 catalog show no-such-control

run "init" 0 init "$T/ws"
export AIGOV_WORKSPACE="$T/ws"
[ -f "$T/ws/.aigov/catalog/controls.yaml" ] && ok "init copies the catalog" || bad "no catalog copy"
run "catalog check (workspace)" 0 catalog check --method "$T/ws/.aigov/catalog/risk-method.yaml"

# --- descriptors: errors name the file, line and path; nothing is stored ---
sed 's/autonomy: human_on_the_loop/autonomy: sometimes/' "$EX/retail-credit-scoring.yaml" > "$T/bad.yaml"
run "bad descriptor" 3 system add "$EX/aml-transaction-monitoring.yaml" "$T/bad.yaml"
has "bad descriptor located" "$T/err" "bad.yaml:"
has "bad descriptor path" "$T/err" "risk_factors.autonomy: expected one of human_in_the_loop, human_on_the_loop, fully_automated"
run "nothing stored after a bad file" 0 system list
[ ! -s "$T/out" ] && ok "inventory still empty" || bad "inventory not empty"

run "add all examples" 0 system add "$EX"/*.yaml
has "credit registered" "$T/out" "registered retail-credit-scoring"
run "add again" 4 system add "$EX/retail-credit-scoring.yaml"
has "add again explained" "$T/err" "already registered"
sed 's/^stage: modelling/stage: deployment/' "$EX/retail-credit-scoring.yaml" > "$T/moved.yaml"
run "replace may not move the stage" 2 system add --replace "$T/moved.yaml"
has "stage change refused" "$T/err" "stages change only through 'aigov stage'"
run "replace" 0 system add --replace "$EX/retail-credit-scoring.yaml"
run "list" 0 system list
has "list shows the fraud system" "$T/out" "card-fraud-detection"
run "list --json" 0 system list --json
has "list --json" "$T/out" '"use_case": "customer_service_chatbot"'
run "show" 0 system show card-fraud-detection
has "show vendor" "$T/out" "acme-analytics"
run "show unknown" 4 system show no-such-system

# --- export round-trips ---
run "export" 0 system export "$T/inv1.yaml"
run "init second" 0 init "$T/ws2"
run "add the export elsewhere" 0 -C "$T/ws2" system add "$T/inv1.yaml"
run "export again" 0 -C "$T/ws2" system export "$T/inv2.yaml"
cmp -s "$T/inv1.yaml" "$T/inv2.yaml" && ok "export round-trips byte for byte" || bad "exports differ"

# --- assessment ---
run "assess credit" 0 assess retail-credit-scoring
has "credit is high" "$T/out" "risk tier high"
has "credit is EU Annex III 5(b)" "$T/out" "Annex III 5(b)"
has "credit under the Bankers rule" "$T/out" "applies (serves consumers directly)"
has "controls by stage" "$T/out" "gov-record-keeping"
run "assess summariser" 0 assess internal-doc-summarisation --json
has "summariser is low" "$T/out" '"tier":"low"'
run "assess AML" 0 assess aml-transaction-monitoring
has "AML remedy exemption" "$T/out" "FSC exemption"
run "assess unknown" 4 assess no-such-system
run "override without justification" 2 assess genai-customer-service --override high
run "justification without override" 2 assess genai-customer-service --justification "long enough justification text"
run "override by the 1st line" 4 assess genai-customer-service --override high --justification "Committee decided 2026-11-20: unexplained vendor model"
has "override refused" "$T/err" "that is for the 2nd line"
run "role grant by a non-admin" 4 role grant user:bob second_line --actor user:mallory
run "role grant" 0 role grant user:cro second_line
run "role bad" 2 role grant user:cro chief
run "override by the 2nd line" 0 assess genai-customer-service --override high --actor user:cro --justification "Committee decided 2026-11-20: unexplained vendor model"
has "override recorded" "$T/out" "set by hand; computed tier was medium"
run "list shows tiers" 0 system list
has "list shows high" "$T/out" "high"
run "role list" 0 role list
has "role list" "$T/out" "second_line"
run "assess zh-TW" 0 --lang zh-TW assess retail-credit-scoring
has "zh-TW tier" "$T/out" "風險等級 高"

# --- evidence, maker-checker approval, gaps, the stage gate ---
run "gaps (missing)" 1 gaps internal-doc-summarisation
has "gaps names a missing control" "$T/out" "MISSING  gov-technical-documentation"
run "gaps --json" 1 gaps internal-doc-summarisation --json
has "gaps --json status" "$T/out" '"status": "missing"'
run "evidence for an unknown control" 4 evidence add internal-doc-summarisation no-such-control "$EX/evidence/board-ai-policy.md"
run "evidence for an unknown system" 4 evidence add nope gov-technical-documentation "$EX/evidence/board-ai-policy.md"
run "evidence file missing" 4 evidence add internal-doc-summarisation gov-technical-documentation "$T/nope.md"
run "evidence bad url" 3 evidence add internal-doc-summarisation gov-technical-documentation --url ftp://x
run "evidence file" 0 evidence add internal-doc-summarisation gov-technical-documentation "$EX/evidence/board-ai-policy.md"
has "evidence hashed" "$T/out" "sha256"
run "evidence url" 0 evidence add internal-doc-summarisation trn-genai-content-label --url https://intranet.example/label
run "evidence url 2" 0 evidence add internal-doc-summarisation prv-genai-input-rules --url https://intranet.example/rules
run "gaps (met)" 0 gaps internal-doc-summarisation
run "gaps --all" 0 gaps internal-doc-summarisation --all
has "gaps --all shows met" "$T/out" "met      gov-technical-documentation"
run "approve own work" 4 approve retail-credit-scoring gov-approval
has "maker-checker refusal" "$T/err" "a second person must approve it (maker-checker)"
run "approve without the role" 4 approve retail-credit-scoring gov-approval --actor user:bob
has "approver role refusal" "$T/err" "approvals are for the 2nd line"
run "approve" 0 approve retail-credit-scoring gov-approval --actor user:cro --note "AI committee 2026-11-20"
run "stage skip" 2 stage insurance-claims-triage modelling
run "stage bad" 2 stage insurance-claims-triage testing
run "stage gate refuses" 1 stage insurance-claims-triage data
has "gate lists what is missing" "$T/out" "MISSING  rob-requirements"
run "retire needs no gate" 0 stage internal-doc-summarisation retired
run "retired is final" 2 stage internal-doc-summarisation deployment
run "gaps of a retired system" 0 gaps internal-doc-summarisation

# --- vendors: their findings reach the gap report of the systems they supply ---
run "gaps: vendor not registered" 1 gaps card-fraud-detection
has "unregistered vendor is a gap" "$T/out" "vendor acme-analytics is not registered"
run "vendor add" 0 vendor add "$EX/vendors/acme-analytics.yaml"
run "vendor add again" 4 vendor add "$EX/vendors/acme-analytics.yaml"
run "vendor add --replace" 0 vendor add --replace "$EX/vendors/acme-analytics.yaml"
sed 's/result: pass/result: maybe/' "$EX/vendors/acme-analytics.yaml" > "$T/badvendor.yaml"
run "vendor bad result" 3 vendor add --replace "$T/badvendor.yaml"
has "vendor error path" "$T/err" "due_diligence.result: expected one of pass, conditional, fail, not 'maybe'"
run "gaps: missing clause" 1 gaps card-fraud-detection
has "missing exit plan is a gap" "$T/out" "the contract lacks exit_plan"
run "vendor review" 0 vendor review acme-analytics --result pass --note "annual audit"
run "vendor review bad" 2 vendor review acme-analytics --result great
run "vendor review unknown" 4 vendor review nobody --result pass
run "vendor show" 0 vendor show acme-analytics
has "vendor show next review" "$T/out" '"next_review_due"'
run "vendor list" 0 vendor list
has "vendor list" "$T/out" "acme-analytics"

# --- human oversight: shutdown, resume, drills ---
run "shutdown without reason" 2 shutdown card-fraud-detection
run "shutdown without a role" 4 shutdown card-fraud-detection --reason "false positives spiking"
run "grant 1st line" 0 role grant user:alice first_line
run "shutdown" 0 shutdown card-fraud-detection --reason "false positives spiking"
run "shown as shut down" 0 system show card-fraud-detection
has "status shut down" "$T/out" "SHUT DOWN"
run "shutdown twice" 2 shutdown card-fraud-detection --reason "still spiking"
run "resume" 0 resume card-fraud-detection --reason "threshold fixed"
run "resume twice" 2 resume card-fraud-detection --reason "again"
run "drill" 0 shutdown card-fraud-detection --drill --reason "quarterly drill"
run "gaps after drill" 1 gaps card-fraud-detection --all
has "drill meets the drill control" "$T/out" "met      rob-shutdown-drill"

# --- incidents and appeals ---
run "incident open" 0 incident open card-fraud-detection --title "Legit cards blocked" --severity high --breach
has "breach deadline" "$T/out" "72 hours"
run "incident bad severity" 2 incident open card-fraud-detection --title x --severity huge
run "incident update" 0 incident update 1 --root-cause "threshold drift" --notified
run "incident update nothing" 2 incident update 1
run "incident close" 0 incident close 1 --resolution "threshold restored"
run "incident close twice" 2 incident close 1 --resolution again
run "incident unknown" 4 incident update 99 --notified
run "incident list" 0 incident list
has "incident notified" "$T/out" '"notification_overdue": false'
run "appeal add" 0 appeal add retail-credit-scoring --decision APP-1 --reason "income misread"
run "appeal add incomplete" 2 appeal add retail-credit-scoring --decision APP-2
run "appeal resolve" 0 appeal resolve 1 --outcome overturned --note "income verified"
run "appeal resolve bad" 2 appeal resolve 1 --outcome maybe
run "appeal list" 0 appeal list
has "appeal outcome" "$T/out" '"outcome": "overturned"'
run "stats" 0 stats
has "stats vendor share" "$T/out" '"vendor_supplied": 2'
has "stats generative" "$T/out" '"generative_ai": 2'

# --- the demo ---
run "demo" 0 demo "$T/demo" --examples "$EX"
has "demo refuses self-approval" "$T/out" "approving their own work is refused"
has "demo gate passes after evidence" "$T/out" "it moves to data"
has "demo ledger intact" "$T/out" "ledger: intact"
has "demo: the injected bias fails the four-fifths rule" "$T/out" "FAIL fairness.disparate_impact_ratio sex"
has "demo: the drifted month warns" "$T/out" "WARN drift.psi"
run "demo workspace verifies" 0 -C "$T/demo" ledger verify
run "demo ledger log" 0 -C "$T/demo" ledger log
has "demo: the evaluation is in the ledger" "$T/out" "evaluation.record"
run "demo twice" 4 demo "$T/demo" --examples "$EX"

# --- every change is in the ledger, and it verifies ---
run "ledger log" 0 ledger log
for a in system.register system.update assess.record assess.override role.grant catalog.loaded \
	evidence.add approval.grant system.stage vendor.register vendor.review oversight.shutdown \
	oversight.resume oversight.drill incident.open incident.close appeal.add appeal.resolve; do
	has "ledger has $a" "$T/out" "$a"
done
run "verify after all that" 0 ledger verify

[ "$fails" -eq 0 ] && { echo "all registry CLI checks passed"; exit 0; }
echo "$fails check(s) failed"
exit 1
