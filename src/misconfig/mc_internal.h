/* mc_internal.h - helpers shared by the image and Dockerfile checks.
 * Private to misconfig/. */
#ifndef COMB_MISCONFIG_INTERNAL_H
#define COMB_MISCONFIG_INTERNAL_H

#include <stddef.h>

/* secrets.c: does a variable, argument or label name say it holds a
 * secret (PASSWORD, TOKEN, API_KEY, ...)? Names that point at the secret
 * instead (..._FILE, ..._PATH) do not. */
int mc_secret_name(const char *name, size_t len);
/* Is the value something other than empty, a reference ($VAR), a file
 * path (/run/secrets/x) or a well-known placeholder (changeme, <token>)? */
int mc_secret_value(const char *value, size_t len);

/* ports.c: a port that should not be exposed; *what describes it. */
int mc_sensitive_port(unsigned long port, const char **what);
/* "22/tcp", "22", "2375/udp" -> port number; -1 if not a number. */
long mc_port_number(const char *spec);

/* 1 for http://, https:// or git URLs (ADD source) */
int mc_is_remote_url(const char *s);

/* shellcmd.c: what a shell command line (a RUN) does, as far as the checks
 * care. Quotes are respected; variables are not expanded. */
enum {
    MC_RUN_FETCH_TO_SHELL = 1 << 0,   /* curl/wget piped to a shell or interpreter */
    MC_RUN_APT_INSTALL = 1 << 1,      /* apt-get/apt install */
    MC_RUN_APT_NO_YES = 1 << 2,       /* ... without -y / --yes / -qq */
    MC_RUN_APT_RECOMMENDS = 1 << 3,   /* ... without --no-install-recommends */
    MC_RUN_APT_UPDATE = 1 << 4,       /* apt-get update */
    MC_RUN_APT_LISTS_REMOVED = 1 << 5,/* rm ... /var/lib/apt/lists */
    MC_RUN_APK_CACHED = 1 << 6,       /* apk add without --no-cache */
    MC_RUN_APK_CACHE_REMOVED = 1 << 7,/* rm ... /var/cache/apk */
    MC_RUN_PIP_CACHED = 1 << 8,       /* pip install without --no-cache-dir */
    MC_RUN_SUDO = 1 << 9,
    MC_RUN_CHMOD_777 = 1 << 10,
};
unsigned mc_run_facts(const char *cmd, size_t len);

#endif
