/*
 * aigov-gen-csv: deterministic synthetic CSV for `make run` and the
 * profile benchmark.  A credit-application-like table: integers, decimals,
 * categories, free text with commas and quotes, dates, booleans, missing
 * values, and (with --pii) Taiwan national ID numbers with valid checksums.
 *
 *   aigov-gen-csv [--rows N | --bytes N] [--seed S] [--pii] > file.csv
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x9e3779b97f4a7c15u;

static uint64_t next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static double uniform(void)
{
	return (double)(next() >> 11) / 9007199254740992.0;
}

static const char *const branches[] = {
	"Taipei", "New Taipei", "Taoyuan", "Taichung", "Tainan", "Kaohsiung",
	"Keelung", "Hsinchu", "Chiayi", "Yilan", "Hualien", "Taitung",
	"Pingtung", "Changhua", "Nantou", "Yunlin", "Miaoli", "Penghu",
};
static const char *const segments[] = { "retail", "sme", "private", "corporate", "student" };
static const char *const words[] = {
	"salary", "transfer", "loan", "mortgage", "card", "limit", "increase",
	"renewal", "car", "education", "travel", "business", "deposit", "house",
	"repair", "medical", "wedding", "stock", "fund", "insurance",
};

static void national_id(char out[11])
{
	static const char order[] = "ABCDEFGHJKLMNPQRSTUVXYWZIO";
	int idx = (int)(next() % 26), code = 10 + idx;
	int sum = code / 10 + (code % 10) * 9;

	out[0] = order[idx];
	out[1] = (char)('1' + (int)(next() % 2));
	for (int i = 2; i <= 8; i++)
		out[i] = (char)('0' + (int)(next() % 10));
	for (int i = 1; i <= 8; i++)
		sum += (out[i] - '0') * (9 - i);
	out[9] = (char)('0' + (10 - sum % 10) % 10);
	out[10] = '\0';
}

int main(int argc, char **argv)
{
	uint64_t rows = 100000, bytes = 0, written = 0;
	int pii = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rows") && i + 1 < argc)
			rows = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--bytes") && i + 1 < argc)
			bytes = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			state ^= strtoull(argv[++i], NULL, 10) * 0x2545F4914F6CDD1Du;
		else if (!strcmp(argv[i], "--pii"))
			pii = 1;
		else {
			fprintf(stderr, "usage: aigov-gen-csv [--rows N | --bytes N] [--seed S] [--pii]\n");
			return 2;
		}
	}
	static char line[1024];
	int n = snprintf(line, sizeof(line),
			 "id,applied_on,branch,segment,age,income,limit_bal,utilization,"
			 "score,has_guarantor,purpose%s\n",
			 pii ? ",national_id" : "");
	fwrite(line, 1, (size_t)n, stdout);
	written += (uint64_t)n;
	for (uint64_t r = 1; bytes ? written < bytes : r <= rows; r++) {
		char income[32], purpose[160], id[11] = "";
		int y = 2019 + (int)(next() % 6), mo = 1 + (int)(next() % 12),
		    d = 1 + (int)(next() % 28);
		int age = 20 + (int)(next() % 55);
		double u = uniform();

		if (next() % 50 == 0)
			strcpy(income, next() % 2 ? "" : "NA");
		else
			snprintf(income, sizeof(income), "%.2f",
				 20000 + 180000 * u * u + (double)(next() % 100) / 100);
		/* Free text: some with commas, quotes or a newline, so they are
		 * quoted the RFC 4180 way. */
		int kind = (int)(next() % 20);
		const char *w1 = words[next() % 20], *w2 = words[next() % 20];
		if (kind == 0)
			snprintf(purpose, sizeof(purpose), "\"%s, %s\"", w1, w2);
		else if (kind == 1)
			snprintf(purpose, sizeof(purpose), "\"%s \"\"%s\"\" plan\"", w1, w2);
		else if (kind == 2 && !bytes)
			snprintf(purpose, sizeof(purpose), "\"%s\n%s\"", w1, w2);
		else
			snprintf(purpose, sizeof(purpose), "%s %s", w1, w2);
		if (pii)
			national_id(id);
		n = snprintf(line, sizeof(line),
			     "%" PRIu64 ",%04d-%02d-%02d,%s,%s,%d,%s,%d,%.4f,%.6f,%s,%s%s%s\n",
			     r, y, mo, d, branches[next() % 18], segments[next() % 5], age,
			     income, 10000 * (1 + (int)(next() % 100)), uniform(), uniform(),
			     next() % 4 ? "false" : "true", purpose, pii ? "," : "", id);
		fwrite(line, 1, (size_t)n, stdout);
		written += (uint64_t)n;
	}
	return ferror(stdout) ? 4 : 0;
}
