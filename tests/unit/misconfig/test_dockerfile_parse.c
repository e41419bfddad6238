/* test_dockerfile_parse.c - the Dockerfile parser on tricky syntax:
 * directives, continuations (with comments and empty lines inside), the
 * backtick escape, heredocs, exec form, flags, stages, ARG in FROM, line
 * numbers, and the errors and limits. */
#include <stdlib.h>

#include "mc_test.h"

static comb_dockerfile *parse(const char *text, comb_code want)
{
    comb_err err;
    comb_err_clear(&err);
    comb_dockerfile *df = NULL;
    comb_code rc = comb_dockerfile_parse("Dockerfile", text, strlen(text), &df, &err);
    if (rc != want)
        fprintf(stderr, "  parse -> %d (%s), expected %d\n", rc, err.msg, want);
    CHECK_INT(rc, want);
    return df;
}

static void test_continuations_and_comments(void)
{
    comb_dockerfile *df = parse("# a comment\n"
                                "\n"
                                "from debian:12\n"
                                "RUN apt-get update \\\n"
                                "# a comment inside the continuation\n"
                                "\n"
                                "    && apt-get install -y curl \\   \n"
                                "    && true\n"
                                "  CMD   [\"sh\", \"-c\", \"echo hi\"]  \n",
                                COMB_OK);
    if (!df)
        return;
    CHECK_INT(df->n, 3);
    CHECK_STR(df->instrs[0].keyword, "FROM");
    CHECK_INT(df->instrs[0].line, 3);
    CHECK_STR(df->instrs[1].keyword, "RUN");
    CHECK_INT(df->instrs[1].line, 4);
    CHECK_INT(df->instrs[1].end_line, 8);
    CHECK_STR(df->instrs[1].args, "apt-get update     && apt-get install -y curl     && true");
    CHECK_INT(df->instrs[1].exec_form, 0);
    CHECK_STR(df->instrs[2].keyword, "CMD");
    CHECK_INT(df->instrs[2].line, 9);
    CHECK_INT(df->instrs[2].exec_form, 1);
    CHECK_INT(df->instrs[2].argc, 3);
    CHECK_STR(df->instrs[2].argv[2], "echo hi");
    comb_dockerfile_free(df);
}

static void test_escape_directive(void)
{
    comb_dockerfile *df = parse("# syntax=docker/dockerfile:1.7\n"
                                "# escape=`\n"
                                "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
                                "WORKDIR C:\\app\n"
                                "RUN dir C:\\ `\n"
                                "    && echo done\n",
                                COMB_OK);
    if (!df)
        return;
    CHECK_INT(df->escape, '`');
    CHECK_STR(df->syntax, "docker/dockerfile:1.7");
    CHECK_INT(df->n, 3);
    CHECK_STR(df->instrs[1].args, "C:\\app");
    CHECK_STR(df->instrs[2].args, "dir C:\\     && echo done");
    CHECK_INT(df->instrs[2].line, 5);
    comb_dockerfile_free(df);

    /* a directive after a comment is only a comment */
    df = parse("# hello\n# escape=`\nFROM a:1\nRUN x `\n", COMB_OK);
    if (df) {
        CHECK_INT(df->escape, '\\');
        CHECK_STR(df->instrs[1].args, "x `");
        comb_dockerfile_free(df);
    }
    parse("# escape=x\nFROM a\n", COMB_EFORMAT);
}

static void test_heredocs(void)
{
    comb_dockerfile *df = parse("FROM debian:12\n"
                                "RUN <<EOF bash\n"
                                "set -e\n"
                                "echo \"$HOME\"\n"
                                "EOF\n"
                                "COPY <<-\"CONF\" <<'TWO' /etc/\n"
                                "\t\tkey=value\n"
                                "\tCONF\n"
                                "second\n"
                                "TWO\n"
                                "USER 1\n"
                                "RUN cat <<<not-a-heredoc\n",
                                COMB_OK);
    if (!df)
        return;
    CHECK_INT(df->n, 5);
    const comb_df_instr *run = &df->instrs[1];
    CHECK_INT(run->nheredocs, 1);
    CHECK_STR(run->heredocs[0].delimiter, "EOF");
    CHECK_STR(run->heredocs[0].body, "set -e\necho \"$HOME\"\n");
    CHECK_INT(run->line, 2);
    CHECK_INT(run->end_line, 5);
    const comb_df_instr *copy = &df->instrs[2];
    CHECK_INT(copy->nheredocs, 2);
    CHECK_STR(copy->heredocs[0].delimiter, "CONF");
    CHECK_STR(copy->heredocs[0].body, "key=value\n");
    CHECK_STR(copy->heredocs[1].body, "second\n");
    CHECK_STR(df->instrs[3].keyword, "USER");
    CHECK_INT(df->instrs[3].line, 11);
    CHECK_INT(df->instrs[4].nheredocs, 0);
    comb_dockerfile_free(df);

    parse("FROM a\nRUN <<EOF\necho never closed\n", COMB_EFORMAT);

    /* not heredocs: inside quotes, in the middle of a word */
    df = parse("FROM a\nRUN echo \"<<EOF\" '<<X' && echo $((1<<2)) && cat<<Y\nUSER 1\n", COMB_OK);
    if (df) {
        CHECK_INT(df->n, 3);
        CHECK_INT(df->instrs[1].nheredocs, 0);
        comb_dockerfile_free(df);
    }
}

