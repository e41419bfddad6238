/* table.c - the human-readable inventory: a header naming the image and
 * OS, then one row per package, columns sized to their content. Colour
 * only when the caller says the output is a terminal. */
#include <string.h>

#include "report/report.h"

#define BOLD(o) ((o)->color ? "\033[1m" : "")
#define DIM(o) ((o)->color ? "\033[2m" : "")
#define RESET(o) ((o)->color ? "\033[0m" : "")

static int width(const char *s, int max)
{
    int n = s ? (int)strlen(s) : 1;
    return n > max ? max : n;
}

comb_code comb_report_table(const comb_inventory *inv, const comb_report_opts *o, FILE *out,
                            comb_err *err)
{
    (void)err;
    fprintf(out, "%s%s%s", BOLD(o), inv->image.target ? inv->image.target : "", RESET(o));
    if (inv->image.source_kind)
        fprintf(out, " (%s", inv->image.source_kind);
    if (inv->image.name)
        fprintf(out, ", %s", inv->image.name);
    if (inv->image.source_kind)
        fputc(')', out);
    fputc('\n', out);
    if (inv->os.id)
        fprintf(out, "OS: %s\n", inv->os.pretty_name ? inv->os.pretty_name : inv->os.id);
    fprintf(out, "Packages: %zu\n\n", inv->npkgs);
    int wt = 4, wn = 4, wv = 7, wsrc = 6;
    for (size_t i = 0; i < inv->npkgs; i++) {
        const comb_pkg *p = inv->pkgs[i];
        int t = width(comb_pkg_type_name(p->type), 12);
        int n = width(p->name, 48) + (p->namespace_ ? width(p->namespace_, 40) + 1 : 0);
        int v = width(p->version, 40);
        int s = width(p->src_name && p->name && strcmp(p->src_name, p->name) ? p->src_name : NULL, 32);
        if (t > wt) wt = t;
        if (n > wn) wn = n > 60 ? 60 : n;
        if (v > wv) wv = v;
        if (s > wsrc) wsrc = s;
    }
    fprintf(out, "%s%-*s  %-*s  %-*s  %-*s  %s%s\n", BOLD(o), wt, "TYPE", wn, "NAME", wv,
            "VERSION", wsrc, "SOURCE", "LOCATION", RESET(o));
    for (size_t i = 0; i < inv->npkgs; i++) {
        const comb_pkg *p = inv->pkgs[i];
        char name[256];
        if (p->namespace_)
            snprintf(name, sizeof name, "%s:%s", p->namespace_, p->name);
        else
            snprintf(name, sizeof name, "%s", p->name ? p->name : "-");
        const char *src = p->src_name && p->name && strcmp(p->src_name, p->name) ? p->src_name : "";
        fprintf(out, "%-*s  %-*.*s  %-*.*s  %-*.*s  %s%s%s%s%s\n", wt, comb_pkg_type_name(p->type),
                wn, wn, name, wv, 40, p->version ? p->version : "-", wsrc, 32, src, DIM(o),
                p->found_in ? p->found_in : "", p->inner_path ? "!" : "",
                p->inner_path ? p->inner_path : "", RESET(o));
    }
    return COMB_OK;
}
