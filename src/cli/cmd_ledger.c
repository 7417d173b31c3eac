/*
 * aigov ledger <subcommand>: the tamper-evident record (docs/ledger.md).
 * One usage and option table per subcommand, as git's builtins keep them.
 */
#include "cli.h"

#include "aigov/buf.h"
#include "aigov/file.h"
#include "aigov/jcs.h"
#include "aigov/json.h"
#include "aigov/ledger.h"
#include "aigov/num.h"
#include "aigov/str.h"
#include "aigov/views.h"
#include "aigov/workspace.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static bool opt_json;
static const char *opt_actor, *opt_subject, *opt_data, *opt_public_key;
static size_t opt_since, opt_limit, opt_checkpoint;

#define OPT_WORKSPACE                                                              \
	{ "workspace", 'C', OPT_STRING, &cli_workspace_dir, "DIR",                 \
	  "the workspace (default $AIGOV_WORKSPACE, else this folder or a parent)", \
	  "工作區（預設 $AIGOV_WORKSPACE，否則為目前或上層資料夾）" }
#define OPT_JSON                                                                    \
	{ "json", 0, OPT_FLAG, &opt_json, NULL, "write JSON for machines",         \
	  "輸出 JSON 供程式讀取" }
#define OPT_ENDMARK { NULL, 0, OPT_END, NULL, NULL, NULL, NULL }

/* ---- usages ------------------------------------------------------------------ */

static const struct cli_option append_opts[] = {
	{ "subject", 's', OPT_STRING, &opt_subject, "S",
	  "what the event is about, e.g. system:credit-scoring-v3 (required)",
	  "事件的對象，例如 system:credit-scoring-v3（必填）" },
	{ "data", 'd', OPT_STRING, &opt_data, "JSON",
	  "the event's details: a JSON object, @FILE to read it from a file, or - for standard input (default {})",
	  "事件內容：JSON 物件；@FILE 自檔案讀取；- 自標準輸入（預設 {}）" },
	{ "actor", 0, OPT_STRING, &opt_actor, "NAME",
	  "who is acting (default $AIGOV_ACTOR, else user:<login>)",
	  "操作者（預設 $AIGOV_ACTOR，否則 user:<登入名稱>）" },
	OPT_WORKSPACE, OPT_JSON, OPT_ENDMARK,
};

static const struct cli_usage append_usage = {
	"aigov ledger append ACTION --subject S [--data JSON|@FILE|-] [options]",
	"Record an event that happened outside aigov (an approval taken in another\n"
	"tool, a committee decision) as a ledger entry. ACTION is a lowercase dotted\n"
	"name such as committee.approved. The entry is on disk when the command\n"
	"returns; a checkpoint is signed automatically when one is due.\n"
	"Exit codes: 0 recorded, 2 usage, 3 invalid JSON or action, 4 I/O error.",
	"將 aigov 之外發生的事件（在其他工具完成的核准、委員會決議）記為帳本紀錄。\n"
	"ACTION 為小寫、以點分隔的名稱，例如 committee.approved。指令結束時紀錄已寫入\n"
	"磁碟；到期時會自動簽署檢查點。\n"
	"結束碼：0 已記錄，2 用法錯誤，3 JSON 或動作名稱有誤，4 I/O 錯誤。",
	append_opts,
	"  aigov ledger append committee.approved --subject system:credit-v3 \\\n"
	"      --data '{\"meeting\":\"2026-11-20\",\"decision\":\"approve\"}'\n"
	"  aigov ledger append vendor.audit.done -s vendor:acme --data @audit.json\n",
};

static const struct cli_option log_opts[] = {
	{ "since", 0, OPT_UINT, &opt_since, "SEQ", "start at entry SEQ",
	  "自第 SEQ 筆開始" },
	{ "subject", 's', OPT_STRING, &opt_subject, "S", "only entries about S",
	  "只列出對象為 S 的紀錄" },
	{ "limit", 'n', OPT_UINT, &opt_limit, "N", "at most N entries",
	  "最多 N 筆" },
	OPT_WORKSPACE, OPT_JSON, OPT_ENDMARK,
};

