/* ldapauth.h - LDAP simple-bind authentication for comb server: a user is
 * who the directory lets bind as the DN made from a template
 * ("uid=%s,ou=people,dc=example,dc=org"). Only plain names
 * ([A-Za-z0-9._-], at most 128) are put into DNs, so nothing a client sends
 * can change the DN's structure; an empty password is refused before any
 * bind (LDAP would take it as an unauthenticated bind and succeed). */
#ifndef COMB_SERVER_LDAPAUTH_H
#define COMB_SERVER_LDAPAUTH_H

typedef struct comb_ldap_opts {
    const char *url;          /* ldap://host:port or ldaps://host:port */
    const char *dn_template;  /* exactly one %s */
    int timeout;              /* seconds (default 5) */
} comb_ldap_opts;

/* 1 when the directory accepts the password for user, else 0. */
int comb_ldap_check(const comb_ldap_opts *o, const char *user, const char *password);

/* 1 when the template holds exactly one "%s" and no other '%'. */
int comb_ldap_template_ok(const char *t);

#endif
