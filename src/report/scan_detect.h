/* scan_detect.h - the secret, malware and configuration detections of a
 * scan result (detect/detect.h) in each scan format; called by the scan
 * reporters. Secrets arrive redacted from the scanner; nothing here ever
 * sees a raw value. */
#ifndef COMB_REPORT_SCAN_DETECT_H
#define COMB_REPORT_SCAN_DETECT_H

#include <jansson.h>
#include <stdio.h>

#include "report/report.h"
#include "vuln/finding.h"

/* JSON: "scanners": [...], "secrets": [...], "malware": [...],
 * "misconfigurations": [...] and "detection_summary"; 0 or -1 (OOM). */
int scan_json_detections(json_t *doc, const comb_scan_result *r);

/* Table sections, one per kind with findings; returns the number shown. */
size_t scan_table_detections(const comb_scan_result *r, const comb_report_opts *o, FILE *out);

/* SARIF rules and results; rule ids are "<kind>/<rule id>"; 0 or -1. */
int scan_sarif_detections(json_t *rules, json_t *results, const comb_scan_result *r);

#endif
