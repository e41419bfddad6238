/* test_shellcmd.c - the shell command scanner behind the RUN checks:
 * quoting, separators, wrappers, nested sh -c, comments. */
#include "misconfig/mc_internal.h"
#include "test.h"

static unsigned facts(const char *s)
{
    return mc_run_facts(s, strlen(s));
}

#define HAS(s, f) CHECK((facts(s) & (f)) != 0)
#define NOT(s, f) CHECK((facts(s) & (f)) == 0)

static void test_fetch_to_shell(void)
{
    HAS("curl -sSL https://x | sh", MC_RUN_FETCH_TO_SHELL);
    HAS("curl -sSL https://x | tee /tmp/log | bash -s -- --flag", MC_RUN_FETCH_TO_SHELL);
    HAS("wget -qO- https://x|/bin/sh", MC_RUN_FETCH_TO_SHELL);
    HAS("set -e; curl https://x | sudo -E env A=1 bash", MC_RUN_FETCH_TO_SHELL);
    HAS("sh -c \"$(wget -O- https://x)\"", MC_RUN_FETCH_TO_SHELL);
    HAS("bash <(curl -s https://x)", MC_RUN_FETCH_TO_SHELL);
    HAS("sh -c 'curl https://x | python3 -'", MC_RUN_FETCH_TO_SHELL);
    HAS("curl https://x \\\n  | sh", MC_RUN_FETCH_TO_SHELL);
    NOT("curl https://x || sh fallback.sh", MC_RUN_FETCH_TO_SHELL);
    NOT("curl -o f https://x && sh f", MC_RUN_FETCH_TO_SHELL);
    NOT("curl https://x | tar xz", MC_RUN_FETCH_TO_SHELL);
    NOT("echo 'curl x | sh'", MC_RUN_FETCH_TO_SHELL);
    NOT("echo \"curl x | sh\"", MC_RUN_FETCH_TO_SHELL);
    NOT("# curl x | sh\ntrue", MC_RUN_FETCH_TO_SHELL);
    NOT("curl x; cat f | sh", MC_RUN_FETCH_TO_SHELL); /* the download is in another pipeline */
}

static void test_package_managers(void)
{
    unsigned f = facts("apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -yq curl");
    CHECK(f & MC_RUN_APT_INSTALL);
    CHECK(f & MC_RUN_APT_UPDATE);
    CHECK(!(f & MC_RUN_APT_NO_YES));
    CHECK(f & MC_RUN_APT_RECOMMENDS);
    CHECK(!(f & MC_RUN_APT_LISTS_REMOVED));
    f = facts("apt-get -o APT::Install-Recommends=false --assume-yes install x; rm -rf /var/lib/apt/lists/*");
    CHECK(!(f & (MC_RUN_APT_NO_YES | MC_RUN_APT_RECOMMENDS)));
    CHECK(f & MC_RUN_APT_LISTS_REMOVED);
    HAS("apt install x", MC_RUN_APT_NO_YES);
    NOT("apt-get upgrade -y", MC_RUN_APT_INSTALL);
    NOT("echo apt-get install x", MC_RUN_APT_INSTALL);
    HAS("apk --update add curl", MC_RUN_APK_CACHED);
    NOT("apk add --no-cache curl", MC_RUN_APK_CACHED);
    NOT("apk del curl", MC_RUN_APK_CACHED);
    HAS("apk add x && rm -rf /var/cache/apk/*", MC_RUN_APK_CACHE_REMOVED);
    HAS("pip3.12 install x", MC_RUN_PIP_CACHED);
    HAS("python -m pip install x", MC_RUN_PIP_CACHED);
    NOT("python -m venv /v", MC_RUN_PIP_CACHED);
    NOT("pip install --no-cache-dir x", MC_RUN_PIP_CACHED);
    NOT("pipenv install", MC_RUN_PIP_CACHED);
}

static void test_sudo_chmod(void)
{
    HAS("sudo -u app make", MC_RUN_SUDO);
    HAS("true && sudo make install", MC_RUN_SUDO);
    NOT("echo sudo", MC_RUN_SUDO);
    HAS("chmod -R 777 /srv", MC_RUN_CHMOD_777);
    HAS("chmod a+rwx /srv", MC_RUN_CHMOD_777);
    NOT("chmod 1777 /tmp", MC_RUN_CHMOD_777);
    NOT("echo 777", MC_RUN_CHMOD_777);
}

static void test_hostile(void)
{
    /* unbalanced quotes, lone separators, deep sh -c nesting, empty input */
    CHECK_INT(facts(""), 0);
    CHECK_INT(facts("'"), 0);
    HAS("sudo echo 'unterminated", MC_RUN_SUDO);
    HAS("apt-get install \"x", MC_RUN_APT_NO_YES);
    CHECK_INT(facts("\"\\"), 0);
    CHECK_INT(facts("| | || && ; ; &"), 0);
    facts("sh -c \"sh -c \\\"sh -c 'curl x | sh'\\\"\"");
    char big[100000];
    memset(big, '|', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_INT(facts(big), 0);
}

int main(void)
{
    RUN(test_fetch_to_shell);
    RUN(test_package_managers);
    RUN(test_sudo_chmod);
    RUN(test_hostile);
    return test_summary();
}
