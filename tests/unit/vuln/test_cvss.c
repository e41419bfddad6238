/* test_cvss.c - CVSS v3.x and v4.0 scores, severity names.
 *
 * Reference vectors and their scores come from:
 *  - the FIRST CVSS v3.1 "Examples" document and NVD entries (well-known
 *    CVEs, cited per line);
 *  - the Red Hat reference library's test data (github.com/
 *    RedHatProductSecurity/cvss, tests/vectors_simple31, vectors_simple4,
 *    vectors_security4, vectors_supplemental4, vectors_threat4; commit
 *    2f149099257ae06b98cef252efc440bddafe61e5), whose v4 scores come from
 *    the FIRST calculator algorithm;
 *  - the FIRST CVSS v4.0 calculator (github.com/FIRSTdotorg/
 *    cvss-v4-calculator, cvss_score.js at c5b0d409) run under node for
 *    vectors with environmental metrics.
 * During development the C implementation was also compared with that
 * calculator on 50,000 random v4.0 vectors (half with threat and
 * environmental metrics): identical except where the calculator's plain
 * Math.round(x * 10) loses a half to binary noise (see test_v4_rounding). */
#include <math.h>

#include "vuln/cvss.h"
#include "test.h"

typedef struct ref { const char *vector; double score; } ref;

static const ref v3_refs[] = {
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1}, /* FIRST examples: CVE-2013-1937 phpMyAdmin XSS */
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4}, /* FIRST examples: CVE-2013-0375 MySQL */
    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1}, /* FIRST examples: CVE-2014-3566 POODLE */
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9}, /* FIRST examples: CVE-2012-1516 VMware */
    {"CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 4.2}, /* FIRST examples: CVE-2009-0783 Tomcat */
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8}, /* FIRST examples: CVE-2012-0384 Cisco IOS */
    {"CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8}, /* FIRST examples: CVE-2015-1098 iWork */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5}, /* FIRST examples / NVD: CVE-2014-0160 Heartbleed */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8}, /* FIRST examples / NVD: CVE-2014-6271 Shellshock */
    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N", 6.8}, /* FIRST examples: CVE-2008-1447 DNS cache poisoning */
    {"CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8}, /* FIRST examples: CVE-2014-2005 Sophos */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8}, /* FIRST examples: CVE-2010-0467 Joomla */
    {"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:H", 9.3}, /* FIRST examples: CVE-2013-6014 Juniper */
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", 5.4}, /* FIRST examples: CVE-2014-9253 DokuWiki */
    {"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8}, /* FIRST examples: CVE-2011-1265 Bluetooth */
    {"CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N", 4.6}, /* FIRST examples: CVE-2014-2019 iOS */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8}, /* NVD: CVE-2023-4863 libwebp */
    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", 7.4}, /* NVD: CVE-2014-0224 OpenSSL CCS */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H", 9.6}, /* FIRST examples: CVE-2012-5376 Chrome */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0}, /* NVD: CVE-2021-44228 Log4Shell */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5}, /* NVD: CVE-2023-44487 HTTP/2 rapid reset */
    {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8}, /* NVD: CVE-2021-3156 sudo */
    {"CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H", 8.2}, /* FIRST examples: CVE-2016-5729 Lenovo */
    {"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 6.5}, /* FIRST examples: CVE-2015-2890 Ubee */
    {"CVSS:3.1/AV:A/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:N", 8.0}, /* RedHat cvss tests/vectors_simple31 */
    {"CVSS:3.1/AV:P/AC:H/PR:L/UI:N/S:U/C:N/I:N/A:H", 4.0}, /* RedHat cvss tests/vectors_simple31 */
    {"CVSS:3.1/AV:P/AC:L/PR:H/UI:R/S:C/C:L/I:N/A:H", 5.6}, /* RedHat cvss tests/vectors_simple31 */
    {"CVSS:3.1/AV:N/AC:H/PR:L/UI:R/S:U/C:N/I:L/A:H", 5.4}, /* RedHat cvss tests/vectors_simple31 */
    {"CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:C/C:H/I:L/A:H", 8.1}, /* RedHat cvss tests/vectors_simple31 */
    {"CVSS:3.1/AV:P/AC:H/PR:L/UI:R/S:U/C:L/I:N/A:L", 2.8}, /* RedHat cvss tests/vectors_simple31 */
    {"CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:C/C:N/I:N/A:H", 4.6}, /* RedHat cvss tests/vectors_simple31 */
    {"CVSS:3.1/AV:P/AC:H/PR:L/UI:N/S:C/C:H/I:L/A:H", 7.0}, /* RedHat cvss tests/vectors_simple31 */
    {"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:N/I:N/A:L", 2.7}, /* RedHat cvss tests/vectors_simple31 */
    {"CVSS:3.1/AV:P/AC:H/PR:L/UI:R/S:U/C:N/I:L/A:N", 1.7}, /* RedHat cvss tests/vectors_simple31 */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0}, /* RedHat cvss tests/vectors_simple31 */
    {"CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:H/I:L/A:L", 5.1}, /* RedHat cvss tests/vectors_simple31 */
    {"CVSS:3.1/AV:A/AC:H/PR:N/UI:R/S:U/C:L/I:H/A:H", 6.7}, /* RedHat cvss tests/vectors_simple31 */
    {"CVSS:3.1/AV:A/AC:L/PR:H/UI:R/S:U/C:L/I:L/A:N", 3.2}, /* RedHat cvss tests/vectors_simple31 */
    {"CVSS:3.1/AV:A/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N", 7.3}, /* RedHat cvss tests/vectors_simple31 */
    {"CVSS:3.1/AV:P/AC:L/PR:H/UI:R/S:C/C:H/I:H/A:L", 6.9}, /* RedHat cvss tests/vectors_simple31 */
    {"CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:L", 6.1}, /* RedHat cvss tests/vectors_simple31 */
    {"CVSS:3.1/AV:L/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:H", 7.8}, /* RedHat cvss tests/vectors_simple31 */
    {"CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:C/C:N/I:L/A:L", 4.0}, /* RedHat cvss tests/vectors_simple31 */
};

