/* shellcmd.c - a single pass over a shell command line (a RUN instruction,
 * a heredoc script, a history entry) that notes what the checks care
 * about: downloads piped into a shell, package-manager invocations and
 * their flags, cache removal, sudo, chmod 777.
 *
 * This is a tokenizer, not a shell: quotes and backslashes are honoured so
 * that "a | b" inside quotes is one word, command separators (; & && | ||
 * newline) split simple commands, and leading assignments and wrappers
 * (sudo, env, command, exec, time, nohup) are skipped to find the program.
 * The argument of `sh -c` is analysed once more (depth bounded). Linear in
 * the length of the command. */
#include <stdlib.h>
#include <string.h>

#include "misconfig/mc_internal.h"

enum kind { K_NONE, K_APT, K_APK, K_PIP, K_PYTHON, K_RM, K_CHMOD, K_SHELL, K_FETCH, K_OTHER };

typedef struct cmd_state {
    enum kind kind;
    int started;          /* the program word was seen */
    int skip_opts;        /* after sudo/env: skip their options */
    int want_m_arg;       /* python: the word after -m */
    int shell_c;          /* sh: the next word is the -c script */
    char sub[16];         /* first non-option argument (install, add, update) */
    int yes, norec, nocache;
} cmd_state;

typedef struct scan {
    unsigned facts;
    int depth;
    int pipeline_fetch;   /* a download earlier in this pipeline */
    int after_pipe;       /* the current command reads a pipe */
} scan;

static const char *base_name(const char *w)
{
    const char *s = strrchr(w, '/');
    return s ? s + 1 : w;
}

static int is_interpreter(const char *b)
{
    static const char *const names[] = { "sh", "bash", "dash", "zsh", "ash", "ksh", "mksh",
                                         "perl", "ruby", "node", "php" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(b, names[i]))
            return 1;
    return !strncmp(b, "python", 6);
}

static int is_shell(const char *b)
{
    return !strcmp(b, "sh") || !strcmp(b, "bash") || !strcmp(b, "dash") || !strcmp(b, "zsh") ||
           !strcmp(b, "ash") || !strcmp(b, "ksh") || !strcmp(b, "mksh");
}

static int is_assignment(const char *w)
{
    const char *p = w;
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_'))
        return 0;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
           *p == '_')
        p++;
    return *p == '=';
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void analyse(scan *sc, const char *cmd, size_t len);

static void first_word(scan *sc, cmd_state *c, const char *w)
{
    while (*w == '(' || *w == '{' || *w == '!')
        w++;
    if (!*w)
        return;
    if (is_assignment(w))
        return;
    const char *b = base_name(w);
    if (!strcmp(b, "sudo")) {
        sc->facts |= MC_RUN_SUDO;
        c->skip_opts = 1;
        return;
    }
    if (!strcmp(b, "env") || !strcmp(b, "command") || !strcmp(b, "exec") || !strcmp(b, "time") ||
        !strcmp(b, "nohup") || !strcmp(b, "nice")) {
        c->skip_opts = 1;
        return;
    }
    if (c->skip_opts && w[0] == '-')
        return;
    c->started = 1;
    if (!strcmp(b, "apt-get") || !strcmp(b, "apt"))
        c->kind = K_APT;
    else if (!strcmp(b, "apk"))
        c->kind = K_APK;
    else if (!strncmp(b, "pip", 3) && (!b[3] || (b[3] >= '0' && b[3] <= '9')))
        c->kind = K_PIP; /* pip, pip3, pip3.12; not pipx or pipenv */
    else if (!strncmp(b, "python", 6))
        c->kind = K_PYTHON;
    else if (!strcmp(b, "rm"))
        c->kind = K_RM;
    else if (!strcmp(b, "chmod"))
        c->kind = K_CHMOD;
    else if (!strcmp(b, "curl") || !strcmp(b, "wget"))
        c->kind = K_FETCH;
    else if (is_shell(b))
        c->kind = K_SHELL;
    else
        c->kind = K_OTHER;
    if (c->kind == K_FETCH)
        sc->pipeline_fetch = 1;
    else if (sc->after_pipe && sc->pipeline_fetch && is_interpreter(b))
        sc->facts |= MC_RUN_FETCH_TO_SHELL;
}

static void set_sub(cmd_state *c, const char *w)
{
    if (!c->sub[0] && w[0] != '-') {
        size_t n = strlen(w);
        if (n < sizeof c->sub)
            memcpy(c->sub, w, n + 1);
        else
            c->sub[0] = '?';
    }
}

