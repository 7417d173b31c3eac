#!/bin/sh
# The browser test of the web UI (docs/web.md): a demo workspace with a
# log-in per line of defense, `aigov serve` on a free loopback port, and
# ui.test.mjs driving Debian's chromium with playwright-core.
#
#   tests/browser/run.sh AIGOV_BINARY
#
# Exits 77 (ctest: skipped) when chromium, node or node_modules is missing
# (scripts/install-deps test installs them).  Screenshots go to
# $AIGOV_ARTEFACTS (default: a new temporary directory), printed at the end.
set -u
AIGOV=${1:?usage: run.sh AIGOV_BINARY}
HERE=$(cd "$(dirname "$0")" && pwd)
CHROMIUM=${AIGOV_CHROMIUM:-/usr/bin/chromium}

skip() {
	{
		echo "**************************************************************"
		echo "SKIPPED: browser_ui: $*"
		echo "  (scripts/install-deps test installs chromium, node and the"
		echo "   pinned playwright-core: npm ci in tests/browser)"
		echo "**************************************************************"
	} >&2
	exit 77
}
[ -x "$CHROMIUM" ] || skip "no $CHROMIUM"
command -v node > /dev/null 2>&1 || skip "no node"
[ -f "$HERE/node_modules/playwright-core/package.json" ] || skip "no $HERE/node_modules/playwright-core"
case $AIGOV in /*) ;; *) AIGOV=$(pwd)/$AIGOV ;; esac

T=$(mktemp -d "${TMPDIR:-/tmp}/aigov-browser.XXXXXX")
ART=${AIGOV_ARTEFACTS:-$(mktemp -d "${TMPDIR:-/tmp}/aigov-browser-artefacts.XXXXXX")}
mkdir -p "$ART"
rm -f "$ART"/[0-9][0-9]-*.png "$ART"/ledger-entries.json   # this run's only
srv="" tester=""
# shellcheck disable=SC2317  # called by the trap
cleanup() {
	if [ -n "$tester" ]; then kill "$tester" 2> /dev/null; wait "$tester" 2> /dev/null; fi
	if [ -n "$srv" ]; then kill "$srv" 2> /dev/null; wait "$srv" 2> /dev/null; fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

WS=$T/ws
ag() { "$AIGOV" -C "$WS" "$@"; }
unset AIGOV_LANG AIGOV_WORKSPACE
export LANG=C.UTF-8

if ! "$AIGOV" demo "$WS" > "$T/demo.out" 2>&1; then
	echo "browser_ui: aigov demo failed:" >&2; cat "$T/demo.out" >&2; exit 1
fi
# As scripts/demo-serve: alice owns the credit-scoring system's unit.
UNIT=$(ag system show retail-credit-scoring --json |
	sed -n 's/^ *"owner_unit": *"\(.*\)",*$/\1/p' | head -1)
[ -n "$UNIT" ] || { echo "browser_ui: no owner unit in the demo workspace" >&2; exit 1; }
OWNER=alice RISK=cro AUDITOR=auditor BOARD=board
OWNER_PW=owner-pw-$$-browser RISK_PW=risk-pw-$$-browser AUDITOR_PW=auditor-pw-$$-browser
BOARD_PW=board-pw-$$-browser
adduser() { # NAME PASSWORD ROLE [--unit UNIT]
	name=$1 pw=$2
	shift 2
	printf '%s\n' "$pw" | ag user add "$name" --role "$@" --password-stdin --actor user:alice > /dev/null ||
		{ echo "browser_ui: could not add the user $name" >&2; exit 1; }
}
adduser "$OWNER" "$OWNER_PW" owner --unit "$UNIT"
adduser "$RISK" "$RISK_PW" risk
adduser "$AUDITOR" "$AUDITOR_PW" auditor
adduser "$BOARD" "$BOARD_PW" board

# Not through ag(): $! must be the server itself, not a subshell, for the
# trap to stop it.
"$AIGOV" -C "$WS" serve --listen 127.0.0.1:0 --port-file "$T/port" > "$T/serve.out" 2> "$T/serve.err" &
srv=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 300 ]; do
	kill -0 "$srv" 2> /dev/null || break
	sleep 0.1; i=$((i + 1))
done
[ -s "$T/port" ] || { echo "browser_ui: the server did not start" >&2; cat "$T/serve.err" >&2; exit 1; }
URL="http://127.0.0.1:$(cat "$T/port")"
node -e '
const url = process.argv[1] + "/healthz";
const until = Date.now() + 30000;
(async () => {
  while (Date.now() < until) {
    try { const r = await fetch(url); if (r.ok) process.exit(0); } catch (e) { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.exit(1);
})();' "$URL" || { echo "browser_ui: $URL/healthz did not answer" >&2; cat "$T/serve.err" >&2; exit 1; }

export AIGOV_URL="$URL" AIGOV_ARTEFACTS="$ART" AIGOV_CHROMIUM="$CHROMIUM" AIGOV_BINARY="$AIGOV" AIGOV_WS="$WS"
export OWNER OWNER_PW RISK RISK_PW AUDITOR AUDITOR_PW BOARD BOARD_PW OWNER_UNIT="$UNIT"
# In the background with wait, so that a signal (ctest's timeout, Ctrl-C)
# stops it at once; playwright closes its chromium when node is stopped.
(cd "$HERE" && exec node ui.test.mjs) &
tester=$!
wait "$tester"
rc=$?
tester=""
if [ $rc -ne 0 ]; then
	echo "browser_ui: the server's standard error:" >&2
	tail -20 "$T/serve.err" >&2
fi
echo "browser_ui: screenshots in $ART"
exit $rc
