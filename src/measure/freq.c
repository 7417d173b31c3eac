/* Exact capped frequency table; see include/aigov/sketch.h. */
#include "aigov/sketch.h"

#include <stdlib.h>
#include <string.h>

int ag_freq_init(struct ag_freq *f, size_t cap)
{
	memset(f, 0, sizeof(*f));
	f->cap = cap ? cap : 1;
	f->slots = calloc(f->cap * 2, sizeof(*f->slots));
	return f->slots ? 0 : -1;
}

void ag_freq_release(struct ag_freq *f)
{
	free(f->slots);
	memset(f, 0, sizeof(*f));
}

static void give_up(struct ag_freq *f)
{
	free(f->slots);
	f->slots = NULL;
	f->overflow = true;
}

/* s holds min(len, AG_FREQ_SAMPLE) bytes of a value len bytes long. */
static void add_count(struct ag_freq *f, uint64_t h, const char *s, size_t len,
		      uint64_t count)
{
	size_t nslots = f->cap * 2;
	size_t i;

	if (!f->slots)
		return;
	if (!h)
		h = 1;
	i = (size_t)(h % nslots);
	while (f->slots[i].hash) {
		if (f->slots[i].hash == h) {
			f->slots[i].count += count;
			return;
		}
		if (++i == nslots)
			i = 0;
	}
	if (f->n == f->cap) {
		give_up(f);
		return;
	}
	f->slots[i].hash = h;
	f->slots[i].count = count;
	f->slots[i].len = len > UINT16_MAX ? UINT16_MAX : (uint16_t)len;
	memcpy(f->slots[i].sample, s, len < AG_FREQ_SAMPLE ? len : AG_FREQ_SAMPLE);
	f->n++;
}

void ag_freq_add(struct ag_freq *f, uint64_t h, const char *s, size_t len)
{
	add_count(f, h, s, len, 1);
}

void ag_freq_merge(struct ag_freq *f, const struct ag_freq *o)
{
	if (o->overflow) {
		give_up(f);
		return;
	}
	for (size_t i = 0; i < o->cap * 2 && f->slots; i++) {
		const struct ag_freq_entry *e = &o->slots[i];
		if (e->hash)
			add_count(f, e->hash, e->sample, e->len, e->count);
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
	for (size_t i = 0; i < f->cap * 2; i++) {
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