static const ref v4_refs[] = {
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3}, /* FIRST calculator */
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10.0}, /* FIRST calculator (maximum) */
    {"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N", 1.0}, /* FIRST calculator */
    {"CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 8.5}, /* FIRST calculator */
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N", 8.7}, /* FIRST calculator */
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N", 5.3}, /* FIRST calculator */
    {"CVSS:4.0/AV:A/AC:H/AT:P/PR:N/UI:P/VC:N/VI:H/VA:H/SC:N/SI:H/SA:L", 7.1}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:P/VC:H/VI:H/VA:L/SC:N/SI:L/SA:L", 5.3}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:N/VC:H/VI:L/VA:N/SC:N/SI:H/SA:N", 9.0}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:P/AC:L/AT:N/PR:L/UI:P/VC:L/VI:N/VA:N/SC:H/SI:H/SA:H", 4.7}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:P/AC:H/AT:N/PR:H/UI:A/VC:L/VI:L/VA:H/SC:N/SI:H/SA:H", 5.9}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:A/AC:L/AT:N/PR:L/UI:P/VC:N/VI:N/VA:N/SC:H/SI:L/SA:H", 4.5}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:N/AC:H/AT:N/PR:L/UI:A/VC:L/VI:L/VA:N/SC:N/SI:N/SA:H", 4.3}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:H/UI:A/VC:L/VI:N/VA:L/SC:L/SI:H/SA:N", 4.3}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:H/VI:L/VA:N/SC:H/SI:N/SA:N", 8.3}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:P/AC:L/AT:N/PR:H/UI:N/VC:H/VI:L/VA:H/SC:N/SI:N/SA:H", 6.8}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:L/AC:L/AT:P/PR:N/UI:N/VC:L/VI:H/VA:H/SC:H/SI:N/SA:L", 7.1}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:H/UI:N/VC:L/VI:H/VA:L/SC:H/SI:L/SA:H", 7.2}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:A/AC:H/AT:N/PR:H/UI:N/VC:L/VI:N/VA:L/SC:N/SI:N/SA:L", 2.0}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:L/AC:H/AT:P/PR:L/UI:N/VC:H/VI:L/VA:H/SC:H/SI:L/SA:H", 7.2}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:A/VC:L/VI:N/VA:H/SC:N/SI:N/SA:N", 5.2}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:A/AC:L/AT:P/PR:N/UI:N/VC:L/VI:N/VA:N/SC:H/SI:H/SA:N", 5.3}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:N/VC:N/VI:L/VA:H/SC:N/SI:H/SA:N", 9.0}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:N/SC:L/SI:H/SA:L", 6.3}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:A/AC:H/AT:N/PR:L/UI:P/VC:H/VI:L/VA:H/SC:N/SI:H/SA:L", 5.8}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:P/VC:N/VI:H/VA:N/SC:N/SI:N/SA:H", 8.2}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:A/AC:H/AT:P/PR:H/UI:A/VC:N/VI:L/VA:H/SC:L/SI:N/SA:H", 5.7}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:A/VC:N/VI:H/VA:L/SC:H/SI:H/SA:H", 8.3}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:A/AC:L/AT:P/PR:H/UI:N/VC:N/VI:N/VA:L/SC:L/SI:L/SA:N", 2.0}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:A/AC:L/AT:N/PR:H/UI:P/VC:N/VI:H/VA:N/SC:N/SI:L/SA:H", 6.8}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:A/VC:N/VI:L/VA:N/SC:L/SI:H/SA:L", 2.1}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:L/AC:L/AT:P/PR:N/UI:N/VC:L/VI:H/VA:N/SC:H/SI:H/SA:L", 7.2}, /* RedHat cvss tests/vectors_simple4 */
    {"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/CR:H/IR:L/AR:M", 7.1}, /* RedHat cvss tests/vectors_security4 */
    {"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/CR:M/IR:H/AR:H", 7.2}, /* RedHat cvss tests/vectors_security4 */
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/CR:H/IR:M/AR:H", 0.0}, /* RedHat cvss tests/vectors_security4 */
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/CR:L/IR:M/AR:L", 0.0}, /* RedHat cvss tests/vectors_security4 */
    {"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/CR:M/IR:M/AR:H", 7.2}, /* RedHat cvss tests/vectors_security4 */
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/CR:M/IR:L/AR:H", 0.0}, /* RedHat cvss tests/vectors_security4 */
    {"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/CR:H/IR:M/AR:M", 7.2}, /* RedHat cvss tests/vectors_security4 */
    {"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/CR:H/IR:H/AR:L", 7.2}, /* RedHat cvss tests/vectors_security4 */
    {"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/S:N/AU:Y/R:I/V:D/RE:L/U:Clear", 7.3}, /* RedHat cvss tests/vectors_supplemental4 */
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/S:P/AU:N/R:A/V:D/RE:H/U:Red", 0.0}, /* RedHat cvss tests/vectors_supplemental4 */
    {"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/S:N/AU:N/R:I/V:D/RE:M/U:Clear", 7.3}, /* RedHat cvss tests/vectors_supplemental4 */
    {"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/S:P/AU:N/R:I/V:D/RE:H/U:Amber", 7.3}, /* RedHat cvss tests/vectors_supplemental4 */
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/S:P/AU:Y/R:U/V:D/RE:M/U:Green", 0.0}, /* RedHat cvss tests/vectors_supplemental4 */
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/S:N/AU:Y/R:A/V:D/RE:M/U:Red", 0.0}, /* RedHat cvss tests/vectors_supplemental4 */
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/E:A", 0.0}, /* RedHat cvss tests/vectors_threat4 */
    {"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:A", 7.3}, /* RedHat cvss tests/vectors_threat4 */
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/E:P", 0.0}, /* RedHat cvss tests/vectors_threat4 */
    {"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P", 5.9}, /* RedHat cvss tests/vectors_threat4 */
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/E:U", 0.0}, /* RedHat cvss tests/vectors_threat4 */
    {"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U", 4.1}, /* RedHat cvss tests/vectors_threat4 */
    {"CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:L/VI:H/VA:H/SC:N/SI:L/SA:N/E:X/CR:H/AR:L/MAC:H/MUI:N/MVI:X/MVA:L/MSC:H/MSI:S", 7.0}, /* FIRST calculator (cvss_score.js), environmental */
    {"CVSS:4.0/AV:A/AC:H/AT:N/PR:L/UI:N/VC:N/VI:N/VA:L/SC:N/SI:L/SA:N/CR:M/MAV:N/MAC:L/MUI:P/MVC:X/MVI:N/MSI:S", 7.8}, /* FIRST calculator (cvss_score.js), environmental */
    {"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:N/VC:L/VI:L/VA:L/SC:L/SI:H/SA:L/E:P/IR:H/MAC:L/MAT:N/MVC:N/MSC:X/MSA:S", 4.8}, /* FIRST calculator (cvss_score.js), environmental */
    {"CVSS:4.0/AV:A/AC:L/AT:N/PR:H/UI:P/VC:L/VI:N/VA:H/SC:N/SI:L/SA:L/E:A/CR:L/IR:M/AR:M/MAV:N/MAC:H/MPR:N/MUI:A/MVI:L/MSC:H/MSA:S", 7.4}, /* FIRST calculator (cvss_score.js), environmental */
    {"CVSS:4.0/AV:N/AC:H/AT:N/PR:H/UI:A/VC:N/VI:H/VA:N/SC:H/SI:N/SA:L/CR:L/IR:H/AR:H/MAV:X/MAC:H/MPR:X/MVC:N/MSI:L/MSA:S", 8.3}, /* FIRST calculator (cvss_score.js), environmental */
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:H/SC:N/SI:N/SA:H/E:U/CR:M/AR:X/MAV:L/MAT:X/MPR:H/MUI:A/MVI:N/MSC:X", 3.7}, /* FIRST calculator (cvss_score.js), environmental */
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:L/VI:L/VA:N/SC:L/SI:H/SA:L/E:U/IR:H/AR:M/MAV:P/MAT:P/MUI:A/MSC:H/MSI:X", 0.4}, /* FIRST calculator (cvss_score.js), environmental */
    {"CVSS:4.0/AV:A/AC:L/AT:N/PR:L/UI:P/VC:L/VI:H/VA:L/SC:N/SI:H/SA:N/CR:L/IR:X/AR:H/MAT:N/MSI:S/MSA:X", 8.1}, /* FIRST calculator (cvss_score.js), environmental */
    {"CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:H/SC:L/SI:N/SA:N/CR:M/AR:H/MAV:P/MAT:X/MVC:H/MVI:H", 6.9}, /* FIRST calculator (cvss_score.js), environmental */
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:L/VI:N/VA:H/SC:H/SI:N/SA:N/E:X/MAV:L/MAC:X/MAT:N/MVC:X/MVI:X/MSI:X", 8.2}, /* FIRST calculator (cvss_score.js), environmental */
    {"CVSS:4.0/AV:A/AC:H/AT:P/PR:H/UI:N/VC:H/VI:N/VA:L/SC:L/SI:N/SA:H/E:A/CR:M/IR:M/AR:H/MAC:L/MAT:N/MUI:X/MVC:X/MSC:N", 7.1}, /* FIRST calculator (cvss_score.js), environmental */
    {"CVSS:4.0/AV:N/AC:H/AT:P/PR:H/UI:N/VC:L/VI:N/VA:H/SC:H/SI:N/SA:L/E:U/CR:L/AR:X/MAV:L/MUI:A/MSC:L/MSA:N", 0.5}, /* FIRST calculator (cvss_score.js), environmental */
    {"CVSS:4.0/AV:N/AC:H/AT:P/PR:L/UI:P/VC:H/VI:H/VA:H/SC:N/SI:L/SA:L/IR:H/AR:L/MAV:A/MAC:L/MVC:H/MVI:L/MVA:X/MSI:X", 4.3}, /* FIRST calculator (cvss_score.js), environmental */
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:L/VI:L/VA:N/SC:N/SI:N/SA:L/E:P/CR:M/AR:X/MAV:P/MAC:L/MAT:P/MPR:H/MVA:X/MSC:H/MSA:S", 2.1}, /* FIRST calculator (cvss_score.js), environmental */
};

