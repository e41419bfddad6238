/* test_rules_operators.c - every condition operator, transformer and logical
 * form, each with a case that holds and one that does not; plus the compile
 * errors a bad condition gives and the nesting caps. */
#include "test.h"

#include "rules_fixture.h"

typedef struct tcase {
    const char *cond;
    int want; /* 1 true, 0 false, -1 compile error */
} tcase;

static comb_ruleset *rs;

static const char lists[] =
    "- list: shells\n  items: [sh, bash]\n"
    "- list: nested\n  items: [zsh, shells]\n"
    "- list: etc_dirs\n  items: [/etc, /usr/local/etc]\n"
    "- macro: is_bash\n  condition: proc.name = bash\n"
    "- macro: outer\n  condition: (is_bash and fd.num = 3)\n";

static void run_cases(const comb_event *ev, const tcase *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int got = eval_cond(rs, cases[i].cond, ev);
        test_checks++;
        if (got != cases[i].want) {
            test_failures++;
            fprintf(stderr, "%s: condition [%s]: got %d, want %d\n", test_current, cases[i].cond,
                    got, cases[i].want);
        }
    }
}

static void test_comparisons(void)
{
    comb_event ev;
    fixture_open(&ev);
    static const tcase cases[] = {
        { "proc.name = bash", 1 }, { "proc.name = sh", 0 }, { "proc.name == bash", 1 },
        { "proc.name != sh", 1 }, { "proc.name != bash", 0 },
        { "proc.pid < 101", 1 }, { "proc.pid < 100", 0 },
        { "proc.pid <= 100", 1 }, { "proc.pid <= 99", 0 },
        { "proc.pid > 99", 1 }, { "proc.pid > 100", 0 },
        { "proc.pid >= 100", 1 }, { "proc.pid >= 101", 0 },
        { "user.loginuid = 1000", 1 }, { "fd.num=3", 1 }, { "fd.num>=0", 1 }, { "fd.num=-1", 0 },
        /* strings holding numbers compare as numbers */
        { "evt.arg.fd < 10", 1 }, { "evt.arg.fd > 10", 0 },
        { "proc.cmdline contains \"cat /etc\"", 1 }, { "proc.cmdline contains xyz", 0 },
        { "proc.cmdline icontains 'CAT /ETC'", 1 }, { "proc.cmdline icontains ZZZ", 0 },
        { "fd.name startswith /etc/", 1 }, { "fd.name startswith /usr", 0 },
        { "fd.name endswith shadow", 1 }, { "fd.name endswith passwd", 0 },
        { "fd.name bcontains 736861646f77", 1 }, { "fd.name bcontains 414141", 0 },
        { "fd.name bstartswith 2f657463", 1 }, { "fd.name bstartswith 2f757372", 0 },
        { "evt.buffer bstartswith 7f454c46", 1 }, { "evt.buffer bcontains 00", 0 },
        { "fd.name glob '/etc/*ado?'", 1 }, { "fd.name glob '/etc/[a-r]*'", 0 },
        { "fd.name glob '/e*/[!x]hadow'", 1 }, { "fd.name glob '*'", 1 },
        { "fd.name glob '/etc/*x'", 0 },
        { "fd.name iglob '/ETC/*'", 1 }, { "fd.name iglob '/USR/*'", 0 },
        { "proc.name in (sh, bash)", 1 }, { "proc.name in (sh, zsh)", 0 },
        { "proc.name in (shells)", 1 }, { "proc.name in (nested)", 1 },
        { "proc.name in ('shells')", 0 }, /* quoted: the word itself, not the list */
        { "proc.name in ()", 0 },
        { "proc.pid in (1, 100)", 1 }, { "proc.pid in (1, 2)", 0 },
        /* eight values and more go through a hash set */
        { "proc.name in (a1, a2, a3, a4, a5, a6, a7, a8, a9, bash)", 1 },
        { "proc.name in (a1, a2, a3, a4, a5, a6, a7, a8, a9, bas, bashh)", 0 },
        { "proc.aname intersects (a1, a2, a3, a4, a5, a6, a7, a8, sshd)", 1 },
        { "proc.aname in (a1, a2, a3, a4, a5, a6, a7, a8, bash)", 0 },
        { "not proc.name in (a1, a2, a3, a4, a5, a6, a7, a8, a9, shells)", 0 },
        { "proc.aname intersects (sshd, foo)", 1 }, { "proc.aname intersects (foo)", 0 },
        { "fd.name pmatch (/usr, /etc)", 1 }, { "fd.name pmatch (/et)", 0 },
        { "fd.name pmatch (etc_dirs)", 1 }, { "fd.name pmatch (/e*)", 1 },
        { "fd.name pmatch (/usr/*)", 0 }, { "fd.name pmatch (/)", 1 },
        { "proc.pname exists", 1 }, { "fd.sip exists", 0 }, { "not fd.sip exists", 1 },
        { "proc.name regex 'ba.h'", 1 }, { "proc.name regex 'as'", 0 },
        { "proc.cmdline regex '.*/etc/(shadow|passwd)'", 1 }, { "proc.cmdline regex '^ls.*'", 0 },
        { "proc.is_exe_upper_layer = true", 1 }, { "proc.is_exe_upper_layer = false", 0 },
        { "proc.is_exe_from_memfd != true", 1 }, { "container.privileged = true", 0 },
        { "fd.typechar = f", 1 }, { "fd.typechar='f'", 1 }, { "fd.typechar = 4", 0 },
        { "evt.res = SUCCESS", 1 }, { "evt.res startswith E", 0 },
        { "evt.is_open_read = true", 1 }, { "evt.is_open_write = true", 0 },
        { "thread.cap_effective contains CAP_SYS_ADMIN", 1 },
        { "thread.cap_effective icontains sys_module", 0 },
        { "thread.cap_permitted icontains sys_module", 1 },
        { "container.mount.dest[/var/run/docker.sock] = /var/run/docker.sock", 1 },
        { "container.mount.dest[/var/run/*] exists", 1 }, { "container.mount.dest[/etc] exists", 0 },
        { "proc.env[HOME] = /root", 1 }, { "proc.env contains B64VAR", 1 },
        { "proc.env[NOPE] exists", 0 },
    };
    run_cases(&ev, cases, sizeof cases / sizeof *cases);
}

