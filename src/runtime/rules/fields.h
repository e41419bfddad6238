/* fields.h - the table of fields a condition or an output can name.
 *
 * One descriptor per field (name, value type, which arguments it takes), and
 * one extractor that reads a field from a comb_event. The condition compiler
 * and the output formatter both resolve names here, so an unknown field is
 * found at load time, never at evaluation.
 */
#ifndef COMB_RUNTIME_RULES_FIELDS_H
#define COMB_RUNTIME_RULES_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/rules/event.h"

typedef enum comb_ftype {
    COMB_FT_STR,
    COMB_FT_INT,
    COMB_FT_BOOL,
    COMB_FT_IP,   /* an address; compared against addresses or networks */
    COMB_FT_NET,  /* an address compared as "belongs to network" */
} comb_ftype;

enum {
    COMB_FF_ARG_INDEX = 1u << 0, /* field[N] */
    COMB_FF_ARG_KEY = 1u << 1,   /* field[text] */
    COMB_FF_ARG_DOT = 1u << 2,   /* field.text, e.g. evt.arg.flags */
    COMB_FF_ARG_NEEDED = 1u << 3,
    COMB_FF_MULTI = 1u << 4,     /* without an argument: several values (ancestors, both ends) */
};

typedef struct comb_field_desc {
    const char *name;
    comb_ftype type;
    unsigned flags;
    int id;                      /* extractor case */
    const char *desc;
} comb_field_desc;

/* A field named in a rule: the descriptor plus its argument. */
typedef struct comb_field_ref {
    const comb_field_desc *desc;
    int has_arg;
    int64_t index;               /* for [N] */
    const char *key;             /* for [text] and .text (NUL-terminated, owned by the caller) */
} comb_field_ref;

/* Extracted values: none (absent), one, or several for COMB_FF_MULTI. Strings
 * point into the event or into the scratch buffer. */
#define COMB_FVALUES_MAX 64

typedef struct comb_fvalue {
    const char *s;
    size_t len;
    int64_t i;                   /* COMB_FT_INT and COMB_FT_BOOL */
} comb_fvalue;

typedef struct comb_fvalues {
    size_t n;
    comb_fvalue v[COMB_FVALUES_MAX];
} comb_fvalues;

/* Scratch memory for rendered values (command lines, joined lists). */
typedef struct comb_scratch {
    char *buf;
    size_t cap, used;
} comb_scratch;

/* Parse "proc.aname[2]", "evt.arg.flags", "container.mount.dest[/etc]".
 * Returns 0 and fills ref (key points into `key_store`, which must hold
 * len+1 bytes), or -1 with a reason in why. */
int comb_field_parse(const char *text, size_t len, comb_field_ref *ref, char *key_store,
                     char *why, size_t whysize);

/* The fields' values for ev (out->n == 0 when absent). */
void comb_field_extract(const comb_event *ev, const comb_field_ref *ref, comb_fvalues *out,
                        comb_scratch *x);

/* The whole table, for documentation and tests. */
const comb_field_desc *comb_field_table(size_t *n);

/* Value type after an optional argument (e.g. evt.arg.* is a string). */
const char *comb_ftype_name(comb_ftype t);

#endif
