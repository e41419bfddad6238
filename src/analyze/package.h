/* package.h - the inventory data model: packages and the operating system.
 *
 * Analyzers fill these plain structs (strings live in the scan's arena);
 * reporters read them. Neither side knows the other.
 */
#ifndef COMB_ANALYZE_PACKAGE_H
#define COMB_ANALYZE_PACKAGE_H

#include <stddef.h>

typedef enum comb_pkg_type {
    COMB_PKG_DPKG = 0,
    COMB_PKG_APK,
    COMB_PKG_RPM,
    COMB_PKG_PYTHON,
    COMB_PKG_NPM,
    COMB_PKG_GO,       /* Go module (from a binary's build info); name = module path */
    COMB_PKG_GO_STDLIB,/* the Go toolchain a binary was built with ("stdlib") */
    COMB_PKG_MAVEN,    /* Java archive; namespace = groupId, name = artifactId */
    COMB_PKG_GEM,
    COMB_PKG_CARGO,
    COMB_PKG_COMPOSER, /* name = "vendor/project" */
    COMB_PKG_TYPE_COUNT
} comb_pkg_type;

typedef struct comb_pkg {
    comb_pkg_type type;
    const char *name;        /* required; npm "@scope/name", composer "vendor/project",
                                go the module path, maven the artifactId */
    const char *version;     /* required; dpkg: full "epoch:upstream-revision";
                                rpm: "version-release" (epoch separate) */
    const char *namespace_;  /* maven groupId only */
    int epoch;               /* rpm/dpkg epoch, -1 when absent */
    const char *rpm_version; /* rpm: version alone */
    const char *rpm_release; /* rpm: release alone */
    const char *arch;
    const char *src_name;    /* source package (dpkg Source, apk origin, rpm srpm name) */
    const char *src_version; /* source version when it differs or is known */
    const char *license;     /* as declared by the package */
    const char *maintainer;
    const char *modularity;  /* rpm modularity label */
    const char *found_in;    /* path of the file it was found in (no leading '/') */
    const char *inner_path;  /* inside an archive: "WEB-INF/lib/x.jar!META-INF/..." */
    const char **files;      /* installed files (absolute paths), may be NULL */
    size_t nfiles;
    /* filled by the pipeline after merging layers: */
    const char *layer_digest;  /* blob digest of the layer that introduced it */
    const char *layer_diff_id; /* diff_id of that layer */
    const char *purl;
    const char *owner;       /* "deb:python3-requests" when an OS package owns found_in */
} comb_pkg;

typedef struct comb_os {
    const char *id;          /* os-release ID: "debian", "alpine", "rhel", ... */
    const char *version_id;  /* "12", "3.10.3" */
    const char *pretty_name;
    const char *codename;
    const char *id_like;
    int distroless;          /* Google distroless style (status.d, no shell) */
    int priority;            /* higher wins when several sources agree poorly */
    const char *found_in;
} comb_os;

const char *comb_pkg_type_name(comb_pkg_type t); /* "dpkg", "apk", "python", ... */
int comb_pkg_type_is_os(comb_pkg_type t);

#endif