static const struct cli_usage log_usage = {
	"aigov ledger log [--since SEQ] [--subject S] [--limit N] [--json]",
	"List ledger entries in order: sequence number, UTC time, actor, action,\n"
	"subject and the JSON details.",
	"依序列出帳本紀錄：序號、UTC 時間、操作者、動作、對象與 JSON 內容。",
	log_opts,
	"  aigov ledger log --subject system:credit-v3\n"
	"  aigov ledger log --since 100 --json | jq '.[].action'\n",
};

static const struct cli_option checkpoint_opts[] = { OPT_WORKSPACE, OPT_JSON,
						     OPT_ENDMARK };

static const struct cli_usage checkpoint_usage = {
	"aigov ledger checkpoint [--json]",
	"Sign the current Merkle root of the ledger (tree size, root hash, time)\n"
	"with the installation's key. Checkpoints are also taken automatically\n"
	"every ledger.checkpoint_every_entries entries or _seconds seconds\n"
	"(config.yaml). Entries after the newest checkpoint are protected by the\n"
	"hash chain only.",
	"以本安裝的金鑰簽署帳本目前的 Merkle 根（樹大小、根雜湊、時間）。每\n"
	"ledger.checkpoint_every_entries 筆或 _seconds 秒也會自動簽署（config.yaml）。\n"
	"最新檢查點之後的紀錄僅受雜湊鏈保護。",
	checkpoint_opts,
	"  aigov ledger checkpoint\n",
};

static const struct cli_option verify_opts[] = { OPT_WORKSPACE, OPT_JSON, OPT_ENDMARK };

static const struct cli_usage verify_usage = {
	"aigov ledger verify [--json]",
	"Check that the record was not rewritten: re-derive every entry's hash and\n"
	"the chain, the Merkle root and signature of every checkpoint, and the\n"
	"database's own integrity. Exit code 1 names the first entries or\n"
	"checkpoints that fail; 0 means intact.",
	"檢查紀錄未被改寫：重新計算每筆紀錄的雜湊與雜湊鏈、每個檢查點的 Merkle 根與\n"
	"簽章，以及資料庫本身的完整性。結束碼 1 並列出最先出錯的紀錄或檢查點；0 表示完好。",
	verify_opts,
	"  aigov ledger verify\n",
};

static const struct cli_option prove_opts[] = {
	{ "checkpoint", 0, OPT_UINT, &opt_checkpoint, "ID",
	  "prove against this checkpoint (default: the newest one)",
	  "對此檢查點證明（預設：最新的檢查點）" },
	OPT_WORKSPACE, OPT_JSON, OPT_ENDMARK,
};

static const struct cli_usage prove_usage = {
	"aigov ledger prove SEQ [--checkpoint ID] [--json]",
	"Print the RFC 9162 inclusion proof of entry SEQ in a signed checkpoint:\n"
	"the hashes that lead from the entry to the checkpoint's root, checked\n"
	"here before they are printed. Exit code 1 when the proof does not verify.",
	"列出第 SEQ 筆紀錄包含於某個已簽署檢查點的 RFC 9162 包含證明：由該紀錄通往\n"
	"檢查點根雜湊的各個雜湊值，列出前先行驗證。證明不成立時結束碼為 1。",
	prove_opts,
	"  aigov ledger prove 17\n"
	"  aigov ledger prove 17 --checkpoint 3 --json\n",
};

static const struct cli_option consistency_opts[] = { OPT_WORKSPACE, OPT_JSON,
						      OPT_ENDMARK };

