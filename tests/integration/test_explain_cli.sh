#!/bin/sh
# CLI tests of aigov explain: usage, bad models and data with positions,
# reason codes in both languages, contributions against xgboost's, threads,
# the global view, scorecards.
#   test_explain_cli.sh AIGOV   (AIGOV_SOURCE_DIR: the source tree)
set -u
AIGOV=$1
. "$(dirname "$0")/lib.sh"
S=${AIGOV_SOURCE_DIR:?}
D=$S/tests/data
unset AIGOV_LANG
export LANG=C

M=$D/xgb_small_logistic.json
X=$D/xgb_small_data.csv
R=$T/reasons.yaml
cat > "$R" <<'YAML'
version: "t"
reasons:
  - feature: late_payments
    code: L1
    text: {zh-TW: 近期繳款延遲, en: Recent late payments}
    expected: increasing
  - feature: debt_ratio
    code: D1
    text: {zh-TW: 負債比偏高, en: High debt ratio}
    expected: decreasing
YAML

# ---- usage ----
run "help" 0 help explain
has "help in English" "$T/out" "TreeSHAP"
run "help in zh-TW" 0 --lang zh-TW explain --help
has "help in Chinese" "$T/out" "理由代碼"
run "no --model" 2 explain --data "$X"
run "bad --adverse" 2 explain --model "$M" --data "$X" --adverse sideways
run "bad --lang" 2 explain --model "$M" --data "$X" --lang fr
run "--threads 0" 2 explain --model "$M" --data "$X" --threads 0
run "--json with --csv" 2 explain --model "$M" --data "$X" --json --csv

# ---- bad models ----
head -c 5000 "$M" > "$T/truncated.json"
run "truncated model" 3 explain --model "$T/truncated.json" --data "$X"
has "truncated model: file and position" "$T/err" "truncated.json:1:"
sed 's/"gbtree"}/"gblinear"}/' "$M" > "$T/linear.json"
run "gblinear refused" 3 explain --model "$T/linear.json" --data "$X"
has "gblinear: the field named" "$T/err" "learner.gradient_booster.name: gblinear"
sed 's/"split_type":\[0/"split_type":[1/' "$M" > "$T/cat.json"
run "categorical split refused" 3 explain --model "$T/cat.json" --data "$X"
has "categorical: the field named" "$T/err" "trees[0].split_type[0]: categorical splits are not supported"
run "no such model" 4 explain --model "$T/none.json" --data "$X"

# ---- bad data ----
cut -d, -f1-3,5- "$X" > "$T/no_late.csv"
run "unknown feature (missing column)" 3 explain --model "$M" --data "$T/no_late.csv"
has "missing column named" "$T/err" "no column 'late_payments' (model feature 3 of 5)"
sed 's/"feature_names":\[[^]]*\]/"feature_names":[]/' "$M" > "$T/nonames.json"
run "model without names, CSV with the wrong count" 3 explain --model "$T/nonames.json" --data "$X" --id-column applicant
has "count mismatch explained" "$T/err" "feature count mismatch: the model (without feature names) has 5 features, the file 6 columns besides the id column"
cut -d, -f1-6 "$X" > "$T/five.csv"
run "model without names takes the header" 0 explain --model "$T/nonames.json" --data "$T/five.csv" --id-column applicant --contributions "$T/nonames.csv"
printf 'applicant,income,debt_ratio,late_payments,age,tenure\nA1,50000,0.3,0,40,5\nA2,50000,NaN,0,40,5\n' > "$T/nan.csv"
run "NaN input" 3 explain --model "$M" --data "$T/nan.csv"
has "NaN position" "$T/err" "nan.csv:3:10: column 'debt_ratio': a number expected, found 'NaN'"
printf 'applicant,income,debt_ratio,late_payments,age,tenure\nA1,50000,,0,40,\n' > "$T/missing.csv"
run "empty fields are missing values" 0 explain --model "$M" --data "$T/missing.csv" --json
has "missing value shown as null" "$T/out" '"value": null'

# ---- contributions against xgboost ----
run "contributions" 0 explain --model "$M" --data "$X" --id-column applicant --contributions "$T/c1.csv" --csv
has "contributions header: id, features, bias" "$T/c1.csv" "applicant,income,debt_ratio,late_payments,age,tenure,bias"
# reference: id,margin,prediction,<features>,bias
grep -v '^#' "$D/xgb_small_logistic_reference.csv" | tail -n +2 | cut -d, -f1,4- > "$T/ref.csv"
if awk -F, 'NR == FNR { for (i = 2; i <= NF; i++) ref[FNR, i] = $i; n = FNR; next }
	    FNR == 1 { next }
	    { for (i = 2; i <= NF; i++) { d = $i - ref[FNR - 1, i]; if (d < 0) d = -d;
	      if (d > 1e-5) { print "row " FNR ": " $i " vs " ref[FNR - 1, i]; bad = 1 } } }
	    END { exit bad }' "$T/ref.csv" "$T/c1.csv" > "$T/diff"; then
	ok "contributions within 1e-5 of xgboost's pred_contribs"
else
	bad "contributions differ from xgboost's"; head -5 "$T/diff"
fi
cmp -s "$T/nonames.csv" "$T/c1.csv" && ok "names from the header give the same contributions" ||
	bad "model without names: different contributions"
cp "$T/out" "$T/csv1"
run "four threads" 0 explain --model "$M" --data "$X" --id-column applicant --contributions "$T/c4.csv" --csv --threads 4
cmp -s "$T/c1.csv" "$T/c4.csv" && ok "contributions identical on 1 and 4 threads" || bad "threads change the contributions"
cmp -s "$T/csv1" "$T/out" && ok "reasons identical on 1 and 4 threads" || bad "threads change the reasons"

