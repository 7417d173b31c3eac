/*
 * guard: the GenAI guard (module guard) -- personal data and secrets in
 * prompts and answers, prompt-injection screening, and the finance output
 * policy, for text that goes to or comes from a generative model.
 *
 * How it works (docs/guard.md has the details and the sources):
 * - Every detector and every rule of the YAML files in catalog/guard/ is one pattern of
 *   a single Vectorscan block-mode database, compiled once by
 *   ag_guard_new().  One scan of the text reports candidate end offsets;
 *   validators in C then confirm them (checksums, prefixes, context words,
 *   boundaries) and find where each value starts, so that no detector needs
 *   Vectorscan's slower start-of-match mode.
 * - Full-width digits and letters (U+FF01..FF5E), the ideographic space and
 *   invisible characters (zero-width, variation selectors, tags) are
 *   normalised into a copy first, with a map back to the original bytes:
 *   every offset handed out is a byte offset into the caller's text.
 * - A number that fails its checksum is not reported as that type.
 *
 * Ownership: struct ag_guard owns its database and rules and is immutable
 * after ag_guard_new(), so it may be shared between threads.  A struct
 * ag_guard_scratch belongs to one thread at a time.  Results live in the
 * caller's arena.  Nothing here prints or logs.
 */
#ifndef AIGOV_GUARD_H
#define AIGOV_GUARD_H

#include "aigov/arena.h"
#include "aigov/buf.h"
#include "aigov/err.h"
#include "aigov/log.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- finding types ---- */
enum ag_guard_type {
	AG_GUARD_TW_NATIONAL_ID, /* 國民身分證統一編號 [A-Z][12]\d{8}, checksum */
	AG_GUARD_TW_RESIDENT_ID, /* 居留證統一證號 [A-Z][89]\d{8} and [A-Z][A-D]\d{8} */
	AG_GUARD_TW_UBN,         /* 統一編號: 8 digits, checksum, context-gated */
	AG_GUARD_TW_PHONE,       /* mobile and landline, written forms, +886 */
	AG_GUARD_CREDIT_CARD,    /* IIN + length + Luhn */
	AG_GUARD_BANK_ACCOUNT,   /* 10-16 digits after 帳號/帳戶/account */
	AG_GUARD_EMAIL,
	AG_GUARD_IP_ADDRESS,     /* IPv4 and IPv6 */
	AG_GUARD_PASSPORT,       /* 9 digits (Taiwan) or letters+digits, context-gated */
	AG_GUARD_TW_ADDRESS,     /* 臺北市大安區忠孝東路四段1號 */
	AG_GUARD_PERSON_NAME,    /* with context: 姓名, 先生, 小姐, Mr., name: */
	AG_GUARD_SECRET,         /* API keys, tokens, private key blocks */
	AG_GUARD_NTYPES
};

/* "TW_NATIONAL_ID" ...; NULL when out of range. */
const char *ag_guard_type_name(int type);
/* The type of a name, or -1. */
int ag_guard_type_from_name(const char *name, size_t len);

/* ---- validators (pure, thread-safe; exposed for tests and reuse) ---- */

/* s[0..10) as a Taiwan ID: AG_GUARD_TW_NATIONAL_ID, AG_GUARD_TW_RESIDENT_ID
 * (new [A-Z][89] or old [A-Z][A-D] form), or -1 when the shape or the
 * checksum is wrong (MOF e-filing spec 附件6 and 附件6之1). */
int ag_guard_tw_id_check(const char *s, size_t len);
/* Eight ASCII digits as a unified business number: weights 1,2,1,2,1,2,4,1,
 * digit sums of the products; S mod 5 == 0 (MOF rule since 2023-04-01),
 * or (S + 1) mod 5 == 0 when the 7th digit is 7. */
bool ag_guard_ubn_valid(const char *d, size_t len);
/* Luhn over ASCII digits. */
bool ag_guard_luhn_valid(const char *d, size_t len);
/* Payment card: issuer prefix with its lengths (ISO/IEC 7812: Visa,
 * Mastercard incl. 2221-2720, Amex, JCB, UnionPay, Discover, Diners,
 * Maestro) and Luhn. */
bool ag_guard_card_valid(const char *d, size_t len);
/* Digits of a Taiwan number with the trunk 0 ("0912345678", "0223456789"):
 * mobile 09 + 8 digits, or a landline whose area code and subscriber
 * length agree (NCC numbering plan; 0800/0809 toll-free numbers are not
 * personal and return false). */
bool ag_guard_tw_phone_valid(const char *d, size_t len);