static const struct cli_usage consistency_usage = {
	"aigov ledger consistency OLD NEW [--json]",
	"Print the RFC 9162 consistency proof between checkpoints OLD and NEW (their\n"
	"ids): it shows that the ledger signed at NEW extends the one signed at OLD\n"
	"without changing any entry. Exit code 1 when it does not verify.",
	"列出檢查點 OLD 與 NEW（其編號）之間的 RFC 9162 一致性證明：證明 NEW 所簽署的\n"
	"帳本是在 OLD 所簽署的帳本之後延伸，未更動任何紀錄。不成立時結束碼為 1。",
	consistency_opts,
	"  aigov ledger consistency 1 5\n",
};

static const struct cli_option export_opts[] = { OPT_WORKSPACE, OPT_ENDMARK };

static const struct cli_usage export_usage = {
	"aigov ledger export FILE",
	"Write the whole ledger (header, checkpoints, entries) to FILE as JSON lines\n"
	"(docs/ledger.md#export), from one consistent snapshot. The file appears\n"
	"complete or not at all. An auditor checks it with\n"
	"'aigov ledger verify-export FILE --public-key KEY', without the workspace.",
	"將整本帳本（標頭、檢查點、紀錄）自同一快照以 JSON lines 寫入 FILE\n"
	"（docs/ledger.md#export）；檔案要嘛完整出現，要嘛完全不出現。稽核人員可不需\n"
	"工作區，以 'aigov ledger verify-export FILE --public-key KEY' 驗證。",
	export_opts,
	"  aigov ledger export ledger-2026Q4.jsonl\n",
};

static const struct cli_option verify_export_opts[] = {
	{ "public-key", 'k', OPT_STRING, &opt_public_key, "KEY",
	  "the installation's public key: a ledger.pub file or its 64 hex digits (required)",
	  "本安裝的公鑰：ledger.pub 檔案或其 64 位十六進位數字（必填）" },
	OPT_JSON, OPT_ENDMARK,
};

static const struct cli_usage verify_export_usage = {
	"aigov ledger verify-export FILE --public-key KEY [--json]",
	"Verify an exported ledger with the public key alone, on any machine: every\n"
	"entry's hash and the chain, every checkpoint's root and signature.\n"
	"Use a copy of the key you received when the workspace was created, not the\n"
	"one inside the export. Exit code 0 intact, 1 findings, 3 malformed file.",
	"僅憑公鑰即可在任何電腦上驗證匯出的帳本：每筆紀錄的雜湊與雜湊鏈、每個檢查點\n"
	"的根雜湊與簽章。請使用工作區建立時取得的公鑰副本，而非匯出檔內記載的公鑰。\n"
	"結束碼：0 完好，1 有發現事項，3 檔案格式有誤。",
	verify_export_opts,
	"  aigov ledger verify-export ledger-2026Q4.jsonl --public-key ledger.pub\n",
};

const struct cli_usage cmd_ledger_usage = {
	"aigov ledger <subcommand> [options]",
	"The tamper-evident record of every change (docs/ledger.md). Subcommands:\n"
	"  append         record an external event (approval, committee decision)\n"
	"  log            list entries\n"
	"  checkpoint     sign the current Merkle root\n"
	"  verify         check that nothing was rewritten (exit 1 if it was)\n"
	"  prove          inclusion proof of one entry in a signed checkpoint\n"
	"  consistency    consistency proof between two checkpoints\n"
	"  export         write the ledger to a file for auditors\n"
	"  verify-export  verify an export with the public key alone\n"
	"'aigov ledger <subcommand> --help' shows one of them.",
	"記錄每項變更、可偵測竄改的帳本（docs/ledger.md）。子指令：\n"
	"  append         記錄外部事件（核准、委員會決議）\n"
	"  log            列出紀錄\n"
	"  checkpoint     簽署目前的 Merkle 根\n"
	"  verify         檢查紀錄未被改寫（若被改寫，結束碼 1）\n"
	"  prove          單筆紀錄包含於已簽署檢查點的證明\n"
	"  consistency    兩個檢查點之間的一致性證明\n"
	"  export         匯出帳本供稽核\n"
	"  verify-export  僅憑公鑰驗證匯出檔\n"
	"'aigov ledger <子指令> --help' 顯示該子指令的說明。",
	NULL,
	"  aigov ledger verify\n"
	"  aigov ledger log --subject system:credit-v3\n",
};

