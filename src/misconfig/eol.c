/* eol.c - the end-of-life table (rules/misconfig/eol.yaml, embedded in the
 * library), loaded once on first use and looked up by os-release ID and
 * VERSION_ID. */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "core/arena.h"
#include "core/embedded.h"
#include "misconfig/misconfig.h"

typedef enum match_kind { MATCH_EXACT, MATCH_MAJOR, MATCH_MINOR } match_kind;

typedef struct eol_row {
    comb_eol_info info;
    match_kind match;
} eol_row;

static comb_arena table_arena;
static eol_row *rows;
static size_t nrows;
static int table_ok;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

#define MAX_ROWS 2000

static const char *scalar(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        if (k && v && k->type == YAML_SCALAR_NODE && v->type == YAML_SCALAR_NODE &&
            strcmp((const char *)k->data.scalar.value, key) == 0)
            return (const char *)v->data.scalar.value;
    }
    return NULL;
}

static yaml_node_t *child(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        if (k && k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0)
            return yaml_document_get_node(doc, p->value);
    }
    return NULL;
}

static int is_date(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

static const char *dup_opt(const char *s)
{
    return s ? comb_arena_strdup(&table_arena, s) : NULL;
}

/* 0 ok; -1 when the table is malformed (the whole table is then unusable:
 * a half-read table would silently miss releases). */
static int load_doc(yaml_document_t *doc)
{
    yaml_node_t *root = yaml_document_get_root_node(doc);
    yaml_node_t *dists = child(doc, root, "distributions");
    if (!dists || dists->type != YAML_SEQUENCE_NODE)
        return -1;
    rows = comb_arena_calloc(&table_arena, MAX_ROWS, sizeof *rows);
    if (!rows)
        return -1;
    for (yaml_node_item_t *d = dists->data.sequence.items.start; d < dists->data.sequence.items.top; d++) {
        yaml_node_t *dist = yaml_document_get_node(doc, *d);
        const char *id = scalar(doc, dist, "id"), *name = scalar(doc, dist, "name");
        const char *match = scalar(doc, dist, "match");
        yaml_node_t *rels = child(doc, dist, "releases");
        if (!id || !name || !match || !rels || rels->type != YAML_SEQUENCE_NODE)
            return -1;
        match_kind mk;
        if (!strcmp(match, "exact"))
            mk = MATCH_EXACT;
        else if (!strcmp(match, "major"))
            mk = MATCH_MAJOR;
        else if (!strcmp(match, "minor"))
            mk = MATCH_MINOR;
        else
            return -1;
        const char *id_c = dup_opt(id), *name_c = dup_opt(name);
        for (yaml_node_item_t *r = rels->data.sequence.items.start; r < rels->data.sequence.items.top; r++) {
            yaml_node_t *rel = yaml_document_get_node(doc, *r);
            const char *release = scalar(doc, rel, "release"), *eol = scalar(doc, rel, "eol");
            const char *lts = scalar(doc, rel, "lts"), *paid = scalar(doc, rel, "paid");
            if (!release || !is_date(eol) || (lts && !is_date(lts)) || (paid && !is_date(paid)) ||
                nrows == MAX_ROWS)
                return -1;
            eol_row *row = &rows[nrows++];
            row->match = mk;
            row->info = (comb_eol_info){
                .os_id = id_c, .os_name = name_c, .release = dup_opt(release),
                .codename = dup_opt(scalar(doc, rel, "codename")),
                .eol = dup_opt(eol), .lts = dup_opt(lts), .paid = dup_opt(paid),
            };
            if (!row->info.release || !row->info.eol || !id_c || !name_c)
                return -1;
        }
    }
    return 0;
}

static void load_table(void)
{
    comb_arena_init(&table_arena);
    const comb_embedded_file *f = comb_embedded_find("misconfig/eol.yaml");
    if (!f)
        return;
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return;
    yaml_parser_set_input_string(&parser, f->data, f->len);
    if (yaml_parser_load(&parser, &doc)) {
        table_ok = load_doc(&doc) == 0;
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    if (!table_ok)
        nrows = 0;
}

/* The part of VERSION_ID that names the release under `mk`. */
static size_t release_key_len(const char *v, match_kind mk)
{
    size_t len = strlen(v);
    if (mk == MATCH_EXACT)
        return len;
    const char *dot = strchr(v, '.');
    if (!dot)
        return len;
    if (mk == MATCH_MAJOR)
        return (size_t)(dot - v);
    const char *dot2 = strchr(dot + 1, '.');
    return dot2 ? (size_t)(dot2 - v) : len;
}

int comb_eol_lookup(const char *os_id, const char *version_id, comb_eol_info *out)
{
    pthread_once(&table_once, load_table);
    if (!table_ok)
        return -1;
    if (!os_id || !version_id)
        return 0;
    /* VERSION_ID may be quoted or carry spaces in hand-written os-release files */
    while (*version_id == '"' || *version_id == ' ')
        version_id++;
    for (size_t i = 0; i < nrows; i++) {
        const eol_row *r = &rows[i];
        if (strcasecmp(r->info.os_id, os_id) != 0)
            continue;
        size_t n = release_key_len(version_id, r->match);
        if (strlen(r->info.release) == n && strncmp(r->info.release, version_id, n) == 0) {
            if (out)
                *out = r->info;
            return 1;
        }
    }
    return 0;
}
