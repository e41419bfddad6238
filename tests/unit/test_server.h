/* test_server.h - start tests/tools/http_fixture_server.py on loopback for
 * a unit test: the server prints its port, and stops when its stdin closes.
 * files_dir (or NULL) is served under /files/. */
#ifndef COMB_TEST_SERVER_H
#define COMB_TEST_SERVER_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct test_server {
    int port;
    int in;      /* its stdin: closing it stops the server */
    pid_t pid;
    FILE *out;
} test_server;

static inline int test_server_start(test_server *s, const char *files_dir)
{
    int in[2], out[2];
    s->in = -1;
    s->pid = -1;
    s->out = NULL;
    if (pipe(in) || pipe(out))
        return -1;
    s->pid = fork();
    if (s->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        char script[4096];
        snprintf(script, sizeof script, "%s/tests/tools/http_fixture_server.py",
                 getenv("COMB_SRC") ? getenv("COMB_SRC") : ".");
        execl("/usr/bin/python3", "python3", script, files_dir, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    s->in = in[1];
    s->out = fdopen(out[0], "r");
    return s->out && fscanf(s->out, "%d", &s->port) == 1 ? 0 : -1;
}

static inline void test_server_stop(test_server *s)
{
    if (s->in >= 0)
        close(s->in);
    if (s->pid > 0)
        waitpid(s->pid, NULL, 0);
    if (s->out)
        fclose(s->out);
}

#endif
