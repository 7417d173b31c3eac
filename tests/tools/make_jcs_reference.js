// Reference values for RFC 8785 number serialisation, from the
// ECMAScript engine itself (RFC 8785 section 3.2.2.3 *is* Number's
// toString).  Writes "<16 hex digits of the IEEE bits>\t<string>" lines.
//
//   node tests/tools/make_jcs_reference.js > tests/data/jcs_numbers.tsv
//
// The inputs: RFC 8785 Appendix B's edge cases, powers of ten around the
// notation switches, every power of two, and pseudo-random bit patterns
// from a fixed seed.
const buf = new DataView(new ArrayBuffer(8));
const out = [];
function emit(bits) {
  buf.setBigUint64(0, bits);
  const v = buf.getFloat64(0);
  if (!Number.isFinite(v)) return;
  out.push(bits.toString(16).padStart(16, '0') + '\t' + JSON.stringify(v));
}
function emitValue(v) {
  buf.setFloat64(0, v);
  emit(buf.getBigUint64(0));
}
[0x0000000000000000n, 0x8000000000000000n, 0x0000000000000001n,
 0x8000000000000001n, 0x7fefffffffffffffn, 0xffefffffffffffffn,
 0x4340000000000000n, 0xc340000000000000n, 0x4430000000000000n,
 0x44b52d02c7e14af5n, 0x44b52d02c7e14af6n, 0x44b52d02c7e14af7n,
 0x444b1ae4d6e2ef4en, 0x444b1ae4d6e2ef4fn, 0x444b1ae4d6e2ef50n,
 0x3eb0c6f7a0b5ed8cn, 0x3eb0c6f7a0b5ed8dn, 0x41b3de4355555553n,
 0x41b3de4355555554n, 0x41b3de4355555555n, 0x41b3de4355555556n,
 0x41b3de4355555557n, 0xbecbf647612f3696n, 0x43143ff3c1cb0959n].forEach(emit);
for (let e = -30; e <= 30; e++) {
  emitValue(Math.pow(10, e));
  emitValue(1.5 * Math.pow(10, e));
  emitValue(-123456789 * Math.pow(10, e));
}
[0.1, 0.2, 0.30000000000000004, 1 / 3, 2 / 3, 100, 1e21, 1e-7, 123e-20,
 9007199254740991, 9007199254740992, 4.35, 0.000001, 5e-324].forEach(emitValue);
// Every power of two: at them the rounding interval is lopsided, and the
// shortest digits are not always the nearest ones.
for (let e = -1074; e <= 1023; e++) emitValue(Math.pow(2, e));
// xorshift64* from a fixed seed: reproducible "random" doubles of every size.
let s = 0x9e3779b97f4a7c15n;
const M = (1n << 64n) - 1n;
for (let i = 0; i < 2000; i++) {
  s ^= s >> 12n; s ^= (s << 25n) & M; s ^= s >> 27n;
  emit((s * 0x2545f4914f6cdd1dn) & M);
}
console.log(out.join('\n'));
