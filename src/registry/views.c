/* The JSON forms shared by the CLI and the server (views.h). */
#include "aigov/views.h"

#include <string.h>

void ag_view_gap_report(struct ag_json *j, const struct ag_system *s,
			const struct ag_gap_report *r)
{
	ag_json_begin_object(j);
	ag_json_key(j, "system");
	ag_json_cstr(j, s->id);
	ag_json_key(j, "stage");
	ag_json_cstr(j, ag_stage_ids[s->stage]);
	ag_json_key(j, "tier");
	ag_json_cstr(j, r->tier >= 0 ? ag_tier_ids[r->tier] : NULL);
	ag_json_key(j, "assessment_due");
	ag_json_cstr(j, r->tier >= 0 ? r->assessment_due : NULL);
	ag_json_key(j, "assessment_overdue");
	ag_json_bool(j, r->assessment_overdue);
	ag_json_key(j, "missing");
	ag_json_u64(j, r->missing);
	ag_json_key(j, "overdue");
	ag_json_u64(j, r->overdue);
	ag_json_key(j, "vendor_findings");
	ag_json_begin_array(j);
	for (const char *v = r->vendor_findings; v && *v;) {
		const char *nl = strchr(v, '\n');
		size_t len = nl ? (size_t)(nl - v) : strlen(v);
		ag_json_string(j, v, len);
		v += len + (nl != NULL);
	}
	ag_json_end_array(j);
	ag_json_key(j, "controls");
	ag_json_begin_array(j);
	for (size_t i = 0; i < r->n; i++) {
		const struct ag_gap_item *it = &r->items[i];
		ag_json_begin_object(j);
		ag_json_key(j, "id");
		ag_json_cstr(j, it->control->id);
		ag_json_key(j, "status");
		ag_json_cstr(j, ag_gap_status_ids[it->status]);
		ag_json_key(j, "due");
		ag_json_cstr(j, it->due[0] ? it->due : NULL);
		ag_json_key(j, "last");
		ag_json_cstr(j, it->last[0] ? it->last : NULL);
		ag_json_end_object(j);
	}
	ag_json_end_array(j);
	ag_json_end_object(j);
}

void ag_view_verify_report(struct ag_json *j, const struct ag_verify_report *rep)
{
	ag_json_begin_object(j);
	ag_json_key(j, "intact");
	ag_json_bool(j, rep->nproblems == 0);
	ag_json_key(j, "entries");
	ag_json_u64(j, rep->entries);
	ag_json_key(j, "checkpoints");
	ag_json_u64(j, rep->checkpoints);
	ag_json_key(j, "signed_entries");
	ag_json_u64(j, rep->signed_size);
	ag_json_key(j, "signed_root");
	ag_json_cstr(j, rep->signed_size ? rep->signed_root : NULL);
	ag_json_key(j, "key_id");
	ag_json_cstr(j, rep->key_id);
	ag_json_key(j, "problem_count");
	ag_json_u64(j, rep->nproblems);
	ag_json_key(j, "problems");
	ag_json_begin_array(j);
	for (uint64_t i = 0; i < rep->nproblems && i < AG_VERIFY_MAX_PROBLEMS; i++)
		ag_json_cstr(j, rep->problems[i]);
	ag_json_end_array(j);
	ag_json_end_object(j);
}

void ag_view_ledger_entry(struct ag_json *j, const struct ag_ledger_entry *e)
{
	ag_json_begin_object(j);
	ag_json_key(j, "seq");
	ag_json_u64(j, e->seq);
	ag_json_key(j, "time");
	ag_json_cstr(j, e->time);
	ag_json_key(j, "actor");
	ag_json_cstr(j, e->actor);
	ag_json_key(j, "action");
	ag_json_cstr(j, e->action);
	ag_json_key(j, "subject");
	ag_json_cstr(j, e->subject);
	ag_json_key(j, "payload");
	ag_json_raw(j, e->payload, e->payload_len);
	ag_json_key(j, "prev");
	ag_json_cstr(j, e->prev);
	ag_json_key(j, "hash");
	ag_json_cstr(j, e->hash);
	ag_json_end_object(j);
}