static void word(scan *sc, cmd_state *c, const char *w)
{
    if (!c->started) {
        first_word(sc, c, w);
        return;
    }
    switch (c->kind) {
    case K_APT:
        set_sub(c, w);
        if (!strcmp(w, "-y") || !strcmp(w, "--yes") || !strcmp(w, "--assume-yes") ||
            !strcmp(w, "-qq") || !strcmp(w, "-q=2") ||
            (w[0] == '-' && w[1] != '-' && strchr(w, 'y')))
            c->yes = 1;
        if (!strcmp(w, "--no-install-recommends") || strstr(w, "Install-Recommends=false") ||
            strstr(w, "Install-Recommends=0"))
            c->norec = 1;
        break;
    case K_APK:
        set_sub(c, w);
        if (!strcmp(w, "--no-cache"))
            c->nocache = 1;
        break;
    case K_PYTHON:
        if (c->want_m_arg) {
            c->want_m_arg = 0;
            if (!strcmp(w, "pip"))
                c->kind = K_PIP;
        } else if (!strcmp(w, "-m")) {
            c->want_m_arg = 1;
        }
        break;
    case K_PIP:
        set_sub(c, w);
        if (!strcmp(w, "--no-cache-dir"))
            c->nocache = 1;
        break;
    case K_RM:
        if (strstr(w, "/var/lib/apt/lists"))
            sc->facts |= MC_RUN_APT_LISTS_REMOVED;
        if (strstr(w, "/var/cache/apk"))
            sc->facts |= MC_RUN_APK_CACHE_REMOVED;
        break;
    case K_CHMOD:
        if (!strcmp(w, "777") || !strcmp(w, "0777") || !strcmp(w, "a+rwx") ||
            !strcmp(w, "ugo+rwx") || !strcmp(w, "a=rwx") || !strcmp(w, "ugo=rwx"))
            sc->facts |= MC_RUN_CHMOD_777;
        break;
    case K_SHELL:
        if (starts_with(w, "$(curl") || starts_with(w, "$(wget") || starts_with(w, "<(curl") ||
            starts_with(w, "<(wget") || starts_with(w, "`curl") || starts_with(w, "`wget"))
            sc->facts |= MC_RUN_FETCH_TO_SHELL;
        if (c->shell_c) {
            c->shell_c = 0;
            if (sc->depth < 2) {
                scan inner = { .depth = sc->depth + 1 };
                analyse(&inner, w, strlen(w));
                sc->facts |= inner.facts;
            }
        } else if (w[0] == '-' && w[1] != '-' && strchr(w, 'c')) {
            c->shell_c = 1;
        }
        break;
    default:
        break;
    }
}

static void end_command(scan *sc, cmd_state *c)
{
    if (c->kind == K_APT && !strcmp(c->sub, "install")) {
        sc->facts |= MC_RUN_APT_INSTALL;
        if (!c->yes)
            sc->facts |= MC_RUN_APT_NO_YES;
        if (!c->norec)
            sc->facts |= MC_RUN_APT_RECOMMENDS;
    }
    if (c->kind == K_APT && !strcmp(c->sub, "update"))
        sc->facts |= MC_RUN_APT_UPDATE;
    if (c->kind == K_APK && !strcmp(c->sub, "add") && !c->nocache)
        sc->facts |= MC_RUN_APK_CACHED;
    if (c->kind == K_PIP && !strcmp(c->sub, "install") && !c->nocache)
        sc->facts |= MC_RUN_PIP_CACHED;
    memset(c, 0, sizeof *c);
}

static void analyse(scan *sc, const char *s, size_t len)
{
    char *buf = malloc(len + 1);
    if (!buf)
        return;
    cmd_state c;
    memset(&c, 0, sizeof c);
    size_t wl = 0;
    int in_word = 0;
    for (size_t i = 0; i <= len; i++) {
        char ch = i < len ? s[i] : '\n';
        int sep = 0, pipe = 0;
        if (ch == '\'' ) {
            in_word = 1;
            for (i++; i < len && s[i] != '\''; i++)
                buf[wl++] = s[i];
            continue;
        }
        if (ch == '"') {
            in_word = 1;
            for (i++; i < len && s[i] != '"'; i++) {
                if (s[i] == '\\' && i + 1 < len && (s[i + 1] == '"' || s[i + 1] == '\\'))
                    i++;
                buf[wl++] = s[i];
            }
            continue;
        }
        if (ch == '\\' && i + 1 < len) {
            i++;
            if (s[i] == '\n')
                ch = ' ';
            else {
                buf[wl++] = s[i];
                in_word = 1;
                continue;
            }
        }
        if (ch == '#' && !in_word) {
            while (i < len && s[i] != '\n')
                i++;
            ch = '\n';
        }
        if (ch == ';' || ch == '\n' || ch == '&')
            sep = 1;
        else if (ch == '|') {
            sep = 1;
            pipe = !(i + 1 < len && s[i + 1] == '|') && !(i > 0 && s[i - 1] == '|');
        }
        if (sep || ch == ' ' || ch == '\t' || ch == '\r') {
            if (in_word) {
                buf[wl] = '\0';
                word(sc, &c, buf);
                wl = 0;
                in_word = 0;
            }
            if (sep) {
                if (ch == '|' && i + 1 < len && s[i + 1] == '|')
                    continue; /* the second '|' of "||" ends it */
                if (ch == '&' && i + 1 < len && s[i + 1] == '&')
                    continue;
                if (c.started || c.kind != K_NONE)
                    end_command(sc, &c);
                else
                    memset(&c, 0, sizeof c);
                if (ch == '|' && !pipe) /* "||": a new pipeline */
                    sc->pipeline_fetch = 0;
                if (ch == '|' && pipe)
                    sc->after_pipe = 1;
                else {
                    sc->after_pipe = 0;
                    if (!(ch == '|'))
                        sc->pipeline_fetch = 0;
                }
            }
            continue;
        }
        buf[wl++] = ch;
        in_word = 1;
    }
    /* an unterminated quote ran to the end: finish its command */
    if (in_word) {
        buf[wl] = '\0';
        word(sc, &c, buf);
    }
    if (c.started)
        end_command(sc, &c);
    free(buf);
}

unsigned mc_run_facts(const char *cmd, size_t len)
{
    scan sc = { 0 };
    if (cmd)
        analyse(&sc, cmd, len);
    return sc.facts;
}
