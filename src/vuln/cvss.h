/* cvss.h - CVSS base scores from vector strings, and the qualitative
 * severity scale.
 *
 * Parsing is strict: the "CVSS:3.0/", "CVSS:3.1/" or "CVSS:4.0/" prefix,
 * every mandatory base metric exactly once, only metrics and values the
 * specification defines (optional temporal/threat, environmental and
 * supplemental metrics are accepted and validated), no duplicates, no
 * empty fields, at most COMB_CVSS_MAX_LEN bytes. Metric order is not
 * enforced (vectors in the wild are not always in specification order). */
#ifndef COMB_VULN_CVSS_H
#define COMB_VULN_CVSS_H

#include "vuln/finding.h"

#define COMB_CVSS_MAX_LEN 256

/* CVSS v3.0 / v3.1 base score (0.0 - 10.0) with the specification's
 * Roundup (v3.1 Appendix A; v3.0's ceiling to one decimal); the optional
 * temporal and environmental metrics are validated but do not change the
 * base score. < 0 for a NULL or invalid vector. */
double comb_cvss3_score(const char *vector);

/* CVSS v4.0 score by the FIRST specification's MacroVector lookup and
 * interpolation: CVSS-B for a base-only vector, CVSS-BT / -BE / -BTE when
 * threat or environmental metrics are present (as the specification
 * scores them). < 0 for a NULL or invalid vector. */
double comb_cvss4_score(const char *vector);

/* Either version, by prefix; < 0 when invalid or not CVSS 3.x/4.0. */
double comb_cvss_score(const char *vector);

/* Qualitative rating: 0.0 -> NEGLIGIBLE ("None" in the specification),
 * 0.1-3.9 LOW, 4.0-6.9 MEDIUM, 7.0-8.9 HIGH, 9.0-10.0 CRITICAL; a
 * negative, NaN or > 10 score is UNKNOWN. */
comb_severity comb_cvss_severity(double score);

#endif
