/* http.c - the HTTP engine over one libcurl multi handle; see http.h. */
#define _GNU_SOURCE
#include "http.h"
#include "record.h"
#include "redact.h"
#include "util.h"

#include <ctype.h>
#include <curl/curl.h>
#include <openssl/ssl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define USER_AGENT    "relapi/" RELAPI_VERSION
#define MAX_REDIRECTS 10
#define POLL_MAX_MS   1000
/* GitHub: a secondary rate limit without Retry-After waits at least a minute,
   then exponentially longer (docs: rate-limits-for-the-rest-api) */
#define SECONDARY_WAIT_MS     60000L
#define SECONDARY_WAIT_CAP_MS 960000L

/* ---- options ---------------------------------------------------------------- */

void http_opts_init(struct http_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_total = 8;
	o->max_per_host = 6;
	o->connect_timeout_ms = 10000;
	o->timeout_ms = 120000;
	o->max_attempts = 5;
	o->retry_budget_ms = 300000;
	o->backoff_base_ms = 500;
	o->backoff_cap_ms = 30000;
	o->max_body = 64u << 20;
}

/* ---- pure helpers: headers, waits -------------------------------- */

const char *http_response_header(const struct http_response *r, const char *name)
{
	for (size_t i = 0; r && i < r->nheaders; i++)
		if (!strcasecmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

long http_backoff_ms(int n, long base_ms, long cap_ms, uint32_t rnd)
{
	long ceiling = base_ms > 0 ? base_ms : 0;

	if (n < 1)
		n = 1;
	for (int i = 1; i < n && ceiling < cap_ms; i++)
		ceiling *= 2;
	if (ceiling > cap_ms)
		ceiling = cap_ms;
	if (ceiling <= 0)
		return 0;
	return (long)(rnd % ((uint32_t)ceiling + 1));
}

/* Parses a non-negative decimal integer filling the whole string; -1 if not. */
static long long parse_count(const char *s)
{
	long long v = 0;

	if (!s)
		return -1;
	while (*s == ' ')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		if (v > 100000000000LL)
			return -1;
		v = v * 10 + (*s - '0');
	}
	while (*s == ' ')
		s++;
	return *s ? -1 : v;
}

static long until_ms(long long epoch, long long now)
{
	return epoch > now ? (long)((epoch - now) * 1000) : 0;
}

/* A reset (epoch seconds) counts when remaining is 0, or absent on a 429. */
static long reset_wait(const struct http_response *r, const char *remaining,
                       const char *reset, long long now)
{
	const char *rem = http_response_header(r, remaining);
	long long at = parse_count(http_response_header(r, reset));

	if (at < 0)
		return -1;
	if (rem ? parse_count(rem) != 0 : r->status != 429)
		return -1;
	return until_ms(at, now);
}

/* The words GitHub's secondary rate limits answer with (403 or 429). */
static const char *const secondary_words[] = {
    "secondary rate limit",
    "abuse detection mechanism",
};

int http_secondary_limit(const struct http_response *r)
{
	const char *body = r->body.data;

	if ((r->status != 403 && r->status != 429) || !body)
		return 0;
	for (size_t i = 0; i < sizeof(secondary_words) / sizeof(*secondary_words); i++)
		if (strcasestr(body, secondary_words[i]))
			return 1;
	return 0;
}

long http_secondary_wait_ms(int attempts)
{
	long wait = SECONDARY_WAIT_MS;

	for (int i = 1; i < attempts && wait < SECONDARY_WAIT_CAP_MS; i++)
		wait *= 2;
	return wait < SECONDARY_WAIT_CAP_MS ? wait : SECONDARY_WAIT_CAP_MS;
}

long http_retry_after_ms(const struct http_response *r, long long now)
{
	const char *ra = http_response_header(r, "Retry-After");
	long w;

	if (ra) {
		long long secs = parse_count(ra);
		time_t at;

		if (secs >= 0)
			return (long)(secs * 1000);
		at = curl_getdate(ra, NULL);
		if (at != (time_t)-1)
			return until_ms((long long)at, now);
	}
	w = reset_wait(r, "x-ratelimit-remaining", "x-ratelimit-reset", now);
	if (w < 0)
		w = reset_wait(r, "RateLimit-Remaining", "RateLimit-Reset", now);
	return w;
}

/* ---- the engine's state ------------------------------------------------------ */

struct xfer {
	struct http_engine *e;
	struct xfer *next;          /* in the pending queue or the timer list */
	struct xfer *aprev, *anext; /* in the list of running transfers */
	char *method;               /* current method (a redirect may turn it to GET) */
	char *url;                  /* current URL */
	char *origin;               /* scheme://host:port of the current URL */
	char *first_origin;         /* of the URL first asked for */
	char **headers;             /* caller's lines, NULL-terminated */
	char *body;
	size_t body_len;
	int retry_unsafe;
	int drop_secrets; /* a hop went to another origin */
	int redirects;
	int hop; /* the next start is a redirect hop */
	int too_big;
	http_done_fn done;
	void *payload;
	CURL *easy;
	struct curl_slist *slist;
	struct http_response resp;
	long long started_ms; /* monotonic, first attempt */
	long long due_ms;     /* when a retry may start */
	long waited_ms;
	char errbuf[CURL_ERROR_SIZE];
};

struct host_slot {
	char *origin;
	int running;
};

/* A caller's timer (http_engine_after), in a list sorted by due_ms. */
struct http_timer {
	long long due_ms;
	http_timer_fn fn;
	void *payload;
	struct http_timer *next;
};

struct http_engine {
	struct http_opts o;
	CURLM *multi;
	struct http_timer *calls; /* callers' timers, sorted by due_ms */
	struct xfer *pending, *pending_tail;
	struct xfer *timers; /* sorted by due_ms */
	struct xfer *active; /* running transfers */
	struct host_slot *hosts;
	size_t nhosts;
	int running;
	int in_run;
	int record_seq;
	int record_warned;
	uint32_t rng;
	struct http_stats stats;
};

/* One line of the engine's own (opts.say), formatted; nothing without a sink. */
__attribute__((format(printf, 2, 3))) static void engine_say(const struct http_engine *e,
                                                             const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!e->o.say)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	e->o.say(e->o.say_ctx, line);
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Epoch seconds from the precise clock (time() may lag it by a tick). */
static long long epoch_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec;
}

