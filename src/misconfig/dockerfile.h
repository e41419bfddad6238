/* dockerfile.h - a Dockerfile parser (the syntax BuildKit's dockerfile
 * frontend accepts): parser directives (# syntax=, # escape=), comments,
 * line continuations with the escape character (comment and empty lines
 * inside them are dropped), heredocs (RUN <<EOF ... EOF, <<-EOF, quoted
 * delimiters), exec (JSON) form versus shell form, --flags, keywords in
 * any case, multi-stage builds (FROM ... AS name; a later FROM name builds
 * on that stage) and global ARGs substituted into FROM.
 *
 * Bounded: COMB_DF_MAX_SIZE bytes of input, COMB_DF_MAX_INSTRUCTIONS
 * instructions, COMB_DF_MAX_LINE bytes per instruction after joining
 * continuations, COMB_DF_MAX_STAGES stages; beyond them parsing fails with
 * COMB_ELIMIT. */
#ifndef COMB_MISCONFIG_DOCKERFILE_H
#define COMB_MISCONFIG_DOCKERFILE_H

#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"

#define COMB_DF_MAX_SIZE (4u << 20)
#define COMB_DF_MAX_INSTRUCTIONS 10000
#define COMB_DF_MAX_LINE (1u << 20)
#define COMB_DF_MAX_HEREDOCS 16      /* per instruction */
#define COMB_DF_MAX_FLAGS 32         /* per instruction */
#define COMB_DF_MAX_STAGES 256       /* FROM instructions (stage lookups stay cheap) */

typedef struct comb_df_heredoc {
    const char *delimiter;   /* "EOF" */
    const char *body;        /* the lines between, each ending in '\n' */
} comb_df_heredoc;

typedef struct comb_df_instr {
    const char *keyword;     /* upper case: "RUN" */
    const char *args;        /* text after the keyword and the flags, continuations joined */
    const char **flags;      /* "--from=build", "--mount=type=cache,target=/root/.cache" */
    size_t nflags;
    int exec_form;           /* args is a JSON array of strings: see argv */
    const char **argv;       /* exec form elements, NULL otherwise */
    size_t argc;
    comb_df_heredoc *heredocs;
    size_t nheredocs;
    unsigned line, end_line; /* 1-based, in the file (end includes heredocs) */
    int stage;               /* index into stages; -1 before the first FROM */
} comb_df_instr;

typedef struct comb_df_stage {
    const char *image;       /* FROM argument after global ARG substitution */
    const char *name;        /* AS name (lower case), or NULL */
    int parent;              /* the stage this one builds on, or -1 for an image */
    int unresolved;          /* image still contains a $variable */
    size_t first, count;     /* instructions of the stage, FROM included */
    unsigned line;
} comb_df_stage;

typedef struct comb_dockerfile {
    comb_arena arena;        /* owns everything */
    const char *name;        /* for locations: "Dockerfile" */
    char escape;             /* '\\' or '`' */
    const char *syntax;      /* # syntax= directive, or NULL */
    comb_df_instr *instrs;
    size_t n;
    comb_df_stage *stages;
    size_t nstages;
} comb_dockerfile;

/* Parse `len` bytes of `text` (need not be NUL-terminated). `name` labels
 * locations and messages. Errors: COMB_EFORMAT with "name:line: problem"
 * (unknown instruction, unterminated heredoc, missing FROM argument, ...),
 * COMB_ELIMIT, COMB_ENOMEM. */
comb_code comb_dockerfile_parse(const char *name, const char *text, size_t len,
                                comb_dockerfile **out, comb_err *err);
void comb_dockerfile_free(comb_dockerfile *df);

/* The value of flag `name` ("from" for --from=x) of an instruction, or NULL. */
const char *comb_df_flag(const comb_df_instr *in, const char *name);

#endif
