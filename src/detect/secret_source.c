/* secret_source.c - the secret scanner (secret/) as a detector source. */
#include "detect/source.h"
#include "secret/secret.h"

static int on_match(void *ud, const comb_secret_match *m)
{
    detect_sink *s = ud;
    comb_detection *d = detect_add(s, COMB_DETECT_SECRET);
    if (!d)
        return 0; /* over the limits: counted by the sink */
    d->rule_id = detect_str(s, m->rule_id);
    d->title = detect_str(s, m->title);
    d->category = detect_str(s, m->category);
    d->severity = detect_severity(m->severity);
    d->engine = "comb-secret";
    d->line = m->line;
    d->col = m->col;
    d->match = detect_str(s, m->redacted_match);
    d->snippet = detect_str(s, m->redacted_line);
    d->fix = detect_str(s, "Revoke and rotate this credential now: anyone who can pull the image "
                           "has it, in every layer that ever held it. Then pass it at run time "
                           "(secret mounts, environment of the orchestrator) instead of baking it "
                           "into the image.");
    return 0;
}

static int wants(void *self, const comb_entry *e)
{
    return comb_secret_wants(self, e->path, e->size);
}

static comb_code scan(void *self, detect_sink *s, const comb_entry *e, const uint8_t *data,
                      size_t len, comb_err *err)
{
    return comb_secret_scan(self, e->path, data, len, on_match, s, err);
}

static void release(void *self) { comb_secret_engine_free(self); }

comb_code detect_secret_source(const comb_detect_opts *o, detect_source *out, comb_err *err)
{
    comb_secret_opts so = { .config_path = o->secret_config,
                            .max_file_size = o->secret_max_file_size };
    comb_secret_engine *e = NULL;
    comb_code rc = comb_secret_engine_new(&so, &e, err);
    if (rc != COMB_OK)
        return rc;
    *out = (detect_source){ .name = "secret", .self = e, .wants = wants, .scan = scan,
                            .release = release,
                            .max_size = so.max_file_size ? so.max_file_size : COMB_SECRET_DEFAULT_MAX_SIZE };
    return COMB_OK;
}
