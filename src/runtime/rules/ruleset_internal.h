/* ruleset_internal.h - what loader, compiler, evaluator and formatter share.
 *
 * Definitions (lists, macros, rules as written, after appends and overrides)
 * live in `arena`; everything the compiler derives (condition trees, values,
 * the event-type index) lives in `carena`, thrown away on each compile. */
#ifndef COMB_RUNTIME_RULES_INTERNAL_H
#define COMB_RUNTIME_RULES_INTERNAL_H

#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/arena.h"
#include "runtime/rules/fields.h"
#include "runtime/rules/rules.h"

/* ---- name -> pointer map (open addressing, malloc'd) ---------------------- */

typedef struct comb_namemap {
    const char **keys;
    void **vals;
    size_t cap, n;
} comb_namemap;

void *comb_namemap_get(const comb_namemap *m, const char *key);
int comb_namemap_put(comb_namemap *m, const char *key, void *val); /* -1 on ENOMEM */
void comb_namemap_free(comb_namemap *m);

/* Grow an arena array of `size`-byte elements to hold n+1; -1 on ENOMEM. */
int comb_vec_reserve(comb_arena *a, void **arr, size_t *cap, size_t n, size_t size);

/* ---- definitions --------------------------------------------------------- */

typedef struct rs_list {
    const char *name, *file;
    size_t line;
    const char **items;
    size_t n, cap;
    int used;
    /* compile state */
    int state;                  /* 0 new, 1 expanding, 2 done */
} rs_list;

typedef struct rs_macro {
    const char *name, *file;
    size_t line;
    const char *cond;
    int used;
    /* compile state */
    int state;                  /* 0 new, 1 resolving, 2 done, 3 failed */
    struct cnode *root;
    const char *error;
    size_t size, depth;
} rs_macro;

/* One value of an exception tuple: a scalar (maybe a list name) or a list. */
typedef struct rs_exval {
    const char *s;              /* scalar, or NULL for a list */
    const char **items;
    size_t n;
} rs_exval;

typedef struct rs_exception {
    const char *name;
    const char **fields, **comps;
    size_t nfields, ncomps;
    int single;                 /* fields: was a scalar; values are plain values */
    rs_exval **rows;            /* each row has nfields values (1 when single) */
    size_t nrows, rowcap;
} rs_exception;

struct comb_rule {
    const char *name, *file;
    size_t line;
    const char *desc, *cond, *output, *source;
    comb_priority priority;
    const char **tags;
    size_t ntags, tagcap;
    int enabled;
    int warn_evttypes;
    int skip_if_unknown;
    unsigned response;          /* comb extension: COMB_ACT_* bits (response/response.h) */
    rs_exception *exc;
    size_t nexc, exccap;
    size_t order;
    /* compile state */
    struct cnode *root;
    const char *unsupported;
    int active;
    uint64_t *types;            /* bitset over rs->type_names, NULL: every type */
    struct tmpl *tmpl;
};

/* ---- compiled conditions --------------------------------------------------- */

enum cnode_kind { CN_AND, CN_OR, CN_NOT, CN_CHECK, CN_MACRO, CN_TRUE };

enum cop {
    OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_CONTAINS, OP_ICONTAINS, OP_STARTSWITH,
    OP_ENDSWITH, OP_BCONTAINS, OP_BSTARTSWITH, OP_GLOB, OP_IGLOB, OP_IN, OP_INTERSECTS,
    OP_PMATCH, OP_EXISTS, OP_REGEX,
};

enum xform { XF_TOLOWER, XF_TOUPPER, XF_B64, XF_BASENAME, XF_LEN, XF_TRIM };
#define MAX_XFORMS 8

/* A field with transformers applied innermost first: tolower(basename(fd.name)). */
typedef struct operand {
    const char *text;           /* field name as written */
    comb_field_ref ref;
    int xf[MAX_XFORMS];
    int nxf;
    comb_ftype type;            /* after the transformers */
} operand;

