/*
 * The read cache (internal.h).  Reads of the inventory, gaps, vendors,
 * cases and statistics rebuild the same JSON from the same rows on every
 * request (the gap report alone runs thousands of statements): a busy
 * dashboard would spend its time there.  An entry is the exact body one
 * such read produced, with the ledger size of the snapshot it was read
 * in; it is served only while the ledger has that size (every change
 * appends an entry, so any write, by the server or by the CLI, is seen at
 * the next request) and for CACHE_TTL_US, because some statuses
 * (overdue, due) change with the clock alone; past that, while one request
 * makes it afresh, the others get the old body (for at most another
 * CACHE_TTL_US).
 *
 * Bodies are reference-counted so that the copy into a response happens
 * outside the mutex.  Large ones are also kept gzip-compressed, made once
 * per entry rather than once per response.
 */
#include "internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct cache_body {
	_Atomic unsigned refs;
	char *gz;       /* gzip form, or NULL */
	size_t gz_len;
	size_t len;
	char data[];
};

static void body_unref(struct cache_body *b)
{
	if (b && atomic_fetch_sub(&b->refs, 1) == 1) {
		free(b->gz);
		free(b);
	}
}

/* b's gzip form (level 1: fast, and JSON still shrinks ~10x); none when
 * out of memory or not smaller. */
static void compress_body(struct cache_body *b)
{
	z_stream z;
	uLong cap = compressBound((uLong)b->len) + 32;
	char *out;

	if (b->len < CACHE_GZIP_MIN || b->len > UINT32_MAX || !(out = malloc(cap)))
		return;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(out);
		return;
	}
	z.next_in = (Bytef *)b->data;
	z.avail_in = (uInt)b->len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out < b->len) {
		b->gz = out;
		b->gz_len = z.total_out;
	} else {
		free(out);
	}
	deflateEnd(&z);
}

void cache_init(struct api_cache *c)
{
	memset(c->slot, 0, sizeof(c->slot));
	c->bytes = 0;
	atomic_init(&c->hits, 0);
	atomic_init(&c->misses, 0);
	memset(c->cred, 0, sizeof(c->cred));
	randombytes_buf(c->cred_key, sizeof(c->cred_key));
	pthread_mutex_init(&c->mu, NULL);
}

void cache_destroy(struct api_cache *c)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		body_unref(c->slot[i].body);
	sodium_memzero(c->cred, sizeof(c->cred));
	sodium_memzero(c->cred_key, sizeof(c->cred_key));
	pthread_mutex_destroy(&c->mu);
}

/* Empty slot i (mutex held). */
static void drop(struct api_cache *c, size_t i)
{
	if (c->slot[i].body)
		c->bytes -= c->slot[i].body->len + c->slot[i].body->gz_len;
	body_unref(c->slot[i].body);
	memset(&c->slot[i], 0, sizeof(c->slot[i]));
}

enum verdict { USE, REBUILD, DROP };

/* What slot s is to a request for a ledger of size head at now (mutex
 * held).  Past its time but with the same ledger, the first asker makes it
 * afresh (REBUILD) while the others are answered with it a little longer:
 * one rebuild, not one per worker, and no stall for the rest. */
static enum verdict judge(struct cache_slot *s, uint64_t head, int64_t now)
{
	int64_t age = now - s->made;

	if (s->head != head || age < 0 || age >= 2 * CACHE_TTL_US)
		return DROP;
	if (age < CACHE_TTL_US || s->refreshing)
		return USE;
	s->refreshing = true;
	return REBUILD;
}

bool cache_get(struct api_cache *c, const char *key, uint64_t head, int64_t now, bool gzip,
	       struct ag_buf *out, bool *gzipped)
{
	struct cache_body *b = NULL;
	bool ok;

	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < CACHE_SLOTS && !b; i++) {
		if (!c->slot[i].body || strcmp(c->slot[i].key, key))
			continue;
		switch (judge(&c->slot[i], head, now)) {
		case USE:
			b = c->slot[i].body;
			atomic_fetch_add(&b->refs, 1);
			break;
		case DROP:
			drop(c, i);
			break;
		default:
			break;
		}
		break;
	}
	pthread_mutex_unlock(&c->mu);
	if (!b) {
		atomic_fetch_add(&c->misses, 1);
		return false;
	}
	ag_buf_reset(out);
	*gzipped = gzip && b->gz;
	ok = (*gzipped ? ag_buf_add(out, b->gz, b->gz_len) : ag_buf_add(out, b->data, b->len)) == 0;
	body_unref(b);
	atomic_fetch_add(ok ? &c->hits : &c->misses, 1);
	return ok;
}