static void test_multivalued(void)
{
    comb_event ev;
    fixture_open(&ev);
    static const tcase cases[] = {
        { "proc.aname = sshd", 1 }, { "proc.aname = sudo", 1 },
        { "proc.aname = bash", 0 },          /* without an index: ancestors only */
        { "proc.aname[0] = bash", 1 }, { "proc.aname[1] = sudo", 1 }, { "proc.aname[2] = sshd", 1 },
        { "proc.aname[3] exists", 0 }, { "proc.aname[2] = sudo", 0 },
        { "proc.aname != sshd", 0 },         /* != : no ancestor equals */
        { "proc.aname != nginx", 1 },
        { "proc.aname in (nginx, sshd)", 1 }, { "proc.aname startswith ss", 1 },
        { "proc.apid = 10", 1 }, { "proc.apid[1] = 50", 1 },
        { "proc.aexepath[2] = /usr/sbin/sshd", 1 }, { "proc.acmdline = \"sudo -i\"", 1 },
        { "proc.aexe[2] startswith sshd", 1 },
    };
    run_cases(&ev, cases, sizeof cases / sizeof *cases);

    comb_event net;
    fixture_connect(&net);
    static const tcase ncases[] = {
        { "fd.sip = 10.0.0.1", 1 }, { "fd.sip = 10.0.0.2", 0 },
        { "fd.sip = \"10.0.0.0/8\"", 1 }, { "fd.cip = 172.17.0.2", 1 },
        { "fd.ip = 172.17.0.2", 1 }, { "fd.ip = 10.0.0.1", 1 }, { "fd.ip != \"0.0.0.0\"", 1 },
        { "fd.ip != 10.0.0.1", 0 },
        { "fd.net = \"172.16.0.0/12\"", 1 }, { "fd.net != \"127.0.0.0/8\"", 1 },
        { "fd.snet in (\"10.0.0.0/8\", \"192.168.0.0/16\")", 1 },
        { "fd.snet in (\"192.168.0.0/16\")", 0 }, { "fd.cnet = \"172.17.0.0/16\"", 1 },
        { "fd.lip = 172.17.0.2", 1 }, { "fd.rip = 10.0.0.1", 1 }, { "fd.rnet = \"10.0.0.0/24\"", 1 },
        { "fd.lnet = \"10.0.0.0/8\"", 0 },
        { "fd.port = 443", 1 }, { "fd.port = 40000", 1 }, { "fd.port = 22", 0 },
        { "fd.sport in (80, 443)", 1 }, { "fd.lport = 40000", 1 }, { "fd.rport = 443", 1 },
        { "fd.cport = 40000", 1 },
        { "fd.sip = \"::1\"", 0 }, { "fd.typechar = 4", 1 }, { "fd.l4proto = tcp", 1 },
        { "fd.sockfamily = ip", 1 }, { "fd.connected = true", 1 }, { "fd.is_server = false", 1 },
        { "evt.res = EINPROGRESS", 1 }, { "evt.rawres >= 0", 0 }, { "evt.failed = true", 1 },
        { "fd.name = 172.17.0.2:40000->10.0.0.1:443", 1 },
        { "fd.sip.name = kubernetes.default.svc.cluster.local", 1 },
        { "fd.rip.name = kubernetes.default.svc.cluster.local", 1 },
        { "fd.lip.name = web-0", 1 }, { "fd.directory exists", 0 },
    };
    run_cases(&net, ncases, sizeof ncases / sizeof *ncases);
}