/* ---- helpers ------------------------------------------------------------------ */

/* --data: inline JSON, @FILE, or - for standard input, into buf. */
static int read_data(const char *spec, struct ag_buf *buf, const char **name,
		     struct ag_err *err)
{
	struct ag_file_map m;
	int rc;

	if (!spec) {
		*name = "--data";
		return ag_buf_addstr(buf, "{}") ? AG_ENOMEM : 0;
	}
	if (spec[0] != '@' && strcmp(spec, "-") != 0) {
		*name = "--data";
		return ag_buf_addstr(buf, spec) ? AG_ENOMEM : 0;
	}
	*name = spec[0] == '@' ? spec + 1 : "<stdin>";
	rc = ag_file_map(&m, spec[0] == '@' ? spec + 1 : "-", err);
	if (rc)
		return rc;
	rc = ag_buf_add(buf, m.data, m.len) ? AG_ENOMEM : 0;
	ag_file_unmap(&m);
	return rc;
}

/* ---- append ---------------------------------------------------------------------- */

static int run_append(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_ledger_receipt rcpt;
	struct ag_buf data;
	struct ag_err err;
	char actor_buf[300];
	const char *name, *actor;
	int exit_code, rc;

	if (!cli_nargs_ok(&append_usage, nargs, 1, "ACTION", &exit_code))
		return exit_code;
	if (!opt_subject)
		return cli_error(EXIT_USAGE, "%s", L("--subject is required (what is the event about?)",
						     "必須提供 --subject（事件的對象為何？）"));
	ag_err_clear(&err);
	ag_buf_init(&data);
	rc = read_data(opt_data, &data, &name, &err);
	if (rc) {
		ag_buf_release(&data);
		return rc == AG_ENOMEM ? cli_error(EXIT_IO, "out of memory") : cli_fail(rc, err.msg);
	}
	actor = cli_actor(opt_actor, actor_buf, sizeof(actor_buf));
	/* Check the event before touching the workspace: bad input changes nothing. */
	{
		struct ag_buf canon;
		ag_buf_init(&canon);
		rc = ag_jcs_canonicalize(&canon, data.buf, data.len, name, true, &err);
		ag_buf_release(&canon);
		if (rc) {
			ag_buf_release(&data);
			return cli_fail(rc, err.msg);
		}
	}
	exit_code = cli_workspace_open(&ws, true, actor);
	if (exit_code) {
		ag_buf_release(&data);
		return exit_code;
	}
	struct ag_ledger_event ev = { actor, args[0], opt_subject, data.buf, data.len };
	rc = ag_ledger_append(ws->ledger, &ev, &rcpt, &err);
	ag_buf_release(&data);
	ag_workspace_free(ws);
	if (rc)
		return cli_fail(rc, err.msg);
	if (opt_json) {
		struct cli_json out;
		struct ag_json *j = cli_json_init(&out, false);
		ag_json_begin_object(j);
		ag_json_key(j, "seq");
		ag_json_u64(j, rcpt.seq);
		ag_json_key(j, "time");
		ag_json_cstr(j, rcpt.time);
		ag_json_key(j, "hash");
		ag_json_cstr(j, rcpt.hash);
		ag_json_key(j, "checkpoint");
		if (rcpt.checkpoint_id)
			ag_json_u64(j, rcpt.checkpoint_id);
		else
			ag_json_null(j);
		ag_json_end_object(j);
		rc = cli_json_print(&out);
		return rc;
	}
	printf(L("entry %" PRIu64 " recorded at %s (hash %.16s…)\n",
		 "已記錄第 %" PRIu64 " 筆，時間 %s（雜湊 %.16s…）\n"),
	       rcpt.seq, rcpt.time, rcpt.hash);
	if (rcpt.checkpoint_id)
		printf(L("checkpoint %" PRIu64 " signed\n", "已簽署檢查點 %" PRIu64 "\n"),
		       rcpt.checkpoint_id);
	return EXIT_OK;
}

