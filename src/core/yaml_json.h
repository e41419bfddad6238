/* yaml_json.h - one YAML document as a jansson tree, for readers of
 * YAML-or-JSON inputs (advisories, trust policies). */
#ifndef COMB_CORE_YAML_JSON_H
#define COMB_CORE_YAML_JSON_H

#include <jansson.h>
#include <stddef.h>

#define COMB_YAML_MAX_DEPTH 64 /* nesting of mappings and sequences */

/* YAML (one document) to a jansson tree: scalars become strings, except
 * plain null/~/empty (null) and true/false. Aliases, anchors-with-aliases,
 * tags and over-deep nesting are rejected. NULL with a message on error. */
json_t *comb_yaml_to_json(const void *data, size_t len, char *msg, size_t msgsize);

#endif