static uint32_t rng_next(struct http_engine *e)
{
	uint32_t x = e->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return e->rng = x ? x : 0x9e3779b9u;
}

/* ---- responses and transfers --------------------------------------------------- */

static void response_clear(struct http_response *r)
{
	for (size_t i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	r->headers = NULL;
	r->nheaders = 0;
	buf_reset(&r->body);
	r->status = 0;
	r->transport_error = 0;
	r->transport_msg[0] = '\0';
	r->error = 0;
}

static void xfer_free(struct xfer *x)
{
	if (!x)
		return;
	if (x->easy) {
		curl_multi_remove_handle(x->e->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	curl_slist_free_all(x->slist);
	response_clear(&x->resp);
	buf_release(&x->resp.body);
	for (char **h = x->headers; h && *h; h++)
		free(*h);
	free(x->headers);
	free(x->method);
	free(x->url);
	free(x->origin);
	free(x->first_origin);
	free(x->body);
	free(x);
}

/* "scheme://host:port" of url (port filled in from the scheme); NULL if bad. */
static char *url_origin(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL;

	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT))
		goto out;
	if (strcasecmp(scheme, "http") && strcasecmp(scheme, "https"))
		goto out;
	for (char *p = host; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (asprintf(&out, "%s://%s:%s", scheme, host, port) < 0)
		out = NULL;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out;
}

static char **copy_lines(const char *const *lines)
{
	size_t n = 0;
	char **out;

	while (lines && lines[n])
		n++;
	out = calloc(n + 1, sizeof(*out));
	for (size_t i = 0; out && i < n; i++) {
		out[i] = strdup(lines[i]);
		if (!out[i]) {
			for (size_t j = 0; j < i; j++)
				free(out[j]);
			free(out);
			return NULL;
		}
	}
	return out;
}

static struct xfer *xfer_new(struct http_engine *e, const struct http_request *req)
{
	struct xfer *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->e = e;
	buf_init(&x->resp.body);
	x->method = strdup(req->method ? req->method : "GET");
	x->url = strdup(req->url);
	x->headers = copy_lines(req->headers);
	x->retry_unsafe = req->retry_unsafe;
	if (req->body) {
		x->body = malloc(req->body_len + 1);
		if (x->body) {
			memcpy(x->body, req->body, req->body_len);
			x->body[req->body_len] = '\0';
			x->body_len = req->body_len;
		}
	}
	if (!x->method || !x->url || !x->headers || (req->body && !x->body)) {
		xfer_free(x);
		return NULL;
	}
	return x;
}

/* ---- per-host accounting --------------------------------------------------------- */

static struct host_slot *host_slot(struct http_engine *e, const char *origin)
{
	struct host_slot *h;

	for (size_t i = 0; i < e->nhosts; i++)
		if (!strcmp(e->hosts[i].origin, origin))
			return &e->hosts[i];
	if (!(h = array_grow(&e->hosts, &e->nhosts, NULL, sizeof(*h))))
		return NULL;
	if (!(h->origin = strdup(origin))) {
		e->nhosts--;
		return NULL;
	}
	return h;
}

/* ---- queues ---------------------------------------------------------------------- */

static void pending_push(struct http_engine *e, struct xfer *x)
{
	x->next = NULL;
	if (e->pending_tail)
		e->pending_tail->next = x;
	else
		e->pending = x;
	e->pending_tail = x;
}

static void timer_push(struct http_engine *e, struct xfer *x)
{
	struct xfer **p = &e->timers;

	while (*p && (*p)->due_ms <= x->due_ms)
		p = &(*p)->next;
	x->next = *p;
	*p = x;
}

/* Moves every retry whose wait is over to the pending queue. */
static void timers_promote(struct http_engine *e)
{
	long long now = mono_ms();

	while (e->timers && e->timers->due_ms <= now) {
		struct xfer *x = e->timers;

		e->timers = x->next;
		pending_push(e, x);
	}
}

int http_engine_after(struct http_engine *e, long ms, http_timer_fn fn, void *payload,
                      struct rerr *err)
{
	struct http_timer *t = calloc(1, sizeof(*t)), **p = &e->calls;

	if (!t)
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	t->due_ms = mono_ms() + (ms > 0 ? ms : 0);
	t->fn = fn;
	t->payload = payload;
	while (*p && (*p)->due_ms <= t->due_ms)
		p = &(*p)->next;
	t->next = *p;
	*p = t;
	return 0;
}

/* Runs every caller's timer that is due (they may add requests and timers). */
static void calls_fire(struct http_engine *e)
{
	long long now = mono_ms();

	while (e->calls && e->calls->due_ms <= now) {
		struct http_timer *t = e->calls;

		e->calls = t->next;
		t->fn(e, t->payload);
		free(t);
	}
}

static void free_list(struct xfer *x)
{
	while (x) {
		struct xfer *next = x->next;

		xfer_free(x);
		x = next;
	}
}

/* ---- engine lifetime ------------------------------------------------------------- */

static int prepare_record_dir(const char *dir, struct rerr *err)
{
	struct stat st;

	if (mkdir(dir, 0755) < 0 && (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)))
		return rerr_set(err, RELAPI_EIO,
		                "cannot use '%s' as the record folder: %m", dir);
	if (access(dir, W_OK) < 0)
		return rerr_set(err, RELAPI_EIO,
		                "cannot write to the record folder '%s': %m", dir);
	return 0;
}

static int check_opts(const struct http_opts *o, struct rerr *err)
{
	if (o->max_total < 1 || o->max_per_host < 1 || o->max_attempts < 1)
		return rerr_set(
		    err, RELAPI_EINVAL,
		    "http engine: jobs, per-host cap and attempts must be >= 1");
	if (o->cacert && access(o->cacert, R_OK) < 0)
		return rerr_set(err, RELAPI_EINVAL, "cannot read CA file '%s': %m",
		                o->cacert);
	if (o->record_dir)
		return prepare_record_dir(o->record_dir, err);
	return 0;
}

static void multi_setup(struct http_engine *e)
{
	curl_multi_setopt(e->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(e->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)e->o.max_total);
	curl_multi_setopt(e->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	                  (long)e->o.max_per_host);
	curl_multi_setopt(e->multi, CURLMOPT_MAXCONNECTS, (long)e->o.max_total);
}

struct http_engine *http_engine_new(const struct http_opts *opts, struct rerr *err)
{
	struct http_engine *e;

	if (check_opts(opts, err) < 0)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e || curl_global_init(CURL_GLOBAL_DEFAULT)) {
		free(e);
		rerr_set(err, RELAPI_ENOMEM, "cannot set up the http engine");
		return NULL;
	}
	e->o = *opts;
	e->multi = curl_multi_init();
	if (!e->multi) {
		http_engine_free(e);
		rerr_set(err, RELAPI_ENOMEM, "cannot set up the http engine");
		return NULL;
	}
	multi_setup(e);
	e->rng =
	    opts->seed ? opts->seed : (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
	if (opts->insecure)
		engine_say(e, "warning: TLS verification is disabled (--insecure)");
	return e;
}

void http_engine_free(struct http_engine *e)
{
	if (!e)
		return;
	if (e->o.verbose && e->stats.requests)
		engine_say(
		    e,
		    "requests: %ld, attempts: %ld, connections opened: %ld, retries: %ld",
		    e->stats.requests, e->stats.attempts, e->stats.connections,
		    e->stats.retries);
	free_list(e->pending);
	free_list(e->timers);
	while (e->calls) {
		struct http_timer *t = e->calls;

		e->calls = t->next;
		free(t);
	}
	while (e->active) {
		struct xfer *x = e->active;

		e->active = x->anext;
		xfer_free(x);
	}
	if (e->multi)
		curl_multi_cleanup(e->multi);
	for (size_t i = 0; i < e->nhosts; i++)
		free(e->hosts[i].origin);
	free(e->hosts);
	free(e);
	curl_global_cleanup();
}

void http_engine_stats(const struct http_engine *e, struct http_stats *out)
{
	*out = e->stats;
}

/* 1 when a header line or URL holds a control character (CR/LF would split it). */
static int has_control(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* The name of the first header line with a control character, or NULL. */
static const char *bad_header(const char *const *lines, size_t *namelen)
{
	for (; lines && *lines; lines++)
		if (has_control(*lines)) {
			*namelen = strcspn(*lines, ":");
			return *lines;
		}
	return NULL;
}

int http_engine_add(struct http_engine *e, const struct http_request *req,
                    http_done_fn done, void *payload, struct rerr *err)
{
	struct xfer *x;
	char *origin;
	const char *bad;
	size_t n = 0;

	/* never sent: a CR/LF in a value would inject header lines of its own */
	if ((bad = bad_header(req->headers, &n)))
		return rerr_set(err, RELAPI_EINVAL,
		                "header '%.*s' holds a control character; not sent",
		                (int)(n < 64 ? n : 64), bad);
	if (has_control(req->url))
		return rerr_set(err, RELAPI_EINVAL, "the URL holds a control character");
	if (!req->url || !(origin = url_origin(req->url)))
		return rerr_set(err, RELAPI_EINVAL, "invalid http(s) URL '%s'",
		                req->url ? req->url : "(null)");
	x = xfer_new(e, req);
	if (!x || !(x->first_origin = strdup(origin))) {
		free(origin);
		xfer_free(x);
		return rerr_set(err, RELAPI_ENOMEM, "out of memory adding a request");
	}
	x->origin = origin;
	x->done = done;
	x->payload = payload;
	x->started_ms = mono_ms();
	pending_push(e, x);
	return 0;
}

/* ---- callbacks from libcurl ------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *p)
{
	struct xfer *x = p;
	size_t len = size * n;

	if (x->resp.body.len + len > x->e->o.max_body) {
		x->too_big = 1;
		return 0;
	}
	if (buf_append(&x->resp.body, data, len))
		return 0;
	return len;
}

static int header_add(struct http_response *r, const char *name, size_t nlen,
                      const char *value, size_t vlen)
{
	struct http_header *h = array_grow(&r->headers, &r->nheaders, NULL, sizeof(*h));

	if (!h)
		return -1;
	h->name = strndup(name, nlen);
	h->value = strndup(value, vlen);
	if (!h->name || !h->value) {
		free(h->name);
		free(h->value);
		r->nheaders--;
		return -1;
	}
	return 0;
}

/* Keeps the headers of the last response only (1xx, proxy CONNECT answers). */
static size_t on_header(char *data, size_t size, size_t n, void *p)
{
	struct xfer *x = p;
	size_t len = size * n, nlen, v;
	const char *colon;

	if (len >= 5 && !strncmp(data, "HTTP/", 5)) {
		response_clear(&x->resp);
		return len;
	}
	colon = memchr(data, ':', len);
	if (!colon || data[0] == ' ' || data[0] == '\t')
		return len;
	nlen = (size_t)(colon - data);
	v = nlen + 1;
	while (v < len && (data[v] == ' ' || data[v] == '\t'))
		v++;
	while (len > v && strchr("\r\n \t", data[len - 1]))
		len--;
	if (header_add(&x->resp, data, nlen, data + v, len - v) < 0)
		return 0;
	return size * n;
}

/* Loads --cacert into the verification store, in addition to the system CAs. */
static CURLcode on_ssl_ctx(CURL *h, void *ctx, void *p)
{
	struct http_engine *e = p;
	X509_STORE *store = SSL_CTX_get_cert_store((SSL_CTX *)ctx);

	(void)h;
	if (!X509_STORE_load_locations(store, e->o.cacert, NULL))
		return CURLE_SSL_CACERT_BADFILE;
	return CURLE_OK;
}

/* ---- starting an attempt ----------------------------------------------------------- */

static int build_headers(struct xfer *x)
{
	struct curl_slist *l = NULL, *t;

	for (char **h = x->headers; *h; h++) {
		if (x->drop_secrets && redact_header(*h))
			continue;
		if (!(t = curl_slist_append(l, *h)))
			goto fail;
		l = t;
	}
	if (!(t = curl_slist_append(l, "Expect:")))
		goto fail;
	x->slist = t;
	return 0;
fail:
	curl_slist_free_all(l);
	return -1;
}

static void set_method(struct xfer *x, CURL *h)
{
	if (!strcmp(x->method, "HEAD")) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
		return;
	}
	if (x->body || !strcmp(x->method, "POST")) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, x->body ? x->body : "");
	}
	if (strcmp(x->method, "GET") && strcmp(x->method, "POST"))
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, x->method);
}