static void test_logic_and_transformers(void)
{
    comb_event ev;
    fixture_open(&ev);
    static const tcase cases[] = {
        /* and binds tighter than or */
        { "proc.name = sh or proc.name = bash and fd.num = 3", 1 },
        { "proc.name = sh or proc.name = bash and fd.num = 4", 0 },
        { "(proc.name = sh or proc.name = bash) and fd.num = 4", 0 },
        { "proc.name = bash and not fd.num = 4", 1 }, { "not proc.name = bash", 0 },
        { "not (proc.name = sh)", 1 }, { "not not proc.name = bash", 1 },
        { "not(proc.name=sh)", 1 },
        { "is_bash", 1 }, { "outer and is_bash", 1 }, { "not outer", 0 },
        { "evt.type in (open, openat) and outer", 1 },
        /* absent fields: false for every operator, even != */
        { "container.mount.dest[/nope] = x", 0 }, { "container.mount.dest[/nope] != x", 0 },
        { "not container.mount.dest[/nope] exists", 1 },
        { "toupper(proc.name) = BASH", 1 }, { "toupper(proc.name) = bash", 0 },
        { "tolower(toupper(proc.name)) = bash", 1 }, { "tolower(proc.name) = BASH", 0 },
        { "basename(fd.name) = shadow", 1 }, { "basename(proc.exepath) = sh", 0 },
        { "len(proc.name) = 4", 1 }, { "len(proc.name) > 4", 0 },
        { "b64(proc.env[B64VAR]) = hello", 1 }, { "b64(proc.env[HOME]) = hello", 0 },
        { "trim(proc.env[PAD]) = x", 1 }, { "proc.env[PAD] = x", 0 },
        { "proc.name = val(proc.aname[0])", 1 }, { "proc.name = val(proc.pname)", 0 },
        { "proc.name != val(proc.pname)", 1 }, { "proc.ppid < val(proc.pid)", 1 },
        { "proc.ppid > val(proc.pid)", 0 },
        { "proc.exepath endswith val(proc.name)", 1 },
        { "basename(proc.exepath) = val(proc.name)", 1 },
        { "proc.name = tolower(proc.vpgid.name)", 1 },
    };
    run_cases(&ev, cases, sizeof cases / sizeof *cases);
}

