/* A playlist's download, on a thread of its own (docs/fleet.md, "Ads"):
 *
 *   <ads_dir>/<version>/<id>.png   each image, fetched (resumed: <id>.png.part), its size and
 *                                  SHA-256 checked against the signed playlist
 *   <ads_dir>/<version>/slides.ini the manifest the session reads, written last
 *   <ads_dir>/<version>/playlist.json  the playlist as it was signed (durations included)
 *   <ads_dir>/current -> <version> a relative link, replaced by rename(2) of current.new
 *
 * Files already there with the right size and hash are kept (a download taken up again
 * after a restart). Once the link is switched, version folders other than the new one and
 * the one `current` named before are removed. Any failure leaves `current` as it was. The
 * service is woken (host_wake) when it ends; every wait is bounded (a transfer 120 s, three
 * tries per image). */
#ifndef FLEET_ADS_H
#define FLEET_ADS_H

#include "api.h"
#include "host/service.h"

struct fl_download;

/* Starts fetching playlist p (copied; `body` is its signed text, kept as playlist.json)
 * into ads_dir. NULL with why (no memory, no thread). */
struct fl_download *fl_download_start(struct host_svc *h, const char *ads_dir,
                                      const struct fl_playlist *p, const char *body,
                                      char *why, size_t cap);
/* 1 once it ended: *ok and the detail (why not, or what is in force) are filled; 0 while it
 * runs. */
int fl_download_done(struct fl_download *d, int *ok, char *detail, size_t cap);
/* Where the playlist lives (<ads_dir>/<version>). */
const char *fl_download_dir(const struct fl_download *d);
/* Lets go of it: joined when it ended, else told to stop and left to end by itself (it
 * wakes nobody from then on). NULL-safe. */
void fl_download_release(struct fl_download *d);

#endif
