/*
 * http.h - the HTTP engine: many concurrent requests over one libcurl multi
 * handle, with concurrency caps, connection reuse, retries with backoff,
 * rate-limit handling, secret redaction, verbose logging and recording.
 *
 * Use:
 *   struct http_opts o; http_opts_init(&o); ...adjust...
 *   struct http_engine *e = http_engine_new(&o, &err);
 *   http_engine_add(e, &req, on_done, payload, &err);   // any number
 *   http_engine_run(e, &err);   // returns when no request is left
 *   http_engine_free(e);
 *
 * Completion callbacks run on the thread calling http_engine_run(); they may
 * add further requests (a repository's read -> commit -> tag chain proceeds
 * that way without waiting for other repositories).
 *
 * Retry policy:
 *   - retried: connection errors, timeouts, resets, 429, 502, 503, 504, 500
 *     on GET and HEAD only (a write may have been applied), and 403/429 with
 *     a rate-limit signal (GitHub x-ratelimit-remaining: 0; Retry-After; a
 *     secondary rate limit's message, which waits at least 60 s and says so
 *     on stderr), with exponential backoff and full jitter, bounded by
 *     opts.max_attempts and opts.retry_budget_ms. Waits honour Retry-After
 *     (seconds or HTTP date), GitLab RateLimit-Reset and GitHub
 *     x-ratelimit-reset.
 *   - idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS) are retried on
 *     all of the above; POST and PATCH only when the request provably never
 *     reached the server (DNS failure, connect failure or a timeout before the
 *     connection was made), when the server refused it for a rate limit (429,
 *     or 403 with a rate-limit signal: the forges document such requests as
 *     not performed), or when the caller sets req.retry_unsafe (it knows a
 *     replay is harmless or detectable). A 5xx or a reset after the request
 *     was sent is not retried for them, and they go on a new connection:
 *     libcurl would send them again by itself when a reused connection dies
 *     before the answer.
 *
 * Redirects (301, 302, 303, 307, 308) are followed by the engine, at most 10
 * hops: 303, and 301/302 after a POST, continue as GET without a body. When a
 * hop leads to another origin (scheme, host or port), the secret headers
 * (Authorization, PRIVATE-TOKEN, JOB-TOKEN, Cookie) are not sent there nor on
 * any later hop. The response is that of the last hop.
 *
 * A body over opts.max_body aborts the transfer; the request completes with
 * resp.error == RELAPI_ETOOBIG and a message in resp.transport_msg.
 * Every request carries "User-Agent: relapi/<version>". TLS verification is
 * always on unless opts.insecure, which prints a warning once per engine.
 */
#ifndef RELAPI_HTTP_H
#define RELAPI_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "rerr.h"

struct http_opts {
	int max_total;           /* concurrent transfers in all, default 8 (--jobs) */
	int max_per_host;        /* concurrent transfers per host, default 6 */
	long connect_timeout_ms; /* default 10000 */
	long timeout_ms;         /* whole transfer, default 120000 */
	int max_attempts;        /* attempts per request incl. the first, default 5 */
	long retry_budget_ms; /* total time a request may spend waiting to retry, default
	                         300000 */
	long backoff_base_ms; /* first backoff ceiling, default 500 */
	long backoff_cap_ms;  /* backoff ceiling cap, default 30000 */
	size_t max_body;      /* response body cap, default 64 MiB */
	const char *cacert;   /* extra CA bundle file, or NULL */
	int insecure;         /* disable TLS verification (warns on every run) */
	int verbose;          /* one line per request on stderr */
	const char *record_dir; /* write each exchange as a JSON fixture, or NULL */
	uint32_t seed;          /* jitter seed; 0 = from time and pid */
	long max_wait_ms;       /* clamp every retry wait to this (tests); 0 = none */
	/*
	 * Where the engine's own lines go (warnings, rate-limit waits, the
	 * --verbose request lines): one line each, without a newline. NULL
	 * (the default): nowhere; api/ never prints.
	 */
	void (*say)(void *ctx, const char *line);
	void *say_ctx;
};

/* Fills in the defaults above. */
void http_opts_init(struct http_opts *o);

struct http_header {
	char *name;
	char *value;
};

