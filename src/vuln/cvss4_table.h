/* cvss4_table.h - data of the CVSS v4.0 scoring algorithm (FIRST
 * specification, section 8 and its reference calculator): the score of
 * every MacroVector, the highest-severity vectors of each equivalence
 * class and the depth of each class. Private to vuln/cvss.c. */
#ifndef COMB_VULN_CVSS4_TABLE_H
#define COMB_VULN_CVSS4_TABLE_H

/* [EQ1][EQ2][EQ3][EQ4][EQ5][EQ6]; -1 for MacroVectors that cannot occur. */
extern const double comb_cvss4_macro_score[3][2][3][3][3][2];

/* Highest-severity partial vectors ("AV:N/PR:N/UI:N/") of each level of
 * EQ1, EQ2, EQ3+EQ6 (indexed [eq3][eq6]), EQ4 and EQ5; NULL-terminated. */
extern const char *const comb_cvss4_max_eq1[3][4];
extern const char *const comb_cvss4_max_eq2[2][3];
extern const char *const comb_cvss4_max_eq3eq6[3][2][6];
extern const char *const comb_cvss4_max_eq4[3][2];
extern const char *const comb_cvss4_max_eq5[3][2];

/* Maximal severity distance within a level (in steps of 0.1), plus one. */
extern const int comb_cvss4_depth_eq1[3];
extern const int comb_cvss4_depth_eq2[2];
extern const int comb_cvss4_depth_eq3eq6[3][2]; /* 0 where impossible */
extern const int comb_cvss4_depth_eq4[3];

#endif
