/* views.h - the web console's read-only views over the store (JSON; least
 * role viewer): each gathers the newest records of every node and shapes
 * them for one page of the console (docs/CONSOLE.md, docs/openapi.yaml).
 * Only the store API of server/store.h is used. Internal to server/. */
#ifndef COMB_SERVER_VIEWS_H
#define COMB_SERVER_VIEWS_H

#include "server/handler.h"

reply comb_view_overview(ctx *x);     /* risk per node */
reply comb_view_assets(ctx *x);       /* hosts, containers, images */
reply comb_view_asset(ctx *x);        /* one host, container or image by {id} */
reply comb_view_graph(ctx *x);        /* hosts, workloads, images; their edges */
reply comb_view_images(ctx *x);       /* scanned images with counts by severity */
reply comb_view_image_vulns(ctx *x);  /* the findings of image {id} */
reply comb_view_compliance(ctx *x);   /* the newest bench report of every node */
reply comb_view_alerts(ctx *x);       /* runtime alerts with the responses taken */

#endif
