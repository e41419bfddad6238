/* unitexec.h - the command line a systemd unit starts, for reading a
 * daemon's flags when it is not running (or under --root).
 *
 * kubeadm's kubelet drop-in, for one, passes every flag through variables:
 *   Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
 *   EnvironmentFile=-/etc/default/kubelet
 *   ExecStart=/usr/bin/kubelet $KUBELET_CONFIG_ARGS $KUBELET_EXTRA_ARGS
 * so the last ExecStart is taken and $VAR / ${VAR} are replaced from the
 * unit's Environment= lines and EnvironmentFile= files (read inside the
 * root; a missing "-"-prefixed file is skipped, as systemd does).
 */
#ifndef COMB_COMPLIANCE_UNITEXEC_H
#define COMB_COMPLIANCE_UNITEXEC_H

#include <jansson.h>

#include "compliance/fsroot.h"
#include "core/error.h"

#define COMB_UNITEXEC_MAX 65536 /* the expanded command line */

/* `unit` is the unit file parsed with COMB_CONF_SYSTEMD. Returns the
 * expanded last ExecStart (malloc'd), or NULL with err set: COMB_ENOTFOUND
 * when the unit has no ExecStart, COMB_ELIMIT when it expands too far. */
char *comb_unit_exec(const comb_fsroot *fs, const json_t *unit, comb_err *err);

#endif
