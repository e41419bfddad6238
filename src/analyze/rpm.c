/* rpm.c - placeholder until the analyzer lands. */
#include "analyze/analyzer.h"

static int wants(const comb_entry *e) { (void)e; return COMB_WANT_NO; }

const comb_analyzer comb_analyzer_rpm = { .name = "rpm", .wants = wants };