static void set_tls(struct http_engine *e, CURL *h)
{
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, e->o.insecure ? 0L : 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, e->o.insecure ? 0L : 2L);
	if (e->o.cacert && !e->o.insecure) {
		if (curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx) == CURLE_OK)
			curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, e);
		else
			curl_easy_setopt(h, CURLOPT_CAINFO, e->o.cacert);
	}
}

static int idempotent(const char *method);

/*
 * A write that the engine would not send again once it may have arrived goes
 * on a connection of its own: when a reused connection dies before the first
 * byte of the answer, libcurl sends the request again by itself, and the
 * forge may have applied the first one (a second pipeline, a second release).
 */
static void set_reuse(const struct xfer *x, CURL *h)
{
	if (!idempotent(x->method) && !x->retry_unsafe)
		curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
}

static CURL *easy_for(struct xfer *x)
{
	struct http_engine *e = x->e;
	CURL *h = curl_easy_init();

	if (!h || build_headers(x) < 0) {
		curl_easy_cleanup(h);
		return NULL;
	}
	curl_easy_setopt(h, CURLOPT_URL, x->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->slist);
	curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(h, CURLOPT_PRIVATE, x);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, e->o.connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, e->o.timeout_ms);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
	if (!strncasecmp(x->url, "https:", 6))
		curl_easy_setopt(h, CURLOPT_PIPEWAIT, 1L);
	set_method(x, h);
	set_reuse(x, h);
	set_tls(e, h);
	return h;
}