static void test_condition_errors(void)
{
    comb_event ev;
    fixture_open(&ev);
    static const struct { const char *cond, *msg; } bad[] = {
        { "proc.name =", "missing value" },
        { "proc.nope = 1", "unknown field proc.nope" },
        { "proc.pid = abc", "is not a number" },
        { "proc.name regex '('", "bad regex" },
        { "proc.name = bash and", "unexpected end" },
        { "(proc.name = bash", "expected )" },
        { "proc.name = bash)", "unexpected" },
        { "proc.name bash", "expected an operator" },
        { "foo(proc.name) = x", "unknown transformer" },
        { "tolower(proc.pid) = 1", "needs a string field" },
        { "nosuchmacro", "undefined macro nosuchmacro" },
        { "proc.tty contains 1", "not supported on proc.tty" },
        { "proc.is_exe_upper_layer = maybe", "not true or false" },
        { "fd.sip = notanip", "not an address" },
        { "proc.name = (a, b)", "takes one value" },
        { "proc.name = 'unterminated", "unterminated string" },
        { "fd.name bcontains 7", "hex bytes" },
        { "proc.aname[x] = a", "must be a number" },
        { "proc.name[1] = a", "takes no argument" },
        { "evt.arg = a", "needs an argument" },
        { "proc.name in (a, b", "expected , or )" },
        { "proc.name = val(proc.nope)", "unknown field" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        comb_err err;
        int r;
        comb_code rc = comb_rules_eval_condition(rs, bad[i].cond, &ev, &r, &err);
        CHECK(rc == COMB_EFORMAT);
        if (rc != COMB_OK && !strstr(err.msg, bad[i].msg))
            fprintf(stderr, "  [%s] -> %s (want %s)\n", bad[i].cond, err.msg, bad[i].msg);
        CHECK(rc != COMB_OK && strstr(err.msg, bad[i].msg));
    }
}

static char *repeat(const char *a, int n, const char *mid, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), lm = strlen(mid);
    char *s = malloc(la * n + lb * n + lm + 1), *p = s;
    for (int i = 0; i < n; i++, p += la)
        memcpy(p, a, la);
    memcpy(p, mid, lm);
    p += lm;
    for (int i = 0; i < n; i++, p += lb)
        memcpy(p, b, lb);
    *p = '\0';
    return s;
}

static void test_depth_caps(void)
{
    comb_event ev;
    fixture_open(&ev);
    char *ok = repeat("(", COMB_RULES_MAX_PARSE_DEPTH - 1, "proc.name=bash", ")");
    CHECK_INT(eval_cond(rs, ok, &ev), 1);
    free(ok);
    char *deep = repeat("(", 100000, "proc.name=bash", ")");
    comb_err err;
    int r;
    CHECK(comb_rules_eval_condition(rs, deep, &ev, &r, &err) == COMB_EFORMAT);
    CHECK(strstr(err.msg, "nested deeper than") != NULL);
    free(deep);
    char *nots = repeat("not ", 100000, "proc.name=bash", "");
    CHECK_INT(eval_cond(rs, nots, &ev), -1);
    free(nots);
    char *xf = repeat("tolower(", 9, "proc.name", ")");
    CHECK_INT(eval_cond(rs, xf, &ev), -1);
    free(xf);
    char *xf_ok = repeat("tolower(", 8, "proc.name", ")");
    char cond[256];
    snprintf(cond, sizeof cond, "%s = bash", xf_ok);
    CHECK_INT(eval_cond(rs, cond, &ev), 1);
    free(xf_ok);
}

int main(void)
{
    comb_err err;
    if (comb_ruleset_new(&rs, &err) || comb_rules_load_buffer(rs, "lists.yaml", lists,
                                                              sizeof lists - 1, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return 1;
    }
    RUN(test_comparisons);
    RUN(test_multivalued);
    RUN(test_logic_and_transformers);
    RUN(test_condition_errors);
    RUN(test_depth_caps);
    comb_ruleset_free(rs);
    return test_summary();
}
