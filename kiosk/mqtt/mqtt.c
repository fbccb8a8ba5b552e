#define _GNU_SOURCE /* pthread_timedjoin_np */
#include "mqtt/mqtt.h"

#include <errno.h>
#include <mosquitto.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/backoff.h"
#include "core/clock.h"
#include "core/log.h"

#define MOD "mqtt"
#define STOP_WAIT_MS 3000   /* mqtt_stop waits this long for the thread */
#define FLUSH_MS 2000       /* the disconnect is written within this */
#define GOODBYE_MS 1500     /* the broker's PUBACK of the goodbye is awaited this long */
#define LOOP_MS 1000        /* the thread looks at its stop flag at least this often */
#define RETRY_BASE_MS 1000  /* a failed link is tried again after 0.5 s .. this, doubling */
#define RETRY_CAP_MS 60000  /* ... up to this */
#define RETRY_MIN_MS 500

struct mqtt {
    struct mosquitto *mosq;
    pthread_t thread;
    pthread_mutex_t lock;   /* everything below */
    pthread_cond_t cond;    /* stop was asked, or a publish acknowledged */
    int stop;
    int acked;              /* the message id the broker acknowledged last */
    int refs;               /* the owner and the thread: the last one out frees */
    char host[256];
    int port, keepalive;
    char *subs[MQTT_SUBS_MAX];
    int nsubs;
    size_t max_payload, queue_bytes, qbytes;
    int qmax, qhead, qn;
    struct mqtt_msg *q;     /* a ring of qmax */
    void (*wake)(void *user);
    void *user;
    struct mqtt_stats st;
};

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void lib_init(void)
{
    mosquitto_lib_init();
}

static void wake(struct mqtt *m) /* under the lock: never after mqtt_stop returned */
{
    if (!m->stop && m->wake)
        m->wake(m->user);
}

/* ---- on the network thread ------------------------------------------------------------ */

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
    struct mqtt *m = obj;
    if (rc != 0) {
        pthread_mutex_lock(&m->lock);
        snprintf(m->st.error, sizeof m->st.error, "refused: %s", mosquitto_connack_string(rc));
        pthread_mutex_unlock(&m->lock);
        return; /* the link is closed next, and made again after the back-off */
    }
    for (int i = 0; i < m->nsubs; i++)
        if (mosquitto_subscribe(mosq, NULL, m->subs[i], 1) != MOSQ_ERR_SUCCESS)
            log_warn(MOD, "cannot subscribe to %s", m->subs[i]);
    pthread_mutex_lock(&m->lock);
    m->st.connected = 1;
    m->st.connects++;
    m->st.error[0] = '\0';
    wake(m);
    pthread_mutex_unlock(&m->lock);
    log_info(MOD, "connected to %s:%d", m->host, m->port);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
    struct mqtt *m = obj;
    (void)mosq;
    pthread_mutex_lock(&m->lock);
    int was = m->st.connected;
    m->st.connected = 0;
    if (was)
        wake(m);
    pthread_mutex_unlock(&m->lock);
    if (was && rc != 0)
        log_warn(MOD, "link to %s:%d lost: %s", m->host, m->port, mosquitto_strerror(rc));
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
    struct mqtt *m = obj;
    (void)mosq;
    size_t len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
    char *topic = NULL, *payload = NULL;
    pthread_mutex_lock(&m->lock);
    int room = len <= m->max_payload && m->qn < m->qmax && m->qbytes + len <= m->queue_bytes;
    if (room && (topic = strdup(msg->topic)) && (payload = malloc(len + 1))) {
        if (len)
            memcpy(payload, msg->payload, len);
        payload[len] = '\0';
        m->q[(m->qhead + m->qn) % m->qmax] = (struct mqtt_msg){topic, payload, len, msg->retain};
        m->qn++;
        m->qbytes += len;
        wake(m);
    } else {
        free(topic);
        m->st.dropped++;
        room = 0;
    }
    pthread_mutex_unlock(&m->lock);
    if (!room)
        log_warn(MOD, "a message on %s dropped (%zu bytes): too big, the queue full, or no "
                 "memory", msg->topic, len);
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
    struct mqtt *m = obj;
    (void)mosq;
    pthread_mutex_lock(&m->lock);
    m->acked = mid;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
}

