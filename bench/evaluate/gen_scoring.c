/*
 * aigov-gen-scoring: deterministic synthetic scoring log for bench/evaluate
 * (`aigov evaluate`).  One row per scored credit application:
 *
 *   label     1 = repaid (the outcome the score predicts), 0 = defaulted;
 *             base rate about 0.70, a little lower for the young bands
 *   score     the model's probability of label 1, in (0, 1), 6 significant
 *             digits, calibrated: with x ~ N(1.1 * label, 1) (two normals
 *             1.1 apart: ROC AUC about Phi(1.1 / sqrt 2) = 0.78), the score
 *             is P(label = 1 | x, age band)
 *   sex       F / M
 *   age_band  18-24, 25-34, 35-49, 50-64, 65+
 *   region    Taipei, New Taipei, Taoyuan, Taichung, Tainan, Kaohsiung
 *   f1..f10   features, loosely tied to the label:
 *             f1  income          integer (lognormal, 18000..)
 *             f2  utilization     decimal, 4 places, [0, 1]
 *             f3  months on book  integer 0..360
 *             f4  debt ratio      decimal, 2 places
 *             f5  inquiries (6m)  integer 0..9
 *             f6  product         categorical: card, personal, mortgage, auto, sme
 *             f7  balance         decimal, 2 places; 1 % missing (empty)
 *             f8  delinquencies   integer 0..5
 *             f9  channel         categorical: branch, online, mobile, agent
 *             f10 bureau score    decimal, 1 place, 300..850
 *
 *   aigov-gen-scoring [--rows N] [--seed S] [--drift] [--bias [SHIFT]] > log.csv
 *
 * --rows N     rows (default 10,000,000)
 * --seed S     PRNG seed (xoshiro256** seeded by splitmix64; no libc rand):
 *              the same arguments always give the same bytes
 * --drift      the "current month": f1 incomes 12 % higher, f2 utilization
 *              up (beta-like shift), f6 more "card" and fewer "mortgage",
 *              f9 more "mobile", f10 20 points lower; labels and scores
 *              are drawn as without --drift, so only features drift
 * --bias [SHIFT]  a known bias against one protected group: rows with
 *              sex=F get their score's logit lowered by SHIFT (default 0.8)
 *              with their labels unchanged, so at the 0.5 threshold F's
 *              selection rate (and TPR and FPR) drops while the base rate
 *              stays: statistical parity difference and disparate impact
 *              (about 0.55 with the default, below the four-fifths line)
 *              show it, with the other attributes close to parity
 *
 * Fields are formatted by hand (no printf per field): generating 10M rows
 * (about 0.9 GB) takes a few seconds.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- xoshiro256** ---- */
