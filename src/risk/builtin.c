/* The shipped policy files (catalog/), embedded at build time (cmake/embed.cmake). */
#include "aigov/risk.h"

#include <string.h>

extern const unsigned char ag_builtin_controls[], ag_builtin_risk_method[],
	ag_builtin_thresholds[];
extern const size_t ag_builtin_controls_len, ag_builtin_risk_method_len,
	ag_builtin_thresholds_len;

const char *ag_builtin_policy(const char *name, size_t *len)
{
	if (!strcmp(name, "controls.yaml")) {
		*len = ag_builtin_controls_len;
		return (const char *)ag_builtin_controls;
	}
	if (!strcmp(name, "risk-method.yaml")) {
		*len = ag_builtin_risk_method_len;
		return (const char *)ag_builtin_risk_method;
	}
	if (!strcmp(name, "thresholds.yaml")) {
		*len = ag_builtin_thresholds_len;
		return (const char *)ag_builtin_thresholds;
	}
	return NULL;
}
