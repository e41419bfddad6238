/* pep440.c - placeholder */
#include "vuln/version/schemes.h"
int comb_vs_pep440_valid(const char *v) { (void)v; return 0; }
int comb_vs_pep440_cmp(const char *a, const char *b) { (void)a; (void)b; return 0; }
int comb_vs_pep440_strict(const char *v) { (void)v; return 0; }