static void finish(struct xfer *x, int error, const char *msg);

/* Starts x now; a failure to start completes it with an error. */
static void start(struct http_engine *e, struct xfer *x, struct host_slot *slot)
{
	x->errbuf[0] = '\0';
	x->too_big = 0;
	x->easy = easy_for(x);
	if (!x->easy || curl_multi_add_handle(e->multi, x->easy) != CURLM_OK) {
		finish(x, RELAPI_ENOMEM, "cannot start the transfer");
		return;
	}
	slot->running++;
	e->running++;
	x->aprev = NULL;
	x->anext = e->active;
	if (e->active)
		e->active->aprev = x;
	e->active = x;
	if (!x->hop) {
		x->resp.attempts++;
		e->stats.attempts++;
	}
	x->hop = 0;
}

static void active_remove(struct http_engine *e, struct xfer *x)
{
	if (x->aprev)
		x->aprev->anext = x->anext;
	else
		e->active = x->anext;
	if (x->anext)
		x->anext->aprev = x->aprev;
	x->aprev = x->anext = NULL;
}

/* Starts queued requests while the global and per-host caps allow. */
static void start_pending(struct http_engine *e)
{
	struct xfer **p = &e->pending, *prev = NULL;

	while (*p && e->running < e->o.max_total) {
		struct xfer *x = *p;
		struct host_slot *slot = host_slot(e, x->origin);

		if (slot && slot->running >= e->o.max_per_host) {
			prev = x;
			p = &x->next;
			continue;
		}
		*p = x->next;
		if (e->pending_tail == x)
			e->pending_tail = prev;
		x->next = NULL;
		if (!slot)
			finish(x, RELAPI_ENOMEM, "out of memory");
		else
			start(e, x, slot);
	}
}

