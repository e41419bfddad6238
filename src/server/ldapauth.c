/* ldapauth.c - LDAP simple bind (see ldapauth.h). */
#include "server/ldapauth.h"

#include <ldap.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "compliance/containers.h"

int comb_ldap_template_ok(const char *t)
{
    const char *p = strchr(t, '%');
    return p && p[1] == 's' && !strchr(p + 2, '%') && strlen(t) < 512;
}

int comb_ldap_check(const comb_ldap_opts *o, const char *user, const char *password)
{
    if (!o || !o->url || !o->dn_template || !comb_ldap_template_ok(o->dn_template) ||
        !comb_container_safe_id(user) || !password || !*password || strlen(password) > 1024)
        return 0;
    char dn[1024];
    snprintf(dn, sizeof dn, o->dn_template, user);
    LDAP *ld = NULL;
    if (ldap_initialize(&ld, o->url) != LDAP_SUCCESS)
        return 0;
    int v3 = LDAP_VERSION3;
    struct timeval tv = { o->timeout > 0 ? o->timeout : 5, 0 };
    ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
    struct berval cred = { strlen(password), (char *)password };
    int rc = ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
    ldap_unbind_ext_s(ld, NULL, NULL);
    return rc == LDAP_SUCCESS;
}