# ---- reason codes ----
run "reasons in English" 0 explain --model "$M" --data "$X" --id-column applicant --reasons "$R" --top 3
has "reason text" "$T/out" "L1     Recent late payments"
has "feature without reason named" "$T/out" "(no reason text)"
run "reasons in zh-TW" 0 explain --model "$M" --data "$X" --id-column applicant --reasons "$R" --lang zh-TW
has "reason text in Chinese" "$T/out" "近期繳款延遲"
run "reasons as JSON" 0 explain --model "$M" --data "$X" --id-column applicant --reasons "$R" --json
if /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["rows"]) == 400; r=[x for row in d["rows"] for x in row["reasons"]]; assert any(x["code"] is None for x in r); assert any(x["text"] and x["text"]["en"] == "Recent late payments" for x in r)' "$T/out"; then
	ok "JSON: 400 rows, named features with and without reason texts"
else
	bad "JSON output"
fi
printf 'version: t\nreasons:\n  - {feature: a, code: X}\n' > "$T/badreasons.yaml"
run "reasons file without texts" 3 explain --model "$M" --data "$X" --reasons "$T/badreasons.yaml"
has "reasons error position" "$T/err" "badreasons.yaml:3:5: reasons[0].text: missing"

# ---- global view ----
run "global view: a declared direction violated" 1 explain --model "$M" --data "$X" --reasons "$R" --global
has "violation flagged" "$T/out" "VIOLATION"
has "ranked by mean |phi|" "$T/out" "mean |phi|"
run "global JSON" 1 explain --model "$M" --data "$X" --reasons "$R" --global --json
has "global JSON: violation" "$T/out" '"violation": true'

# ---- the global view recorded for a system ----
run "init" 0 init "$T/ws"
export AIGOV_WORKSPACE="$T/ws"
run "register" 0 system add "$S/examples/retail-credit-scoring.yaml"
entries() { "$AIGOV" ledger log --json | grep -c '"seq"'; }
n0=$(entries)
run "--system needs --global" 2 explain --model "$M" --data "$X" --system retail-credit-scoring
run "--control needs --system" 2 explain --model "$M" --data "$X" --global --control trn-explainability
run "--system needs a data file" 2 explain --model "$M" --data - --global --system retail-credit-scoring
run "unknown control" 4 explain --model "$M" --data "$X" --global --system retail-credit-scoring --control nope
has "unknown control named" "$T/err" "no control 'nope'"
run "unknown system" 4 explain --model "$M" --data "$X" --global --system nosuch
[ "$(entries)" -eq "$n0" ] && ok "refusals record nothing" || bad "refusals changed the ledger"
run "recorded (a violation: exit 1)" 1 explain --model "$M" --data "$X" --reasons "$R" --global --json \
	--system retail-credit-scoring --control trn-explainability --actor user:validator
has "JSON output unchanged by --system" "$T/out" '"violation": true'
has "recorded note" "$T/err" "recorded in the ledger for retail-credit-scoring"
[ "$(entries)" -eq $((n0 + 2)) ] && ok "two entries: explanation and evidence" || bad "not two new entries"
"$AIGOV" ledger log --json > "$T/log.json"
has "explanation.record" "$T/log.json" '"action": "explanation.record"'
has "model fingerprint" "$T/log.json" "\"sha256\":\"$(sha256sum "$M" | cut -d' ' -f1)\""
has "data fingerprint" "$T/log.json" "\"sha256\":\"$(sha256sum "$X" | cut -d' ' -f1)\""
has "evidence for the control" "$T/log.json" '"control":"trn-explainability"'
has "attributed" "$T/log.json" '"actor": "user:validator"'
run "ledger verifies" 0 ledger verify
unset AIGOV_WORKSPACE

# ---- scorecards ----
SC=$S/examples/models/scorecard.yaml
printf 'ID,PAY_0,PAY_2,LIMIT_BAL,PAY_AMT1,AGE,EDUCATION\n1,2,0,20000,0,24,2\n2,-1,-1,500000,10000,40,1\n3,,,60000,,30,9\n' > "$T/sc.csv"
run "scorecard" 0 explain --model "$SC" --data "$T/sc.csv" --id-column ID --contributions "$T/sc_c.csv"
has "scorecard points" "$T/out" "1: 365 points, probability 0.627115"
has "scorecard contributions" "$T/sc_c.csv" "1,-70,0,-45,-25,-13,-5,523"
has "best applicant loses nothing" "$T/sc_c.csv" "2,0,0,0,0,0,0,523"
printf 'ID,PAY_0,PAY_2,LIMIT_BAL,PAY_AMT1,AGE,EDUCATION\n1,2,0,,0,24,2\n' > "$T/sc_bad.csv"
run "scorecard: missing without missing_points" 3 explain --model "$SC" --data "$T/sc_bad.csv"
has "scorecard error position" "$T/err" "sc_bad.csv:2:7: column 'LIMIT_BAL': the value is missing"

# ---- the Taiwan model in ../shared/data ----
SH=$S/../shared/data
if [ -r "$SH/taiwan_credit_xgb.json" ] && [ -r "$SH/taiwan_credit_scored.csv" ]; then
	run "Taiwan model, catalog reasons" 0 explain --model "$SH/taiwan_credit_xgb.json" --data "$SH/taiwan_credit_scored.csv" --id-column ID --reasons "$S/catalog/reasons/credit.yaml" --top 2 --csv
	has "Taiwan: first row's probability equals the file's score" "$T/out" "2,0.22715508937835693,0.5565457940101624,PAY_2,R02"
else
	echo "SKIPPED: $SH not found: the Taiwan model checks did not run"
fi

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