/* ---- verbose log and record ---------------------------------------------------------
 */

static void log_request(struct xfer *x, const char *url)
{
	struct http_response *r = &x->resp;
	char *safe = redact_url(url);
	char status[32];

	if (r->status)
		snprintf(status, sizeof(status), "%ld", r->status);
	else
		snprintf(status, sizeof(status), "error");
	engine_say(x->e, "%s %s -> %s %zu B %ld ms (attempt %d)%s%s", x->method,
	           safe ? safe : "(url)", status, r->body.len, r->elapsed_ms, r->attempts,
	           r->transport_msg[0] ? ": " : "", r->transport_msg);
	free(safe);
}

static void record_exchange(struct xfer *x)
{
	struct http_engine *e = x->e;
	struct rerr err = {0};
	struct record_exchange rx = {
	    .method = x->method,
	    .url = x->url,
	    .req_headers = (const char *const *)x->headers,
	    .req_body = x->body,
	    .req_body_len = x->body_len,
	    .status = x->resp.status,
	    .resp_headers = x->resp.headers,
	    .nresp_headers = x->resp.nheaders,
	    .resp_body = x->resp.body.data,
	    .resp_body_len = x->resp.body.len,
	};

	if (record_write(e->o.record_dir, &e->record_seq, &rx, &err) < 0 &&
	    !e->record_warned) {
		e->record_warned = 1;
		engine_say(e, "warning: %s", err.msg);
	}
}

