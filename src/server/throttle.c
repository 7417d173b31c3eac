/*
 * Log-in throttling and request metrics (internal.h).  Both in memory:
 * a restart forgets them, which is what a throttle of online guessing
 * needs (the argon2id cost bounds offline guessing; nothing here is a
 * record).
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

void throttle_init(struct api_throttle *t)
{
	memset(t->slot, 0, sizeof(t->slot));
	pthread_mutex_init(&t->mu, NULL);
}

void throttle_destroy(struct api_throttle *t)
{
	pthread_mutex_destroy(&t->mu);
}

/* The slot of key, or NULL (mutex held). */
static struct throttle_slot *find(struct api_throttle *t, const char *key)
{
	for (size_t i = 0; i < THROTTLE_SLOTS; i++)
		if (t->slot[i].key[0] && !strcmp(t->slot[i].key, key))
			return &t->slot[i];
	return NULL;
}

unsigned throttle_wait(struct api_throttle *t, const char *key, unsigned limit, int64_t now_s)
{
	struct throttle_slot *s;
	unsigned wait = 0;

	pthread_mutex_lock(&t->mu);
	s = find(t, key);
	if (s && now_s - s->since >= THROTTLE_WINDOW)
		s->key[0] = '\0';
	else if (s && s->fails >= limit)
		wait = (unsigned)(s->since + THROTTLE_WINDOW - now_s);
	pthread_mutex_unlock(&t->mu);
	return wait;
}

void throttle_fail(struct api_throttle *t, const char *key, int64_t now_s)
{
	struct throttle_slot *s;

	pthread_mutex_lock(&t->mu);
	s = find(t, key);
	if (s && now_s - s->since >= THROTTLE_WINDOW)
		s->key[0] = '\0';
	if (!s || !s->key[0]) {
		/* A free slot, else the one whose window began longest ago. */
		struct throttle_slot *oldest = &t->slot[0];
		s = NULL;
		for (size_t i = 0; i < THROTTLE_SLOTS && !s; i++) {
			if (!t->slot[i].key[0])
				s = &t->slot[i];
			else if (t->slot[i].since < oldest->since)
				oldest = &t->slot[i];
		}
		if (!s)
			s = oldest;
		snprintf(s->key, sizeof(s->key), "%s", key);
		s->since = now_s;
		s->fails = 0;
	}
	s->fails++;
	pthread_mutex_unlock(&t->mu);
}

void throttle_clear(struct api_throttle *t, const char *key)
{
	struct throttle_slot *s;

	pthread_mutex_lock(&t->mu);
	if ((s = find(t, key)))
		s->key[0] = '\0';
	pthread_mutex_unlock(&t->mu);
}

void metrics_observe(struct api_metrics *m, unsigned status, int64_t micros)
{
	static const int64_t bound_us[METRIC_BUCKETS - 1] = { 500, 1000, 2500, 5000,
							      10000, 25000, 100000 };
	size_t b = 0;

	while (b < METRIC_BUCKETS - 1 && micros > bound_us[b])
		b++;
	atomic_fetch_add(&m->by_class[status >= 100 && status < 600 ? status / 100 : 0], 1);
	atomic_fetch_add(&m->duration[b], 1);
	atomic_fetch_add(&m->duration_us_sum, (uint64_t)(micros > 0 ? micros : 0));
}