static int stopping(struct mqtt *m)
{
    pthread_mutex_lock(&m->lock);
    int s = m->stop;
    pthread_mutex_unlock(&m->lock);
    return s;
}

/* Why the attempt failed, logged when it is not what the last attempt said. */
static void note_failure(struct mqtt *m, int rc, int err)
{
    char why[128];
    if (rc == MOSQ_ERR_ERRNO)
        snprintf(why, sizeof why, "%s", strerror(err));
    else
        snprintf(why, sizeof why, "%s", mosquitto_strerror(rc));
    pthread_mutex_lock(&m->lock);
    m->st.connected = 0;
    int news = !m->st.error[0] || strcmp(m->st.error, why);
    if (!m->st.error[0] || rc != MOSQ_ERR_CONN_REFUSED) /* keep the broker's own reason */
        snprintf(m->st.error, sizeof m->st.error, "%s", why);
    pthread_mutex_unlock(&m->lock);
    if (news)
        log_warn(MOD, "no link to %s:%d: %s (trying again)", m->host, m->port, why);
}

/* `ms` from now on the monotonic clock (the condition's). */
static struct timespec after_ms(int64_t ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += (time_t)(ms / 1000);
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

/* Sleeps `ms` unless stop is asked meanwhile. */
static void wait_stop(struct mqtt *m, int64_t ms)
{
    struct timespec until = after_ms(ms);
    pthread_mutex_lock(&m->lock);
    while (!m->stop && pthread_cond_timedwait(&m->cond, &m->lock, &until) != ETIMEDOUT) {
    }
    pthread_mutex_unlock(&m->lock);
}

static void destroy(struct mqtt *m)
{
    mosquitto_destroy(m->mosq);
    for (int i = 0; i < m->qn; i++)
        mqtt_msg_free(&m->q[(m->qhead + i) % m->qmax]);
    for (int i = 0; i < m->nsubs; i++)
        free(m->subs[i]);
    free(m->q);
    pthread_cond_destroy(&m->cond);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

static void release(struct mqtt *m)
{
    pthread_mutex_lock(&m->lock);
    int last = --m->refs == 0;
    pthread_mutex_unlock(&m->lock);
    if (last)
        destroy(m);
}

static void *run(void *arg)
{
    struct mqtt *m = arg;
    uint32_t seed = (uint32_t)clock_real_ms() ^ (uint32_t)(uintptr_t)m;
    int attempt = 0, named = 0;
    while (!stopping(m)) {
        unsigned long before = m->st.connects; /* only this thread changes it */
        int rc = named ? mosquitto_reconnect_async(m->mosq)
                       : mosquitto_connect_async(m->mosq, m->host, m->port, m->keepalive);
        int err = errno;
        named |= rc != MOSQ_ERR_INVAL && rc != MOSQ_ERR_NOMEM; /* the broker is set */
        while (rc == MOSQ_ERR_SUCCESS && !stopping(m)) {
            rc = mosquitto_loop(m->mosq, LOOP_MS, 1);
            err = errno;
        }
        if (stopping(m))
            break;
        note_failure(m, rc, err);
        if (m->st.connects != before)
            attempt = 0; /* it was up: the back-off starts over */
        int64_t delay = backoff_ms(++attempt, RETRY_BASE_MS, RETRY_CAP_MS, &seed);
        wait_stop(m, delay < RETRY_MIN_MS ? RETRY_MIN_MS : delay);
    }
    /* the goodbye and the disconnect mqtt_stop queued go out before the socket closes */
    int64_t until = clock_real_ms() + FLUSH_MS;
    while (mosquitto_socket(m->mosq) >= 0 && clock_real_ms() < until)
        if (mosquitto_loop(m->mosq, 100, 1) != MOSQ_ERR_SUCCESS)
            break;
    release(m);
    return NULL;
}

/* ---- on the owner's thread ------------------------------------------------------------ */

static int opts_ok(const struct mqtt_opts *o, char *err, size_t errcap)
{
    int cert = o->cert_file && o->cert_file[0], key = o->key_file && o->key_file[0];
    int tls = o->ca_file && o->ca_file[0];
    if (!o->host || !o->host[0] || strlen(o->host) >= sizeof ((struct mqtt *)0)->host)
        snprintf(err, errcap, "no broker, or its name is too long");
    else if (o->port < 1 || o->port > 65535 || o->keepalive_s < 5 || o->keepalive_s > 600)
        snprintf(err, errcap, "port or keepalive out of range");
    else if (!o->client_id || !o->client_id[0])
        snprintf(err, errcap, "no client id");
    else if (cert != key || (cert && !tls))
        snprintf(err, errcap, "a client certificate needs its key and a CA file");
    else if (!o->will_topic || !o->will_payload || o->queue_max < 1 || !o->max_payload)
        snprintf(err, errcap, "no will, or no queue");
    else
        return 0;
    return -1;
}

/* The client, configured: its will, TLS, credentials and callbacks. */
static int configure(struct mqtt *m, const struct mqtt_opts *o, char *err, size_t errcap)
{
    int rc;
    mosquitto_threaded_set(m->mosq, true); /* our thread runs the loop */
    if ((rc = mosquitto_will_set(m->mosq, o->will_topic, (int)strlen(o->will_payload),
                                 o->will_payload, 1, true)) != MOSQ_ERR_SUCCESS) {
        snprintf(err, errcap, "will: %s", mosquitto_strerror(rc));
        return -1;
    }
    if (o->ca_file && o->ca_file[0] &&
        (rc = mosquitto_tls_set(m->mosq, o->ca_file, NULL, o->cert_file && o->cert_file[0] ?
                                o->cert_file : NULL, o->key_file && o->key_file[0] ?
                                o->key_file : NULL, NULL)) != MOSQ_ERR_SUCCESS) {
        snprintf(err, errcap, "TLS: %s (the CA file, certificate or key cannot be read)",
                 mosquitto_strerror(rc));
        return -1;
    }
    if (o->username && o->username[0] &&
        (rc = mosquitto_username_pw_set(m->mosq, o->username, o->password && o->password[0] ?
                                        o->password : NULL)) != MOSQ_ERR_SUCCESS) {
        snprintf(err, errcap, "username: %s", mosquitto_strerror(rc));
        return -1;
    }
    mosquitto_connect_callback_set(m->mosq, on_connect);
    mosquitto_disconnect_callback_set(m->mosq, on_disconnect);
    mosquitto_message_callback_set(m->mosq, on_message);
    mosquitto_publish_callback_set(m->mosq, on_publish);
    return 0;
}

struct mqtt *mqtt_start(const struct mqtt_opts *o, char *err, size_t errcap)
{
    if (opts_ok(o, err, errcap) != 0)
        return NULL;
    pthread_once(&lib_once, lib_init);
    struct mqtt *m = calloc(1, sizeof *m);
    if (!m || !(m->q = calloc((size_t)o->queue_max, sizeof *m->q))) {
        free(m);
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&m->cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&m->lock, NULL);
    snprintf(m->host, sizeof m->host, "%s", o->host);
    m->port = o->port;
    m->keepalive = o->keepalive_s;
    m->max_payload = o->max_payload;
    m->queue_bytes = o->queue_bytes ? o->queue_bytes : o->max_payload;
    m->qmax = o->queue_max;
    m->wake = o->wake;
    m->user = o->user;
    m->refs = 1;
    for (int i = 0; i < MQTT_SUBS_MAX && o->subs[i]; i++)
        if (!(m->subs[m->nsubs++] = strdup(o->subs[i]))) {
            snprintf(err, errcap, "out of memory");
            destroy(m);
            return NULL;
        }
    m->mosq = mosquitto_new(o->client_id, true, m);
    if (!m->mosq) {
        snprintf(err, errcap, "cannot create the client: %s", strerror(errno));
        destroy(m);
        return NULL;
    }
    if (configure(m, o, err, errcap) != 0) {
        destroy(m);
        return NULL;
    }
    m->refs = 2;
    if (pthread_create(&m->thread, NULL, run, m) != 0) {
        snprintf(err, errcap, "cannot start its thread");
        destroy(m);
        return NULL;
    }
    log_info(MOD, "broker %s:%d%s, client %s", m->host, m->port,
             o->ca_file && o->ca_file[0] ? " (TLS)" : "", o->client_id);
    return m;
}

void mqtt_stop(struct mqtt *m, const char *topic, const char *payload)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    int up = m->st.connected, mid = 0;
    pthread_mutex_unlock(&m->lock);
    /* The goodbye, acknowledged before the disconnect: then nothing of the broker's is left
     * unread when the socket closes (a close with data unread is a reset, and a broker that
     * gets the reset before it read the disconnect sends the will). */
    if (up && topic && payload &&
        mosquitto_publish(m->mosq, &mid, topic, (int)strlen(payload), payload, 1, true) ==
            MOSQ_ERR_SUCCESS) {
        struct timespec until = after_ms(GOODBYE_MS);
        pthread_mutex_lock(&m->lock);
        while (m->acked != mid &&
               pthread_cond_timedwait(&m->cond, &m->lock, &until) != ETIMEDOUT) {
        }
        pthread_mutex_unlock(&m->lock);
    }
    pthread_mutex_lock(&m->lock);
    m->stop = 1; /* no wake-up from here on: the owner is going */
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
    mosquitto_disconnect(m->mosq); /* after the goodbye: the broker drops the will */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += STOP_WAIT_MS / 1000;
    if (pthread_timedjoin_np(m->thread, NULL, &until) != 0) {
        log_warn(MOD, "the network thread did not stop within %d s: left to end by itself",
                 STOP_WAIT_MS / 1000);
        pthread_detach(m->thread);
    }
    release(m);
}

int mqtt_publish(struct mqtt *m, const char *topic, const char *payload, int retain)
{
    pthread_mutex_lock(&m->lock);
    int up = m->st.connected && !m->stop;
    pthread_mutex_unlock(&m->lock);
    if (!up)
        return -1;
    int rc = mosquitto_publish(m->mosq, NULL, topic, (int)strlen(payload), payload, 1,
                               retain != 0);
    if (rc != MOSQ_ERR_SUCCESS) {
        log_warn(MOD, "publish to %s: %s", topic, mosquitto_strerror(rc));
        return -1;
    }
    return 0;
}

int mqtt_pop(struct mqtt *m, struct mqtt_msg *out)
{
    pthread_mutex_lock(&m->lock);
    int got = m->qn > 0;
    if (got) {
        *out = m->q[m->qhead];
        m->q[m->qhead] = (struct mqtt_msg){0};
        m->qhead = (m->qhead + 1) % m->qmax;
        m->qn--;
        m->qbytes -= out->len;
    }
    pthread_mutex_unlock(&m->lock);
    return got;
}

void mqtt_msg_free(struct mqtt_msg *msg)
{
    if (!msg)
        return;
    free(msg->topic);
    free(msg->payload);
    *msg = (struct mqtt_msg){0};
}

void mqtt_stats(struct mqtt *m, struct mqtt_stats *out)
{
    pthread_mutex_lock(&m->lock);
    *out = m->st;
    pthread_mutex_unlock(&m->lock);
}