/* ---- normalisation ---- */
struct ag_guard_norm {
	const char *text;  /* normalised text (== the input when nothing changed) */
	size_t len;
	const uint32_t *map; /* map[i] = input offset of text[i]; map[len] = input
			      * length; NULL when text is the input itself */
};
/* Normalise in[0..len) (valid UTF-8, len < 4 GiB) into memory from `a`. */
int ag_guard_normalize(const char *in, size_t len, struct ag_arena *a,
		       struct ag_guard_norm *out, struct ag_err *err);

/* ---- rules (the YAML files in catalog/guard/) ---- */
enum ag_guard_source { AG_GUARD_SRC_USER, AG_GUARD_SRC_RETRIEVED, AG_GUARD_SRC_MODEL };
enum ag_guard_effect {
	AG_GUARD_EFFECT_BLOCK,      /* counts towards the block score */
	AG_GUARD_EFFECT_HANDOFF,    /* the customer needs a person */
	AG_GUARD_EFFECT_NEEDS_DISCLOSURE, /* a product recommendation */
	AG_GUARD_EFFECT_HAS_DISCLOSURE    /* the risk disclosure is there */
};

struct ag_guard_rule {
	const char *id;        /* "override.ignore_previous.en" */
	const char *category;  /* "instruction_override", "guaranteed_return", ... */
	const char *lang;      /* "en", "zh-TW", "zh-CN", "any" */
	const char *pattern;   /* Vectorscan syntax, UTF-8 */
	const char *requires;  /* counts only if a rule of this category fired too; or NULL */
	const char *unless;    /* does not count if a rule of this category fired ("不保證") */
	double score;          /* 0..1 */
	unsigned sources;      /* bit (1 << enum ag_guard_source) */
	int effect;            /* enum ag_guard_effect */
	bool caseless;
};

struct ag_guard_rules {
	struct ag_arena arena; /* owns every string and the array */
	struct ag_guard_rule *rules;
	size_t n;
	double block_threshold;  /* default 0.8 */
	const char *disclosure_zh, *disclosure_en; /* appended when missing */
	char version[128];       /* "injection.yaml 2026-12-04; finance.yaml ..." */
};

/* Empty rule set (block threshold 0.8). */
void ag_guard_rules_init(struct ag_guard_rules *r);
void ag_guard_rules_release(struct ag_guard_rules *r);
/* Add the rules of one YAML document (name: for messages).  Patterns are
 * checked by ag_guard_new; this checks the structure.  AG_EPARSE with
 * file:line:column. */
int ag_guard_rules_parse(struct ag_guard_rules *r, const char *text, size_t len,
			 const char *name, struct ag_err *err);
int ag_guard_rules_load_file(struct ag_guard_rules *r, const char *path, struct ag_err *err);
/* The shipped catalog/guard/injection.yaml and finance.yaml (embedded). */
int ag_guard_rules_builtin(struct ag_guard_rules *r, struct ag_err *err);

/* ---- the engine ---- */
struct ag_guard;
struct ag_guard_scratch;

/* Compile the detectors and r's rules.  g takes over r (r is left empty).
 * AG_EPARSE names the rule whose pattern Vectorscan refused. */
int ag_guard_new(struct ag_guard **g, struct ag_guard_rules *r, struct ag_err *err);
/* ag_guard_new choosing how to scan: AUTO is the best for this processor
 * (Vectorscan's own choice, except on AMD processors before Zen 3, whose
 * PEXT is slow: see guard.c); HOST always Vectorscan's; NO_PEXT its
 * variant without PEXT where the library has one (the tests compare the
 * two). */
enum { AG_GUARD_SCANNER_AUTO, AG_GUARD_SCANNER_HOST, AG_GUARD_SCANNER_NO_PEXT };
struct ag_guard_opts {
	int scanner;           /* AG_GUARD_SCANNER_* */
	/* Keep the compiled databases here (a directory, made 0700 if
	 * missing, that only this user may write), keyed by the rules, the
	 * processor and the Vectorscan version: a later ag_guard_new_with
	 * with the same rules loads them in milliseconds instead of compiling
	 * them for seconds.  A damaged entry is compiled again; a directory
	 * that cannot be used only costs the compile.  NULL: always compile. */
	const char *cache_dir;
	const struct ag_logger *log; /* why the cache was not used (INFO); may be NULL */
};
int ag_guard_new_with(struct ag_guard **g, struct ag_guard_rules *r,
		      const struct ag_guard_opts *o, struct ag_err *err);
/* Which scan routine g uses (static text). */
const char *ag_guard_scanner(const struct ag_guard *g);
void ag_guard_free(struct ag_guard *g);
const struct ag_guard_rules *ag_guard_rules(const struct ag_guard *g);
/* Per-thread scan memory. */
int ag_guard_scratch_new(const struct ag_guard *g, struct ag_guard_scratch **s,
			 struct ag_err *err);