/* key's slot if it has one, else a free one, else the oldest (mutex held). */
static size_t pick_slot(const struct api_cache *c, const char *key)
{
	size_t free_slot = CACHE_SLOTS, oldest = 0;

	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		const struct cache_slot *s = &c->slot[i];
		if (!s->body) {
			if (free_slot == CACHE_SLOTS)
				free_slot = i;
		} else if (!strcmp(s->key, key)) {
			return i;
		} else if (s->made < c->slot[oldest].made) {
			oldest = i;
		}
	}
	return free_slot < CACHE_SLOTS ? free_slot : oldest;
}

void cache_put(struct api_cache *c, const char *key, uint64_t head, int64_t now,
	       const char *body, size_t len)
{
	struct cache_body *b;
	size_t slot;

	if (strlen(key) >= sizeof(c->slot[0].key) || len > CACHE_MAX_BODY ||
	    !(b = malloc(sizeof(*b) + len)))
		return;
	atomic_init(&b->refs, 1);
	b->gz = NULL;
	b->gz_len = 0;
	b->len = len;
	memcpy(b->data, body, len);
	compress_body(b);
	pthread_mutex_lock(&c->mu);
	slot = pick_slot(c, key);
	drop(c, slot);
	/* Within the byte budget: the oldest go first. */
	while (c->bytes + len + b->gz_len > CACHE_MAX_BYTES) {
		size_t old = CACHE_SLOTS;
		for (size_t i = 0; i < CACHE_SLOTS; i++)
			if (c->slot[i].body && (old == CACHE_SLOTS || c->slot[i].made < c->slot[old].made))
				old = i;
		if (old == CACHE_SLOTS)
			break;
		drop(c, old);
	}
	memcpy(c->slot[slot].key, key, strlen(key) + 1);
	c->slot[slot].head = head;
	c->slot[slot].made = now;
	c->slot[slot].body = b;
	c->bytes += len + b->gz_len;
	pthread_mutex_unlock(&c->mu);
}

/* ---- credentials ---- */

/* The credential's keyed BLAKE2b; its first bytes also pick its slot
 * (direct-mapped: a collision replaces, which costs a store lookup, never a
 * wrong answer, as the whole digest is compared).  Keyed with a secret made
 * at start, so the slot tells nothing about the credential. */
static size_t cred_digest(const struct api_cache *c, const char *credential, size_t len,
			  unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)credential, len, c->cred_key,
			   sizeof(c->cred_key));
	return ((size_t)out[0] | (size_t)out[1] << 8) % CRED_SLOTS;
}

bool cache_who_get(struct api_cache *c, const char *credential, size_t len, uint64_t head,
		   int64_t now, const char *stamp, struct ag_identity *who)
{
	unsigned char d[32];
	size_t i = cred_digest(c, credential, len, d);
	struct cred_slot *s = &c->cred[i];
	bool found = false;

	pthread_mutex_lock(&c->mu);
	if (s->made && !sodium_memcmp(s->digest, d, sizeof(d))) {
		found = s->head == head && now >= s->made && now - s->made < CACHE_TTL_US &&
			strcmp(s->who.expires_at, stamp) > 0;
		if (found)
			*who = s->who;
		else
			sodium_memzero(s, sizeof(*s));
	}
	pthread_mutex_unlock(&c->mu);
	return found;
}

void cache_who_put(struct api_cache *c, const char *credential, size_t len, uint64_t head,
		   int64_t now, const struct ag_identity *who)
{
	unsigned char d[32];
	struct cred_slot *s = &c->cred[cred_digest(c, credential, len, d)];

	pthread_mutex_lock(&c->mu);
	memcpy(s->digest, d, sizeof(d));
	s->head = head;
	s->made = now;
	s->who = *who;
	pthread_mutex_unlock(&c->mu);
	sodium_memzero(d, sizeof(d));
}