/* ---- completing an attempt -------------------------------------------------------- */

/* Completes the request: callback, statistics, log; frees x. */
static void finish(struct xfer *x, int error, const char *msg)
{
	struct http_engine *e = x->e;
	const char *url = x->url;

	if (error) {
		x->resp.error = error;
		if (msg && !x->resp.transport_msg[0])
			snprintf(x->resp.transport_msg, sizeof(x->resp.transport_msg),
			         "%s", msg);
	}
	x->resp.elapsed_ms = (long)(mono_ms() - x->started_ms);
	/* body.data is never NULL in a callback: an empty body is "" */
	if (!x->resp.body.data && buf_append(&x->resp.body, "", 0) < 0 && !error)
		x->resp.error = RELAPI_ENOMEM;
	e->stats.requests++;
	if (e->o.verbose)
		log_request(x, url);
	if (x->done)
		x->done(e, &x->resp, x->payload);
	xfer_free(x);
}

static int idempotent(const char *method)
{
	static const char *const m[] = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", NULL};

	for (const char *const *p = m; *p; p++)
		if (!strcmp(*p, method))
			return 1;
	return 0;
}

/* Requests that change nothing on the server. */
static int read_only(const char *method)
{
	return !strcmp(method, "GET") || !strcmp(method, "HEAD");
}

/* Transport failures where the request provably never reached the server. */
static int never_sent(CURLcode rc, CURL *h)
{
	curl_off_t connect_us = 0;

	if (rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY ||
	    rc == CURLE_COULDNT_CONNECT)
		return 1;
	curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
	return rc == CURLE_OPERATION_TIMEDOUT && connect_us == 0;
}

static const CURLcode transient_codes[] = {
    CURLE_COULDNT_RESOLVE_HOST,
    CURLE_COULDNT_RESOLVE_PROXY,
    CURLE_COULDNT_CONNECT,
    CURLE_OPERATION_TIMEDOUT,
    CURLE_SEND_ERROR,
    CURLE_RECV_ERROR,
    CURLE_GOT_NOTHING,
    CURLE_PARTIAL_FILE,
    CURLE_HTTP2,
    CURLE_HTTP2_STREAM,
    CURLE_SSL_CONNECT_ERROR,
};

static int transient(CURLcode rc)
{
	for (size_t i = 0; i < sizeof(transient_codes) / sizeof(*transient_codes); i++)
		if (transient_codes[i] == rc)
			return 1;
	return 0;
}

