/* views.c - the web console's views (see views.h). Records are untrusted
 * documents of any shape: every field is read with a type check and a
 * missing one is left out, never an error. */
#include "server/views.h"

#include <string.h>

#define SCANS_PER_NODE 50
#define ALERTS_PER_NODE 1000
#define FINDINGS_MAX 5000

static const char *const severities[] = { "CRITICAL", "HIGH", "MEDIUM", "LOW", "NEGLIGIBLE", "UNKNOWN" };
static const char *const statuses[] = { "PASS", "FAIL", "WARN", "NOT-APPLICABLE", "ERROR" };

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The body of the newest record of kind for node (a new reference), or NULL. */
static json_t *newest(ctx *x, const char *node, const char *kind, json_int_t *received)
{
    json_t *a = comb_store_records(x->db, node, kind, 1);
    json_t *r = json_array_get(a, 0);
    json_t *body = json_object_get(r, "body");
    if (received)
        *received = json_integer_value(json_object_get(r, "received"));
    json_incref(body);
    json_decref(a);
    return json_is_object(body) ? body : (json_decref(body), NULL);
}

/* The node names, from the store's list. */
static json_t *node_names(ctx *x)
{
    json_t *nodes = comb_store_nodes(x->db), *names = json_array(), *n;
    size_t i;
    json_array_foreach(nodes, i, n)
        if (str(n, "node"))
            json_array_append_new(names, json_string(str(n, "node")));
    json_decref(nodes);
    return names;
}

/* The image key of a scan: the hex of its config digest, else "scan-<record id>". */
static void scan_key(const json_t *rec, char *out, size_t n)
{
    const char *d = str(json_object_get(json_object_get(rec, "body"), "target"), "config_digest");
    if (d && !strncmp(d, "sha256:", 7) && strlen(d + 7) == 64)
        snprintf(out, n, "%s", d + 7);
    else
        snprintf(out, n, "scan-%lld", (long long)json_integer_value(json_object_get(rec, "id")));
}

/* The newest scan of each image of node, keyed by scan_key (new object). */
static json_t *latest_scans(ctx *x, const char *node)
{
    json_t *a = comb_store_records(x->db, node, "scan", SCANS_PER_NODE), *r, *out = json_object();
    size_t i;
    char key[96];
    json_array_foreach(a, i, r) {
        if (!json_is_object(json_object_get(r, "body")))
            continue;
        scan_key(r, key, sizeof key);
        if (!json_object_get(out, key))
            json_object_set(out, key, r);
    }
    json_decref(a);
    return out;
}

static json_t *severity_counts(const json_t *scan_body)
{
    json_t *c = json_object(), *f;
    for (size_t k = 0; k < sizeof severities / sizeof *severities; k++)
        json_object_set_new(c, severities[k], json_integer(0));
    size_t i;
    json_array_foreach(json_object_get(scan_body, "findings"), i, f) {
        const char *sev = str(f, "severity");
        json_t *v = sev ? json_object_get(c, sev) : NULL;
        if (json_is_true(json_object_get(f, "suppressed")))
            continue;
        if (!v)
            v = json_object_get(c, "UNKNOWN");
        json_integer_set(v, json_integer_value(v) + 1);
    }
    return c;
}

static void add_counts(json_t *sum, const json_t *c)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)c, k, v) {
        json_t *have = json_object_get(sum, k);
        json_object_set_new(sum, k, json_integer(json_integer_value(have) + json_integer_value(v)));
    }
}

static size_t array_size(const json_t *o, const char *k)
{
    return json_array_size(json_object_get(o, k));
}

/* ---- overview ---- */

static json_t *alert_counts(ctx *x, const char *node)
{
    json_t *a = comb_store_records(x->db, node, "alert", ALERTS_PER_NODE), *r;
    json_t *c = json_pack("{s:i, s:i, s:{}}", "alerts", 0, "responses", 0, "by_priority");
    size_t i;
    json_array_foreach(a, i, r) {
        json_t *b = json_object_get(r, "body");
        const char *what = !strcmp(str(b, "source") ? str(b, "source") : "", "comb.response") ? "responses" : "alerts";
        json_object_set_new(c, what, json_integer(json_integer_value(json_object_get(c, what)) + 1));
        if (!strcmp(what, "alerts") && str(b, "priority")) {
            json_t *bp = json_object_get(c, "by_priority");
            json_object_set_new(bp, str(b, "priority"),
                                json_integer(json_integer_value(json_object_get(bp, str(b, "priority"))) + 1));
        }
    }
    json_decref(a);
    return c;
}

