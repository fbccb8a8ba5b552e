/* The fleet's MQTT link: one client of the operations' broker (docs/fleet.md), over
 * libmosquitto, the only module that uses it.
 *
 * The network runs on a thread of the client's own: it connects (DNS, TCP, TLS), keeps the
 * link alive, subscribes to the owner's topics on every connect, reads what the broker
 * sends into a bounded queue and writes what the owner publishes. A link that fails or
 * drops is made again with a back-off (1 s doubling to 60 s, with jitter), whatever the
 * reason: libmosquitto's own thread (mosquitto_loop_start) gives up for good after a TLS,
 * DNS or protocol error, which a kiosk that runs for months cannot afford, and its waits
 * between attempts cannot be cut short. Every wait here is bounded: a connection that does
 * not complete is dropped after keepalive_s, the thread looks at its stop flag at least
 * once a second, and stopping waits at most 3 s for it.
 *
 * The owner's thread (the kiosk's UI thread) never blocks on the network: publishing only
 * queues the packet for the network thread, popping only takes the queue's lock. */
#ifndef KIOSK_MQTT_MQTT_H
#define KIOSK_MQTT_MQTT_H

#include <stddef.h>

#define MQTT_SUBS_MAX 4

struct mqtt_opts {
    const char *host;              /* the broker's name or address */
    int port;                      /* 1..65535 */
    int keepalive_s;               /* 5..600: a ping this often; the broker sends the will
                                    * when it has heard nothing for 1.5 times as long */
    const char *client_id;         /* unique per kiosk (the broker drops an older client of
                                    * the same id) */
    const char *username;          /* NULL or "": none */
    const char *password;          /* never logged */
    const char *ca_file;           /* NULL or "": plain TCP; else TLS, the broker's
                                    * certificate checked against it (and its host name) */
    const char *cert_file;         /* the kiosk's client certificate and key (TLS only); */
    const char *key_file;          /* both or neither */
    const char *will_topic;        /* the last will: published retained (QoS 1) by the */
    const char *will_payload;      /* broker when the link dies without a goodbye */
    const char *subs[MQTT_SUBS_MAX]; /* topics subscribed (QoS 1) on every connect; NULL
                                    * ends the list early */
    size_t max_payload;            /* a bigger message is dropped (and counted) */
    int queue_max;                 /* messages held for the owner; more are dropped */
    size_t queue_bytes;            /* their payloads together, at most */
    /* Called on the network thread when a message was queued or the link went up or down
     * (the owner's wake-up: host_wake()). Must not block nor call back into the client. */
    void (*wake)(void *user);
    void *user;
};

/* A message the broker sent: topic and payload malloc'd, the payload NUL-terminated (it
 * may hold NULs of its own: len counts them). The receiver frees it with mqtt_msg_free(). */
struct mqtt_msg {
    char *topic;
    char *payload;
    size_t len;
    int retained;                  /* the broker kept it: it is old news, not an event */
};

struct mqtt_stats {
    int connected;                 /* the broker accepted the link and it is up */
    unsigned long connects;        /* links made since the start: a new one means the
                                    * owner publishes its state again */
    unsigned long dropped;         /* messages dropped: too big, or the queue was full */
    char error[128];               /* why the last attempt failed ("" once connected) */
};

/* Starts the client and its thread (it connects in the background). NULL with the reason
 * in err: a missing or unreadable TLS file, a bad option, no memory. */
struct mqtt *mqtt_start(const struct mqtt_opts *o, char *err, size_t errcap);
/* Says goodbye and stops: when the link is up, `payload` (may be NULL: none) is published
 * to `topic`, retained, and acknowledged by the broker (at most 1.5 s), then the client
 * disconnects cleanly (the broker drops the will). Waits at most 3 s more for the thread; a
 * thread stuck longer (a DNS lookup) is left to end by itself and frees what it holds.
 * NULL-safe. */
void mqtt_stop(struct mqtt *m, const char *topic, const char *payload);

/* Queues `payload` (text) for `topic` at QoS 1 (retained when asked). 0, or -1 when the
 * link is down (nothing is queued: what a kiosk says while offline is stale by the time
 * it is back; the owner says it again once connected) or on error. */
int mqtt_publish(struct mqtt *m, const char *topic, const char *payload, int retain);
/* Takes the oldest message received into *out: 1, or 0 when there is none. */
int mqtt_pop(struct mqtt *m, struct mqtt_msg *out);
void mqtt_msg_free(struct mqtt_msg *msg); /* NULL-safe */
void mqtt_stats(struct mqtt *m, struct mqtt_stats *out);

#endif