static void test_flags_and_exec_form(void)
{
    comb_dockerfile *df = parse("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"
                                "RUN --mount=type=cache,target=/root/.cache/go-build --network=none go build\n"
                                "COPY --from=build --chown=1:1 [\"/out/app\", \"/app\"]\n"
                                "ENTRYPOINT [\"/app\", not json\n",
                                COMB_OK);
    if (!df)
        return;
    CHECK_INT(df->instrs[0].nflags, 1);
    CHECK_STR(comb_df_flag(&df->instrs[0], "platform"), "$BUILDPLATFORM");
    CHECK_STR(df->stages[0].image, "golang:1.22");
    CHECK_INT(df->instrs[1].nflags, 2);
    CHECK_STR(df->instrs[1].args, "go build");
    CHECK_STR(comb_df_flag(&df->instrs[2], "from"), "build");
    CHECK_STR(comb_df_flag(&df->instrs[2], "chown"), "1:1");
    CHECK_INT(df->instrs[2].exec_form, 1);
    CHECK_STR(df->instrs[2].argv[1], "/app");
    CHECK_INT(df->instrs[3].exec_form, 0); /* invalid JSON falls back to shell form */
    comb_dockerfile_free(df);
}

static void test_stages_and_args(void)
{
    comb_dockerfile *df = parse("ARG BASE=debian\n"
                                "ARG VER\n"
                                "ARG DEF\n"
                                "FROM ${BASE}:${VER:-12} AS Builder\n"
                                "RUN make\n"
                                "FROM builder AS test\n"
                                "FROM $BASE:$DEF\n"
                                "FROM scratch\n"
                                "COPY --from=builder /x /x\n",
                                COMB_OK);
    if (!df)
        return;
    CHECK_INT(df->nstages, 4);
    CHECK_STR(df->stages[0].image, "debian:12");
    CHECK_STR(df->stages[0].name, "builder");
    CHECK_INT(df->stages[0].parent, -1);
    CHECK_INT(df->stages[0].count, 2);
    CHECK_INT(df->stages[1].parent, 0);
    CHECK_INT(df->stages[2].unresolved, 1); /* DEF has no value: given at build time */
    CHECK_INT(df->stages[3].first, 7);
    CHECK_INT(df->stages[0].first, 3);
    CHECK_INT(df->stages[3].count, 2);
    CHECK_INT(df->instrs[0].stage, -1);
    CHECK_INT(df->instrs[8].stage, 3);
    comb_dockerfile_free(df);
}

static void test_errors_and_limits(void)
{
    comb_dockerfile_free(parse("FROM a\nFROB x\n", COMB_EFORMAT));
    parse("FROM\n", COMB_EFORMAT);
    parse("FROM a AS\n", COMB_EFORMAT);
    comb_dockerfile_free(parse("FROM a\nRUN x\0y\n", COMB_OK)); /* strlen stops at the NUL: "RUN x" */
    comb_err err;
    comb_dockerfile *df = NULL;
    CHECK_INT(comb_dockerfile_parse("D", "FROM a\0", 7, &df, &err), COMB_EFORMAT);
    /* too many instructions */
    size_t n = (COMB_DF_MAX_INSTRUCTIONS + 1) * 6 + 8;
    char *big = malloc(n);
    if (!big)
        return;
    size_t o = (size_t)sprintf(big, "FROM a\n");
    for (int i = 0; i < COMB_DF_MAX_INSTRUCTIONS; i++)
        o += (size_t)sprintf(big + o, "RUN x\n");
    CHECK_INT(comb_dockerfile_parse("D", big, o, &df, &err), COMB_ELIMIT);
    CHECK(strstr(err.msg, "D:") == err.msg);
    /* too many stages */
    o = 0;
    for (int i = 0; i <= COMB_DF_MAX_STAGES; i++)
        o += (size_t)sprintf(big + o, "FROM a\n");
    CHECK_INT(comb_dockerfile_parse("D", big, o, &df, &err), COMB_ELIMIT);
    CHECK(strstr(err.msg, "stages") != NULL);
    /* a continuation that never ends is bounded by the file size */
    CHECK_INT(comb_dockerfile_parse("D", big, COMB_DF_MAX_SIZE + 1, &df, &err), COMB_ELIMIT);
    free(big);
    /* an empty file parses to nothing */
    CHECK_INT(comb_dockerfile_parse("D", "", 0, &df, &err), COMB_OK);
    if (df) {
        CHECK_INT(df->n, 0);
        comb_dockerfile_free(df);
    }
    /* CRLF line ends, a byte order mark */
    df = parse("\xEF\xBB\xBF" "FROM a:1\r\nRUN x \\\r\n  y\r\n", COMB_OK);
    if (df) {
        CHECK_INT(df->n, 2);
        CHECK_STR(df->instrs[1].args, "x   y");
        comb_dockerfile_free(df);
    }
}

int main(void)
{
    RUN(test_continuations_and_comments);
    RUN(test_escape_directive);
    RUN(test_heredocs);
    RUN(test_flags_and_exec_form);
    RUN(test_stages_and_args);
    RUN(test_errors_and_limits);
    return test_summary();
}
