/* Exact capped frequency table; see include/aigov/sketch.h. */
#include "aigov/sketch.h"

#include <stdlib.h>
#include <string.h>

int ag_freq_init(struct ag_freq *f, size_t cap)
{
	memset(f, 0, sizeof(*f));
	f->cap = cap ? cap : 1;
	/* Start small (a file may have thousands of columns) and double
	 * while more than half full; a power of two, so probes use a mask. */
	f->nslots = 16;
	f->slots = calloc(f->nslots, sizeof(*f->slots));
	return f->slots ? 0 : -1;
}

void ag_freq_release(struct ag_freq *f)
{
	free(f->slots);
	memset(f, 0, sizeof(*f));
}

void ag_freq_give_up(struct ag_freq *f)
{
	free(f->slots);
	f->slots = NULL;
	f->overflow = true;
}

/* Find h's slot, or the empty slot where it belongs. */
static struct ag_freq_entry *find(const struct ag_freq *f, uint64_t h)
{
	size_t mask = f->nslots - 1;
	size_t i = (size_t)h & mask;

	while (f->slots[i].hash && f->slots[i].hash != h)
		i = (i + 1) & mask;
	return &f->slots[i];
}

static bool grow(struct ag_freq *f)
{
	size_t nslots = f->nslots * 2;
	struct ag_freq_entry *old = f->slots, *ns = calloc(nslots, sizeof(*ns));
	size_t old_n = f->nslots;

	if (!ns)
		return false;
	f->slots = ns;
	f->nslots = nslots;
	for (size_t i = 0; i < old_n; i++)
		if (old[i].hash)
			*find(f, old[i].hash) = old[i];
	free(old);
	return true;
}

/* s holds min(len, AG_FREQ_SAMPLE) bytes of a value len bytes long.
 * Returns the value's entry, or NULL when it is new and does not fit. */
static struct ag_freq_entry *add_entry(struct ag_freq *f, uint64_t h,
				       const char *s, size_t len, uint64_t count,
				       bool numeric, double num)
{
	struct ag_freq_entry *e;

	if (!f->slots)
		return NULL;
	if (!h)
		h = 1;
	e = find(f, h);
	if (e->hash) {
		e->count += count;
		return e;
	}
	if (f->n == f->cap)
		return NULL;
	if ((f->n + 1) * 2 > f->nslots) {
		if (!grow(f))
			return NULL;
		e = find(f, h);
	}
	e->hash = h;
	e->count = count;
	e->numeric = numeric;
	e->num = num;
	e->len = len > UINT16_MAX ? UINT16_MAX : (uint16_t)len;
	memcpy(e->sample, s, len < AG_FREQ_SAMPLE ? len : AG_FREQ_SAMPLE);
	f->n++;
	return e;
}

void ag_freq_add(struct ag_freq *f, uint64_t h, const char *s, size_t len)
{
	if (f->slots && !add_entry(f, h, s, len, 1, false, 0))
		ag_freq_give_up(f);
}

bool ag_freq_try_add(struct ag_freq *f, uint64_t h, const char *s, size_t len,
		     uint64_t count, bool numeric, double num)
{
	return add_entry(f, h, s, len, count, numeric, num) != NULL;
}

struct ag_freq_entry *ag_freq_add_one(struct ag_freq *f, uint64_t h,
				      const char *s, size_t len, bool numeric,
				      double num)
{
	return add_entry(f, h, s, len, 1, numeric, num);
}

void ag_freq_merge(struct ag_freq *f, const struct ag_freq *o)
{
	if (o->overflow) {
		ag_freq_give_up(f);
		return;
	}
	for (size_t i = 0; i < o->nslots && f->slots; i++) {
		const struct ag_freq_entry *e = &o->slots[i];
		if (e->hash && !add_entry(f, e->hash, e->sample, e->len, e->count,
					  e->numeric, e->num))
			ag_freq_give_up(f);
	}
}

static bool before(const struct ag_freq_entry *a, const struct ag_freq_entry *b)
{
	if (a->count != b->count)
		return a->count > b->count;
	return a->hash < b->hash;
}

size_t ag_freq_top(const struct ag_freq *f, struct ag_freq_entry *out, size_t k)
{
	size_t n = 0;

	if (!f->slots || !k)
		return 0;
	/* Insertion into a sorted top-k: k is small (tens). */
	for (size_t i = 0; i < f->nslots; i++) {
		const struct ag_freq_entry *e = &f->slots[i];
		size_t j;

		if (!e->hash)
			continue;
		if (n == k && !before(e, &out[k - 1]))
			continue;
		j = n < k ? n++ : k - 1;
		while (j > 0 && before(e, &out[j - 1])) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = *e;
	}
	return n;
}
