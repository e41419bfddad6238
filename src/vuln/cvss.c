/* cvss.c - CVSS v3.0/v3.1 and v4.0 scores (see cvss.h).
 *
 * v3: CVSS v3.1 specification, sections 7.1 (base equations) and
 * Appendix A (Roundup); v3.0 rounds up with a plain ceiling.
 * v4: CVSS v4.0 specification, section 8 (MacroVectors and the scoring
 * algorithm), following the FIRST reference calculator step by step and
 * in the same double arithmetic, so scores agree to the last digit. The
 * MacroVector data lives in cvss4_table.c. */
#include <math.h> /* NAN, isnan only: the library does not link libm */
#include <string.h>

#include "vuln/cvss.h"
#include "vuln/cvss4_table.h"

/* ---- a generic "CVSS:x.y/M:V/M:V" parser -------------------------------- */

typedef struct metric_def {
    const char *name;
    const char *const *values; /* NULL-terminated */
    int mandatory;
} metric_def;

#define VALUES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define MAX_METRICS 40

/* Fill vals[i] (pointing into the static value table) for each metric of
 * defs found in the vector after the prefix; 0 on success, -1 when the
 * vector is malformed. */
static int parse_vector(const char *vector, const char *prefix, const metric_def *defs, size_t ndefs,
                        const char **vals)
{
    if (!vector)
        return -1;
    size_t len = strnlen(vector, COMB_CVSS_MAX_LEN + 1);
    size_t plen = strlen(prefix);
    if (len > COMB_CVSS_MAX_LEN || len <= plen || strncmp(vector, prefix, plen) != 0)
        return -1;
    for (size_t i = 0; i < ndefs; i++)
        vals[i] = NULL;
    const char *p = vector + plen;
    const char *end = vector + len;
    while (p < end) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        const char *fend = slash ? slash : end;
        const char *colon = memchr(p, ':', (size_t)(fend - p));
        if (!colon || colon == p || colon + 1 == fend)
            return -1;
        size_t klen = (size_t)(colon - p), vlen = (size_t)(fend - colon - 1);
        size_t k;
        for (k = 0; k < ndefs; k++)
            if (strlen(defs[k].name) == klen && memcmp(defs[k].name, p, klen) == 0)
                break;
        if (k == ndefs || vals[k])
            return -1; /* unknown or duplicate metric */
        for (const char *const *v = defs[k].values; *v; v++)
            if (strlen(*v) == vlen && memcmp(*v, colon + 1, vlen) == 0)
                vals[k] = *v;
        if (!vals[k])
            return -1; /* invalid value */
        if (!slash)
            break;
        p = slash + 1;
        if (p == end)
            return -1; /* trailing '/' */
    }
    for (size_t i = 0; i < ndefs; i++)
        if (defs[i].mandatory && !vals[i])
            return -1;
    return 0;
}

/* ---- CVSS v3 ------------------------------------------------------------ */

enum { V3_AV, V3_AC, V3_PR, V3_UI, V3_S, V3_C, V3_I, V3_A, V3_COUNT };

static const metric_def v3_defs[] = {
    {"AV", VALUES("N", "A", "L", "P"), 1},
    {"AC", VALUES("L", "H"), 1},
    {"PR", VALUES("N", "L", "H"), 1},
    {"UI", VALUES("N", "R"), 1},
    {"S", VALUES("U", "C"), 1},
    {"C", VALUES("H", "L", "N"), 1},
    {"I", VALUES("H", "L", "N"), 1},
    {"A", VALUES("H", "L", "N"), 1},
    /* temporal */
    {"E", VALUES("X", "U", "P", "F", "H"), 0},
    {"RL", VALUES("X", "O", "T", "W", "U"), 0},
    {"RC", VALUES("X", "U", "R", "C"), 0},
    /* environmental */
    {"CR", VALUES("X", "L", "M", "H"), 0},
    {"IR", VALUES("X", "L", "M", "H"), 0},
    {"AR", VALUES("X", "L", "M", "H"), 0},
    {"MAV", VALUES("X", "N", "A", "L", "P"), 0},
    {"MAC", VALUES("X", "L", "H"), 0},
    {"MPR", VALUES("X", "N", "L", "H"), 0},
    {"MUI", VALUES("X", "N", "R"), 0},
    {"MS", VALUES("X", "U", "C"), 0},
    {"MC", VALUES("X", "N", "L", "H"), 0},
    {"MI", VALUES("X", "N", "L", "H"), 0},
    {"MA", VALUES("X", "N", "L", "H"), 0},
};
#define V3_NDEFS (sizeof v3_defs / sizeof v3_defs[0])

