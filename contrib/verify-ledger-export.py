#!/usr/bin/python3
"""Verify an aigov ledger export without aigov.

Usage:
    verify-ledger-export.py EXPORT.jsonl PUBLIC_KEY

PUBLIC_KEY is the path of a key file (keys/ledger.pub: 64 hex digits and a
newline) or the 64 hex digits themselves.  Use your own copy of the key, not
one that came with the export: the export's header is only compared with it.

Written from docs/ledger.md alone; the comments cite its sections.  Needs
Python 3 and PyNaCl (Debian: python3-nacl).

Prints one line per problem, naming the entry seq or the checkpoint id, then a
summary.  Exit status: 0 the export is intact, 1 problems were found, 2 usage
error, 3 the file is malformed (the message says FILE:LINE).
"""

import hashlib
import json
import math
import os
import re
import sys
from datetime import datetime
from decimal import Decimal

import nacl.exceptions
import nacl.signing

HEX64 = re.compile(r"[0-9a-f]{64}")
MAX_SAFE = 2**53 - 1                                        # "Canonical JSON"
MAX_DEPTH = 64                                              # "Canonical JSON"
ACTION = re.compile(r"[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*")     # "Entries"
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", re.ASCII)  # 27 chars
MEMBERS = {  # "Export": the three kinds of line, and each member's JSON type
    "header": dict(checkpoints=int, entries=int, exported_at=str, format=str,
                   public_key=str, version=int, workspace=str),
    "checkpoint": dict(id=int, key_id=str, root=str, signature=str, size=int,
                       time=str, type=str),
    "entry": dict(action=str, actor=str, hash=str, payload=dict, prev=str, seq=int,
                  subject=str, time=str, type=str),
}


class Malformed(Exception):
    """The file is not an export in the specified format (exit 3)."""


class CanonError(Exception):
    """A value has no RFC 8785 form, or breaks the I-JSON rules."""


# --- "Canonical JSON" (RFC 8785) ---------------------------------------------

def ecma_number(x):
    """ECMAScript Number.prototype.toString(x), as RFC 8785 section 3.2.2.3 wants."""
    try:
        x = float(x)                       # every JSON number is an IEEE double
    except OverflowError:
        raise CanonError("number out of range") from None
    if not math.isfinite(x):
        raise CanonError("number out of range")
    if x == 0:
        return "0"                         # also for -0
    sign = "-" if x < 0 else ""
    # repr() has the shortest digits that round-trip, which ECMAScript also picks;
    # only the layout differs ('1e-07', '1e+16', '100.0'), so lay them out again.
    _, digits, exp = Decimal(repr(abs(x))).as_tuple()
    s = "".join(map(str, digits)).rstrip("0")
    k, n = len(s), exp + len(digits)       # x = 0.s * 10**n, s has k digits
    if k <= n <= 21:
        return sign + s + "0" * (n - k)
    if 0 < n <= 21:
        return sign + s[:n] + "." + s[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + s
    e = n - 1
    return (sign + (s if k == 1 else s[0] + "." + s[1:]) + "e"
            + ("+" if e >= 0 else "-") + str(abs(e)))


ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n",
           "\r": "\\r", "\t": "\\t"}


