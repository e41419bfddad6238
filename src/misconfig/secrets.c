/* secrets.c - recognising secrets by the name they are stored under, and
 * the values that are clearly not secrets. Also the small classifiers of
 * ports and URLs. Values are only inspected, never copied into findings. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "misconfig/mc_internal.h"

/* Contained anywhere in the upper-cased name. */
static const char *const secret_words[] = {
    "PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "API_KEY", "APIKEY",
    "PRIVATE_KEY", "PRIVATEKEY", "ACCESS_KEY", "CLIENT_KEY", "AUTH_KEY", "CREDENTIAL",
    "_PASS", "DB_PASS",
};

/* Suffixes that make the variable name a pointer to a secret or a setting
 * about it, not the secret. */
static const char *const harmless_suffixes[] = {
    "_FILE", "_PATH", "_DIR", "_FILENAME", "_LOCATION", "_URL_PATH", "_LENGTH", "_LEN",
    "_MIN", "_MAX", "_TTL", "_TIMEOUT", "_EXPIRY", "_EXPIRES", "_EXPIRATION", "_ENABLED",
    "_TYPE", "_NAME", "_ID_FILE", "_HEADER", "_COMMAND", "_CMD", "_POLICY",
};

int mc_secret_name(const char *name, size_t len)
{
    char up[256];
    if (!name || len == 0 || len >= sizeof up)
        return 0;
    for (size_t i = 0; i < len; i++)
        up[i] = (char)toupper((unsigned char)(name[i] == '-' || name[i] == '.' ? '_' : name[i]));
    up[len] = '\0';
    int hit = 0;
    for (size_t i = 0; !hit && i < sizeof secret_words / sizeof *secret_words; i++) {
        const char *w = secret_words[i];
        const char *p = strstr(up, w);
        /* "_PASS" must end the name or a word: not "_PASSTHROUGH" */
        if (p && !strcmp(w, "_PASS")) {
            char after = p[5];
            hit = after == '\0' || after == '_';
        } else {
            hit = p != NULL;
        }
    }
    if (!hit)
        return 0;
    for (size_t i = 0; i < sizeof harmless_suffixes / sizeof *harmless_suffixes; i++) {
        size_t sl = strlen(harmless_suffixes[i]);
        if (len > sl && !strcmp(up + len - sl, harmless_suffixes[i]))
            return 0;
    }
    return 1;
}

static const char *const placeholders[] = {
    "changeme", "change_me", "change-me", "changeit", "replaceme", "replace_me", "todo",
    "none", "null", "nil", "undefined", "empty", "true", "false", "yes", "no", "placeholder",
    "example", "dummy", "xxx", "secret", "password", "token", "your_token", "your_password",
    "your-token", "your-password", "redacted", "unset", "default",
};

int mc_secret_value(const char *v, size_t len)
{
    while (len && isspace((unsigned char)*v))
        v++, len--;
    while (len && isspace((unsigned char)v[len - 1]))
        len--;
    /* quotes around the whole value are syntax */
    if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0])
        v++, len -= 2;
    if (len == 0)
        return 0;
    if (v[0] == '$' || v[0] == '/' || (v[0] == '<' && v[len - 1] == '>') ||
        (v[0] == '{' && v[len - 1] == '}') || (len >= 2 && v[0] == '%' && v[len - 1] == '%'))
        return 0; /* a reference, a path, a template */
    int all_same = 1, all_mask = 1;
    for (size_t i = 0; i < len; i++) {
        if (v[i] != v[0])
            all_same = 0;
        if (v[i] != '*' && v[i] != 'x' && v[i] != 'X' && v[i] != '.' && v[i] != '-')
            all_mask = 0;
    }
    if (all_mask || (all_same && len < 8))
        return 0;
    for (size_t i = 0; i < sizeof placeholders / sizeof *placeholders; i++)
        if (strlen(placeholders[i]) == len && strncasecmp(v, placeholders[i], len) == 0)
            return 0;
    return 1;
}

int mc_sensitive_port(unsigned long port, const char **what)
{
    static const struct { unsigned long port; const char *what; } ports[] = {
        { 21, "FTP" },        { 22, "SSH" },          { 23, "Telnet" },
        { 69, "TFTP" },       { 111, "RPC portmapper" }, { 135, "Windows RPC" },
        { 139, "NetBIOS" },   { 445, "SMB" },         { 2375, "Docker API without TLS" },
        { 2376, "Docker API" }, { 2379, "etcd client API" }, { 2380, "etcd peer API" },
        { 3389, "RDP" },      { 5900, "VNC" },        { 5985, "WinRM" },
        { 5986, "WinRM over TLS" }, { 10250, "kubelet API" },
    };
    for (size_t i = 0; i < sizeof ports / sizeof *ports; i++)
        if (ports[i].port == port) {
            if (what)
                *what = ports[i].what;
            return 1;
        }
    return 0;
}

long mc_port_number(const char *spec)
{
    if (!spec || !isdigit((unsigned char)*spec))
        return -1;
    char *end;
    unsigned long v = strtoul(spec, &end, 10);
    if (v > 65535 || (*end && *end != '/'))
        return -1;
    return (long)v;
}

int mc_is_remote_url(const char *s)
{
    return s && (strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0 ||
                 strncasecmp(s, "git@", 4) == 0 || strncasecmp(s, "git://", 6) == 0);
}