static uint64_t s[4];

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t next(void)
{
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

static void seed(uint64_t x)
{
	for (int i = 0; i < 4; i++) { /* splitmix64 */
		uint64_t z = (x += 0x9e3779b97f4a7c15u);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
		s[i] = z ^ (z >> 31);
	}
}

static double uniform(void) /* [0, 1) */
{
	return (double)(next() >> 11) * (1.0 / 9007199254740992.0);
}

static double normal(void) /* Marsaglia polar method, one value kept */
{
	static int have;
	static double spare;
	double u, v, q;

	if (have) {
		have = 0;
		return spare;
	}
	do {
		u = 2 * uniform() - 1;
		v = 2 * uniform() - 1;
		q = u * u + v * v;
	} while (q >= 1 || q == 0);
	q = sqrt(-2 * log(q) / q);
	spare = v * q;
	have = 1;
	return u * q;
}

static unsigned pick(const double *cum, unsigned n) /* cumulative weights */
{
	double u = uniform();
	for (unsigned i = 0; i + 1 < n; i++)
		if (u < cum[i])
			return i;
	return n - 1;
}

/* ---- output ---- */
static char obuf[1 << 20];
static size_t olen;

static void flush(void)
{
	fwrite(obuf, 1, olen, stdout);
	olen = 0;
}

static void put(const char *p, size_t n)
{
	memcpy(obuf + olen, p, n);
	olen += n;
}

static void putc_(char c)
{
	obuf[olen++] = c;
}

static void put_u64(uint64_t v)
{
	char t[24];
	int n = 0;
	do
		t[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		obuf[olen++] = t[--n];
}

/* v >= 0 with `places` decimals (rounded half up), trailing zeros kept. */
static void put_fixed(double v, int places)
{
	static const double pow10[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10 };
	uint64_t m = (uint64_t)(v * pow10[places] + 0.5), ip = m, f;
	uint64_t p = (uint64_t)pow10[places];

	ip = m / p;
	f = m % p;
	put_u64(ip);
	if (places) {
		char t[16];
		putc_('.');
		for (int i = places - 1; i >= 0; i--, f /= 10)
			t[i] = (char)('0' + f % 10);
		put(t, (size_t)places);
	}
}

/* p in (0, 1] with 6 significant digits, trailing zeros dropped (as %.6g
 * for p >= 1e-4, which is every score the model below can produce). */
static void put_score(double p)
{
	int places = 6;
	for (double t = 0.1; p < t && places < 10; t /= 10)
		places++;
	uint64_t scale = 1;
	for (int i = 0; i < places; i++)
		scale *= 10;
	uint64_t m = (uint64_t)(p * (double)scale + 0.5);
	if (m >= scale) {
		putc_('1');
		return;
	}
	int n = places;
	while (n > 0 && m % 10 == 0) {
		m /= 10;
		n--;
	}
	putc_('0');
	if (!n)
		return;
	putc_('.');
	char t[16];
	for (int i = n - 1; i >= 0; i--, m /= 10)
		t[i] = (char)('0' + m % 10);
	put(t, (size_t)n);
}

#define PUTS(lit) put(lit, sizeof(lit) - 1)

static const char *const sexes[] = { "F", "M" };
static const char *const ages[] = { "18-24", "25-34", "35-49", "50-64", "65+" };
static const char *const regions[] = { "Taipei", "New Taipei", "Taoyuan",
				       "Taichung", "Tainan", "Kaohsiung" };
static const char *const products[] = { "card", "personal", "mortgage", "auto", "sme" };
static const char *const channels[] = { "branch", "online", "mobile", "agent" };

static void puts_(const char *p)
{
	put(p, strlen(p));
}

static void cumulate(double *w, unsigned n)
{
	double t = 0, c = 0;
	for (unsigned i = 0; i < n; i++)
		t += w[i];
	for (unsigned i = 0; i < n; i++)
		w[i] = (c += w[i]) / t;
}

static double clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

int main(int argc, char **argv)
{
	uint64_t rows = 10000000, sd = 20261125;
	int drift = 0;
	double bias = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rows") && i + 1 < argc)
			rows = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			sd = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--drift"))
			drift = 1;
		else if (!strcmp(argv[i], "--bias")) {
			bias = 0.8;
			if (i + 1 < argc && argv[i + 1][0] != '-')
				bias = strtod(argv[++i], NULL);
		} else {
			fprintf(stderr, "usage: aigov-gen-scoring [--rows N] [--seed S] [--drift] "
					"[--bias [SHIFT]] > log.csv\n");
			return 2;
		}
	}
	seed(sd);

	double sex_w[] = { 48, 52 }, age_w[] = { 12, 24, 30, 24, 10 },
	       reg_w[] = { 20, 22, 12, 16, 11, 19 },
	       prod_w[] = { 40, 25, 15, 12, 8 }, chan_w[] = { 35, 30, 25, 10 };
	if (drift) {
		prod_w[0] = 48; /* more cards, fewer mortgages */
		prod_w[2] = 8;
		chan_w[2] = 38; /* more mobile */
	}
	cumulate(sex_w, 2);
	cumulate(age_w, 5);
	cumulate(reg_w, 6);
	cumulate(prod_w, 5);
	cumulate(chan_w, 4);
	/* Repayment rate by age band: younger applicants repay a bit less. */
	static const double repay[] = { 0.62, 0.68, 0.72, 0.73, 0.70 };
	double prior[5];
	for (int i = 0; i < 5; i++)
		prior[i] = log(repay[i] / (1 - repay[i]));

	PUTS("label,score,sex,age_band,region,f1,f2,f3,f4,f5,f6,f7,f8,f9,f10\n");
	for (uint64_t r = 0; r < rows; r++) {
		unsigned sex = pick(sex_w, 2), age = pick(age_w, 5), reg = pick(reg_w, 6);
		int label = uniform() < repay[age];
		/* Score: x ~ N(1.1 label, 1) (AUC ~0.78), calibrated: the score is
		 * P(label 1 | x, age band), logit = prior logit + 1.1 x - 0.605. */
		double z = prior[age] + 1.1 * (1.1 * label + normal()) - 0.605;
		if (sex == 0)
			z -= bias;
		double score = 1 / (1 + exp(-z));
		/* A per-row latent credit quality shared by the features. */
		double q = 0.8 * (label - 0.7) + 0.6 * normal();

		if (olen > sizeof(obuf) - 512)
			flush();
		putc_((char)('0' + label));
		putc_(',');
		put_score(score);
		putc_(',');
		puts_(sexes[sex]);
		putc_(',');
		puts_(ages[age]);
		putc_(',');
		puts_(regions[reg]);
		putc_(',');
		/* f1 income */
		double inc = exp(10.8 + 0.15 * q + 0.45 * normal()) * (drift ? 1.12 : 1);
		put_u64(18000 + (uint64_t)inc);
		putc_(',');
		/* f2 utilization */
		double ut = clamp(0.45 - 0.15 * q + 0.22 * normal() + (drift ? 0.08 : 0), 0, 1);
		put_fixed(ut, 4);
		putc_(',');
		/* f3 months on book */
		put_u64((uint64_t)(next() % 361));
		putc_(',');
		/* f4 debt ratio */
		put_fixed(clamp(0.35 - 0.1 * q + 0.18 * normal(), 0, 3), 2);
		putc_(',');
		/* f5 inquiries */
		putc_((char)('0' + (int)clamp(2 - q + 1.5 * normal(), 0, 9)));
		putc_(',');
		/* f6 product */
		puts_(products[pick(prod_w, 5)]);
		putc_(',');
		/* f7 balance, 1 % missing */
		if (next() % 100)
			put_fixed(uniform() * uniform() * 500000, 2);
		putc_(',');
		/* f8 delinquencies */
		putc_((char)('0' + (int)clamp(0.4 - q + 0.8 * normal(), 0, 5)));
		putc_(',');
		/* f9 channel */
		puts_(channels[pick(chan_w, 4)]);
		putc_(',');
		/* f10 bureau score */
		put_fixed(clamp(650 + 60 * q + 50 * normal() - (drift ? 20 : 0), 300, 850), 1);
		putc_('\n');
	}
	flush();
	return ferror(stdout) || fflush(stdout) ? 4 : 0;
}