reply comb_view_overview(ctx *x)
{
    json_t *names = node_names(x), *out = json_array(), *n;
    size_t i;
    json_array_foreach(names, i, n) {
        const char *node = json_string_value(n);
        json_int_t inv_at = 0, bench_at = 0;
        json_t *inv = newest(x, node, "inventory", &inv_at), *bench = newest(x, node, "bench", &bench_at);
        json_t *scans = latest_scans(x, node), *vulns = json_object(), *s;
        const char *key;
        json_object_foreach(scans, key, s) {
            json_t *c = severity_counts(json_object_get(s, "body"));
            add_counts(vulns, c);
            json_decref(c);
        }
        size_t running = 0, priv = 0, k;
        json_t *ct;
        json_array_foreach(json_object_get(inv, "containers"), k, ct) {
            running += !strcmp(str(ct, "state") ? str(ct, "state") : "", "running");
            priv += json_is_true(json_object_get(ct, "privileged"));
        }
        json_t *host = json_object_get(inv, "host");
        json_t *summary = json_object_get(bench, "summary");
        json_array_append_new(out, json_pack("{s:s, s:s?, s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:O?, s:I}",
            "node", node, "hostname", str(host, "hostname"), "os", str(host, "os"),
            "inventory_received", inv_at, "containers", (json_int_t)array_size(inv, "containers"),
            "running", (json_int_t)running, "privileged", (json_int_t)priv,
            "images", (json_int_t)array_size(inv, "images"), "scanned_images", (json_int_t)json_object_size(scans),
            "vulnerabilities", vulns, "alerts", alert_counts(x, node),
            "compliance", json_object_get(summary, "counts"), "bench_received", bench_at));
        if (json_is_number(json_object_get(summary, "score")))
            json_object_set(json_array_get(out, json_array_size(out) - 1), "compliance_score",
                            json_object_get(summary, "score"));
        json_decref(scans);
        json_decref(inv);
        json_decref(bench);
    }
    json_decref(names);
    return (reply){ 200, json_pack("{s:o}", "nodes", out) };
}

/* ---- assets ---- */

static json_t *container_row(const char *node, const json_t *c)
{
    const json_t *img = json_object_get(c, "image");
    return json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:b, s:I, s:I}", "node", node, "id", str(c, "id"),
                     "name", str(c, "name"), "engine", str(c, "engine"), "state", str(c, "state"), "image",
                     str(img, "name"), "image_id", str(img, "id"), "privileged",
                     json_is_true(json_object_get(c, "privileged")), "ports",
                     (json_int_t)array_size(c, "ports"), "processes", (json_int_t)array_size(c, "processes"));
}

reply comb_view_assets(ctx *x)
{
    json_t *names = node_names(x), *hosts = json_array(), *containers = json_array(), *images = json_array(), *n;
    size_t i, k;
    json_array_foreach(names, i, n) {
        const char *node = json_string_value(n);
        json_int_t at = 0;
        json_t *inv = newest(x, node, "inventory", &at), *c, *scans = latest_scans(x, node);
        json_t *host = json_object_get(inv, "host");
        json_array_append_new(hosts, json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:O?, s:s?, s:I}", "node", node,
            "hostname", str(host, "hostname"), "os", str(host, "os"), "kernel", str(host, "kernel"), "arch",
            str(host, "arch"), "engines", json_object_get(host, "engines"), "collected", str(inv, "collected"),
            "received", at));
        json_array_foreach(json_object_get(inv, "containers"), k, c)
            json_array_append_new(containers, container_row(node, c));
        json_array_foreach(json_object_get(inv, "images"), k, c) {
            json_t *scan = str(c, "id") ? json_object_get(scans, str(c, "id")) : NULL;
            /* a scan record of the image, else the summary the inventory carries */
            json_t *summary = json_object_get(json_object_get(c, "scan"), "by_severity");
            json_t *counts = scan ? severity_counts(json_object_get(scan, "body"))
                             : json_is_object(summary) ? json_deep_copy(summary) : json_null();
            json_array_append_new(images, json_pack("{s:s, s:s?, s:s?, s:O?, s:s?, s:o}", "node", node, "id",
                str(c, "id"), "engine", str(c, "engine"), "tags", json_object_get(c, "tags"), "created",
                str(c, "created"), "vulnerabilities", counts));
        }
        json_decref(scans);
        json_decref(inv);
    }
    json_decref(names);
    return (reply){ 200, json_pack("{s:o, s:o, s:o}", "hosts", hosts, "containers", containers, "images", images) };
}