/* 1 when a 403/429 says "rate limited" (then the request was not performed). */
static int rate_limited(const struct http_response *r)
{
	const char *rem = http_response_header(r, "x-ratelimit-remaining");

	if (r->status == 429 || http_secondary_limit(r))
		return 1;
	return r->status == 403 &&
	       ((rem && parse_count(rem) == 0) || http_response_header(r, "Retry-After"));
}

/* Whether this attempt's outcome may be retried at all. */
static int retryable(struct xfer *x, CURLcode rc, CURL *h)
{
	long s = x->resp.status;
	int safe = idempotent(x->method) || x->retry_unsafe;

	if (rc != CURLE_OK)
		return transient(rc) && (safe || never_sent(rc, h));
	if (rate_limited(&x->resp))
		return 1;
	/* a 500 on a read is mostly passing; a write may have been applied */
	if (s == 500)
		return read_only(x->method);
	return safe && (s == 502 || s == 503 || s == 504);
}

/* Schedules a retry when attempts and budget allow; 1 when scheduled. */
static int schedule_retry(struct xfer *x)
{
	struct http_engine *e = x->e;
	long asked = x->resp.status ? http_retry_after_ms(&x->resp, epoch_now()) : -1;
	int secondary = http_secondary_limit(&x->resp);
	long wait;

	if (asked < 0 && secondary)
		asked = http_secondary_wait_ms(x->resp.attempts);
	wait = asked >= 0 ? asked
	                  : http_backoff_ms(x->resp.attempts, e->o.backoff_base_ms,
	                                    e->o.backoff_cap_ms, rng_next(e));
	if (x->resp.attempts >= e->o.max_attempts)
		return 0;
	if (e->o.max_wait_ms > 0 && wait > e->o.max_wait_ms)
		wait = e->o.max_wait_ms;
	if (x->waited_ms + wait > e->o.retry_budget_ms)
		return 0;
	if (secondary)
		engine_say(e,
		           "%s: secondary rate limit; waiting %ld s before trying again",
		           x->origin, (wait + 999) / 1000);
	e->stats.retries++;
	e->stats.requested_wait_ms += asked > 0 ? asked : 0;
	e->stats.waited_ms += wait;
	x->waited_ms += wait;
	x->due_ms = mono_ms() + wait;
	response_clear(&x->resp);
	timer_push(e, x);
	return 1;
}

static int is_redirect(long s)
{
	return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
}

/* Follows a redirect to `to` as a new hop; 1 when queued. */
static int follow(struct xfer *x, const char *to)
{
	char *origin = url_origin(to), *url = strdup(to), *get = strdup("GET");
	long s = x->resp.status;

	if (!origin || !url || !get || x->redirects >= MAX_REDIRECTS) {
		free(origin);
		free(url);
		free(get);
		return 0;
	}
	if (strcmp(origin, x->first_origin))
		x->drop_secrets = 1;
	if ((s == 303 && strcmp(x->method, "HEAD")) ||
	    ((s == 301 || s == 302) && !strcmp(x->method, "POST"))) {
		free(x->method);
		x->method = get;
		get = NULL;
		free(x->body);
		x->body = NULL;
		x->body_len = 0;
	}
	free(get);
	free(x->url);
	free(x->origin);
	x->url = url;
	x->origin = origin;
	x->redirects++;
	x->hop = 1; /* a hop is not another attempt */
	response_clear(&x->resp);
	pending_push(x->e, x);
	return 1;
}

/*
 * Failures that running again cannot cure (a certificate, a URL, a
 * protocol), with what to do about them.
 */
static const struct {
	CURLcode code;
	const char *hint;
} permanent_codes[] = {
    {CURLE_PEER_FAILED_VERIFICATION,
     "the server's certificate is not trusted: give its CA with --cacert, or check "
     "the URL"},
    {CURLE_UNSUPPORTED_PROTOCOL, "check the URL"},
    {CURLE_URL_MALFORMAT, "check the URL"},
    {CURLE_SSL_CACERT_BADFILE, "check the URL"},
    {CURLE_SSL_CERTPROBLEM, "check the URL"},
    {CURLE_SSL_ISSUER_ERROR, "check the URL"},
    {CURLE_SSL_PINNEDPUBKEYNOTMATCH, "check the URL"},
    {CURLE_SSL_CRL_BADFILE, "check the URL"},
};

