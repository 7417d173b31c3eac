/*
 * Validators for Taiwan identifiers and payment cards
 * (include/aigov/guard.h).  The rules and test vectors are in
 * ../shared/docs/GUARD-NOTES.md section 2; the sources are cited there.
 */
#include "aigov/guard.h"

#include <string.h>

static const char *const type_names[AG_GUARD_NTYPES] = {
	"TW_NATIONAL_ID", "TW_RESIDENT_ID", "TW_UBN", "TW_PHONE", "CREDIT_CARD", "BANK_ACCOUNT",
	"EMAIL", "IP_ADDRESS", "PASSPORT", "TW_ADDRESS", "PERSON_NAME", "SECRET",
};

const char *ag_guard_type_name(int type)
{
	return type >= 0 && type < AG_GUARD_NTYPES ? type_names[type] : NULL;
}

int ag_guard_type_from_name(const char *name, size_t len)
{
	for (int i = 0; i < AG_GUARD_NTYPES; i++)
		if (strlen(type_names[i]) == len && !memcmp(type_names[i], name, len))
			return i;
	return -1;
}

static bool all_digits(const char *d, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (d[i] < '0' || d[i] > '9')
			return false;
	return true;
}

/*
 * The letter's two-digit code (A=10 ... Z=33, I=34, O=35): the order
 * string ABCDEFGHJKLMNPQRSTUVXYWZIO lists the letters by code 10..35.
 */
static int letter_code(char c)
{
	static const char order[] = "ABCDEFGHJKLMNPQRSTUVXYWZIO";
	const char *p;

	if (c < 'A' || c > 'Z')
		return -1;
	p = strchr(order, c);
	return p ? 10 + (int)(p - order) : -1;
}

int ag_guard_tw_id_check(const char *s, size_t len)
{
	int code, sum, second;

	if (len != 10 || (code = letter_code(s[0])) < 0 || !all_digits(s + 2, 8))
		return -1;
	sum = code / 10 + (code % 10) * 9;
	if (s[1] >= '0' && s[1] <= '9')
		second = s[1] - '0';
	else if (s[1] >= 'A' && s[1] <= 'D')
		second = letter_code(s[1]) % 10; /* old resident form: A->0 ... D->3 */
	else
		return -1;
	sum += second * 8;
	for (int i = 2; i < 9; i++)
		sum += (s[i] - '0') * (9 - i);
	sum += s[9] - '0';
	if (sum % 10)
		return -1;
	if (s[1] == '1' || s[1] == '2')
		return AG_GUARD_TW_NATIONAL_ID;
	if (s[1] == '8' || s[1] == '9' || (s[1] >= 'A' && s[1] <= 'D'))
		return AG_GUARD_TW_RESIDENT_ID;
	return -1;
}

bool ag_guard_ubn_valid(const char *d, size_t len)
{
	static const int weight[8] = { 1, 2, 1, 2, 1, 2, 4, 1 };
	int sum = 0;

	if (len != 8 || !all_digits(d, 8))
		return false;
	for (int i = 0; i < 8; i++) {
		int p = (d[i] - '0') * weight[i];
		sum += p / 10 + p % 10;
	}
	/* The 7th digit 7 gives 28 -> 2 + 8 = 10, which counts as 1 or 0. */
	return sum % 5 == 0 || (d[6] == '7' && (sum + 1) % 5 == 0);
}

bool ag_guard_luhn_valid(const char *d, size_t len)
{
	int sum = 0;

	if (!len || !all_digits(d, len))
		return false;
	for (size_t i = 0; i < len; i++) {
		int v = d[len - 1 - i] - '0';
		if (i % 2) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return sum % 10 == 0;
}

/* The first n digits as a number. */
static int prefix(const char *d, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (d[i] - '0');
	return v;
}

static bool card_prefix_ok(const char *d, size_t len)
{
	int p2 = prefix(d, 2), p3 = prefix(d, 3), p4 = prefix(d, 4);

	if (d[0] == '4')
		return len == 13 || len == 16 || len == 19;                 /* Visa */
	if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720))
		return len == 16;                                           /* Mastercard */
	if (p2 == 34 || p2 == 37)
		return len == 15;                                           /* Amex */
	if (p4 >= 3528 && p4 <= 3589)
		return len >= 16 && len <= 19;                              /* JCB */
	if (p2 == 62)
		return len >= 16 && len <= 19;                              /* UnionPay */
	if (p4 == 6011 || (p3 >= 644 && p3 <= 649) || p2 == 65)
		return len >= 16 && len <= 19;                              /* Discover */
	if (p2 == 36 || (p3 >= 300 && p3 <= 305))
		return len >= 14 && len <= 19;                              /* Diners */
	if (p4 == 5018 || p4 == 5020 || p4 == 5038 || p4 == 5893 || p4 == 6304 || p4 == 6759 ||
	    (p4 >= 6761 && p4 <= 6763))
		return len >= 12 && len <= 19;                              /* Maestro */
	return false;
}

bool ag_guard_card_valid(const char *d, size_t len)
{
	if (len < 12 || len > 19 || !all_digits(d, len))
		return false;
	return card_prefix_ok(d, len) && ag_guard_luhn_valid(d, len);
}

/* Landline area codes and subscriber lengths (GUARD-NOTES section 2),
 * longest code first so that 037 wins over 03. */
static const struct {
	const char *code;
	size_t sub, sub2; /* accepted subscriber lengths (sub2 0: one only) */
} areas[] = {
	{ "0826", 5, 0 }, { "0836", 5, 0 }, { "037", 6, 0 }, { "049", 7, 0 }, { "089", 6, 0 },
	{ "082", 6, 0 },  { "070", 8, 0 },  { "02", 8, 0 },  { "03", 7, 0 },  { "04", 8, 7 },
	{ "05", 7, 0 },   { "06", 7, 0 },   { "07", 7, 0 },  { "08", 7, 0 },
};

bool ag_guard_tw_phone_valid(const char *d, size_t len)
{
	if (len < 2 || d[0] != '0' || !all_digits(d, len))
		return false;
	if (d[1] == '9')
		return len == 10;
	if (len >= 4 && !memcmp(d, "080", 3) && (d[3] == '0' || d[3] == '9'))
		return false; /* 0800/0809 toll-free: a business, not a person */
	for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++) {
		size_t cl = strlen(areas[i].code);
		if (len > cl && !memcmp(d, areas[i].code, cl))
			return len - cl == areas[i].sub || (areas[i].sub2 && len - cl == areas[i].sub2);
	}
	return false;
}