/* An id matches a full id or a prefix of at least 12 characters. */
static int id_match(const char *want, const char *have)
{
    size_t n = strlen(want);
    return have && (!strcmp(want, have) || (n >= 12 && !strncmp(want, have, n)));
}

reply comb_view_asset(ctx *x)
{
    json_t *names = node_names(x), *n, *found = NULL;
    size_t i, k;
    json_array_foreach(names, i, n) {
        const char *node = json_string_value(n);
        json_int_t at = 0;
        json_t *inv = newest(x, node, "inventory", &at), *c;
        if (!found && !strcmp(node, x->id))
            found = json_pack("{s:s, s:s, s:I, s:O?, s:O?}", "type", "host", "node", node, "received", at,
                              "host", json_object_get(inv, "host"), "warnings", json_object_get(inv, "warnings"));
        json_array_foreach(json_object_get(inv, "containers"), k, c)
            if (!found && id_match(x->id, str(c, "id")))
                found = json_pack("{s:s, s:s, s:I, s:O}", "type", "container", "node", node, "received", at,
                                  "container", c);
        json_array_foreach(json_object_get(inv, "images"), k, c)
            if (!found && id_match(x->id, str(c, "id"))) {
                json_t *users = json_array(), *u;
                size_t m;
                json_array_foreach(json_object_get(inv, "containers"), m, u)
                    if (!strcmp(str(json_object_get(u, "image"), "id") ? str(json_object_get(u, "image"), "id") : "",
                                str(c, "id")))
                        json_array_append_new(users, container_row(node, u));
                found = json_pack("{s:s, s:s, s:I, s:O, s:o}", "type", "image", "node", node, "received", at,
                                  "image", c, "containers", users);
            }
        json_decref(inv);
    }
    json_decref(names);
    return found ? (reply){ 200, found } : comb_reply_error(404, "no host, container or image has this id");
}

/* ---- graph ---- */

typedef struct graph {
    json_t *nodes, *edges, *seen; /* seen: node id or flow edge key -> true */
} graph;

static void add_node(graph *g, const char *id, const char *type, const char *label, const char *node,
                     const char *ref)
{
    if (json_object_get(g->seen, id))
        return;
    json_object_set_new(g->seen, id, json_true());
    json_array_append_new(g->nodes, json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "id", id, "type", type, "label",
                                              label ? label : id, "node", node, "ref", ref));
}

static void add_edge(graph *g, const char *src, const char *dst, const char *type, const char *label)
{
    if (!strcmp(type, "flow")) { /* a flow both ends report, or segmentation and inventory both: once */
        char key[700];
        snprintf(key, sizeof key, "%s>%s>%s", src, dst, label ? label : "");
        if (json_object_get(g->seen, key))
            return;
        json_object_set_new(g->seen, key, json_true());
    }
    json_array_append_new(g->edges, json_pack("{s:s, s:s, s:s, s:s?}", "source", src, "target", dst, "type",
                                              type, "label", label));
}

static void workload_id(char *out, size_t n, const char *node, const char *name)
{
    snprintf(out, n, "w:%s:%s", node, name);
}

/* A flow's end: a container of the node by name, else a group node of its
 * own (pods, namespaces, external networks). */
static void flow_end(graph *g, const char *node, const char *name, const json_t *group, char *out, size_t n)
{
    workload_id(out, n, node, name);
    const char *kind = str(group, "kind");
    if (!json_object_get(g->seen, out))
        add_node(g, out, !strncmp(name, "ext:", 4) ? "external" : "workload", name, node, kind);
}