/* A value as written: quoted or bare. */
typedef struct rawval {
    const char *s;
    size_t len;
    int quoted;
} rawval;

typedef struct ipnet {
    int family;                 /* 4 or 6; 0 when not an address */
    uint8_t addr[16];
    int prefix;
} ipnet;

typedef struct cvalue {
    const char *s;
    size_t len;
    int64_t i;
    ipnet net;
} cvalue;

typedef struct ccheck {
    operand lhs;
    enum cop op;
    int list_syntax;            /* values written as ( ... ) */
    rawval *raw;
    size_t nraw;
    int rhs_is_field;           /* val(field) or a transformer on the right */
    operand rhs;
    cvalue *vals;
    size_t nvals;
    uint32_t *set;              /* string `in` with many values: hash slots, index + 1 */
    size_t setcap;              /* power of two, 0 without a set */
    pcre2_code *re;
} ccheck;

/* FNV-1a over bytes, for the value sets. */
static inline uint64_t value_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

typedef struct cnode {
    enum cnode_kind kind;
    struct cnode **kids;
    size_t n;
    ccheck *check;
    const char *macro;          /* CN_MACRO before resolution */
} cnode;

/* Output template: literal text and fields. */
typedef struct tseg {
    const char *lit;
    size_t litlen;
    operand *field;             /* NULL for literal segments */
} tseg;

typedef struct tmpl {
    tseg *segs;
    size_t n;
} tmpl;

struct comb_ruleset {
    comb_arena arena;           /* definitions */
    comb_arena carena;          /* compiled state */
    comb_namemap lists, macros, rules;
    rs_list **listv;
    size_t nlists, listcap;
    rs_macro **macrov;
    size_t nmacros, macrocap;
    comb_rule **rulev;
    size_t nrules, rulecap;
    comb_rules_issue *issues;
    size_t nissues, issuecap, load_issues; /* issues from loading survive recompiles */
    size_t items;               /* definitions loaded, for the limit */
    /* compiled */
    int compiled;
    pcre2_code **regexes;
    size_t nregexes, regexcap;
    const char **type_names;    /* evt.type values the rules name, sorted */
    size_t ntypes, typecap;
    comb_namemap type_ids;      /* name -> (index + 1) */
    size_t nindexed;            /* types the index covers (conditions compiled later add names) */
    size_t **by_type;           /* rule indexes per type, in rule order */
    size_t *by_type_n;
    size_t *any_type;           /* rules without a type restriction */
    size_t nany;
    int needs_all;
    size_t budget;              /* compile work left (values copied, nodes) */
    comb_scratch scratch;
    pcre2_match_data *md;
    pcre2_match_context *mctx;  /* backtracking limits for regex */
};

/* ---- between the parts --------------------------------------------------- */

comb_code rs_issue(comb_ruleset *rs, comb_rules_level level, const char *kind, const char *name,
                   const char *file, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Parse a condition into a tree with CN_MACRO leaves and unbound checks. */
cnode *cond_parse(comb_arena *a, const char *text, size_t len, char *why, size_t whysize);

/* Resolve macros, bind fields and values; NULL with a reason on failure. */
cnode *cond_resolve(comb_ruleset *rs, cnode *root, size_t *size, size_t *depth, char *why,
                    size_t whysize);

/* Bind an operand's field and transformers (shared with output templates). */
int operand_bind(operand *o, comb_arena *a, char *why, size_t whysize);

int cond_eval(comb_ruleset *rs, const cnode *n, const comb_event *ev);

/* Extract an operand (field + transformers); returns the value count. */
size_t operand_extract(comb_ruleset *rs, const operand *o, const comb_event *ev,
                       comb_fvalues *out);

tmpl *tmpl_compile(comb_arena *a, const char *text, char *why, size_t whysize);

int comb_glob_match(const char *pat, size_t plen, const char *s, size_t slen, int icase);
int ipnet_parse(const char *s, size_t len, ipnet *out);

#endif
