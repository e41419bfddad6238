/* relations.h - the network relationships of a host's containers, as the
 * micro-segmentation module learned them (src/segment/, its SQLite store):
 * every learned flow whose source or destination group is the container.
 */
#ifndef COMB_INVENTORY_RELATIONS_H
#define COMB_INVENTORY_RELATIONS_H

#include <jansson.h>

#include "core/error.h"

#define COMB_SEGMENT_DB_DEFAULT "/var/lib/comb/segment.db"
#define COMB_INV_MAX_RELATIONSHIPS 1024 /* per container */

/* Set "relationships" of every container object in `containers` (an array
 * of inventory containers) from the segment store at db, opened read-only.
 * A container is the group named after it (its name, or its 12-hex short id
 * as segment names docker and containerd containers). */
comb_code comb_inventory_relationships(const char *db, json_t *containers, comb_err *err);

#endif