static int same(double a, double b)
{
    return fabs(a - b) < 1e-9;
}

static void test_v3_reference(void)
{
    size_t n = sizeof v3_refs / sizeof v3_refs[0];
    CHECK(n >= 30);
    for (size_t i = 0; i < n; i++) {
        double got = comb_cvss3_score(v3_refs[i].vector);
        if (!same(got, v3_refs[i].score))
            fprintf(stderr, "  %s: want %.1f got %.1f\n", v3_refs[i].vector, v3_refs[i].score, got);
        CHECK(same(got, v3_refs[i].score));
        /* the same metrics as v3.0 score the same for all these */
        char v30[COMB_CVSS_MAX_LEN + 1];
        snprintf(v30, sizeof v30, "CVSS:3.0/%s", v3_refs[i].vector + 9);
        CHECK(same(comb_cvss3_score(v30), v3_refs[i].score));
        CHECK(same(comb_cvss_score(v3_refs[i].vector), v3_refs[i].score));
        CHECK(comb_cvss4_score(v3_refs[i].vector) < 0);
    }
}

static void test_v4_reference(void)
{
    size_t n = sizeof v4_refs / sizeof v4_refs[0];
    CHECK(n >= 30);
    for (size_t i = 0; i < n; i++) {
        double got = comb_cvss4_score(v4_refs[i].vector);
        if (!same(got, v4_refs[i].score))
            fprintf(stderr, "  %s: want %.1f got %.1f\n", v4_refs[i].vector, v4_refs[i].score, got);
        CHECK(same(got, v4_refs[i].score));
        CHECK(same(comb_cvss_score(v4_refs[i].vector), v4_refs[i].score));
        CHECK(comb_cvss3_score(v4_refs[i].vector) < 0);
    }
}