static void add_segmentation(graph *g, ctx *x, const char *node)
{
    json_t *seg = newest(x, node, "segmentation", NULL), *grp, *f;
    json_t *groups = json_object();
    size_t i;
    json_array_foreach(json_object_get(seg, "groups"), i, grp)
        if (str(grp, "name"))
            json_object_set(groups, str(grp, "name"), grp);
    json_array_foreach(json_object_get(seg, "flows"), i, f) {
        const char *src = str(f, "src"), *dst = str(f, "dst");
        if (!src || !dst)
            continue;
        char a[300], b[300], label[64];
        flow_end(g, node, src, json_object_get(groups, src), a, sizeof a);
        flow_end(g, node, dst, json_object_get(groups, dst), b, sizeof b);
        snprintf(label, sizeof label, "%s/%lld", str(f, "proto") ? str(f, "proto") : "?",
                 (long long)json_integer_value(json_object_get(f, "port")));
        add_edge(g, a, b, "flow", label);
    }
    json_decref(groups);
    json_decref(seg);
}

/* Relationships an inventory container carries (null until segmentation
 * fills them in; docs/INVENTORY.md): flows to or from a named peer. */
static void add_relationships(graph *g, const char *node, const char *self, const json_t *rels)
{
    const json_t *r;
    size_t i;
    json_array_foreach(rels, i, r) {
        const json_t *peer = json_object_get(r, "peer");
        const char *name = json_is_string(peer) ? json_string_value(peer) : str(peer, "name");
        if (!name)
            continue;
        char other[300], label[64];
        flow_end(g, node, name, peer, other, sizeof other);
        snprintf(label, sizeof label, "%s/%lld", str(r, "protocol") ? str(r, "protocol") : "?",
                 (long long)json_integer_value(json_object_get(r, "port")));
        int inbound = !strcmp(str(r, "direction") ? str(r, "direction") : "", "inbound");
        add_edge(g, inbound ? other : self, inbound ? self : other, "flow", label);
    }
}

reply comb_view_graph(ctx *x)
{
    graph g = { json_array(), json_array(), json_object() };
    json_t *names = node_names(x), *n;
    size_t i, k;
    json_array_foreach(names, i, n) {
        const char *node = json_string_value(n);
        char hid[160], wid[300], iid[80];
        snprintf(hid, sizeof hid, "h:%s", node);
        add_node(&g, hid, "host", node, node, node);
        json_t *inv = newest(x, node, "inventory", NULL), *c;
        json_array_foreach(json_object_get(inv, "containers"), k, c) {
            const char *name = str(c, "name") ? str(c, "name") : str(c, "id");
            if (!name)
                continue;
            workload_id(wid, sizeof wid, node, name);
            add_node(&g, wid, "workload", name, node, str(c, "id"));
            add_edge(&g, hid, wid, "hosts", NULL);
            const json_t *img = json_object_get(c, "image");
            if (str(img, "id")) {
                snprintf(iid, sizeof iid, "i:%.70s", str(img, "id"));
                add_node(&g, iid, "image", str(img, "name"), NULL, str(img, "id"));
                add_edge(&g, iid, wid, "runs", NULL);
            }
            add_relationships(&g, node, wid, json_object_get(c, "relationships"));
        }
        json_decref(inv);
        add_segmentation(&g, x, node);
    }
    json_decref(names);
    json_decref(g.seen);
    return (reply){ 200, json_pack("{s:o, s:o}", "nodes", g.nodes, "edges", g.edges) };
}

/* ---- vulnerabilities ---- */

/* The tags of image id in inventory inv (borrowed), or NULL. */
static json_t *image_tags(const json_t *inv, const char *id)
{
    const json_t *img;
    size_t i;
    json_array_foreach(json_object_get(inv, "images"), i, img)
        if (str(img, "id") && !strcmp(str(img, "id"), id))
            return json_object_get(img, "tags");
    return NULL;
}

