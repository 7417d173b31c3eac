#!/usr/bin/python3
"""The guard's patterns with Python's `re`, for the side-by-side in bench/guard/run.

    bench/guard/guard_re.py FILE [CHUNK_BYTES]

The same detector anchors as src/guard/detect.c and the same rules as
catalog/guard/injection.yaml and finance.yaml (the user-source ones, as the
C benchmark scans), compiled with `re` (no multi-pattern matcher: one pass
per pattern; rules stop at their first match, as HS_FLAG_SINGLEMATCH does).
Only the regular expressions run: no validators, no normalisation, so this
is a lower bound on what a Python guard built this way would cost.  Prints
bytes, seconds and MB/s of the best of two runs.
"""
import os, re, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

ANCHORS = [
    r"[A-Z][1289A-D][0-9]{8}",
    r"(?:^|[^0-9])[0-9](?:[- ]?[0-9]){7}",
    r"[A-Za-z0-9_%+-]@[A-Za-z0-9-]{1,63}\.[A-Za-z]{2}",
    r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]",
    r"[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{1,4}",
    r"(?:路|街|大道)(?:[一二三四五六七八九十0-9]{1,2}段)?(?:[0-9]{1,4}巷)?(?:[0-9]{1,4}弄)?[0-9]{1,5}(?:之[0-9]{1,3})?號",
    r"姓名|名字|戶名|户名|聯絡人|联系人|申請人|申请人|持卡人|收件人|被保險人|要保人|客戶|客户|負責人|承辦人|我叫",
    r"先生|小姐|女士|太太",
    r"(?:Mr|Mrs|Ms|Miss|Dr)\.? [A-Z][a-z]",
    r"(?i:my name is|name:|full name:|account holder:|regards,|sincerely,)[ \t\n]{0,2}[A-Z][a-z]",
    r"帳號|帳戶|账号|账户|戶頭|户头|(?i:account|acct\.?|a/c)",
    r"護照|护照|(?i:passport)",
    r"(?:AKIA|ASIA)[0-9A-Z]{16}",
    r"sk-[A-Za-z0-9_-]{20}",
    r"gh[pousr]_[A-Za-z0-9]{30}",
    r"github_pat_[A-Za-z0-9_]{22}",
    r"xox[abprs]-[A-Za-z0-9-]{10}",
    r"AIza[0-9A-Za-z_-]{35}",
    r"-----BEGIN [A-Z ]{0,30}PRIVATE KEY-----",
    r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10}",
    r"Bearer [A-Za-z0-9._~+/=-]{20}",
    r"(?i:api[_-]?key|secret[_-]?key|client[_-]?secret|access[_-]?token|auth[_-]?token|password|passwd|pwd)[\"']?[ \t]{0,3}[:=][ \t]{0,3}[\"']?[A-Za-z0-9_+/=.!@#$%^&*-]{8}",
    r"身分證|身份證|身份证|居留證|居留证|統一證號|证件号码|(?i:national id|id number|id no)",
    r"統編|統一編號|统一编号|统编|營利事業|营利事业|買受人|抬頭|(?i:ubn|vat|tax id|business id|business no|business number|company id|company no|company number)",
    r"電話|电话|手機|手机|市話|專線|傳真|聯絡|联系|撥打|(?i:tel[:.]|phone|mobile|fax|call)",
    r"卡號|卡号|信用卡|金融卡|簽帳卡|(?i:card|visa|mastercard|amex|jcb)",
    r"[A-Za-z0-9+/]{32}",
    r"%[0-9A-Fa-f]{2}[^%\s]{0,12}%[0-9A-Fa-f]{2}[^%\s]{0,12}%[0-9A-Fa-f]{2}",
]


def rules(source="user"):
    """(pattern, caseless) of the catalog rules that apply to `source`."""
    out = []
    for name in ("injection.yaml", "finance.yaml"):
        rule = {}
        for line in open(os.path.join(ROOT, "catalog", "guard", name), encoding="utf-8"):
            s = line.strip()
            if s.startswith("- id:"):
                rule = {}
            m = re.match(r"(?:- )?(\w+): (.*)$", s)
            if not m:
                continue
            k, v = m.groups()
            rule[k] = v
            if k == "pattern":
                pat = v[1:-1].replace("''", "'") if v.startswith("'") else v.strip('"')
                srcs = rule.get("sources", "[user, retrieved, model]")
                if source in srcs:
                    out.append((pat, rule.get("caseless", "true") != "false"))
    return out


def main():
    path = sys.argv[1]
    chunk = int(sys.argv[2]) if len(sys.argv) > 2 else 1 << 20
    text = open(path, encoding="utf-8").read()
    anchors = [re.compile(p) for p in ANCHORS]
    rs = [re.compile(p, re.I if ci else 0) for p, ci in rules()]
    size = len(text.encode())
    best = None
    for _ in range(2):
        t = time.perf_counter()
        matches = 0
        for at in range(0, len(text), chunk):
            part = text[at:at + chunk]
            for a in anchors:
                for _m in a.finditer(part):
                    matches += 1
            for r in rs:
                matches += r.search(part) is not None
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    print("bytes %d patterns %d matches %d best_s %.3f MB_s %.1f" %
          (size, len(anchors) + len(rs), matches, best, size / best / 1e6))


if __name__ == "__main__":
    main()
