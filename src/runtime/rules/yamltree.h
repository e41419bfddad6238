/* yamltree.h - a YAML stream as a small tree of nodes with line numbers.
 *
 * Rule files need positions in every message ("rules.yaml:41: ..."), which a
 * JSON tree does not keep. Aliases are refused (no billion laughs), nesting,
 * node count and scalar sizes are bounded. */
#ifndef COMB_RUNTIME_RULES_YAMLTREE_H
#define COMB_RUNTIME_RULES_YAMLTREE_H

#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"

#define COMB_YAML_MAX_DEPTH 32
#define COMB_YAML_MAX_NODES 2000000u

typedef enum comb_ynode_type { COMB_Y_SCALAR, COMB_Y_SEQ, COMB_Y_MAP } comb_ynode_type;

typedef struct comb_ynode {
    comb_ynode_type type;
    size_t line;                 /* 1-based */
    const char *s;               /* scalar text, NUL-terminated */
    size_t len;
    int plain;                   /* unquoted scalar (null/true/false are plain words) */
    struct comb_ynode **kids;    /* sequence items; mappings alternate key, value */
    size_t n;
} comb_ynode;

/* Parse every document of `data`; the roots (NULL for an empty document) go
 * to *docs. Errors name `name` and the line. */
comb_code comb_yaml_parse(comb_arena *a, const char *name, const void *data, size_t len,
                          comb_ynode ***docs, size_t *ndocs, comb_err *err);

/* Value of `key` in a mapping, or NULL. */
const comb_ynode *comb_ynode_get(const comb_ynode *map, const char *key);

/* A plain scalar that YAML reads as null (~, null, empty). */
int comb_ynode_is_null(const comb_ynode *n);

#endif
