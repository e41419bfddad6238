/* confread.h - configuration files of hosts and engines as one tree.
 *
 * Checks look up a key in daemon.json (JSON), kubelet's config (YAML),
 * containerd's config.toml (TOML), INI-style and systemd unit files and
 * sysctl.conf. Each reader turns its format into a jansson tree whose
 * scalars are all strings (so `false` in JSON and "false" in YAML compare
 * alike), and one lookup walks it. Input is untrusted: sizes, line lengths,
 * nesting and node counts are bounded; a malformed file is an error with
 * the line, never a crash.
 */
#ifndef COMB_COMPLIANCE_CONFREAD_H
#define COMB_COMPLIANCE_CONFREAD_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"

#define COMB_CONF_MAX_DEPTH 32
#define COMB_CONF_MAX_NODES 200000
#define COMB_CONF_MAX_LINE 65536

typedef enum comb_conf_format {
    COMB_CONF_JSON,
    COMB_CONF_YAML,
    COMB_CONF_TOML,
    COMB_CONF_INI,     /* [section] key = value; sectionless key=value files too */
    COMB_CONF_SYSTEMD, /* unit files: repeated keys become arrays, "Key=" resets */
    COMB_CONF_SYSCTL,  /* a.b.c = v (or a/b/c); nested by the dots */
} comb_conf_format;

/* "json", "yaml", ... -> format; -1 when unknown. */
int comb_conf_format_parse(const char *name, comb_conf_format *out);
const char *comb_conf_format_name(comb_conf_format f);

/* Parse `len` bytes (need not be NUL-terminated) into a new tree. `name`
 * names the input in error messages. */
comb_code comb_conf_parse(comb_conf_format fmt, const char *name, const char *data, size_t len,
                          json_t **out, comb_err *err);

/* The TOML reader alone (toml.c); comb_conf_parse calls it for COMB_CONF_TOML. */
comb_code comb_conf_parse_toml(const char *name, const char *data, size_t len, json_t **out,
                               comb_err *err);

/* The node at a dotted key path: "a.b.c"; a segment in double quotes may
 * hold dots (plugins."io.containerd.grpc.v1.cri".containerd); a numeric
 * segment indexes an array. NULL when absent. */
const json_t *comb_conf_lookup(const json_t *doc, const char *path);

/* A node as text for messages and comparisons: strings as is, arrays as
 * comma-separated items, objects as compact JSON. malloc'd. */
char *comb_conf_text(const json_t *node);

#endif
