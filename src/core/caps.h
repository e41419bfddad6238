/* caps.h - Linux capability names by bit number (linux/capability.h). */
#ifndef COMB_CORE_CAPS_H
#define COMB_CORE_CAPS_H

/* "CAP_SYS_ADMIN" for 21; NULL past the capabilities this build knows. */
const char *comb_cap_name(unsigned bit);

#endif
