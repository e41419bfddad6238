/* table.c - the readable form of an inventory document (see inventory.h). */
#include <string.h>

#include "inventory/inventory.h"

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "-";
}

/* Printable characters only: names and command lines come from containers. */
static void put_clean(FILE *out, const char *s, size_t max)
{
    size_t n = 0;
    for (; *s && n < max; s++, n++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
    if (*s)
        fputs("...", out);
}

/* "scanned  12 (1/3/5/3)": the status and the counts by severity. */
static void scan_cell(FILE *out, const json_t *scan, int colour)
{
    const char *status = json_string_value(json_object_get(scan, "status"));
    const json_t *bs = json_object_get(scan, "by_severity");
    char counts[64] = "";
    if (json_object_get(scan, "total"))
        snprintf(counts, sizeof counts, "%lld (%lld/%lld/%lld/%lld)",
                 (long long)json_integer_value(json_object_get(scan, "total")),
                 (long long)json_integer_value(json_object_get(bs, "CRITICAL")),
                 (long long)json_integer_value(json_object_get(bs, "HIGH")),
                 (long long)json_integer_value(json_object_get(bs, "MEDIUM")),
                 (long long)json_integer_value(json_object_get(bs, "LOW")));
    int warn = colour && status && strcmp(status, "scanned");
    fprintf(out, "%s%-12s%s %-26s ", warn ? "\033[33m" : "", status ? status : "-", warn ? "\033[0m" : "",
            counts);
}

void comb_inventory_table(const json_t *doc, FILE *out, int colour)
{
    const char *b = colour ? "\033[1m" : "", *r = colour ? "\033[0m" : "";
    const char *red = colour ? "\033[31m" : "";
    const json_t *h = json_object_get(doc, "host");
    fprintf(out, "%sHost%s ", b, r);
    put_clean(out, str(h, "hostname"), 64);
    fputs("  os: ", out);
    put_clean(out, str(h, "os"), 64);
    fprintf(out, "  kernel: %s  engines:", str(h, "kernel"));
    size_t i, j;
    json_t *v, *c;
    json_array_foreach(json_object_get(h, "engines"), i, v) fprintf(out, " %s", json_string_value(v));
    fputc('\n', out);

    const json_t *ctrs = json_object_get(doc, "containers");
    fprintf(out, "\n%sContainers (%zu)%s\n", b, json_array_size(ctrs), r);
    fprintf(out, "%-10s %-12s %-24s %-30s %-8s %7s  %s\n", "ENGINE", "ID", "NAME", "IMAGE", "STATE",
            "PID", "FLAGS");
    json_array_foreach(ctrs, i, c)
    {
        char id[13];
        snprintf(id, sizeof id, "%s", str(c, "id"));
        fprintf(out, "%-10s %-12s ", str(c, "engine"), id);
        char name[25], image[31];
        snprintf(name, sizeof name, "%s", str(c, "name"));
        snprintf(image, sizeof image, "%s", str(json_object_get(c, "image"), "name"));
        put_clean(out, name, 24);
        fprintf(out, "%*s ", (int)(24 - strlen(name)), "");
        put_clean(out, image, 30);
        fprintf(out, "%*s ", (int)(30 - strlen(image)), "");
        json_int_t pid = json_integer_value(json_object_get(c, "pid"));
        fprintf(out, "%-8s %7lld  %s%s%s\n", str(c, "state"), (long long)pid,
                json_is_true(json_object_get(c, "privileged")) ? red : "",
                json_is_true(json_object_get(c, "privileged")) ? "privileged" : "", r);
        json_array_foreach(json_object_get(c, "ports"), j, v)
        {
            fprintf(out, "    port %s %s:%lld", str(v, "protocol"), str(v, "address"),
                    (long long)json_integer_value(json_object_get(v, "port")));
            if (json_object_get(v, "pid"))
                fprintf(out, " (pid %lld)", (long long)json_integer_value(json_object_get(v, "pid")));
            fputc('\n', out);
        }
        json_array_foreach(json_object_get(c, "mounts"), j, v)
        {
            const char *kind = str(v, "kind");
            if (strcmp(kind, "bind") && strcmp(kind, "volume"))
                continue;
            fprintf(out, "    %s ", kind);
            put_clean(out, str(v, "source"), 80);
            fputs(" -> ", out);
            put_clean(out, str(v, "destination"), 80);
            fprintf(out, " %s\n", json_is_true(json_object_get(v, "rw")) ? "rw" : "ro");
        }
        json_array_foreach(json_object_get(c, "relationships"), j, v)
        {
            const json_t *peer = json_object_get(v, "peer");
            int out_ = !strcmp(str(v, "direction"), "outbound");
            fputs(out_ ? "    flow -> " : "    flow <- ", out);
            put_clean(out, str(peer, "name"), 60);
            fprintf(out, " %s/%lld x%lld last %s\n", str(v, "protocol"),
                    (long long)json_integer_value(json_object_get(v, "port")),
                    (long long)json_integer_value(json_object_get(v, "count")), str(v, "last_seen"));
        }
        json_array_foreach(json_object_get(c, "processes"), j, v)
        {
            fprintf(out, "    proc %lld uid %lld ", (long long)json_integer_value(json_object_get(v, "pid")),
                    (long long)json_integer_value(json_object_get(v, "uid")));
            size_t k;
            json_t *a;
            json_array_foreach(json_object_get(v, "cmdline"), k, a)
            {
                if (k)
                    fputc(' ', out);
                put_clean(out, json_string_value(a), 60);
            }
            fputc('\n', out);
        }
    }
    const json_t *imgs = json_object_get(doc, "images");
    fprintf(out, "\n%sImages (%zu)%s\n", b, json_array_size(imgs), r);
    fprintf(out, "%-10s %-12s %-20s %-12s %-26s %s\n", "ENGINE", "ID", "CREATED", "SCAN", "FINDINGS C/H/M/L",
            "TAGS");
    json_array_foreach(imgs, i, c)
    {
        char id[13], created[21];
        snprintf(id, sizeof id, "%s", str(c, "id"));
        snprintf(created, sizeof created, "%s", str(c, "created"));
        fprintf(out, "%-10s %-12s %-20s ", str(c, "engine"), id, created);
        scan_cell(out, json_object_get(c, "scan"), colour);
        json_array_foreach(json_object_get(c, "tags"), j, v)
        {
            if (j)
                fputc(' ', out);
            put_clean(out, json_string_value(v), 100);
        }
        fputc('\n', out);
    }
}