def canon_string(s):
    """RFC 8785 section 3.2.2.2: only the required escapes, the rest literal."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in s):
        raise CanonError("a string holds an unpaired surrogate (not UTF-8)")
    return '"' + "".join(ESCAPES.get(c) or (c if c >= " " else "\\u%04x" % ord(c))
                         for c in s) + '"'


def canon(v, ijson=False, depth=1):
    """The RFC 8785 text of v.  With ijson, also the payload rules of
    "Canonical JSON": no integer beyond 2^53-1, at most 64 levels deep."""
    if v is None or isinstance(v, bool):
        return {None: "null", True: "true", False: "false"}[v]
    if isinstance(v, (int, float)):
        text = ecma_number(v)
        if ijson and re.fullmatch(r"-?\d+", text) and abs(int(text)) > MAX_SAFE:
            raise CanonError("number %s is an integer beyond 2^53-1" % text)
        return text
    if isinstance(v, str):
        return canon_string(v)
    if ijson and depth > MAX_DEPTH:        # the payload object itself is level 1
        raise CanonError("nested deeper than %d levels" % MAX_DEPTH)
    if isinstance(v, list):
        return "[" + ",".join(canon(x, ijson, depth + 1) for x in v) + "]"
    # members sorted by the UTF-16 code units of their names
    keyed = sorted(((canon_string(name), name) for name in v),
                   key=lambda pair: pair[1].encode("utf-16-be"))
    return "{" + ",".join(text + ":" + canon(v[name], ijson, depth + 1)
                          for text, name in keyed) + "}"


# --- "The entry hash" and "The Merkle tree" (RFC 9162 section 2.1.1) --------

def entry_hash(e):
    """SHA-256(0x00 || E), E the canonical JSON of the seven fields."""
    fields = {k: e[k] for k in ("action", "actor", "payload", "prev", "seq",
                                "subject", "time")}
    return hashlib.sha256(b"\x00" + canon(fields).encode("utf-8")).hexdigest()


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


class Tree:
    """MTH of a growing list of leaves.  It keeps the perfect subtrees along the
    right edge, largest first; folding them from the right gives the same root
    as splitting at the largest power of two smaller than n."""

    def __init__(self):
        self.edge = []                     # [(leaf count, hash)]

    def add(self, leaf):
        size, h = 1, leaf
        while self.edge and self.edge[-1][0] == size:
            size, h = 2 * size, node(self.edge.pop()[1], h)
        self.edge.append((size, h))

    def root(self):
        if not self.edge:
            return hashlib.sha256(b"").hexdigest()
        h = self.edge[-1][1]
        for _, left in reversed(self.edge[:-1]):
            h = node(left, h)
        return h.hex()


# --- reading the file ("Export") ----------------------------------------------

def no_duplicates(pairs):
    if len({name for name, _ in pairs}) != len(pairs):
        raise ValueError("duplicate member name (not I-JSON)")
    return dict(pairs)


def reject_constant(name):
    raise ValueError("%s is not JSON" % name)


def read_export(path):
    """Return the header, the checkpoints and the entries, and warnings about
    bytes that are not exactly as aigov writes them; Malformed otherwise."""
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    warnings = []
    if lines[-1] != b"":
        warnings.append("line %d: no newline at the end of the file" % len(lines))
    else:
        lines.pop()
    if not lines:
        raise Malformed("%s:1: empty file, no header" % path)
    header, found = None, {"checkpoint": [], "entry": []}
    for no, raw in enumerate(lines, 1):
        where = "%s:%d" % (path, no)
        try:
            obj = json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates,
                             parse_constant=reject_constant)
        except ValueError as err:          # also UnicodeDecodeError
            raise Malformed("%s: not a line of JSON: %s" % (where, err)) from None
        if not isinstance(obj, dict):
            raise Malformed("%s: not a JSON object" % where)
        kind = "header" if no == 1 else obj.get("type")
        if kind not in ("checkpoint", "entry") and no > 1:
            raise Malformed("%s: type is neither checkpoint nor entry" % where)
        if sorted(obj) != sorted(MEMBERS[kind]):
            raise Malformed("%s: %s line: its members must be %s, not %s" % (
                where, kind, ",".join(sorted(MEMBERS[kind])), ",".join(sorted(obj))))
        for name, want in MEMBERS[kind].items():
            if not isinstance(obj[name], want) or isinstance(obj[name], bool):
                raise Malformed("%s: %s is not a JSON %s" % (
                    where, name, {int: "integer", str: "string", dict: "object"}[want]))
        if kind == "header" and (obj["format"], obj["version"]) != ("aigov-ledger-export", 1):
            raise Malformed("%s: not an aigov-ledger-export version 1 header" % where)
        if kind == "checkpoint" and found["entry"]:
            raise Malformed("%s: a checkpoint after the entries" % where)
        try:                               # "Canonical JSON": I-JSON payloads only
            text = canon(obj)
            if kind == "entry":
                canon(obj["payload"], ijson=True)
        except CanonError as err:
            raise Malformed("%s: %s" % (where, err)) from None
        if text.encode("utf-8") != raw:    # "Export": one canonical object a line
            warnings.append("line %d: not in canonical form (re-canonicalized)" % no)
        if kind == "header":
            header = obj
        else:
            found[kind].append(obj)
    return header, found["checkpoint"], found["entry"], warnings


def well_formed_time(t):
    """"Entries": UTC, RFC 3339 with microseconds, exactly 27 characters."""
    try:
        return bool(TIME.fullmatch(t)) and bool(
            datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ"))
    except ValueError:
        return False


def text_ok(s, max_bytes):
    """"Entries" / "Verifying" step 2: 1..max_bytes bytes of UTF-8, no control
    character (a byte below 0x20, or 0x7f)."""
    return (1 <= len(s.encode("utf-8")) <= max_bytes
            and not any(ord(c) < 0x20 or ord(c) == 0x7F for c in s))


# --- "Verifying" ----------------------------------------------------------------

def verify(header, checkpoints, entries, key_hex):
    """Return the list of problems."""
    problems = []
    problem = problems.append
    key = nacl.signing.VerifyKey(bytes.fromhex(key_hex))
    key_id = hashlib.sha256(bytes.fromhex(key_hex)).hexdigest()[:16]  # "Checkpoints"
    ws = header["workspace"]

    # "Export": the header's key is only compared with ours; line counts
    if header["public_key"] != key_hex:
        problem("header: names public key %s, not yours %s" % (header["public_key"], key_hex))
    if not re.fullmatch(r"[0-9a-f]{32}", ws):
        problem("header: workspace id %r is not 32 lowercase hex digits" % ws)
    for what, held in (("checkpoints", checkpoints), ("entries", entries)):
        if header[what] != len(held):
            problem("header: announces %d %s but the file holds %d"
                    % (header[what], what, len(held)))

    # "Verifying" step 1: each checkpoint, by id
    last_id = last_size = 0
    for cp in checkpoints:
        c = "checkpoint %d" % cp["id"]
        if cp["id"] <= last_id:
            problem("%s: out of order, it follows checkpoint %d" % (c, last_id))
        elif cp["id"] != last_id + 1:     # "Checkpoints": ids are 1, 2, 3, ...
            problem("%s: checkpoints %d..%d before it are missing" % (c, last_id + 1, cp["id"] - 1))
        if cp["size"] <= 0:
            problem("%s: size %d is not positive" % (c, cp["size"]))
        if cp["size"] < last_size:
            problem("%s: covers %d entries, fewer than the checkpoint before it (%d)"
                    % (c, cp["size"], last_size))
        last_id, last_size = cp["id"], cp["size"]
        if not HEX64.fullmatch(cp["root"]):
            problem("%s: root is not 64 lowercase hex digits" % c)
        if not re.fullmatch(r"[0-9a-f]{128}", cp["signature"]):
            problem("%s: signature is not 128 lowercase hex digits" % c)
        if not well_formed_time(cp["time"]):
            problem("%s: time %r is not well-formed" % (c, cp["time"]))
        if cp["key_id"] != key_id:
            problem("%s: names signing key %s, not the installation's key %s"
                    % (c, cp["key_id"], key_id))
        # "Checkpoints": the signed message, each line ending in one \n
        message = "aigov-ledger-checkpoint/v1\n%s\n%d\n%s\n%s\n" % (
            ws, cp["size"], cp["root"], cp["time"])
        try:
            key.verify(message.encode("utf-8"), bytes.fromhex(cp["signature"]))
        except (ValueError, nacl.exceptions.CryptoError):
            problem("%s: the signature does not verify with key %s" % (c, key_id))

    # "Verifying" step 2: each entry in seq order (as the file lists them)
    tree, by_size = Tree(), {}
    for cp in checkpoints:
        by_size.setdefault(cp["size"], []).append(cp)
    last_seq, last_hash, last_time = 0, "0" * 64, ""
    for k, e in enumerate(entries, 1):
        n = "entry %d" % e["seq"]
        if e["seq"] <= last_seq:
            problem("%s: out of order, it follows entry %d" % (n, last_seq))
        elif e["seq"] != last_seq + 1:
            problem("%s: entries %d..%d before it are missing" % (n, last_seq + 1, e["seq"] - 1))
        if e["prev"] != last_hash:
            problem("%s: its previous-entry hash does not match the entry before it" % n)
        if not well_formed_time(e["time"]):
            problem("%s: time %r is not well-formed" % (n, e["time"]))
        elif e["time"] < last_time:       # same width, so text order is time order
            problem("%s: its time %s is earlier than the entry before it (%s)"
                    % (n, e["time"], last_time))
        if not text_ok(e["actor"], 256):
            problem("%s: actor is not 1-256 bytes without control characters" % n)
        if not ACTION.fullmatch(e["action"]) or len(e["action"]) > 64:
            problem("%s: action %r is not a lowercase dotted name of at most 64 bytes"
                    % (n, e["action"]))
        if not text_ok(e["subject"], 512):
            problem("%s: subject is not 1-512 bytes without control characters" % n)
        recomputed = entry_hash(e)         # from the re-canonicalized fields
        if recomputed != e["hash"]:
            problem("%s: its content does not match its hash" % n)
        if k == 1:                         # "The entry hash": entry 1
            p = e["payload"]
            if (e["action"], e["subject"]) != ("workspace.init", "workspace"):
                problem("%s: the first entry is %r on %r, not workspace.init on workspace"
                        % (n, e["action"], e["subject"]))
            else:
                if p.get("public_key") != key_hex:
                    problem("%s: the ledger was started with public key %s, not %s"
                            % (n, p.get("public_key"), key_hex))
                if p.get("workspace") != ws:
                    problem("%s: the ledger was started in workspace %s, not %s"
                            % (n, p.get("workspace"), ws))
        last_seq, last_hash = e["seq"], e["hash"]
        last_time = e["time"] if well_formed_time(e["time"]) else last_time

        # "Verifying" step 3: checkpoints of size k, over the recomputed hashes
        tree.add(bytes.fromhex(recomputed))
        for cp in by_size.get(k, []):
            if tree.root() != cp["root"]:
                problem("checkpoint %d: its root does not match entries 1..%d" % (cp["id"], k))

    # "Verifying" step 4: checkpoints beyond the last entry
    for cp in checkpoints:
        if cp["size"] > len(entries):
            problem("checkpoint %d: covers %d entries but the export holds %d"
                    % (cp["id"], cp["size"], len(entries)))
    return problems


def read_key(arg):
    if os.path.exists(arg):
        with open(arg, encoding="ascii", errors="replace") as f:
            arg = f.read().strip()
    if not HEX64.fullmatch(arg.lower()):
        raise ValueError("neither a key file nor 64 hex digits")
    return arg.lower()


def main(argv):
    if len(argv) == 2 and argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    if len(argv) != 3:
        print("usage: verify-ledger-export.py EXPORT.jsonl PUBLIC_KEY", file=sys.stderr)
        return 2
    path = argv[1]
    try:
        key_hex = read_key(argv[2])
    except (OSError, ValueError) as err:
        print("verify-ledger-export: %s: %s" % (argv[2], err), file=sys.stderr)
        return 2
    try:
        header, checkpoints, entries, warnings = read_export(path)
    except OSError as err:
        print("verify-ledger-export: %s: %s" % (path, err.strerror), file=sys.stderr)
        return 2
    except Malformed as err:
        print("verify-ledger-export: malformed export: %s" % err, file=sys.stderr)
        return 3
    problems = verify(header, checkpoints, entries, key_hex)
    for line in warnings:
        print("warning: " + line)
    for line in problems:
        print(line)
    if problems:
        print("%s: NOT INTACT: %d problem(s) in %d entries and %d checkpoints"
              % (path, len(problems), len(entries), len(checkpoints)))
        return 1
    signed = max([cp["size"] for cp in checkpoints], default=0)
    print("%s: intact: %d entries, %d checkpoints; entries 1..%d are signed, "
          "%d newer entries are protected by the hash chain only"
          % (path, len(entries), len(checkpoints), signed, len(entries) - signed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
