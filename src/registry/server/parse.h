/* parse.h - the registry server's request parsing, pure and bounded (every
 * input comes from the network): the route of a /v2/ URL, Content-Range of
 * a chunk, Range of a blob read, the `n` of a paginated list. */
#ifndef COMB_REGISTRY_SERVER_PARSE_H
#define COMB_REGISTRY_SERVER_PARSE_H

#include <stddef.h>
#include <stdint.h>

typedef enum comb_rs_kind {
    COMB_RS_NONE = 0, /* not a route of the API */
    COMB_RS_BASE,     /* /v2/ */
    COMB_RS_CATALOG,  /* /v2/_catalog */
    COMB_RS_TAGS,     /* /v2/<name>/tags/list */
    COMB_RS_MANIFEST, /* /v2/<name>/manifests/<ref> */
    COMB_RS_BLOB,     /* /v2/<name>/blobs/<digest> */
    COMB_RS_UPLOAD,   /* /v2/<name>/blobs/uploads/[<uuid>] */
    COMB_RS_REFERRERS /* /v2/<name>/referrers/<digest> */
} comb_rs_kind;

typedef struct comb_rs_route {
    comb_rs_kind kind;
    char name[256]; /* repository; "" for BASE and CATALOG */
    char ref[136];  /* tag, digest or upload id; "" when none */
    int name_ok;    /* name follows the distribution grammar */
} comb_rs_route;

/* Split a decoded URL path. Returns the kind (COMB_RS_NONE when the path is
 * not the API's or a part is too long). */
comb_rs_kind comb_rs_route_parse(const char *url, comb_rs_route *out);

/* Content-Range of a PATCH: "<start>-<end>" (inclusive; "bytes " or
 * "bytes=" prefix tolerated). 0 ok, -1 malformed. */
int comb_rs_content_range(const char *s, uint64_t *start, uint64_t *end);

/* Range of a GET on an object of `size` bytes: "bytes=a-b", "bytes=a-",
 * "bytes=-n" (one range). 0: [*off, *off + *len) ; -1 malformed (ignore);
 * -2 unsatisfiable (416). */
int comb_rs_range(const char *s, uint64_t size, uint64_t *off, uint64_t *len);

/* A page size `n`: decimal 0..max; -1 if malformed. */
long comb_rs_page_size(const char *s, long max);

/* A 128-bit random hex id (uploads); 0 ok. */
int comb_rs_new_id(char out[33]);
/* 1 if s is 32 lowercase hex digits (an id from comb_rs_new_id). */
int comb_rs_valid_id(const char *s);

#endif
