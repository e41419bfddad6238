/* static.h - the web console's files, served by comb server from the
 * directory given with --console (docs/CONSOLE.md). Only GET and HEAD
 * outside /api/; a path is resolved inside that directory one component at
 * a time without following symbolic links, files are bounded in size and
 * every reply carries the console's security headers. Internal to server/. */
#ifndef COMB_SERVER_STATIC_H
#define COMB_SERVER_STATIC_H

#include <microhttpd.h>
#include <stddef.h>

#define COMB_STATIC_MAX_FILE (16u << 20)

/* Whether a request no route took is for the console's files: GET or
 * HEAD, outside /api/. */
int comb_static_wants(const char *method, const char *url);

/* The relative path (written to rel) of url: "/" is index.html; empty,
 * "." and ".." components, backslashes, control characters, '%' and
 * queries are refused (-1). For the handler and the fuzzer. */
int comb_static_resolve(const char *url, char *rel, size_t relsz);

/* The Content-Type for rel's extension (application/octet-stream else). */
const char *comb_static_type(const char *rel);

/* Queue the file for url under dir on c (404 when missing or refused). */
enum MHD_Result comb_static_serve(struct MHD_Connection *c, const char *dir, const char *url);

#endif