reply comb_view_images(ctx *x)
{
    json_t *names = node_names(x), *out = json_array(), *n;
    size_t i;
    json_array_foreach(names, i, n) {
        const char *node = json_string_value(n);
        json_t *scans = latest_scans(x, node), *s, *inv = newest(x, node, "inventory", NULL);
        const char *key;
        json_object_foreach(scans, key, s) {
            json_t *b = json_object_get(s, "body"), *t = json_object_get(b, "target");
            json_array_append_new(out, json_pack("{s:s, s:s, s:s?, s:O?, s:s?, s:O, s:o, s:I}", "node", node, "id", key,
                "name", str(t, "name") ? str(t, "name") : str(t, "target"), "tags", image_tags(inv, key), "kind",
                str(t, "kind"), "received", json_object_get(s, "received"), "vulnerabilities", severity_counts(b),
                "findings", (json_int_t)array_size(b, "findings")));
        }
        json_decref(inv);
        json_decref(scans);
    }
    json_decref(names);
    return (reply){ 200, out };
}

reply comb_view_image_vulns(ctx *x)
{
    json_t *names = node_names(x), *found = NULL, *n;
    size_t i, k;
    json_array_foreach(names, i, n) {
        json_t *scans = latest_scans(x, json_string_value(n));
        json_t *s = json_object_get(scans, x->id), *f;
        if (s && !found) {
            json_t *b = json_object_get(s, "body"), *t = json_object_get(b, "target"), *rows = json_array();
            json_array_foreach(json_object_get(b, "findings"), k, f) {
                if (k >= FINDINGS_MAX)
                    break;
                const json_t *p = json_object_get(f, "package");
                json_array_append_new(rows, json_pack("{s:s?, s:O?, s:s?, s:s?, s:s?, s:s?, s:O?, s:s?, s:s?, s:s?, s:b}",
                    "id", str(f, "id"), "aliases", json_object_get(f, "aliases"), "package", str(p, "name"),
                    "version", str(p, "version"), "type", str(p, "type"), "found_in", str(p, "found_in"),
                    "fixed_versions", json_object_get(f, "fixed_versions"), "severity", str(f, "severity"),
                    "title", str(f, "title"), "url", str(f, "url"),
                    "suppressed", json_is_true(json_object_get(f, "suppressed"))));
            }
            json_t *inv = newest(x, json_string_value(n), "inventory", NULL);
            found = json_pack("{s:s, s:s, s:s?, s:O?, s:O, s:o, s:o}", "id", x->id, "node", json_string_value(n),
                              "name", str(t, "name") ? str(t, "name") : str(t, "target"), "tags",
                              image_tags(inv, x->id), "received", json_object_get(s, "received"), "vulnerabilities",
                              severity_counts(b), "findings", rows);
            json_decref(inv);
        }
        json_decref(scans);
    }
    json_decref(names);
    return found ? (reply){ 200, found } : comb_reply_error(404, "no scan of this image");
}

/* ---- compliance ---- */

static json_t *status_counts(void)
{
    json_t *c = json_object();
    for (size_t k = 0; k < sizeof statuses / sizeof *statuses; k++)
        json_object_set_new(c, statuses[k], json_integer(0));
    return c;
}

reply comb_view_compliance(ctx *x)
{
    json_t *names = node_names(x), *out = json_array(), *n;
    size_t i, k;
    json_array_foreach(names, i, n) {
        const char *node = json_string_value(n);
        json_int_t at = 0;
        json_t *bench = newest(x, node, "bench", &at), *r;
        if (!bench)
            continue;
        json_t *sections = json_object(), *order = json_array(), *fixes = json_array();
        json_array_foreach(json_object_get(bench, "results"), k, r) {
            char sec[160];
            const char *st = str(r, "status");
            snprintf(sec, sizeof sec, "%s %s", str(r, "benchmark") ? str(r, "benchmark") : "?",
                     str(r, "section") ? str(r, "section") : "?");
            json_t *counts = json_object_get(sections, sec);
            if (!counts) {
                json_object_set_new(sections, sec, counts = status_counts());
                json_array_append_new(order, json_string(sec));
            }
            json_t *v = st ? json_object_get(counts, st) : NULL;
            if (v)
                json_integer_set(v, json_integer_value(v) + 1);
            if (st && (!strcmp(st, "FAIL") || !strcmp(st, "WARN") || !strcmp(st, "ERROR")))
                json_array_append_new(fixes, json_pack("{s:s?, s:s, s:s, s:s?, s:s?, s:O?, s:s?}", "id", str(r, "id"),
                    "section", sec, "status", st, "title", str(r, "title"), "reason", str(r, "reason"),
                    "target", json_object_get(r, "target"), "remediation", str(r, "remediation")));
        }
        json_t *sec_rows = json_array(), *name;
        json_array_foreach(order, k, name)
            json_array_append_new(sec_rows, json_pack("{s:O, s:O}", "section", name, "counts",
                                                      json_object_get(sections, json_string_value(name))));
        json_t *summary = json_object_get(bench, "summary");
        json_array_append_new(out, json_pack("{s:s, s:I, s:s?, s:O?, s:O?, s:o, s:o}", "node", node, "received", at,
            "started", str(bench, "started"), "score", json_object_get(summary, "score"), "counts",
            json_object_get(summary, "counts"), "sections", sec_rows, "results", fixes));
        json_decref(order);
        json_decref(sections);
        json_decref(bench);
    }
    json_decref(names);
    return (reply){ 200, json_pack("{s:o}", "nodes", out) };
}

