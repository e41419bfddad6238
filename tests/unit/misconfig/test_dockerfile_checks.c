/* test_dockerfile_checks.c - every Dockerfile check on a snippet that must
 * trigger it (on the expected line) and one that must not. */
#include "mc_test.h"

#define PIN "FROM debian:12@sha256:0000000000000000000000000000000000000000000000000000000000000000\n"
#define TAIL "USER 10001\nHEALTHCHECK CMD true\n"

typedef struct df_case {
    const char *id;
    const char *bad;
    unsigned bad_line;  /* line of the first finding */
    const char *good;
} df_case;

static const df_case cases[] = {
    /* final stage as root */
    { "CMB-DF-001", PIN "RUN true\nHEALTHCHECK CMD true\n", 1, PIN TAIL },
    { "CMB-DF-001", PIN "USER app\nUSER root:root\nHEALTHCHECK CMD true\n", 3, PIN "USER root\nRUN x\nUSER app\nHEALTHCHECK CMD true\n" },
    { "CMB-DF-001", PIN "USER 0\nHEALTHCHECK NONE\n", 2, PIN "USER 1000:1000\nHEALTHCHECK NONE\n" },
    /* USER inherited from a parent stage counts */
    { "CMB-DF-001", PIN "FROM debian:12 AS b\nUSER app\nFROM alpine:3.20\n", 4,
      "FROM debian:12 AS base\nUSER app\nFROM base\nRUN true\n" },
    /* latest / no tag */
    { "CMB-DF-002", "FROM debian\n" TAIL, 1, "FROM debian:12\n" TAIL },
    { "CMB-DF-002", "FROM registry.example.com:5000/team/app:latest\n" TAIL, 1,
      "FROM registry.example.com:5000/team/app:1.4\n" TAIL },
    { "CMB-DF-002", "ARG TAG=latest\nFROM debian:${TAG}\n" TAIL, 2,
      "ARG TAG=12\nFROM debian:${TAG}\n" TAIL },
    { "CMB-DF-002", "FROM scratch AS s\nFROM ubuntu\n" TAIL, 2,
      "FROM scratch\n" TAIL },
    /* stage reference is not an image */
    { "CMB-DF-002", "FROM golang AS build\nFROM build\n" TAIL, 1,
      "FROM golang:1.22 AS build\nFROM BUILD\n" TAIL },
    /* digest */
    { "CMB-DF-003", "FROM debian:12\n" TAIL, 1, PIN TAIL },
    /* secrets */
    { "CMB-IMG-002", PIN "ENV DB_PASSWORD=hunter2xyz\n" TAIL, 2,
      PIN "ENV DB_PASSWORD_FILE=/run/secrets/db DB_PASSWORD=$FROM_ENV\n" TAIL },
    { "CMB-IMG-002", PIN "ENV API_TOKEN s3cr3t-token-value\n" TAIL, 2,
      PIN "ENV API_TOKEN changeme\n" TAIL },
    { "CMB-IMG-002", PIN "ENV A=1 \\\n    AWS_SECRET_ACCESS_KEY=\"wJalrXUtnFEMI/K7MDENG\"\n" TAIL, 2,
      PIN "ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\n" TAIL },
    { "CMB-IMG-003", PIN "ARG NPM_TOKEN=npm_abcdefghijklmnop\n" TAIL, 2,
      PIN "ARG VERSION=1.2.3\n" TAIL },
    { "CMB-IMG-004", PIN "LABEL a=b deploy.api-key=\"k_live_0123456789\"\n" TAIL, 2,
      PIN "LABEL org.opencontainers.image.title=\"app\" token.type=bearer\n" TAIL },
    { "CMB-DF-004", PIN "ARG GITHUB_TOKEN\n" TAIL, 2, PIN "ARG GITHUB_TOKEN_FILE\n" TAIL },
    /* ADD */
    { "CMB-IMG-005", PIN "ADD https://example.com/app.tar.gz /opt/\n" TAIL, 2,
      PIN "ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d "
          "https://example.com/app.tar.gz /opt/\n" TAIL },
    { "CMB-IMG-005", PIN "ADD [\"http://example.com/x\", \"/x\"]\n" TAIL, 2,
      PIN "COPY [\"x\", \"/x\"]\n" TAIL },
    { "CMB-DF-014", PIN "ADD app.py /app/\n" TAIL, 2, PIN "ADD rootfs.tar.xz /\n" TAIL },
    { "CMB-DF-014", PIN "add --chown=1:1 a b /dst/\n" TAIL, 2, PIN "COPY a b /dst/\n" TAIL },
    /* curl | sh */
    { "CMB-IMG-006", PIN "RUN curl -fsSL https://get.example.com | sh\n" TAIL, 2,
      PIN "RUN curl -fsSLo i.sh https://get.example.com && sha256sum -c i.sum && sh i.sh\n" TAIL },
    { "CMB-IMG-006", PIN "RUN wget -qO- https://x.io/i | sudo -E bash -\n" TAIL, 2,
      PIN "RUN wget -qO- https://x.io/data.json | jq . > /data.json\n" TAIL },
    { "CMB-IMG-006", PIN "RUN bash -c \"$(curl -fsSL https://x.io/install.sh)\"\n" TAIL, 2,
      PIN "RUN echo 'curl https://x | sh' > /README\n" TAIL },
    { "CMB-IMG-006", PIN "RUN [\"sh\", \"-c\", \"curl -s https://x | python3\"]\n" TAIL, 2,
      PIN "RUN [\"sh\", \"-c\", \"curl -so f https://x || python3 f\"]\n" TAIL },
    { "CMB-IMG-006", PIN "RUN <<EOF\nset -e\ncurl https://x.io/i.sh \\\n  | sh\nEOF\n" TAIL, 2,
      PIN "RUN <<EOF\ncurl -o /tmp/i.sh https://x.io/i.sh\nEOF\n" TAIL },
    /* HEALTHCHECK */
    { "CMB-IMG-007", PIN "USER 1\n", 1, PIN TAIL },
    { "CMB-IMG-007", PIN "USER 1\nHEALTHCHECK none\n", 3, PIN "USER 1\nHEALTHCHECK --interval=5s CMD true\n" },
    /* EXPOSE */
    { "CMB-IMG-008", PIN "EXPOSE 8080 22/tcp\n" TAIL, 2, PIN "EXPOSE 8080 443/tcp\n" TAIL },
    { "CMB-IMG-008", PIN "EXPOSE 2375\n" TAIL, 2, PIN "EXPOSE 23750\n" TAIL },
    /* apt */
    { "CMB-DF-005", PIN "RUN apt-get update && apt-get install curl && rm -rf /var/lib/apt/lists/*\n" TAIL, 2,
      PIN "RUN apt-get update && apt-get -qy install --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n" TAIL },
    { "CMB-DF-006", PIN "RUN apt-get install -y curl\n" TAIL, 2,
      PIN "RUN apt-get install -y --no-install-recommends curl\n" TAIL },
    { "CMB-DF-007", PIN "RUN apt-get update \\\n && apt-get install -y --no-install-recommends curl\n" TAIL, 2,
      PIN "RUN apt-get update \\\n && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*\n" TAIL },
    { "CMB-DF-007", PIN "RUN apt-get update\n" TAIL, 2,
      PIN "RUN --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update\n" TAIL },
    /* apk, pip */
    { "CMB-DF-008", "FROM alpine:3.20\nRUN apk add curl\n" TAIL, 2, "FROM alpine:3.20\nRUN apk add --no-cache curl\n" TAIL },
    { "CMB-DF-009", PIN "RUN pip3 install flask\n" TAIL, 2, PIN "RUN pip3 install --no-cache-dir flask\n" TAIL },
    { "CMB-DF-009", PIN "RUN pip install -U pip\n" TAIL, 2, PIN "RUN pipx install black\n" TAIL },
    { "CMB-DF-009", PIN "RUN python3 -m pip install -r req.txt\n" TAIL, 2,
      PIN "ENV PIP_NO_CACHE_DIR=1\nRUN python3 -m pip install -r req.txt\n" TAIL },
    /* sudo, MAINTAINER, CMD, WORKDIR, chmod */
    { "CMB-DF-010", PIN "RUN sudo apt-get update\n" TAIL, 2, PIN "RUN echo sudo\n" TAIL },
    { "CMB-DF-011", PIN "MAINTAINER me <me@example.com>\n" TAIL, 2,
      PIN "LABEL org.opencontainers.image.authors=\"me\"\n" TAIL },
    { "CMB-DF-012", PIN "CMD [\"a\"]\nCMD [\"b\"]\n" TAIL, 2, PIN "CMD [\"a\"]\nFROM debian:12 AS x\nCMD [\"b\"]\n" TAIL },
    { "CMB-DF-012", PIN "ENTRYPOINT a\nRUN x\nentrypoint b\n" TAIL, 2, PIN "ENTRYPOINT a\nCMD b\n" TAIL },
    { "CMB-DF-013", PIN "WORKDIR app\n" TAIL, 2, PIN "WORKDIR /app\nWORKDIR $HOME\n" TAIL },
    { "CMB-DF-015", PIN "RUN mkdir /data && chmod -R 777 /data\n" TAIL, 2, PIN "RUN chmod 755 /data\n" TAIL },
    { "CMB-DF-015", PIN "COPY --chmod=777 run.sh /\n" TAIL, 2, PIN "COPY --chmod=755 run.sh /\n" TAIL },
};