/* Small replacements for libm functions, valid for the non-negative,
 * bounded values used here. */
static long long round_half_up(double x)
{
    return (long long)(x + 0.5);
}

static double floor_pos(double x)
{
    return (double)(long long)x;
}

static double ceil_pos(double x)
{
    long long t = (long long)x;
    return (double)t < x ? (double)(t + 1) : (double)t;
}

static double pow_int(double x, int n)
{
    double r = 1.0;
    while (n-- > 0)
        r *= x;
    return r;
}

/* CVSS v3.1 Appendix A: round up to one decimal, robust to float noise. */
static double roundup31(double x)
{
    long long n = round_half_up(x * 100000.0);
    if (n % 10000 == 0)
        return (double)n / 100000.0;
    return (double)(n / 10000 + 1) / 10.0;
}

/* CVSS v3.0: the smallest one-decimal number >= x. */
static double roundup30(double x)
{
    return ceil_pos(x * 10.0) / 10.0;
}

static double cia_weight(const char *v)
{
    return v[0] == 'H' ? 0.56 : v[0] == 'L' ? 0.22 : 0.0;
}

double comb_cvss3_score(const char *vector)
{
    const char *v[V3_NDEFS];
    int v31;
    if (!vector)
        return -1.0;
    if (strncmp(vector, "CVSS:3.1/", 9) == 0)
        v31 = 1;
    else if (strncmp(vector, "CVSS:3.0/", 9) == 0)
        v31 = 0;
    else
        return -1.0;
    if (parse_vector(vector, v31 ? "CVSS:3.1/" : "CVSS:3.0/", v3_defs, V3_NDEFS, v) != 0)
        return -1.0;

    int changed = v[V3_S][0] == 'C';
    double av = 0.0, ac, pr = 0.0, ui;
    switch (v[V3_AV][0]) {
    case 'N': av = 0.85; break;
    case 'A': av = 0.62; break;
    case 'L': av = 0.55; break;
    case 'P': av = 0.2; break;
    }
    ac = v[V3_AC][0] == 'L' ? 0.77 : 0.44;
    switch (v[V3_PR][0]) {
    case 'N': pr = 0.85; break;
    case 'L': pr = changed ? 0.68 : 0.62; break;
    case 'H': pr = changed ? 0.5 : 0.27; break;
    }
    ui = v[V3_UI][0] == 'N' ? 0.85 : 0.62;

    double iss = 1.0 - ((1.0 - cia_weight(v[V3_C])) * (1.0 - cia_weight(v[V3_I])) *
                        (1.0 - cia_weight(v[V3_A])));
    double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow_int(iss - 0.02, 15) : 6.42 * iss;
    double expl = 8.22 * av * ac * pr * ui;
    if (impact <= 0.0)
        return 0.0;
    double raw = changed ? 1.08 * (impact + expl) : impact + expl;
    if (raw > 10.0)
        raw = 10.0;
    return v31 ? roundup31(raw) : roundup30(raw);
}

/* ---- CVSS v4.0 ---------------------------------------------------------- */

enum {
    V4_AV, V4_AC, V4_AT, V4_PR, V4_UI, V4_VC, V4_VI, V4_VA, V4_SC, V4_SI, V4_SA,
    V4_E,
    V4_CR, V4_IR, V4_AR, V4_MAV, V4_MAC, V4_MAT, V4_MPR, V4_MUI,
    V4_MVC, V4_MVI, V4_MVA, V4_MSC, V4_MSI, V4_MSA,
    V4_S, V4_AU, V4_R, V4_V, V4_RE, V4_U,
    V4_COUNT
};