struct http_request {
	const char *method;         /* "GET", "POST", ... */
	const char *url;            /* absolute URL */
	const char *const *headers; /* NULL-terminated "Name: value" lines, or NULL */
	const char *body;           /* request body or NULL; copied by http_engine_add */
	size_t body_len;
	int retry_unsafe; /* a POST/PATCH that may be replayed safely */
};

struct http_response {
	long status;                 /* HTTP status, 0 when no response came */
	struct http_header *headers; /* of the final attempt */
	size_t nheaders;
	struct buf body;
	int attempts;        /* attempts made */
	int transport_error; /* CURLcode of the final attempt, 0 = none */
	/* curl's error text when transport_error != 0; for a failure running
	   again cannot cure, with what to do about it in parentheses */
	char transport_msg[400];
	long elapsed_ms; /* from first attempt to completion */
	int error;       /* 0, or RELAPI_E* when no usable response came:
	                    ETOOBIG (body cap), ETRANSIENT (network error
	                    or timeout), EINVAL (a malformed URL, an
	                    unsupported protocol, a certificate that
	                    fails verification: running again cannot
	                    help), ENOMEM */
};

/* Case-insensitive header lookup; NULL when absent. */
const char *http_response_header(const struct http_response *r, const char *name);

struct http_engine;

/*
 * Called once per request when it is complete (success, a final HTTP error
 * status, or a transport failure after retries). `resp` and its body belong to
 * the engine and are freed after the callback returns; take the body with
 * buf_detach(&resp->body, ...) to keep it. resp->body.data is never NULL
 * there (an empty body is ""). Check resp->error first: when it is set, the
 * status and body are not a usable answer.
 */
typedef void (*http_done_fn)(struct http_engine *e, struct http_response *resp,
                             void *payload);

struct http_engine *http_engine_new(const struct http_opts *opts, struct rerr *err);
void http_engine_free(struct http_engine *e);

/* Queues a request; it starts when caps allow. The request is copied. */
int http_engine_add(struct http_engine *e, const struct http_request *req,
                    http_done_fn done, void *payload, struct rerr *err);

/*
 * Calls fn(e, payload) from the engine loop once `ms` milliseconds have
 * passed (0: at the next turn), without blocking other requests: the way to
 * wait between polls of a pipeline or before looking for a dispatched run.
 * http_engine_run() keeps running while timers are pending. Timers not yet
 * fired when the engine is freed are dropped without being called.
 */
typedef void (*http_timer_fn)(struct http_engine *e, void *payload);
int http_engine_after(struct http_engine *e, long ms, http_timer_fn fn, void *payload,
                      struct rerr *err);

/* Drives every queued request (and those callbacks add) to completion. */
int http_engine_run(struct http_engine *e, struct rerr *err);

/*
 * Statistics since creation: requests completed, attempts made (redirect hops
 * excluded), connections opened, and retry waits: `requested_wait_ms` sums the
 * waits servers asked for (Retry-After, rate-limit resets) before any clamp,
 * `waited_ms` the waits actually scheduled (backoff or requested, clamped).
 */
struct http_stats {
	long requests;
	long attempts;
	long connections;
	long retries;
	long requested_wait_ms;
	long waited_ms;
};
void http_engine_stats(const struct http_engine *e, struct http_stats *out);

/*
 * Pure helpers, exposed for tests.
 * http_backoff_ms: full-jitter exponential backoff for attempt n (1-based
 * count of failures so far): uniform in [0, min(cap, base * 2^(n-1))], using
 * `rnd` as the random draw.
 * http_retry_after_ms: the wait a response asks for (Retry-After seconds or
 * HTTP date, RateLimit-Reset / x-ratelimit-reset epoch seconds when the
 * remaining count is 0), relative to `now` (epoch seconds); -1 when none.
 */
long http_backoff_ms(int n, long base_ms, long cap_ms, uint32_t rnd);
long http_retry_after_ms(const struct http_response *r, long long now);
/*
 * http_secondary_limit: 1 when a 403/429 answer is one of GitHub's secondary
 * rate limits ("You have exceeded a secondary rate limit", "abuse detection
 * mechanism"), which come without x-ratelimit-remaining: 0 and often
 * without Retry-After. http_secondary_wait_ms: the wait after `attempts`
 * such answers when the server names none: 60 s, doubling, at most 16 min.
 */
int http_secondary_limit(const struct http_response *r);
long http_secondary_wait_ms(int attempts);

#endif