/* Temporal/threat, environmental and supplemental metrics are accepted;
 * in v3 they leave the base score alone, and order does not matter. */
static void test_optional_metrics_and_order(void)
{
    CHECK(same(comb_cvss3_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C"), 9.8));
    CHECK(same(comb_cvss3_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/CR:H/MAV:L/MS:C/MC:N"), 9.8));
    CHECK(same(comb_cvss3_score("CVSS:3.1/S:U/C:H/I:H/A:H/AV:N/AC:L/PR:N/UI:N"), 9.8));
    CHECK(same(comb_cvss4_score("CVSS:4.0/SA:N/SI:N/SC:N/VA:H/VI:H/VC:H/UI:N/PR:N/AT:N/AC:L/AV:N"), 9.3));
    /* E:X, CR:X ... are the defaults */
    CHECK(same(comb_cvss4_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:X/CR:X/IR:X/AR:X/MAV:X"), 9.3));
    /* no impact anywhere: 0 whatever else */
    CHECK(same(comb_cvss4_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N"), 0.0));
    /* a modified metric can remove all impact */
    CHECK(same(comb_cvss4_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N/MVC:N"), 0.0));
    /* scope changed, low everything: the v3 formula's small branch */
    CHECK(same(comb_cvss3_score("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:C/C:L/I:N/A:N"), 1.8));
    CHECK(same(comb_cvss3_score("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"), 1.6));
}

/* Where 8.6 - 7.15 style binary noise puts the raw score a hair under
 * x.x5, comb rounds half up after a 1e-6 guard (as the Red Hat reference
 * library does); the snapshot of the FIRST calculator's Math.round gives
 * 5.6 here. */
static void test_v4_rounding(void)
{
    CHECK(same(comb_cvss4_score("CVSS:4.0/AV:L/AC:L/AT:P/PR:H/UI:N/VC:L/VI:N/VA:H/SC:N/SI:L/SA:N"), 5.7));
    CHECK(same(comb_cvss4_score("CVSS:4.0/AV:N/AC:H/AT:N/PR:H/UI:A/VC:H/VI:N/VA:L/SC:N/SI:L/SA:L"), 5.7));
}

static void test_invalid(void)
{
    static const char *bad3[] = {
        NULL, "", "CVSS:3.1", "CVSS:3.1/", "CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",                       /* no prefix */
        "cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",              /* prefix case */
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",                  /* A missing */
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:H",          /* duplicate */
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:X",              /* base X */
        "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",              /* bad value */
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",             /* trailing / */
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E",            /* no value */
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:",           /* empty value */
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/:P",           /* empty name */
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:P",         /* unknown metric */
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:HH",             /* value too long */
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AT:N",         /* a v4 metric */
        "CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",             /* empty field */
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P:P",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H ",             /* trailing space */
    };
    for (size_t i = 0; i < sizeof bad3 / sizeof bad3[0]; i++) {
        if (comb_cvss3_score(bad3[i]) >= 0)
            fprintf(stderr, "  accepted: %s\n", bad3[i] ? bad3[i] : "(null)");
        CHECK(comb_cvss3_score(bad3[i]) < 0);
        CHECK(comb_cvss_score(bad3[i]) < 0);
    }
    static const char *bad4[] = {
        NULL, "", "CVSS:4.0/", "CVSS:4.1/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N",           /* SA missing */
        "CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",           /* AT missing */
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/SA:N", /* duplicate */
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:R/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",      /* UI:R is v3 */
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N",      /* S only in MSI */
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MSC:S",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:F",  /* v3 value */
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:clear",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:U",  /* v3 scope */
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/RL:O",
        "CVSS:3.1/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
    };
    for (size_t i = 0; i < sizeof bad4 / sizeof bad4[0]; i++) {
        if (comb_cvss4_score(bad4[i]) >= 0)
            fprintf(stderr, "  accepted: %s\n", bad4[i] ? bad4[i] : "(null)");
        CHECK(comb_cvss4_score(bad4[i]) < 0);
    }
    /* length bound: a valid vector padded with valid optional metrics
     * beyond COMB_CVSS_MAX_LEN is refused */
    char big[1024];
    snprintf(big, sizeof big, "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N");
    while (strlen(big) <= COMB_CVSS_MAX_LEN)
        strcat(big, "/E:X");
    CHECK(comb_cvss4_score(big) < 0); /* also duplicates, but refused by length first */
    char all[] = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/CR:H/IR:H/AR:H/"
                 "MAV:N/MAC:L/MAT:N/MPR:N/MUI:N/MVC:H/MVI:H/MVA:H/MSC:H/MSI:S/MSA:S/S:P/AU:Y/R:I/V:C/"
                 "RE:H/U:Red";
    CHECK(strlen(all) <= COMB_CVSS_MAX_LEN);
    CHECK(comb_cvss4_score(all) >= 0); /* every metric once fits the bound */
    CHECK(same(comb_cvss4_score(all), 10.0));
}

static void test_severity(void)
{
    CHECK_INT(comb_cvss_severity(0.0), COMB_SEV_NEGLIGIBLE);
    CHECK_INT(comb_cvss_severity(0.1), COMB_SEV_LOW);
    CHECK_INT(comb_cvss_severity(3.9), COMB_SEV_LOW);
    CHECK_INT(comb_cvss_severity(4.0), COMB_SEV_MEDIUM);
    CHECK_INT(comb_cvss_severity(6.9), COMB_SEV_MEDIUM);
    CHECK_INT(comb_cvss_severity(7.0), COMB_SEV_HIGH);
    CHECK_INT(comb_cvss_severity(8.9), COMB_SEV_HIGH);
    CHECK_INT(comb_cvss_severity(9.0), COMB_SEV_CRITICAL);
    CHECK_INT(comb_cvss_severity(10.0), COMB_SEV_CRITICAL);
    CHECK_INT(comb_cvss_severity(-1.0), COMB_SEV_UNKNOWN);
    CHECK_INT(comb_cvss_severity(10.5), COMB_SEV_UNKNOWN);
    CHECK_INT(comb_cvss_severity(NAN), COMB_SEV_UNKNOWN);
    CHECK_INT(comb_cvss_severity(comb_cvss3_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N")), COMB_SEV_HIGH);

    CHECK_STR(comb_severity_name(COMB_SEV_CRITICAL), "CRITICAL");
    CHECK_STR(comb_severity_name(COMB_SEV_HIGH), "HIGH");
    CHECK_STR(comb_severity_name(COMB_SEV_MEDIUM), "MEDIUM");
    CHECK_STR(comb_severity_name(COMB_SEV_LOW), "LOW");
    CHECK_STR(comb_severity_name(COMB_SEV_NEGLIGIBLE), "NEGLIGIBLE");
    CHECK_STR(comb_severity_name(COMB_SEV_UNKNOWN), "UNKNOWN");
    CHECK_STR(comb_severity_name((comb_severity)42), "UNKNOWN");
    comb_severity s = COMB_SEV_UNKNOWN;
    CHECK(comb_severity_parse("critical", &s) == 0 && s == COMB_SEV_CRITICAL);
    CHECK(comb_severity_parse("High", &s) == 0 && s == COMB_SEV_HIGH);
    CHECK(comb_severity_parse("MEDIUM", &s) == 0 && s == COMB_SEV_MEDIUM);
    CHECK(comb_severity_parse("negligible", &s) == 0 && s == COMB_SEV_NEGLIGIBLE);
    CHECK(comb_severity_parse("unknown", &s) == 0 && s == COMB_SEV_UNKNOWN);
    s = COMB_SEV_HIGH;
    CHECK(comb_severity_parse("severe", &s) != 0 && s == COMB_SEV_HIGH);
    CHECK(comb_severity_parse("", &s) != 0);
    CHECK(comb_severity_parse(NULL, &s) != 0);
    CHECK(comb_severity_parse("low ", &s) != 0);
}

int main(void)
{
    RUN(test_v3_reference);
    RUN(test_v4_reference);
    RUN(test_optional_metrics_and_order);
    RUN(test_v4_rounding);
    RUN(test_invalid);
    RUN(test_severity);
    return test_summary();
}
