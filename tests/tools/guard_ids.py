#!/usr/bin/python3
"""Print checksum-valid (and deliberately invalid) Taiwan identifiers and
card numbers for the guard corpus (tests/data/guard/), so that nobody has
to compute a checksum by hand.  Independent of the C validators: the
rules are written again here from GUARD-NOTES section 2.

    tests/tools/guard_ids.py [SEED]
"""
import random, sys

ORDER = "ABCDEFGHJKLMNPQRSTUVXYWZIO"  # letter codes 10..35


def id_sum(s):
    code = 10 + ORDER.index(s[0])
    second = int(s[1]) if s[1].isdigit() else (10 + ORDER.index(s[1])) % 10
    total = code // 10 + (code % 10) * 9 + second * 8
    total += sum(int(c) * w for c, w in zip(s[2:9], range(7, 0, -1)))
    return total + int(s[9])


def make_id(rng, second):
    while True:
        body = rng.choice(ORDER[:24]) + second + "".join(rng.choice("0123456789") for _ in range(7))
        for check in "0123456789":
            if id_sum(body + check) % 10 == 0:
                return body + check


def ubn_ok(d):
    w = [1, 2, 1, 2, 1, 2, 4, 1]
    s = sum(sum(divmod(int(c) * x, 10)) for c, x in zip(d, w))
    return s % 5 == 0 or (d[6] == "7" and (s + 1) % 5 == 0)


def luhn_ok(d):
    t = 0
    for i, c in enumerate(reversed(d)):
        v = int(c)
        if i % 2:
            v = v * 2 - 9 if v * 2 > 9 else v * 2
        t += v
    return t % 10 == 0


def card(rng, prefix, n):
    while True:
        d = prefix + "".join(rng.choice("0123456789") for _ in range(n - len(prefix)))
        if luhn_ok(d):
            return d


def main():
    rng = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
    print("national:", [make_id(rng, rng.choice("12")) for _ in range(12)])
    print("resident new:", [make_id(rng, rng.choice("89")) for _ in range(6)])
    print("resident old:", [make_id(rng, rng.choice("ABCD")) for _ in range(6)])
    bad = []
    while len(bad) < 8:
        s = make_id(rng, rng.choice("12"))
        s = s[:9] + str((int(s[9]) + rng.randrange(1, 10)) % 10)
        bad.append(s)
    print("national wrong checksum:", bad)
    ubn = []
    while len(ubn) < 10:
        d = "".join(rng.choice("0123456789") for _ in range(8))
        if ubn_ok(d):
            ubn.append(d)
    print("ubn:", ubn)
    print("ubn invalid:", [d for d in ("".join(rng.choice("0123456789") for _ in range(8)) for _ in range(40)) if not ubn_ok(d)][:8])
    print("visa:", [card(rng, "4", 16) for _ in range(5)], "mc:", [card(rng, "5", 16) for _ in range(3)],
          "mc2:", [card(rng, "2221", 16)], "amex:", [card(rng, "37", 15) for _ in range(2)],
          "jcb:", [card(rng, "3530", 16) for _ in range(2)], "unionpay:", [card(rng, "62", 16)])
    badc = []
    while len(badc) < 5:
        d = "4" + "".join(rng.choice("0123456789") for _ in range(15))
        if not luhn_ok(d):
            badc.append(d)
    print("visa bad luhn:", badc)


if __name__ == "__main__":
    main()
