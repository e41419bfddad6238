/* gem.c - placeholder */
#include "vuln/version/schemes.h"
int comb_vs_gem_valid(const char *v) { (void)v; return 0; }
int comb_vs_gem_cmp(const char *a, const char *b) { (void)a; (void)b; return 0; }
