/* cmd_admission.c - comb admission serve: a Kubernetes validating admission
 * webhook over HTTPS (libmicrohttpd with GnuTLS). POST /validate takes an
 * AdmissionReview v1 and answers with the policy's decision; GET /healthz
 * answers "ok". Bodies are bounded (COMB_ADM_MAX_REVIEW), connections time
 * out, and a fixed pool of threads serves them. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission/admission.h"
#include "cli/cli.h"
#include "core/readfile.h"

void help_admission(void)
{
    fputs("usage: comb admission serve --tls-cert CERT --tls-key KEY [options]\n"
          "\n"
          "Serve a Kubernetes validating admission webhook (AdmissionReview v1) over\n"
          "HTTPS: POST /validate, GET /healthz. The policy is that of\n"
          "`comb policy check` (docs/ADMISSION.md).\n"
          "\n"
          "Options:\n"
          "      --tls-cert FILE     PEM certificate (chain) of the server\n"
          "      --tls-key FILE      PEM private key (unencrypted)\n"
          "      --listen ADDR:PORT  address to listen on (default 127.0.0.1:8443)\n"
          "  -p, --policy FILE       admission policy; default: restricted, enforce\n"
          "  -l, --level LEVEL       Pod Security Standards level for every namespace\n"
          "      --image-store REF=DIR  OCI layout for images matching REF (repeatable)\n"
          "      --threads N         worker threads (default 4)\n"
          "      --timeout SECONDS   idle connection timeout (default 10)\n"
          "\n"
          "Runs until SIGINT or SIGTERM. Exit codes: 0 stopped cleanly, 1 a file could\n"
          "not be read or the address not bound, 2 usage error.\n",
          stdout);
}

typedef struct upload {
    char *buf;
    size_t len;
    int too_big;
} upload;

static comb_adm_policy *g_policy;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             const char *body)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *size, void **con_cls)
{
    (void)cls, (void)version;
    if (!strcmp(url, "/healthz")) {
        if (*size)
            *size = 0;
        return reply(c, MHD_HTTP_OK, "text/plain", "ok\n");
    }
    if (strcmp(url, "/validate"))
        return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", "not found\n");
    if (strcmp(method, "POST"))
        return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "POST expected\n");
    upload *u = *con_cls;
    if (!u) {
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > COMB_ADM_MAX_REVIEW)
            return reply(c, MHD_HTTP_BAD_REQUEST, "text/plain",
                         "AdmissionReview larger than 3 MiB\n");
        u = calloc(1, sizeof *u);
        if (!u)
            return MHD_NO;
        *con_cls = u;
        return MHD_YES;
    }
    if (*size) {
        if (!u->too_big && u->len + *size <= COMB_ADM_MAX_REVIEW) {
            char *nb = realloc(u->buf, u->len + *size + 1);
            if (!nb)
                return MHD_NO;
            memcpy(nb + u->len, data, *size);
            u->buf = nb;
            u->len += *size;
        } else {
            u->too_big = 1;
        }
        *size = 0;
        return MHD_YES;
    }
    if (u->too_big)
        return reply(c, MHD_HTTP_BAD_REQUEST, "text/plain", "AdmissionReview larger than 3 MiB\n");
    comb_err err;
    comb_err_clear(&err);
    char *resp = NULL;
    int allowed = 0;
    comb_code rc = comb_adm_review(g_policy, u->buf ? u->buf : "", u->len, &resp, &allowed, &err);
    if (rc != COMB_OK) {
        char msg[COMB_ERR_MSG_MAX + 2];
        snprintf(msg, sizeof msg, "%s\n", err.msg);
        return reply(c, rc == COMB_ENOMEM ? MHD_HTTP_INTERNAL_SERVER_ERROR : MHD_HTTP_BAD_REQUEST,
                     "text/plain", msg);
    }
    enum MHD_Result ret = reply(c, MHD_HTTP_OK, "application/json", resp);
    free(resp);
    return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    upload *u = *con_cls;
    if (u) {
        free(u->buf);
        free(u);
        *con_cls = NULL;
    }
}

static char *slurp(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    unsigned char *data;
    size_t len;
    comb_err err;
    if (comb_read_fd(fd, 1u << 20, path, &data, &len, &err) != COMB_OK)
        return NULL;
    return (char *)data;
}

static int parse_listen(const char *s, struct sockaddr_in *sa)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s || (size_t)(colon - s) >= 64)
        return -1;
    char host[64];
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 1 || port > 65535)
        return -1;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

int cmd_admission(int argc, char **argv)
{
    int sub = cli_subcommand(argc, argv, "admission", "serve", help_admission);
    if (sub >= 0)
        return sub;
    argc--, argv++;
    enum { O_CERT = 0x300, O_KEY, O_LISTEN, O_STORE, O_THREADS, O_TIMEOUT };
    static const struct option longopts[] = {
        {"tls-cert", required_argument, NULL, O_CERT},
        {"tls-key", required_argument, NULL, O_KEY},
        {"listen", required_argument, NULL, O_LISTEN},
        {"policy", required_argument, NULL, 'p'},
        {"level", required_argument, NULL, 'l'},
        {"image-store", required_argument, NULL, O_STORE},
        {"threads", required_argument, NULL, O_THREADS},
        {"timeout", required_argument, NULL, O_TIMEOUT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *cert = NULL, *key = NULL, *listen = "127.0.0.1:8443", *policy = NULL,
               *level = NULL;
    const char *stores[COMB_ADM_MAX_PATTERNS];
    size_t nstores = 0;
    long threads = 4, timeout = 10;
    int c;
    while ((c = getopt_long(argc, argv, ":p:l:h", longopts, NULL)) != -1) {
        switch (c) {
        case O_CERT: cert = optarg; break;
        case O_KEY: key = optarg; break;
        case O_LISTEN: listen = optarg; break;
        case 'p': policy = optarg; break;
        case 'l': level = optarg; break;
        case O_STORE:
            if (nstores == COMB_ADM_MAX_PATTERNS) {
                cli_error("--image-store: at most %d", COMB_ADM_MAX_PATTERNS);
                return EXIT_USAGE;
            }
            stores[nstores++] = optarg;
            break;
        case O_THREADS:
            if (cli_parse_int("--threads", optarg, 1, 64, &threads))
                return EXIT_USAGE;
            break;
        case O_TIMEOUT:
            if (cli_parse_int("--timeout", optarg, 1, 3600, &timeout))
                return EXIT_USAGE;
            break;
        case 'h': help_admission(); return EXIT_OK;
        default: return cli_bad_option(c, argv, "admission");
        }
    }
    struct sockaddr_in sa;
    if (optind != argc || !cert || !key || parse_listen(listen, &sa)) {
        cli_error(optind != argc ? "admission serve: no arguments expected"
                  : !cert || !key ? "admission serve: --tls-cert and --tls-key are required"
                                  : "--listen: an IPv4 ADDRESS:PORT expected");
        return EXIT_USAGE;
    }
    comb_adm_policy p;
    int ex = cli_load_adm_policy(policy, level, stores, nstores, &p);
    if (ex)
        return ex;
    char *cert_pem = slurp(cert), *key_pem = slurp(key);
    if (!cert_pem || !key_pem) {
        cli_error("%s: cannot read", !cert_pem ? cert : key);
        free(cert_pem);
        free(key_pem);
        comb_adm_policy_free(&p);
        return EXIT_INPUT;
    }
    g_policy = &p;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* inherited by the server's threads */
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TLS | MHD_USE_ERROR_LOG, 0,
        NULL, NULL, handler, NULL, MHD_OPTION_HTTPS_MEM_CERT, cert_pem, MHD_OPTION_HTTPS_MEM_KEY,
        key_pem, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)threads, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)timeout,
        MHD_OPTION_CONNECTION_LIMIT, 512u, MHD_OPTION_PER_IP_CONNECTION_LIMIT, 128u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64u << 10), MHD_OPTION_NOTIFY_COMPLETED,
        completed, NULL, MHD_OPTION_END);
    if (!d) {
        cli_error("cannot listen on %s with the given certificate and key", listen);
        free(cert_pem);
        free(key_pem);
        comb_adm_policy_free(&p);
        return EXIT_INPUT;
    }
    fprintf(stderr, "comb: admission webhook listening on https://%s (POST /validate)\n", listen);
    int sig = 0;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    free(cert_pem);
    free(key_pem);
    comb_adm_policy_free(&p);
    return EXIT_OK;
}