/* What to do about a failure running again cannot cure, or NULL for another. */
static const char *permanent(CURLcode rc)
{
	for (size_t i = 0; i < sizeof(permanent_codes) / sizeof(*permanent_codes); i++)
		if (permanent_codes[i].code == rc)
			return permanent_codes[i].hint;
	return NULL;
}

/* Decides what comes after an attempt that ended with rc. */
static void attempt_done(struct xfer *x, CURLcode rc, CURL *h)
{
	struct http_engine *e = x->e;
	const char *hint;
	char *to = NULL;

	if (x->too_big) {
		char msg[160];

		snprintf(msg, sizeof(msg), "response body exceeds the cap of %zu bytes",
		         e->o.max_body);
		x->resp.transport_error = rc;
		finish(x, RELAPI_ETOOBIG, msg);
		return;
	}
	if (rc == CURLE_OK && is_redirect(x->resp.status) &&
	    curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &to) == CURLE_OK && to &&
	    follow(x, to))
		return;
	if (retryable(x, rc, h) && schedule_retry(x))
		return;
	x->resp.transport_error = rc;
	hint = permanent(rc);
	if (rc != CURLE_OK)
		snprintf(x->resp.transport_msg, sizeof(x->resp.transport_msg),
		         "%.250s%s%s%s",
		         x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc),
		         hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
	finish(x,
	       rc == CURLE_OK              ? 0
	       : rc == CURLE_OUT_OF_MEMORY ? RELAPI_ENOMEM
	       : hint                      ? RELAPI_EINVAL
	                                   : RELAPI_ETRANSIENT,
	       NULL);
}

/* Takes a finished easy handle off the multi and hands it to attempt_done. */
static void reap(struct http_engine *e, CURL *h, CURLcode rc)
{
	struct xfer *x = NULL;
	struct host_slot *slot;
	long connects = 0;

	curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&x);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &x->resp.status);
	curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
	e->stats.connections += connects;
	curl_multi_remove_handle(e->multi, h);
	active_remove(e, x);
	x->easy = NULL;
	curl_slist_free_all(x->slist);
	x->slist = NULL;
	slot = host_slot(e, x->origin);
	if (slot)
		slot->running--;
	e->running--;
	if (rc != CURLE_OK && !x->too_big)
		x->resp.status = 0; /* no usable response */
	if (e->o.record_dir && x->resp.status && !x->too_big)
		record_exchange(x);
	attempt_done(x, rc, h);
	curl_easy_cleanup(h);
}

/* ---- the loop --------------------------------------------------------------------- */

static int drain(struct http_engine *e)
{
	CURLMsg *m;
	int left, n = 0;

	while ((m = curl_multi_info_read(e->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		reap(e, m->easy_handle, m->data.result);
		n++;
	}
	return n;
}

static int poll_timeout(struct http_engine *e)
{
	long t = -1;
	long long now = mono_ms();

	curl_multi_timeout(e->multi, &t);
	if (t < 0 || t > POLL_MAX_MS)
		t = POLL_MAX_MS;
	if (e->timers && e->timers->due_ms - now < t)
		t = e->timers->due_ms > now ? (long)(e->timers->due_ms - now) : 0;
	if (e->calls && e->calls->due_ms - now < t)
		t = e->calls->due_ms > now ? (long)(e->calls->due_ms - now) : 0;
	return (int)t;
}

int http_engine_run(struct http_engine *e, struct rerr *err)
{
	int rc = 0, still;
	CURLMcode mc;

	if (e->in_run)
		return rerr_set(err, RELAPI_EINVAL,
		                "http_engine_run called from a callback");
	e->in_run = 1;
	for (;;) {
		timers_promote(e);
		calls_fire(e);
		start_pending(e);
		if (!e->running && !e->pending && !e->timers && !e->calls)
			break;
		mc = curl_multi_perform(e->multi, &still);
		if (mc == CURLM_OK && drain(e) > 0)
			continue;
		if (mc == CURLM_OK)
			mc = curl_multi_poll(e->multi, NULL, 0, poll_timeout(e), NULL);
		if (mc != CURLM_OK) {
			rc = rerr_set(err, RELAPI_EIO, "http engine: %s",
			              curl_multi_strerror(mc));
			break;
		}
	}
	e->in_run = 0;
	return rc;
}