/* ---- log ------------------------------------------------------------------------------ */

struct log_ctx {
	struct ag_json *j;
};

static int log_text(void *ctx, const struct ag_ledger_entry *e)
{
	(void)ctx;
	printf("%-6" PRIu64 " %s  %s  %s  %s  %.*s\n", e->seq, e->time, e->actor,
	       e->action, e->subject, (int)e->payload_len, e->payload);
	return 0;
}

static int log_json(void *ctx, const struct ag_ledger_entry *e)
{
	ag_view_ledger_entry(((struct log_ctx *)ctx)->j, e);
	return 0;
}

static int run_log(char **args, int nargs)
{
	struct ag_ledger_filter f = { opt_since, opt_subject, opt_limit };
	struct ag_workspace *ws = NULL;
	struct ag_err err;
	struct cli_json out;
	struct log_ctx ctx = { cli_json_init(&out, true) };
	int exit_code, rc;

	(void)args;
	if (!cli_nargs_ok(&log_usage, nargs, 0, "", &exit_code))
		return exit_code;
	exit_code = cli_workspace_open(&ws, false, NULL);
	if (exit_code)
		return exit_code;
	ag_err_clear(&err);
	if (opt_json) {
		ag_json_begin_array(ctx.j);
		rc = ag_ledger_log(ws->store, &f, log_json, &ctx, &err);
		ag_json_end_array(ctx.j);
	} else {
		rc = ag_ledger_log(ws->store, &f, log_text, NULL, &err);
	}
	ag_workspace_free(ws);
	if (rc) {
		ag_buf_release(&out.out);
		return cli_fail(rc, err.msg);
	}
	if (opt_json)
		return cli_json_print(&out);
	ag_buf_release(&out.out);
	return EXIT_OK;
}

/* ---- checkpoint ------------------------------------------------------------------------- */

static int run_checkpoint(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_ledger_checkpoint c;
	struct ag_err err;
	char actor_buf[300];
	bool created;
	int exit_code, rc;

	(void)args;
	if (!cli_nargs_ok(&checkpoint_usage, nargs, 0, "", &exit_code))
		return exit_code;
	exit_code = cli_workspace_open(&ws, true, cli_actor(NULL, actor_buf, sizeof(actor_buf)));
	if (exit_code)
		return exit_code;
	ag_err_clear(&err);
	rc = ag_ledger_checkpoint(ws->ledger, &c, &created, &err);
	ag_workspace_free(ws);
	if (rc)
		return cli_fail(rc, err.msg);
	if (opt_json) {
		struct cli_json out;
		struct ag_json *j = cli_json_init(&out, false);
		ag_view_checkpoint(j, &c);
		rc = cli_json_print(&out);
		return rc;
	}
	printf(created ? L("checkpoint %" PRIu64 " signed: %" PRIu64 " entries, root %s\n",
			   "已簽署檢查點 %" PRIu64 "：%" PRIu64 " 筆紀錄，根雜湊 %s\n")
		       : L("no new entries; checkpoint %" PRIu64 " already covers all %" PRIu64
			   " entries (root %s)\n",
			   "沒有新紀錄；檢查點 %" PRIu64 " 已涵蓋全部 %" PRIu64 " 筆（根雜湊 %s）\n"),
	       c.id, c.tree_size, c.root);
	return EXIT_OK;
}

/* ---- verify ------------------------------------------------------------------------------ */

