/*
 * Private to src/gateway: the gateway's ledger writer.  Decisions come from
 * many connection threads; one SQLite (or PostgreSQL) commit with its
 * fsync per decision would serialise them at the disk's pace (0.3 to
 * 1.5 ms each on the VMs measured).  The journal queues them and a writer
 * thread appends every queued entry in one transaction (group commit), so
 * that one fsync serves all the decisions that arrived meanwhile.
 *
 * A caller that must not go on before its entry is durable (the gateway
 * waits before an answer leaves) waits for the ticket gw_journal_add gave;
 * the wait starts a commit.  An entry nobody waits for lingers up to
 * linger_us first, so that a later wait takes it along: the request's
 * entry goes with the answer's, one fsync per exchange instead of two
 * when the upstream answers quickly.
 *
 * Ownership: gw_journal_start borrows the workspace (the caller frees it
 * after gw_journal_stop); gw_journal_add copies its strings.
 */
#ifndef AIGOV_GATEWAY_JOURNAL_H
#define AIGOV_GATEWAY_JOURNAL_H

#include "aigov/err.h"
#include "aigov/log.h"
#include "aigov/workspace.h"

#include <stddef.h>
#include <stdint.h>

struct gw_journal;

/* How long the gateway lets an entry nobody waits for linger: a request's,
 * while a slow upstream answers, or a stream's last decision. */
#define GW_JOURNAL_LINGER_US 2000u

/* The writer thread for ws's ledger.  AG_ENOMEM, or AG_EIO when the thread
 * cannot start. */
int gw_journal_start(struct gw_journal **out, struct ag_workspace *ws, unsigned linger_us,
		     const struct ag_logger *log, struct ag_err *err);

/* Queue one entry of actor system:aigov-gateway; its ticket, or 0 when it
 * could not be queued (out of memory, or stopping; logged).  Committed at
 * the latest linger_us later, or when someone waits for it. */
uint64_t gw_journal_add(struct gw_journal *j, const char *action, const char *subject,
			const char *payload, size_t payload_len);

/* Commits now what is queued up to ticket, unless that is under way, and
 * waits until the entry of ticket (and every one before it) was committed,
 * or its transaction failed (logged).  Returns at once for ticket 0. */
void gw_journal_wait(struct gw_journal *j, uint64_t ticket);

/* Commits what is queued, stops the thread, frees the journal.  NULL is a
 * no-op. */
void gw_journal_stop(struct gw_journal *j);

#endif
