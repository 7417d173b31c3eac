/* The gateway's ledger writer, with group commit: see journal.h. */
#include "journal.h"

#include "aigov/ledger.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One queued entry, its strings in the same allocation (text). */
struct entry {
	struct entry *next;
	const char *action, *subject, *payload; /* into text */
	size_t payload_len;
	char text[];
};

struct gw_journal {
	struct ag_workspace *ws;          /* borrowed */
	const struct ag_logger *log;
	long linger_ns;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t queued, committed; /* writer waits on queued, callers on committed */
	struct entry *head, **tail;       /* FIFO, under mu */
	struct timespec head_due;         /* head's commit at the latest, CLOCK_MONOTONIC; under mu */
	uint64_t last_ticket, done_ticket; /* under mu */
	uint64_t wanted_ticket;           /* the newest one a caller waits for; under mu */
	bool stopping;
};

static void free_entries(struct entry *e)
{
	while (e) {
		struct entry *next = e->next;

		free(e);
		e = next;
	}
}

/* Append a batch in one transaction.  The payloads are the gateway's own
 * JSON, so a refusal means the store failed: the batch is rolled back
 * whole and logged (the gateway's answers do not depend on it), and its
 * waiters are released all the same. */
static void write_batch(struct gw_journal *j, const struct entry *batch)
{
	struct ag_err err;
	size_t n = 0;
	int rc;

	ag_err_clear(&err);
	rc = ag_store_begin(j->ws->store, true, &err);
	for (const struct entry *e = batch; !rc && e; e = e->next) {
		struct ag_ledger_event ev = { "system:aigov-gateway", e->action, e->subject,
					      e->payload, e->payload_len };

		rc = ag_ledger_record(j->ws->ledger, &ev, NULL, &err);
	}
	if (!rc)
		rc = ag_store_commit(j->ws->store, &err);
	else
		ag_store_rollback(j->ws->store);
	if (rc) {
		for (const struct entry *e = batch; e; e = e->next)
			n++;
		ag_log(j->log, AG_LOG_ERROR, "gateway", "ledger: %zu decisions not recorded: %s",
		       n, err.msg[0] ? err.msg : "out of memory");
	}
}

/* Whether the queue is to be committed now: someone waits for an entry in
 * it, the gateway stops, or its oldest entry has lingered long enough.
 * Otherwise waits on queued until one of these may have become true.
 * Called and returns with mu held. */
static bool due(struct gw_journal *j)
{
	if (j->stopping || (j->head && j->wanted_ticket > j->done_ticket))
		return true;
	if (!j->head) {
		pthread_cond_wait(&j->queued, &j->mu);
		return false;
	}
	return pthread_cond_timedwait(&j->queued, &j->mu, &j->head_due) != 0; /* ETIMEDOUT */
}

static void *writer(void *arg)
{
	struct gw_journal *j = arg;

	pthread_mutex_lock(&j->mu);
	for (;;) {
		struct entry *batch;
		uint64_t upto;

		while (!due(j))
			;
		if (!j->head)
			break; /* stopping, and nothing left */
		batch = j->head;
		upto = j->last_ticket;
		j->head = NULL;
		j->tail = &j->head;
		pthread_mutex_unlock(&j->mu);
		write_batch(j, batch);
		free_entries(batch);
		pthread_mutex_lock(&j->mu);
		j->done_ticket = upto;
		pthread_cond_broadcast(&j->committed);
	}
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

int gw_journal_start(struct gw_journal **out, struct ag_workspace *ws, unsigned linger_us,
		     const struct ag_logger *log, struct ag_err *err)
{
	struct gw_journal *j = calloc(1, sizeof(*j));
	pthread_condattr_t ca;

	*out = NULL;
	if (!j)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	j->ws = ws;
	j->log = log;
	j->linger_ns = (long)linger_us * 1000L;
	j->tail = &j->head;
	pthread_mutex_init(&j->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* the linger deadline's clock */
	pthread_cond_init(&j->queued, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&j->committed, NULL);
	if (pthread_create(&j->thread, NULL, writer, j)) {
		pthread_cond_destroy(&j->committed);
		pthread_cond_destroy(&j->queued);
		pthread_mutex_destroy(&j->mu);
		free(j);
		return ag_err_set(err, AG_EIO, "cannot start the ledger writer thread");
	}
	*out = j;
	return 0;
}

uint64_t gw_journal_add(struct gw_journal *j, const char *action, const char *subject,
			const char *payload, size_t payload_len)
{
	size_t alen = strlen(action) + 1, slen = strlen(subject) + 1;
	struct entry *e = payload_len < SIZE_MAX - sizeof(*e) - alen - slen - 1
				  ? malloc(sizeof(*e) + alen + slen + payload_len + 1) : NULL;
	uint64_t ticket = 0;

	if (!e) {
		ag_log(j->log, AG_LOG_ERROR, "gateway", "ledger: out of memory; a decision was not recorded");
		return 0;
	}
	e->next = NULL;
	e->action = memcpy(e->text, action, alen);
	e->subject = memcpy(e->text + alen, subject, slen);
	e->payload = memcpy(e->text + alen + slen, payload, payload_len);
	e->text[alen + slen + payload_len] = '\0';
	e->payload_len = payload_len;
	pthread_mutex_lock(&j->mu);
	if (!j->stopping) {
		if (!j->head) {
			struct timespec *d = &j->head_due;

			clock_gettime(CLOCK_MONOTONIC, d);
			d->tv_sec += j->linger_ns / 1000000000L;
			d->tv_nsec += j->linger_ns % 1000000000L;
			if (d->tv_nsec >= 1000000000L) {
				d->tv_sec++;
				d->tv_nsec -= 1000000000L;
			}
			pthread_cond_signal(&j->queued); /* the writer starts the linger */
		}
		*j->tail = e;
		j->tail = &e->next;
		ticket = ++j->last_ticket;
		e = NULL;
	}
	pthread_mutex_unlock(&j->mu);
	if (e) {
		free_entries(e);
		ag_log(j->log, AG_LOG_ERROR, "gateway", "ledger: stopping; a decision was not recorded");
	}
	return ticket;
}

void gw_journal_wait(struct gw_journal *j, uint64_t ticket)
{
	if (!j || !ticket)
		return;
	pthread_mutex_lock(&j->mu);
	if (j->done_ticket < ticket && j->wanted_ticket < ticket) {
		j->wanted_ticket = ticket;
		pthread_cond_signal(&j->queued); /* commit now */
	}
	while (j->done_ticket < ticket)
		pthread_cond_wait(&j->committed, &j->mu);
	pthread_mutex_unlock(&j->mu);
}

void gw_journal_stop(struct gw_journal *j)
{
	if (!j)
		return;
	pthread_mutex_lock(&j->mu);
	j->stopping = true;
	pthread_cond_signal(&j->queued);
	pthread_mutex_unlock(&j->mu);
	pthread_join(j->thread, NULL);
	pthread_cond_destroy(&j->committed);
	pthread_cond_destroy(&j->queued);
	pthread_mutex_destroy(&j->mu);
	free(j);
}