static void test_each_check(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const df_case *c = &cases[i];
        comb_mc_list l;
        CHECK_INT(mc_dockerfile(c->bad, &l), COMB_OK);
        const comb_mc_finding *f = mc_find(&l, c->id);
        if (!f)
            fprintf(stderr, "  case %zu: %s not found in:\n%s", i, c->id, c->bad);
        CHECK(f != NULL);
        if (f) {
            if (f->line != c->bad_line)
                fprintf(stderr, "  case %zu: %s on line %u, expected %u\n", i, c->id, f->line, c->bad_line);
            CHECK_INT(f->line, c->bad_line);
            char loc[32];
            snprintf(loc, sizeof loc, "Dockerfile:%u", c->bad_line);
            CHECK_STR(f->location, loc);
            CHECK(f->check->fix && *f->check->fix);
        }
        comb_mc_list_free(&l);

        CHECK_INT(mc_dockerfile(c->good, &l), COMB_OK);
        if (mc_count(&l, c->id))
            fprintf(stderr, "  case %zu: %s found in the passing example:\n%s  -> %s\n", i, c->id,
                    c->good, mc_find(&l, c->id)->message);
        CHECK_INT(mc_count(&l, c->id), 0);
        comb_mc_list_free(&l);
    }
}

/* Every Dockerfile check of the catalogue has a case above. */
static void test_catalogue_covered(void)
{
    size_t n;
    const comb_mc_check *all = comb_misconfig_checks(&n);
    for (size_t i = 0; i < n; i++) {
        if (!(all[i].applies & COMB_MC_ON_DOCKERFILE))
            continue;
        int found = 0;
        for (size_t j = 0; j < sizeof cases / sizeof *cases; j++)
            found |= !strcmp(cases[j].id, all[i].id);
        if (!found)
            fprintf(stderr, "  no case for %s\n", all[i].id);
        CHECK(found);
    }
}

