/* engine.c - images held by a local container engine, read as the
 * docker-archive stream the engine exports, without a copy on disk:
 *
 *   podman://NAME   `podman image save --format docker-archive NAME` on a pipe
 *   docker://NAME   GET /images/NAME/get from the Docker Engine API over its
 *                   unix socket ($DOCKER_HOST unix://..., else
 *                   /var/run/docker.sock; podman's API socket speaks it too)
 *
 * The stream is a plain tar that cannot be seeked, so archive.c reads it in
 * one pass and chooses the image at its end (as for a compressed archive):
 * the result equals that of the saved archive. The exporter is a child
 * process writing into a pipe; its exit status and first error line are
 * checked after the walk, so a failed or cut export is never a result.
 * containerd's content store is not supported (its metadata is a bolt
 * database): export with `ctr image export` and scan the archive.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/http.h"
#include "image/image_internal.h"

#define ENGINE_ERR_MAX 600

static comb_code engine_error(comb_image *img, int st, comb_err *err);

static int valid_name(const char *s)
{
    if (!*s || *s == '-' || strlen(s) > 512)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("._/:@-", *s)))
            return 0;
    return 1;
}

/* Run argv with stdout and stderr to /dev/null; its exit status, or -1. */
static int run_quiet(char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        int dn = open("/dev/null", O_RDWR);
        if (dn >= 0) {
            dup2(dn, 0);
            dup2(dn, 1);
            dup2(dn, 2);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    if (pid < 0)
        return -1;
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int comb_podman_has_image(const char *name)
{
    if (!valid_name(name))
        return 0;
    char *argv[] = { "podman", "image", "exists", (char *)name, NULL };
    return run_quiet(argv) == 0;
}

static const char *docker_socket(void)
{
    const char *h = getenv("DOCKER_HOST");
    if (h && !strncmp(h, "unix://", 7))
        return h + 7;
    return "/var/run/docker.sock";
}

static size_t to_fd(char *p, size_t size, size_t n, void *ud)
{
    int fd = *(int *)ud;
    size_t len = size * n, off = 0;
    while (off < len) {
        ssize_t w = write(fd, p + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return 0; /* the reader went away */
        off += (size_t)w;
    }
    return len;
}

/* In the child: stream the Engine API's export of `name` to fd 1. */
static void docker_export(const char *sock, const char *name)
{
    comb_http_init();
    CURL *c = curl_easy_init();
    if (!c)
        _exit(2);
    char url[700], cerr[CURL_ERROR_SIZE] = "";
    snprintf(url, sizeof url, "http://localhost/images/%s/get", name);
    int out = 1;
    curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_fd);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 120L);
    CURLcode cc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (cc != CURLE_OK) {
        if (status == 404)
            fprintf(stderr, "no such image\n");
        else
            fprintf(stderr, "%s\n", cerr[0] ? cerr : curl_easy_strerror(cc));
        _exit(status == 404 ? 3 : 1);
    }
    _exit(0);
}

comb_code comb_open_engine(comb_image *img, const char *engine, const char *name, comb_err *err)
{
    int podman = !strcmp(engine, "podman");
    if (!valid_name(name))
        return comb_fail(err, COMB_EINVAL, "not an image name or id");
    if (podman) {
        if (!comb_podman_has_image(name))
            return comb_fail(err, COMB_ENOTFOUND, "podman has no image \"%s\" (podman images)", name);
    } else {
        struct stat st;
        if (stat(docker_socket(), &st) != 0 || !S_ISSOCK(st.st_mode))
            return comb_fail(err, COMB_ENOTFOUND,
                             "no Docker Engine socket at %s (set DOCKER_HOST=unix://PATH)",
                             docker_socket());
    }
    int outp[2], errp[2];
    if (pipe2(outp, O_CLOEXEC))
        return comb_fail(err, COMB_EIO, "pipe: %s", strerror(errno));
    if (pipe2(errp, O_CLOEXEC)) {
        close(outp[0]);
        close(outp[1]);
        return comb_fail(err, COMB_EIO, "pipe: %s", strerror(errno));
    }
    const char *sock = docker_socket();
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        dup2(outp[1], 1);
        dup2(errp[1], 2);
        int dn = open("/dev/null", O_RDONLY);
        if (dn >= 0)
            dup2(dn, 0);
        if (podman) {
            execlp("podman", "podman", "image", "save", "--quiet", "--format", "docker-archive",
                   name, (char *)NULL);
            _exit(127);
        }
        docker_export(sock, name);
    }
    close(outp[1]);
    close(errp[1]);
    if (pid < 0) {
        close(outp[0]);
        close(errp[0]);
        return comb_fail(err, COMB_EIO, "fork: %s", strerror(errno));
    }
    img->engine = podman ? "podman" : "docker";
    img->engine_pid = pid;
    img->engine_fd = outp[0];
    img->engine_err_fd = errp[0];
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", outp[0]);
    img->path = comb_arena_strdup(&img->arena, path);
    img->kind = SRC_ARCHIVE;
    if (!img->path)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    img->chosen_late = 1; /* a pipe: one pass, the image is chosen at its end */
    return COMB_OK;
}

