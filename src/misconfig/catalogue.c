/* catalogue.c - every configuration check comb knows, in one table, so that
 * the checks, the CLI, the reports and docs/MISCONFIG.md enumerate the same
 * ids. Ids are stable: a retired check keeps its number unused. */
#include <strings.h>

#include "misconfig/misconfig.h"

#define IMG COMB_MC_ON_IMAGE
#define DF COMB_MC_ON_DOCKERFILE
#define FS COMB_MC_ON_FILES

static const comb_mc_check checks[] = {
    /* image config and history */
    { "CMB-IMG-001", "Image runs as root", COMB_MC_HIGH, IMG,
      "Create an unprivileged user and switch to it: RUN useradd -r -u 10001 app, then USER 10001 "
      "(or set the user at run time with --user)" },
    { "CMB-IMG-002", "Secret in an environment variable", COMB_MC_HIGH, IMG | DF,
      "Remove the ENV; pass the secret at run time (--env-file, an orchestrator secret) or at build "
      "time with RUN --mount=type=secret,id=NAME; rotate the exposed secret" },
    { "CMB-IMG-003", "Secret in a build argument", COMB_MC_HIGH, IMG | DF,
      "Build arguments are stored in the image history: use RUN --mount=type=secret,id=NAME "
      "(docker build --secret id=NAME,src=FILE) instead of ARG; rotate the exposed secret" },
    { "CMB-IMG-004", "Secret in a label", COMB_MC_HIGH, IMG | DF,
      "Remove the LABEL; labels are public image metadata; rotate the exposed secret" },
    { "CMB-IMG-005", "ADD downloads from a remote URL", COMB_MC_MEDIUM, IMG | DF,
      "Download with RUN curl -fsSLo FILE URL and verify a checksum (sha256sum -c), or use "
      "ADD --checksum=sha256:... URL DEST" },
    { "CMB-IMG-006", "Remote script piped to a shell", COMB_MC_HIGH, IMG | DF,
      "Download the script to a file, verify its checksum or signature, then run it: "
      "curl -fsSLo install.sh URL && echo 'SHA256  install.sh' | sha256sum -c && sh install.sh" },
    { "CMB-IMG-007", "No HEALTHCHECK", COMB_MC_LOW, IMG | DF,
      "Add HEALTHCHECK CMD <command that exits 0 when healthy> (e.g. HEALTHCHECK CMD "
      "curl -fs http://localhost:8080/health || exit 1), or a liveness probe in the orchestrator" },
    { "CMB-IMG-008", "Sensitive port exposed", COMB_MC_MEDIUM, IMG | DF,
      "Remove the EXPOSE of remote-administration ports (SSH, Telnet, RDP, VNC, the Docker API); "
      "use docker exec / kubectl exec for administration" },
    { "CMB-IMG-009", "Image reference uses the latest tag", COMB_MC_LOW, IMG,
      "Refer to the image by a version tag and a digest: NAME:1.2.3@sha256:..." },
    { "CMB-IMG-010", "Image is old", COMB_MC_LOW, IMG,
      "Rebuild the image regularly (e.g. weekly in CI) from an updated base image" },
    { "CMB-IMG-011", "Base OS release is end-of-life", COMB_MC_HIGH, IMG,
      "Rebuild on a supported release of the distribution (change FROM to its current "
      "stable tag) and retest" },
    { "CMB-IMG-012", "Base OS release reaches end-of-life soon", COMB_MC_LOW, IMG,
      "Plan the move to a newer release of the distribution before its end-of-life date" },
    { "CMB-IMG-013", "Base OS release is past standard support", COMB_MC_LOW, IMG,
      "Only long-term-support updates remain: move FROM to the current stable release" },

    /* final filesystem */
    { "CMB-FS-001", "Setuid file", COMB_MC_MEDIUM, FS,
      "Remove the setuid bit where it is not needed: RUN chmod u-s FILE (or remove the package "
      "that installs it)" },
    { "CMB-FS-002", "Setgid file", COMB_MC_LOW, FS,
      "Remove the setgid bit where it is not needed: RUN chmod g-s FILE" },
    { "CMB-FS-003", "World-writable file", COMB_MC_MEDIUM, FS,
      "RUN chmod o-w FILE (give write access to the owning user or group only)" },
    { "CMB-FS-004", "World-writable directory without the sticky bit", COMB_MC_MEDIUM, FS,
      "RUN chmod o-w DIR, or chmod +t DIR for a shared temporary directory" },
    { "CMB-FS-005", "Package manager cache left in the image", COMB_MC_LOW, FS,
      "Clean in the same RUN that installs: apt-get clean && rm -rf /var/lib/apt/lists/*, "
      "apk add --no-cache, dnf clean all, pip install --no-cache-dir, npm cache clean --force" },

    /* Dockerfile */
    { "CMB-DF-001", "Final stage runs as root", COMB_MC_HIGH, DF,
      "Add USER with an unprivileged user (e.g. USER 10001) after the last RUN of the final stage" },
    { "CMB-DF-002", "Base image uses the latest tag or no tag", COMB_MC_MEDIUM, DF,
      "Pin a version tag in FROM: FROM NAME:1.2.3" },
    { "CMB-DF-003", "Base image not pinned by digest", COMB_MC_LOW, DF,
      "Pin the digest in FROM: FROM NAME:1.2.3@sha256:... (update it with a bot such as Renovate)" },
    { "CMB-DF-004", "Secret-named build argument", COMB_MC_MEDIUM, DF,
      "Values given with --build-arg are stored in the image history: use "
      "RUN --mount=type=secret,id=NAME and docker build --secret id=NAME,src=FILE" },
    { "CMB-DF-005", "apt-get install without -y", COMB_MC_LOW, DF,
      "Use apt-get install -y so that the build never waits for input" },
    { "CMB-DF-006", "apt-get install without --no-install-recommends", COMB_MC_LOW, DF,
      "Use apt-get install -y --no-install-recommends PACKAGES" },
    { "CMB-DF-007", "apt lists not removed in the same RUN", COMB_MC_LOW, DF,
      "End the RUN with: && rm -rf /var/lib/apt/lists/*" },
    { "CMB-DF-008", "apk add without --no-cache", COMB_MC_LOW, DF,
      "Use apk add --no-cache PACKAGES" },
    { "CMB-DF-009", "pip install without --no-cache-dir", COMB_MC_LOW, DF,
      "Use pip install --no-cache-dir PACKAGES (or ENV PIP_NO_CACHE_DIR=1)" },
    { "CMB-DF-010", "sudo in RUN", COMB_MC_MEDIUM, DF,
      "Remove sudo: RUN already runs as the current USER; switch with USER root and back" },
    { "CMB-DF-011", "MAINTAINER is deprecated", COMB_MC_INFO, DF,
      "Replace MAINTAINER with LABEL org.opencontainers.image.authors=\"NAME <EMAIL>\"" },
    { "CMB-DF-012", "More than one CMD or ENTRYPOINT in a stage", COMB_MC_LOW, DF,
      "Keep only the last CMD and the last ENTRYPOINT of the stage; the others have no effect" },
    { "CMB-DF-013", "Relative WORKDIR", COMB_MC_LOW, DF,
      "Use an absolute path: WORKDIR /app" },
    { "CMB-DF-014", "ADD of a local file that COPY can copy", COMB_MC_LOW, DF,
      "Use COPY SRC DEST; keep ADD only to unpack a local tar archive" },
    { "CMB-DF-015", "chmod 777", COMB_MC_MEDIUM, DF,
      "Grant only what is needed: chmod 755 for directories and programs, 644 for files "
      "(chown to the user that writes)" },
};

const comb_mc_check *comb_misconfig_checks(size_t *n)
{
    if (n)
        *n = sizeof checks / sizeof checks[0];
    return checks;
}

const comb_mc_check *comb_misconfig_check_find(const char *id)
{
    if (!id)
        return NULL;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
        if (strcasecmp(checks[i].id, id) == 0)
            return &checks[i];
    return NULL;
}

static const char *const sev_names[] = { "INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL" };

const char *comb_mc_severity_name(comb_mc_severity s)
{
    return (unsigned)s < sizeof sev_names / sizeof sev_names[0] ? sev_names[s] : "INFO";
}

int comb_mc_severity_parse(const char *s, comb_mc_severity *out)
{
    for (unsigned i = 0; s && i < sizeof sev_names / sizeof sev_names[0]; i++)
        if (strcasecmp(s, sev_names[i]) == 0) {
            if (out)
                *out = (comb_mc_severity)i;
            return 0;
        }
    return -1;
}