static const metric_def v4_defs[V4_COUNT] = {
    [V4_AV] = {"AV", VALUES("N", "A", "L", "P"), 1},
    [V4_AC] = {"AC", VALUES("L", "H"), 1},
    [V4_AT] = {"AT", VALUES("N", "P"), 1},
    [V4_PR] = {"PR", VALUES("N", "L", "H"), 1},
    [V4_UI] = {"UI", VALUES("N", "P", "A"), 1},
    [V4_VC] = {"VC", VALUES("H", "L", "N"), 1},
    [V4_VI] = {"VI", VALUES("H", "L", "N"), 1},
    [V4_VA] = {"VA", VALUES("H", "L", "N"), 1},
    [V4_SC] = {"SC", VALUES("H", "L", "N"), 1},
    [V4_SI] = {"SI", VALUES("H", "L", "N"), 1},
    [V4_SA] = {"SA", VALUES("H", "L", "N"), 1},
    [V4_E] = {"E", VALUES("X", "A", "P", "U"), 0},
    [V4_CR] = {"CR", VALUES("X", "H", "M", "L"), 0},
    [V4_IR] = {"IR", VALUES("X", "H", "M", "L"), 0},
    [V4_AR] = {"AR", VALUES("X", "H", "M", "L"), 0},
    [V4_MAV] = {"MAV", VALUES("X", "N", "A", "L", "P"), 0},
    [V4_MAC] = {"MAC", VALUES("X", "L", "H"), 0},
    [V4_MAT] = {"MAT", VALUES("X", "N", "P"), 0},
    [V4_MPR] = {"MPR", VALUES("X", "N", "L", "H"), 0},
    [V4_MUI] = {"MUI", VALUES("X", "N", "P", "A"), 0},
    [V4_MVC] = {"MVC", VALUES("X", "H", "L", "N"), 0},
    [V4_MVI] = {"MVI", VALUES("X", "H", "L", "N"), 0},
    [V4_MVA] = {"MVA", VALUES("X", "H", "L", "N"), 0},
    [V4_MSC] = {"MSC", VALUES("X", "H", "L", "N"), 0},
    [V4_MSI] = {"MSI", VALUES("X", "S", "H", "L", "N"), 0},
    [V4_MSA] = {"MSA", VALUES("X", "S", "H", "L", "N"), 0},
    [V4_S] = {"S", VALUES("X", "N", "P"), 0},
    [V4_AU] = {"AU", VALUES("X", "N", "Y"), 0},
    [V4_R] = {"R", VALUES("X", "A", "U", "I"), 0},
    [V4_V] = {"V", VALUES("X", "D", "C"), 0},
    [V4_RE] = {"RE", VALUES("X", "L", "M", "H"), 0},
    [V4_U] = {"U", VALUES("X", "Clear", "Green", "Amber", "Red"), 0},
};

/* The effective value of a metric ("m" in the reference calculator):
 * E, CR, IR, AR default to their worst case; a modified metric other than
 * X replaces its base metric. Returns one letter. */
static char eff(const char *const *v, int metric)
{
    const char *sel = v[metric];
    switch (metric) {
    case V4_E:
        return !sel || sel[0] == 'X' ? 'A' : sel[0];
    case V4_CR:
    case V4_IR:
    case V4_AR:
        return !sel || sel[0] == 'X' ? 'H' : sel[0];
    case V4_MSI:
    case V4_MSA:
        return sel ? sel[0] : 'X';
    default:
        break;
    }
    int mod = -1;
    if (metric >= V4_AV && metric <= V4_SA) {
        static const int modified[] = {V4_MAV, V4_MAC, V4_MAT, V4_MPR, V4_MUI, V4_MVC,
                                       V4_MVI, V4_MVA, V4_MSC, V4_MSI, V4_MSA};
        mod = modified[metric - V4_AV];
    }
    if (mod >= 0 && v[mod] && v[mod][0] != 'X')
        return v[mod][0];
    return sel ? sel[0] : 'X';
}

/* Severity level of a value (0.0 is the most severe), exactly the
 * calculator's constants. */
static double level(int metric, char val)
{
    switch (metric) {
    case V4_AV:
        return val == 'N' ? 0.0 : val == 'A' ? 0.1 : val == 'L' ? 0.2 : 0.3;
    case V4_PR:
        return val == 'N' ? 0.0 : val == 'L' ? 0.1 : 0.2;
    case V4_UI:
        return val == 'N' ? 0.0 : val == 'P' ? 0.1 : 0.2;
    case V4_AC:
        return val == 'L' ? 0.0 : 0.1;
    case V4_AT:
        return val == 'N' ? 0.0 : 0.1;
    case V4_VC:
    case V4_VI:
    case V4_VA:
        return val == 'H' ? 0.0 : val == 'L' ? 0.1 : 0.2;
    case V4_SC:
        return val == 'H' ? 0.1 : val == 'L' ? 0.2 : 0.3;
    case V4_SI:
    case V4_SA:
        return val == 'S' ? 0.0 : val == 'H' ? 0.1 : val == 'L' ? 0.2 : 0.3;
    case V4_CR:
    case V4_IR:
    case V4_AR:
        return val == 'H' ? 0.0 : val == 'M' ? 0.1 : 0.2;
    default:
        return 0.0;
    }
}