/* ---- alerts ---- */

/* An output field of a Falco line as text (numbers written to num[32]). */
static const char *field(const json_t *line, const char *k, char num[32])
{
    const json_t *v = json_object_get(json_object_get(line, "output_fields"), k);
    if (json_is_integer(v)) {
        snprintf(num, 32, "%lld", (long long)json_integer_value(v));
        return num;
    }
    return json_string_value(v);
}

/* Whether a response line is about alert a: the same rule, and the same
 * process when both name one. */
static int responds_to(const json_t *resp, const json_t *a)
{
    const char *r1 = str(resp, "rule"), *r2 = str(a, "rule");
    if (!r1 || !r2 || strcmp(r1, r2))
        return 0;
    char n1[32], n2[32];
    const char *pid = field(resp, "proc.pid", n1), *apid = field(a, "proc.pid", n2);
    return !pid || !apid || !strcmp(pid, apid);
}

reply comb_view_alerts(ctx *x)
{
    json_t *names = node_names(x), *out = json_array(), *n;
    size_t i;
    json_array_foreach(names, i, n) {
        const char *node = json_string_value(n);
        json_t *a = comb_store_records(x->db, node, "alert", ALERTS_PER_NODE);
        json_t *mine = json_array(); /* this node's alerts, oldest first */
        /* records are newest first: walk them backwards so a response line
         * follows the alert it answers */
        for (size_t k = json_array_size(a); k-- > 0;) {
            char n1[32], n2[32];
            json_t *rec = json_array_get(a, k), *b = json_object_get(rec, "body");
            if (!json_is_object(b))
                continue;
            if (!strcmp(str(b, "source") ? str(b, "source") : "", "comb.response")) {
                json_t *resp = json_pack("{s:s?, s:s?, s:s?, s:s?}", "time", str(b, "time"), "response",
                                         str(b, "response"), "outcome", str(b, "outcome"), "detail", str(b, "detail"));
                size_t m = json_array_size(mine);
                while (m-- > 0 && !responds_to(b, json_object_get(json_array_get(mine, m), "raw")))
                    ;
                json_t *target = m < json_array_size(mine) ? json_array_get(mine, m) : NULL;
                if (target)
                    json_array_append_new(json_object_get(target, "responses"), resp);
                else /* no alert to join: shown alone */
                    json_array_append_new(mine, json_pack("{s:s, s:s?, s:s?, s:s, s:s?, s:O, s:[o], s:O}", "node",
                        node, "time", str(b, "time"), "rule", str(b, "rule"), "priority", "Response", "output",
                        str(b, "detail"), "received", json_object_get(rec, "received"), "responses", resp, "raw", b));
                continue;
            }
            json_array_append_new(mine, json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:O, s:[], s:O}",
                "node", node, "time", str(b, "time"), "rule", str(b, "rule"), "priority", str(b, "priority"),
                "output", str(b, "output"), "source", str(b, "source"), "container", field(b, "container.id", n1),
                "process", field(b, "proc.name", n2), "received", json_object_get(rec, "received"), "responses", "raw", b));
        }
        json_t *e;
        size_t k;
        json_array_foreach(mine, k, e) {
            json_object_del(e, "raw");
            json_array_append(out, e);
        }
        json_decref(mine);
        json_decref(a);
    }
    json_decref(names);
    return (reply){ 200, json_pack("{s:o}", "alerts", out) };
}