static int report_verification(const struct ag_verify_report *rep, const char *what)
{
	if (opt_json) {
		struct cli_json out;
		struct ag_json *j = cli_json_init(&out, true);
		int rc;

		ag_view_verify_report(j, rep);
		rc = cli_json_print(&out);
		if (rc)
			return rc;
		return rep->nproblems ? EXIT_FINDINGS : EXIT_OK;
	}
	if (rep->nproblems) {
		/* Problems are in English: they name hashes and entry numbers
		 * that auditors quote; the summary line is translated. */
		printf(L("%s: NOT INTACT: %" PRIu64 " problem(s) in %" PRIu64 " entries and %"
			 PRIu64 " checkpoints:\n",
			 "%s：已遭更動：%" PRIu64 " 個問題，共 %" PRIu64 " 筆紀錄、%" PRIu64
			 " 個檢查點：\n"),
		       what, rep->nproblems, rep->entries, rep->checkpoints);
		for (uint64_t i = 0; i < rep->nproblems && i < AG_VERIFY_MAX_PROBLEMS; i++)
			printf("  %s\n", rep->problems[i]);
		if (rep->nproblems > AG_VERIFY_MAX_PROBLEMS)
			printf(L("  ... and %" PRIu64 " more\n", "  …另有 %" PRIu64 " 個\n"),
			       rep->nproblems - AG_VERIFY_MAX_PROBLEMS);
		return EXIT_FINDINGS;
	}
	printf(L("%s: intact: %" PRIu64 " entries, %" PRIu64 " checkpoints signed by key %s\n",
		 "%s：完好：%" PRIu64 " 筆紀錄、%" PRIu64 " 個檢查點，由金鑰 %s 簽署\n"),
	       what, rep->entries, rep->checkpoints, rep->key_id);
	printf(L("  entries 1..%" PRIu64 " are covered by a signed checkpoint (root %.16s…)\n",
		 "  第 1..%" PRIu64 " 筆受已簽署的檢查點保護（根雜湊 %.16s…）\n"),
	       rep->signed_size, rep->signed_root);
	if (rep->entries > rep->signed_size)
		printf(L("  %" PRIu64 " newer entries are protected by the hash chain only; "
			 "'aigov ledger checkpoint' signs them\n",
			 "  較新的 %" PRIu64 " 筆僅受雜湊鏈保護；'aigov ledger checkpoint' 可簽署之\n"),
		       rep->entries - rep->signed_size);
	return EXIT_OK;
}

static int run_verify(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_verify_report rep;
	struct ag_err err;
	int exit_code, rc;

	(void)args;
	if (!cli_nargs_ok(&verify_usage, nargs, 0, "", &exit_code))
		return exit_code;
	exit_code = cli_workspace_open(&ws, false, NULL);
	if (exit_code)
		return exit_code;
	ag_err_clear(&err);
	rc = ag_store_check_integrity(ws->store, &err);
	if (rc == AG_ECORRUPT) {
		memset(&rep, 0, sizeof(rep));
		snprintf(rep.problems[0], sizeof(rep.problems[0]), "%.250s", err.msg);
		rep.nproblems = 1;
		memcpy(rep.key_id, ws->key.id, sizeof(rep.key_id));
		rc = 0;
	} else if (!rc) {
		rc = ag_ledger_verify(ws->store, &ws->key, ws->cfg.workspace_id, &rep, &err);
	}
	ag_workspace_free(ws);
	if (rc)
		return cli_fail(rc, err.msg);
	return report_verification(&rep, L("ledger", "帳本"));
}

/* ---- proofs ---------------------------------------------------------------------------- */

static void hex_line(const char *label, const uint8_t h[AG_HASH_LEN])
{
	char hex[AG_HASH_HEX_LEN + 1];

	ag_hex_encode(hex, h, AG_HASH_LEN);
	printf("  %-12s %s\n", label, hex);
}

static bool parse_u64_arg(const char *s, uint64_t *v)
{
	int64_t i;

	if (!ag_parse_int64(s, strlen(s), &i) || i <= 0)
		return false;
	*v = (uint64_t)i;
	return true;
}