/* The value of metric `name` in a partial max vector ("AV:N/PR:N/UI:N/"). */
static char max_value(const char *const parts[5], const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < 5; i++) {
        for (const char *p = parts[i]; p && *p;) {
            const char *colon = strchr(p, ':');
            if (!colon)
                break;
            if ((size_t)(colon - p) == n && memcmp(p, name, n) == 0)
                return colon[1];
            const char *slash = strchr(colon, '/');
            if (!slash)
                break;
            p = slash + 1;
        }
    }
    return 'X';
}

static double macro_score(int e1, int e2, int e3, int e4, int e5, int e6)
{
    if (e1 < 0 || e1 > 2 || e2 < 0 || e2 > 1 || e3 < 0 || e3 > 2 || e4 < 0 || e4 > 2 ||
        e5 < 0 || e5 > 2 || e6 < 0 || e6 > 1)
        return NAN;
    double s = comb_cvss4_macro_score[e1][e2][e3][e4][e5][e6];
    return s < 0 ? NAN : s;
}

static double cvss4_compute(const char *const *v)
{
    char av = eff(v, V4_AV), pr = eff(v, V4_PR), ui = eff(v, V4_UI);
    char ac = eff(v, V4_AC), at = eff(v, V4_AT);
    char vc = eff(v, V4_VC), vi = eff(v, V4_VI), va = eff(v, V4_VA);
    char sc = eff(v, V4_SC), si = eff(v, V4_SI), sa = eff(v, V4_SA);
    char msi = eff(v, V4_MSI), msa = eff(v, V4_MSA), e = eff(v, V4_E);
    char cr = eff(v, V4_CR), ir = eff(v, V4_IR), ar = eff(v, V4_AR);

    /* no impact on either system: 0 */
    if (vc == 'N' && vi == 'N' && va == 'N' && sc == 'N' && si == 'N' && sa == 'N')
        return 0.0;

    /* the MacroVector (specification section 8.2, Table 24) */
    int eq1, eq2, eq3, eq4, eq5, eq6;
    if (av == 'N' && pr == 'N' && ui == 'N')
        eq1 = 0;
    else if ((av == 'N' || pr == 'N' || ui == 'N') && av != 'P')
        eq1 = 1;
    else
        eq1 = 2;
    eq2 = ac == 'L' && at == 'N' ? 0 : 1;
    if (vc == 'H' && vi == 'H')
        eq3 = 0;
    else if (vc == 'H' || vi == 'H' || va == 'H')
        eq3 = 1;
    else
        eq3 = 2;
    if (msi == 'S' || msa == 'S')
        eq4 = 0;
    else if (sc == 'H' || si == 'H' || sa == 'H')
        eq4 = 1;
    else
        eq4 = 2;
    eq5 = e == 'A' ? 0 : e == 'P' ? 1 : 2;
    eq6 = (cr == 'H' && vc == 'H') || (ir == 'H' && vi == 'H') || (ar == 'H' && va == 'H') ? 0 : 1;

    double value = macro_score(eq1, eq2, eq3, eq4, eq5, eq6);
    if (isnan(value))
        return -1.0; /* cannot happen for a parsed vector */

    /* scores of the next lower MacroVector in each EQ (NaN if none) */
    double lower1 = macro_score(eq1 + 1, eq2, eq3, eq4, eq5, eq6);
    double lower2 = macro_score(eq1, eq2 + 1, eq3, eq4, eq5, eq6);
    double lower36;
    if (eq3 == 0 && eq6 == 0) {
        double left = macro_score(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
        double right = macro_score(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
        lower36 = left > right ? left : right;
    } else if (eq3 == 1 && eq6 == 0) {
        lower36 = macro_score(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
    } else if ((eq3 == 0 || eq3 == 1) && eq6 == 1) {
        lower36 = macro_score(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
    } else {
        lower36 = macro_score(eq1, eq2, eq3 + 1, eq4, eq5, eq6 + 1);
    }
    double lower4 = macro_score(eq1, eq2, eq3, eq4 + 1, eq5, eq6);
    double lower5 = macro_score(eq1, eq2, eq3, eq4, eq5 + 1, eq6);

    /* the highest-severity vector of this MacroVector that the scored
     * vector does not exceed; its per-metric severity distances */
    static const int dist_metrics[] = {V4_AV, V4_PR, V4_UI, V4_AC, V4_AT, V4_VC, V4_VI,
                                       V4_VA, V4_SC, V4_SI, V4_SA, V4_CR, V4_IR, V4_AR};
    const char cur[] = {av, pr, ui, ac, at, vc, vi, va, sc, si, sa, cr, ir, ar};
    enum { ND = sizeof dist_metrics / sizeof dist_metrics[0] };
    double d[ND] = {0};
    const char *const *m1 = comb_cvss4_max_eq1[eq1];
    const char *const *m2 = comb_cvss4_max_eq2[eq2];
    const char *const *m36 = comb_cvss4_max_eq3eq6[eq3][eq6];
    const char *const *m4 = comb_cvss4_max_eq4[eq4];
    const char *const *m5 = comb_cvss4_max_eq5[eq5];
    int found = 0;
    for (int a = 0; !found && m1[a]; a++)
        for (int b = 0; !found && m2[b]; b++)
            for (int c = 0; !found && m36[c]; c++)
                for (int f = 0; !found && m4[f]; f++)
                    for (int g = 0; !found && m5[g]; g++) {
                        const char *const parts[5] = {m1[a], m2[b], m36[c], m4[f], m5[g]};
                        int neg = 0;
                        for (int i = 0; i < ND; i++) {
                            int mt = dist_metrics[i];
                            d[i] = level(mt, cur[i]) - level(mt, max_value(parts, v4_defs[mt].name));
                            if (d[i] < 0)
                                neg = 1;
                        }
                        found = !neg; /* else keep the last one, as the calculator does */
                    }

    double dist1 = d[0] + d[1] + d[2];
    double dist2 = d[3] + d[4];
    double dist36 = d[5] + d[6] + d[7] + d[11] + d[12] + d[13];
    double dist4 = d[8] + d[9] + d[10];

    const double step = 0.1;
    double max1 = comb_cvss4_depth_eq1[eq1] * step;
    double max2 = comb_cvss4_depth_eq2[eq2] * step;
    double max36 = comb_cvss4_depth_eq3eq6[eq3][eq6] * step;
    double max4 = comb_cvss4_depth_eq4[eq4] * step;

    int n = 0;
    double n1 = 0, n2 = 0, n36 = 0, n4 = 0, n5 = 0;
    double avail;
    if (!isnan(avail = value - lower1)) {
        n++;
        n1 = avail * (dist1 / max1);
    }
    if (!isnan(avail = value - lower2)) {
        n++;
        n2 = avail * (dist2 / max2);
    }
    if (!isnan(avail = value - lower36)) {
        n++;
        n36 = avail * (dist36 / max36);
    }
    if (!isnan(avail = value - lower4)) {
        n++;
        n4 = avail * (dist4 / max4);
    }
    if (!isnan(avail = value - lower5)) {
        n++;
        n5 = avail * 0.0; /* EQ5 has no depth: proportion 0 */
    }
    double mean = n == 0 ? 0.0 : (n1 + n2 + n36 + n4 + n5) / n;
    value -= mean;
    if (value < 0)
        value = 0.0;
    if (value > 10)
        value = 10.0;
    /* one decimal, half up, with the specification's 1e-6 guard against
     * binary noise (8.6 - 7.15 = 1.4499999999999993 must give 1.5) */
    return floor_pos((value + 1e-6) * 10.0 + 0.5) / 10.0;
}

double comb_cvss4_score(const char *vector)
{
    const char *v[V4_COUNT];
    if (parse_vector(vector, "CVSS:4.0/", v4_defs, V4_COUNT, v) != 0)
        return -1.0;
    return cvss4_compute(v);
}

double comb_cvss_score(const char *vector)
{
    if (vector && strncmp(vector, "CVSS:4.0/", 9) == 0)
        return comb_cvss4_score(vector);
    return comb_cvss3_score(vector);
}

comb_severity comb_cvss_severity(double score)
{
    if (isnan(score) || score < 0.0 || score > 10.0)
        return COMB_SEV_UNKNOWN;
    /* scores are multiples of 0.1; compare in tenths to avoid float edges */
    long long tenths = round_half_up(score * 10.0);
    if (tenths == 0)
        return COMB_SEV_NEGLIGIBLE;
    if (tenths < 40)
        return COMB_SEV_LOW;
    if (tenths < 70)
        return COMB_SEV_MEDIUM;
    if (tenths < 90)
        return COMB_SEV_HIGH;
    return COMB_SEV_CRITICAL;
}
