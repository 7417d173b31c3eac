/* The JSON forms shared by the CLI and the server (views.h). */
#include "aigov/views.h"

#include "aigov/str.h"

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

void ag_view_checkpoint(struct ag_json *j, const struct ag_ledger_checkpoint *c)
{
	ag_json_begin_object(j);
	ag_json_key(j, "id");
	ag_json_u64(j, c->id);
	ag_json_key(j, "tree_size");
	ag_json_u64(j, c->tree_size);
	ag_json_key(j, "root");
	ag_json_cstr(j, c->root);
	ag_json_key(j, "time");
	ag_json_cstr(j, c->time);
	ag_json_key(j, "key_id");
	ag_json_cstr(j, c->key_id);
	ag_json_key(j, "signature");
	ag_json_cstr(j, c->signature);
	ag_json_end_object(j);
}

static void hash_value(struct ag_json *j, const uint8_t h[AG_HASH_LEN])
{
	char hex[AG_HASH_HEX_LEN + 1];

	ag_hex_encode(hex, h, AG_HASH_LEN);
	ag_json_cstr(j, hex);
}

static void hash_path(struct ag_json *j, const uint8_t (*h)[AG_HASH_LEN], size_t n)
{
	ag_json_key(j, "path");
	ag_json_begin_array(j);
	for (size_t i = 0; i < n; i++)
		hash_value(j, h[i]);
	ag_json_end_array(j);
}

void ag_view_inclusion_check(struct ag_json *j, const struct ag_inclusion_check *c)
{
	ag_json_begin_object(j);
	ag_json_key(j, "seq");
	ag_json_u64(j, c->seq);
	ag_json_key(j, "leaf_index");
	ag_json_u64(j, c->seq - 1);
	ag_json_key(j, "tree_size");
	ag_json_u64(j, c->proof.tree_size);
	ag_json_key(j, "leaf_hash");
	hash_value(j, c->proof.leaf);
	hash_path(j, (const uint8_t (*)[AG_HASH_LEN])c->proof.path, c->proof.len);
	ag_json_key(j, "checkpoint");
	ag_view_checkpoint(j, &c->checkpoint);
	ag_json_key(j, "signature_valid");
	ag_json_bool(j, c->signature_valid);
	ag_json_key(j, "verified");
	ag_json_bool(j, c->verified);
	ag_json_end_object(j);
}

void ag_view_consistency_check(struct ag_json *j, const struct ag_consistency_check *c)
{
	ag_json_begin_object(j);
	ag_json_key(j, "old");
	ag_view_checkpoint(j, &c->old);
	ag_json_key(j, "new");
	ag_view_checkpoint(j, &c->new);
	hash_path(j, (const uint8_t (*)[AG_HASH_LEN])c->proof.path, c->proof.len);
	ag_json_key(j, "signatures_valid");
	ag_json_bool(j, c->signatures_valid);
	ag_json_key(j, "verified");
	ag_json_bool(j, c->verified);
	ag_json_end_object(j);
}

void ag_view_texts(struct ag_json *j, const char *key, const struct ag_texts *t)
{
	ag_json_key(j, key);
	ag_json_begin_object(j);
	ag_json_key(j, "en");
	ag_json_cstr(j, t->en);
	ag_json_key(j, "zh-TW");
	ag_json_cstr(j, t->zh);
	ag_json_end_object(j);
}

void ag_view_control(struct ag_json *j, const struct ag_control *k)
{
	ag_json_begin_object(j);
	ag_json_key(j, "id");
	ag_json_cstr(j, k->id);
	ag_json_key(j, "principle");
	ag_json_cstr(j, ag_principle_ids[k->principle]);
	ag_view_texts(j, "title", &k->title);
	ag_view_texts(j, "description", &k->description);
	ag_json_key(j, "stages");
	ag_json_begin_array(j);
	for (int s = 0; ag_stage_ids[s]; s++)
		if (k->stages & (1u << s))
			ag_json_cstr(j, ag_stage_ids[s]);
	ag_json_end_array(j);
	ag_json_key(j, "tiers");
	ag_json_begin_array(j);
	for (int t = 0; t < AG_NTIERS; t++)
		if (k->tiers & (1u << t))
			ag_json_cstr(j, ag_tier_ids[t]);
	ag_json_end_array(j);
	ag_json_key(j, "frequency");
	ag_json_begin_object(j);
	for (int t = 0; t < AG_NTIERS; t++)
		if (k->frequency[t] >= 0) {
			ag_json_key(j, ag_tier_ids[t]);
			ag_json_cstr(j, ag_frequency_ids[k->frequency[t]]);
		}
	ag_json_end_object(j);
	ag_json_key(j, "evidence");
	ag_json_cstr(j, ag_evidence_kind_ids[k->evidence]);
	ag_json_key(j, "source");
	ag_json_cstr(j, k->source);
	ag_json_end_object(j);
}