void ag_guard_scratch_free(struct ag_guard_scratch *s);

struct ag_guard_finding {
	int type;           /* enum ag_guard_type */
	size_t start, end;  /* byte offsets into the original text, end exclusive */
	double score;       /* confidence 0..1 */
};

struct ag_guard_hit {
	const struct ag_guard_rule *rule; /* borrowed from the guard */
	bool decoded;       /* fired inside a base64/hex/URL-encoded payload */
};

enum ag_guard_action { AG_GUARD_ALLOW, AG_GUARD_REDACT, AG_GUARD_BLOCK, AG_GUARD_HANDOFF };
const char *ag_guard_action_name(int action); /* "allow", ... */

struct ag_guard_result {
	struct ag_guard_finding *findings; /* by start; no two overlap */
	size_t nfindings;
	struct ag_guard_hit *hits;         /* each rule at most once */
	size_t nhits;
	double block_score;     /* noisy-OR of the block rules that fired */
	size_t decoded_payloads; /* encoded runs decoded and screened again */
	bool needs_disclosure;  /* a recommendation without the disclosure */
	bool handoff;
	int action;             /* enum ag_guard_action: block > handoff > redact > allow */
};

/*
 * Scan text[0..len) (must be valid UTF-8: check with ag_utf8_valid first;
 * AG_EINVAL otherwise) as coming from `source`.  Findings, hits and the
 * action go to *r, allocated from a.  Thread-safe with one scratch per
 * thread.  Inputs of 4 GiB or more are AG_ERANGE: split them.
 */
int ag_guard_scan(const struct ag_guard *g, struct ag_guard_scratch *s, const char *text,
		  size_t len, int source, struct ag_arena *a, struct ag_guard_result *r,
		  struct ag_err *err);

/* ---- redaction ---- */
enum ag_guard_op {
	AG_GUARD_OP_KEEP,  /* leave the value */
	AG_GUARD_OP_MASK,  /* letters and digits -> '*' (cards and accounts keep the last 4) */
	AG_GUARD_OP_TAG,   /* <TW_NATIONAL_ID> */
	AG_GUARD_OP_HASH,  /* <TW_NATIONAL_ID:1f3a...> keyed BLAKE2b: a stable pseudonym */
	AG_GUARD_OP_TOKEN  /* <TW_NATIONAL_ID#...> XChaCha20-Poly1305: restorable */
};
/* "keep", "mask", "tag", "hash", "token" -> op, or -1. */
int ag_guard_op_from_name(const char *name, size_t len);

struct ag_guard_redactor {
	int op[AG_GUARD_NTYPES];
	bool keyed;
	unsigned char hash_key[32];  /* derived from the master key */
	unsigned char token_key[32];
	unsigned char nonce_key[32]; /* token nonces: keyed hash of the value (SIV-like) */
};

/* Every type gets `op`; no key yet (hash and token need one). */
void ag_guard_redactor_init(struct ag_guard_redactor *rd, int op);
/* "tag" or "tag,CREDIT_CARD=mask,EMAIL=keep": the first bare word sets
 * every type.  AG_EINVAL with a message naming the bad part. */
int ag_guard_redactor_parse(struct ag_guard_redactor *rd, const char *spec, struct ag_err *err);
/* Derive the hash, token and nonce keys from a 32-byte master key
 * (libsodium crypto_kdf, context "agguard1", subkeys 1, 2, 3).  Tokens are
 * deterministic: the same value under the same key gives the same token,
 * which tells equal values apart from different ones and nothing more. */
int ag_guard_redactor_set_key(struct ag_guard_redactor *rd, const unsigned char *key,
			      size_t len, struct ag_err *err);
/* Wipe the keys. */
void ag_guard_redactor_release(struct ag_guard_redactor *rd);
/* Append text with the findings replaced to out.  AG_EINVAL when an op
 * needs a key that was not set. */
int ag_guard_redact(const struct ag_guard_redactor *rd, const char *text, size_t len,
		    const struct ag_guard_finding *f, size_t n, struct ag_buf *out,
		    struct ag_err *err);
/* Replace every <TYPE#token> made with the same key by its original.
 * Tokens that do not decrypt are left as they are and counted in
 * *failed (may be NULL). */
int ag_guard_restore(const struct ag_guard_redactor *rd, const char *text, size_t len,
		     struct ag_buf *out, size_t *failed, struct ag_err *err);

/* The disclosure to append to text (zh-TW when the text has CJK). */
const char *ag_guard_disclosure(const struct ag_guard *g, const char *text, size_t len);

#endif
