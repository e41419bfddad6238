/* adm_internal.h - shared inside src/admission only. */
#ifndef COMB_ADMISSION_ADM_INTERNAL_H
#define COMB_ADMISSION_ADM_INTERNAL_H

struct comb_adm_images;
void comb_adm_images_free(struct comb_adm_images *im);
/* The policy's image-rule state (cache, lock, stores), created on first use;
 * NULL when out of memory. Created while parsing the policy when a rule
 * needs it, so that webhook threads never race to create it. */
struct comb_adm_policy;
struct comb_adm_images *comb_adm_images_state(struct comb_adm_policy *p);
/* "low" 1 .. "critical" 4 (case-insensitive), "unknown"/"negligible" 0, else -1. */
int comb_adm_severity_rank(const char *s);

#endif