static int run_prove(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_inclusion_check c;
	struct ag_err err;
	uint64_t seq;
	int exit_code, rc;

	if (!cli_nargs_ok(&prove_usage, nargs, 1, "SEQ", &exit_code))
		return exit_code;
	if (!parse_u64_arg(args[0], &seq))
		return cli_error(EXIT_USAGE, L("'%s' is not an entry number (1, 2, ...)",
					       "'%s' 不是紀錄序號（1、2…）"), args[0]);
	exit_code = cli_workspace_open(&ws, false, NULL);
	if (exit_code)
		return exit_code;
	ag_err_clear(&err);
	rc = ag_workspace_prove_inclusion(ws, seq, opt_checkpoint, &c, &err);
	ag_workspace_free(ws);
	if (rc)
		return cli_fail(rc, err.msg);
	if (opt_json) {
		struct cli_json out;
		ag_view_inclusion_check(cli_json_init(&out, true), &c);
		rc = cli_json_print(&out);
		return rc ? rc : (c.verified ? EXIT_OK : EXIT_FINDINGS);
	}
	printf(L("inclusion proof of entry %" PRIu64 " in checkpoint %" PRIu64
		 " (%" PRIu64 " entries, RFC 9162 section 2.1.3)\n",
		 "第 %" PRIu64 " 筆紀錄包含於檢查點 %" PRIu64 "（%" PRIu64
		 " 筆紀錄）的證明（RFC 9162 第 2.1.3 節）\n"),
	       seq, c.checkpoint.id, c.proof.tree_size);
	printf("  leaf index   %" PRIu64 "\n", seq - 1);
	hex_line("leaf hash", c.proof.leaf);
	for (size_t i = 0; i < c.proof.len; i++) {
		char label[32];
		snprintf(label, sizeof(label), "path[%zu]", i);
		hex_line(label, c.proof.path[i]);
	}
	printf("  %-12s %s\n", "signed root", c.checkpoint.root);
	if (c.verified)
		printf("%s\n", L("verified: the path leads from the entry's hash to the signed root",
				 "已驗證：此路徑由該筆紀錄的雜湊通往已簽署的根雜湊"));
	else
		printf("%s\n", c.signature_valid
				      ? L("NOT VERIFIED: the path does not lead to the signed root "
					  "(run 'aigov ledger verify')",
					  "驗證失敗：此路徑無法通往已簽署的根雜湊（請執行 'aigov ledger verify'）")
				      : L("NOT VERIFIED: the checkpoint's signature is invalid",
					  "驗證失敗：檢查點的簽章無效"));
	return c.verified ? EXIT_OK : EXIT_FINDINGS;
}

static int run_consistency(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_consistency_check c;
	struct ag_err err;
	uint64_t old_id, new_id;
	int exit_code, rc;

	if (!cli_nargs_ok(&consistency_usage, nargs, 2, "OLD NEW (checkpoint ids)", &exit_code))
		return exit_code;
	if (!parse_u64_arg(args[0], &old_id) || !parse_u64_arg(args[1], &new_id))
		return cli_error(EXIT_USAGE, "%s", L("OLD and NEW are checkpoint ids (1, 2, ...)",
						     "OLD 與 NEW 為檢查點編號（1、2…）"));
	exit_code = cli_workspace_open(&ws, false, NULL);
	if (exit_code)
		return exit_code;
	ag_err_clear(&err);
	rc = ag_workspace_prove_consistency(ws, old_id, new_id, &c, &err);
	ag_workspace_free(ws);
	if (rc)
		return cli_fail(rc, err.msg);
	if (opt_json) {
		struct cli_json out;
		ag_view_consistency_check(cli_json_init(&out, true), &c);
		rc = cli_json_print(&out);
		return rc ? rc : (c.verified ? EXIT_OK : EXIT_FINDINGS);
	}
	printf(L("consistency proof from checkpoint %" PRIu64 " (%" PRIu64 " entries) to "
		 "checkpoint %" PRIu64 " (%" PRIu64 " entries), RFC 9162 section 2.1.4\n",
		 "檢查點 %" PRIu64 "（%" PRIu64 " 筆）至檢查點 %" PRIu64 "（%" PRIu64
		 " 筆）的一致性證明（RFC 9162 第 2.1.4 節）\n"),
	       c.old.id, c.old.tree_size, c.new.id, c.new.tree_size);
	printf("  %-12s %s\n  %-12s %s\n", "old root", c.old.root, "new root", c.new.root);
	for (size_t i = 0; i < c.proof.len; i++) {
		char label[32];
		snprintf(label, sizeof(label), "path[%zu]", i);
		hex_line(label, c.proof.path[i]);
	}
	if (c.verified)
		printf("%s\n", L("verified: the newer ledger extends the older one unchanged",
				 "已驗證：較新的帳本是在較舊的帳本之後延伸，未更動既有紀錄"));
	else
		printf("%s\n", L("NOT VERIFIED: the checkpoints do not describe one growing ledger "
				 "(run 'aigov ledger verify')",
				 "驗證失敗：兩個檢查點並非同一本持續成長的帳本（請執行 'aigov ledger verify'）"));
	return c.verified ? EXIT_OK : EXIT_FINDINGS;
}