/* Reap the exporter; an error if it failed (its first stderr line). After a
 * failed walk, only an exporter that failed on its own counts: it is given
 * a moment to exit while the pipe stays open (a healthy one blocks on it). */
comb_code comb_engine_finish(comb_image *img, int walk_failed, comb_err *err)
{
    if (img->engine_pid <= 0)
        return COMB_OK;
    if (walk_failed) {
        int st = 0, exited = 0;
        for (int i = 0; i < 50 && !exited; i++) {
            pid_t p = waitpid(img->engine_pid, &st, WNOHANG);
            if (p == img->engine_pid)
                exited = 1;
            else if (p < 0 && errno != EINTR)
                break;
            else
                usleep(10000);
        }
        if (!exited || (WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
            if (exited)
                img->engine_pid = 0;
            return COMB_OK; /* the walk's own error stands */
        }
        img->engine_pid = 0;
        return engine_error(img, st, err);
    }
    if (img->engine_fd >= 0) {
        close(img->engine_fd); /* an exporter still writing gets EPIPE */
        img->engine_fd = -1;
    }
    int st = 0;
    while (waitpid(img->engine_pid, &st, 0) < 0 && errno == EINTR)
        ;
    img->engine_pid = 0;
    return engine_error(img, st, err);
}

static comb_code engine_error(comb_image *img, int st, comb_err *err)
{
    char msg[ENGINE_ERR_MAX + 1];
    ssize_t n = 0;
    if (img->engine_err_fd >= 0) {
        int fl = fcntl(img->engine_err_fd, F_GETFL);
        fcntl(img->engine_err_fd, F_SETFL, fl | O_NONBLOCK);
        n = read(img->engine_err_fd, msg, ENGINE_ERR_MAX);
        close(img->engine_err_fd);
        img->engine_err_fd = -1;
    }
    msg[n > 0 ? n : 0] = '\0';
    msg[strcspn(msg, "\n")] = '\0';
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return COMB_OK;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        return comb_fail(err, COMB_ENOTFOUND, "%s is not installed", img->engine);
    return comb_fail(err, WIFEXITED(st) && WEXITSTATUS(st) == 3 ? COMB_ENOTFOUND : COMB_EIO,
                     "%s export failed%s%s", img->engine, msg[0] ? ": " : "", msg);
}

void comb_close_engine(comb_image *img)
{
    if (img->engine_pid > 0) {
        kill(img->engine_pid, SIGTERM);
        comb_err e;
        comb_engine_finish(img, 0, &e);
    }
    if (img->engine_fd >= 0)
        close(img->engine_fd);
    if (img->engine_err_fd >= 0)
        close(img->engine_err_fd);
    img->engine_fd = img->engine_err_fd = -1;
}