static void test_secret_values_never_shown(void)
{
    comb_mc_list l;
    CHECK_INT(mc_dockerfile(PIN "ENV DB_PASSWORD=hunter2xyz API_KEY='k-123456'\n"
                                "ARG NPM_TOKEN=npm_abcdefghijklmnop\n" TAIL, &l), COMB_OK);
    CHECK_INT(mc_count(&l, "CMB-IMG-002"), 2);
    CHECK_INT(mc_count(&l, "CMB-IMG-003"), 1);
    CHECK(mc_mentions(&l, "DB_PASSWORD"));
    CHECK(mc_mentions(&l, "API_KEY"));
    CHECK(!mc_mentions(&l, "hunter2"));
    CHECK(!mc_mentions(&l, "k-123456"));
    CHECK(!mc_mentions(&l, "npm_abc"));
    comb_mc_list_free(&l);
}

/* A clean Dockerfile has no findings at all. */
static void test_clean(void)
{
    comb_mc_list l;
    CHECK_INT(mc_dockerfile("# syntax=docker/dockerfile:1\n"
                            "FROM golang:1.22@sha256:1111111111111111111111111111111111111111111111111111111111111111 AS build\n"
                            "WORKDIR /src\nCOPY . .\nRUN go build -o /app .\n"
                            PIN
                            "RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \\\n"
                            "    && rm -rf /var/lib/apt/lists/*\n"
                            "COPY --from=build /app /app\nEXPOSE 8080\nUSER 10001\n"
                            "HEALTHCHECK CMD [\"/app\", \"-health\"]\nENTRYPOINT [\"/app\"]\n", &l), COMB_OK);
    for (size_t i = 0; i < l.n; i++)
        fprintf(stderr, "  unexpected: %s %s %s\n", l.items[i].check->id, l.items[i].location, l.items[i].message);
    CHECK_INT(l.n, 0);
    comb_mc_list_free(&l);
}

int main(void)
{
    RUN(test_each_check);
    RUN(test_catalogue_covered);
    RUN(test_secret_values_never_shown);
    RUN(test_clean);
    return test_summary();
}
