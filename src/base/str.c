#include "aigov/str.h"

bool ag_str_ieq_ascii(struct ag_str a, const char *b)
{
	size_t n = strlen(b);

	if (a.len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ag_ascii_lower(a.ptr[i]) != ag_ascii_lower(b[i]))
			return false;
	return true;
}

struct ag_str ag_str_trim(struct ag_str s)
{
	while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t')) {
		s.ptr++;
		s.len--;
	}
	while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t'))
		s.len--;
	return s;
}
