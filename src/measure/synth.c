/*
 * synth: a deterministic synthetic scoring log (module measure), for the
 * demo's monitoring example and bench/evaluate's generator
 * (aigov-gen-scoring).  See include/aigov/synth.h for the columns.
 * Fields are formatted by hand (no printf per field): 10M rows (about
 * 0.9 GB) take a few seconds.
 */
#include "aigov/synth.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
/* ---- xoshiro256** ---- */
struct gen {
	uint64_t s[4];
	int have;          /* a spare normal deviate is kept */
	double spare;
	FILE *out;
	char obuf[1 << 16];
	size_t olen;
};

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t next(struct gen *g)
{
	uint64_t *s = g->s;
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

static void seed(struct gen *g, uint64_t x)
{
	for (int i = 0; i < 4; i++) { /* splitmix64 */
		uint64_t z = (x += 0x9e3779b97f4a7c15u);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
		g->s[i] = z ^ (z >> 31);
	}
}

static double uniform(struct gen *g) /* [0, 1) */
{
	return (double)(next(g) >> 11) * (1.0 / 9007199254740992.0);
}

static double normal(struct gen *g) /* Marsaglia polar method, one value kept */
{
	double u, v, q;

	if (g->have) {
		g->have = 0;
		return g->spare;
	}
	do {
		u = 2 * uniform(g) - 1;
		v = 2 * uniform(g) - 1;
		q = u * u + v * v;
	} while (q >= 1 || q == 0);
	q = sqrt(-2 * log(q) / q);
	g->spare = v * q;
	g->have = 1;
	return u * q;
}

static unsigned pick(struct gen *g, const double *cum, unsigned n) /* cumulative weights */
{
	double u = uniform(g);
	for (unsigned i = 0; i + 1 < n; i++)
		if (u < cum[i])
			return i;
	return n - 1;
}

/* ---- output ---- */
static void flush(struct gen *g)
{
	fwrite(g->obuf, 1, g->olen, g->out);
	g->olen = 0;
}

static void put(struct gen *g, const char *p, size_t n)
{
	memcpy(g->obuf + g->olen, p, n);
	g->olen += n;
}

static void putc_(struct gen *g, char c)
{
	g->obuf[g->olen++] = c;
}

static void put_u64(struct gen *g, uint64_t v)
{
	char t[24];
	int n = 0;
	do
		t[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		g->obuf[g->olen++] = t[--n];
}

/* v >= 0 with `places` decimals (rounded half up), trailing zeros kept. */
static void put_fixed(struct gen *g, double v, int places)
{
	static const double pow10[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10 };
	uint64_t m = (uint64_t)(v * pow10[places] + 0.5), ip = m, f;
	uint64_t p = (uint64_t)pow10[places];

	ip = m / p;
	f = m % p;
	put_u64(g, ip);
	if (places) {
		char t[16];
		putc_(g, '.');
		for (int i = places - 1; i >= 0; i--, f /= 10)
			t[i] = (char)('0' + f % 10);
		put(g, t, (size_t)places);
	}
}

/* p in (0, 1] with 6 significant digits, trailing zeros dropped (as %.6g
 * for p >= 1e-4, which is every score the model below can produce). */
static void put_score(struct gen *g, double p)
{
	int places = 6;
	for (double t = 0.1; p < t && places < 10; t /= 10)
		places++;
	uint64_t scale = 1;
	for (int i = 0; i < places; i++)
		scale *= 10;
	uint64_t m = (uint64_t)(p * (double)scale + 0.5);
	if (m >= scale) {
		putc_(g, '1');
		return;
	}
	int n = places;
	while (n > 0 && m % 10 == 0) {
		m /= 10;
		n--;
	}
	putc_(g, '0');
	if (!n)
		return;
	putc_(g, '.');
	char t[16];
	for (int i = n - 1; i >= 0; i--, m /= 10)
		t[i] = (char)('0' + m % 10);
	put(g, t, (size_t)n);
}

#define PUTS(g, lit) put(g, lit, sizeof(lit) - 1)

static const char *const sexes[] = { "F", "M" };
static const char *const ages[] = { "18-24", "25-34", "35-49", "50-64", "65+" };
static const char *const regions[] = { "Taipei", "New Taipei", "Taoyuan",
				       "Taichung", "Tainan", "Kaohsiung" };
static const char *const products[] = { "card", "personal", "mortgage", "auto", "sme" };
static const char *const channels[] = { "branch", "online", "mobile", "agent" };

static void puts_(struct gen *g, const char *p)
{
	put(g, p, strlen(p));
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

void ag_synth_options_init(struct ag_synth_options *o)
{
	memset(o, 0, sizeof(*o));
	o->rows = 10000000;
	o->seed = 20261125;
}

int ag_synth_scoring(FILE *out, const struct ag_synth_options *o)
{
	struct gen *g = calloc(1, sizeof(*g));

	if (!g)
		return -1;
	g->out = out;
	seed(g, o->seed);

	double sex_w[] = { 48, 52 }, age_w[] = { 12, 24, 30, 24, 10 },
	       reg_w[] = { 20, 22, 12, 16, 11, 19 },
	       prod_w[] = { 40, 25, 15, 12, 8 }, chan_w[] = { 35, 30, 25, 10 };
	if (o->drift) {
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

	PUTS(g, "label,score,sex,age_band,region,f1,f2,f3,f4,f5,f6,f7,f8,f9,f10\n");
	for (uint64_t r = 0; r < o->rows; r++) {
		unsigned sex = pick(g, sex_w, 2), age = pick(g, age_w, 5), reg = pick(g, reg_w, 6);
		int label = uniform(g) < repay[age];
		/* Score: x ~ N(1.1 label, 1) (AUC ~0.78), calibrated: the score is
		 * P(label 1 | x, age band), logit = prior logit + 1.1 x - 0.605. */
		double z = prior[age] + 1.1 * (1.1 * label + normal(g)) - 0.605;
		if (sex == 0)
			z -= o->bias;
		double score = 1 / (1 + exp(-z));
		/* A per-row latent credit quality shared by the features. */
		double q = 0.8 * (label - 0.7) + 0.6 * normal(g);

		if (g->olen > sizeof(g->obuf) - 512)
			flush(g);
		putc_(g, (char)('0' + label));
		putc_(g, ',');
		put_score(g, score);
		putc_(g, ',');
		puts_(g, sexes[sex]);
		putc_(g, ',');
		puts_(g, ages[age]);
		putc_(g, ',');
		puts_(g, regions[reg]);
		putc_(g, ',');
		/* f1 income */
		double inc = exp(10.8 + 0.15 * q + 0.45 * normal(g)) * (o->drift ? 1.12 : 1);
		put_u64(g, 18000 + (uint64_t)inc);
		putc_(g, ',');
		/* f2 utilization */
		double ut = clamp(0.45 - 0.15 * q + 0.22 * normal(g) + (o->drift ? 0.11 : 0), 0, 1);
		put_fixed(g, ut, 4);
		putc_(g, ',');
		/* f3 months on book */
		put_u64(g, (uint64_t)(next(g) % 361));
		putc_(g, ',');
		/* f4 debt ratio */
		put_fixed(g, clamp(0.35 - 0.1 * q + 0.18 * normal(g), 0, 3), 2);
		putc_(g, ',');
		/* f5 inquiries */
		putc_(g, (char)('0' + (int)clamp(2 - q + 1.5 * normal(g), 0, 9)));
		putc_(g, ',');
		/* f6 product */
		puts_(g, products[pick(g, prod_w, 5)]);
		putc_(g, ',');
		/* f7 balance, 1 % missing */
		if (next(g) % 100)
			put_fixed(g, uniform(g) * uniform(g) * 500000, 2);
		putc_(g, ',');
		/* f8 delinquencies */
		putc_(g, (char)('0' + (int)clamp(0.4 - q + 0.8 * normal(g), 0, 5)));
		putc_(g, ',');
		/* f9 channel */
		puts_(g, channels[pick(g, chan_w, 4)]);
		putc_(g, ',');
		/* f10 bureau score */
		put_fixed(g, clamp(650 + 60 * q + 50 * normal(g) - (o->drift ? 25 : 0), 300, 850), 1);
		putc_(g, '\n');
	}
	flush(g);
	free(g);
	return ferror(out) ? -1 : 0;
}