/* ---- export --------------------------------------------------------------------------------- */

static int run_export(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_err err;
	uint64_t ne, nc;
	int exit_code, rc;

	if (!cli_nargs_ok(&export_usage, nargs, 1, "FILE", &exit_code))
		return exit_code;
	exit_code = cli_workspace_open(&ws, false, NULL);
	if (exit_code)
		return exit_code;
	ag_err_clear(&err);
	rc = ag_ledger_export(ws->store, ws->cfg.workspace_id, &ws->key, args[0], &ne, &nc, &err);
	ag_workspace_free(ws);
	if (rc)
		return cli_fail(rc, err.msg);
	printf(L("exported %" PRIu64 " entries and %" PRIu64 " checkpoints to %s\n",
		 "已匯出 %" PRIu64 " 筆紀錄與 %" PRIu64 " 個檢查點至 %s\n"), ne, nc, args[0]);
	return EXIT_OK;
}

static int run_verify_export(char **args, int nargs)
{
	struct ag_ledger_key key;
	struct ag_verify_report rep;
	struct ag_err err;
	int exit_code, rc;

	if (!cli_nargs_ok(&verify_export_usage, nargs, 1, "FILE", &exit_code))
		return exit_code;
	if (!opt_public_key)
		return cli_error(EXIT_USAGE, "%s",
				 L("--public-key is required: the ledger.pub you were given",
				   "必須提供 --public-key：您取得的 ledger.pub"));
	ag_err_clear(&err);
	rc = ag_ledger_key_load_public(&key, opt_public_key, &err);
	if (!rc)
		rc = ag_ledger_verify_export(args[0], &key, &rep, &err);
	if (rc)
		return cli_fail(rc, err.msg);
	return report_verification(&rep, args[0]);
}

/* ---- dispatch ---------------------------------------------------------------------------------- */

static const struct cli_sub subs[] = {
	{ "append", &append_usage, run_append },
	{ "log", &log_usage, run_log },
	{ "checkpoint", &checkpoint_usage, run_checkpoint },
	{ "verify", &verify_usage, run_verify },
	{ "prove", &prove_usage, run_prove },
	{ "consistency", &consistency_usage, run_consistency },
	{ "export", &export_usage, run_export },
	{ "verify-export", &verify_export_usage, run_verify_export },
};

const struct cli_usage *cli_ledger_usage(const char *sub)
{
	return cli_sub_usage(subs, sizeof(subs) / sizeof(subs[0]), sub);
}

int cmd_ledger(int argc, char **argv)
{
	return cli_dispatch(argc, argv, &cmd_ledger_usage, subs, sizeof(subs) / sizeof(subs[0]));
}
