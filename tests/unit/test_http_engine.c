/* test_http_engine.c - the HTTP engine over real loopback HTTP against
 * tests/support/http_test_server.py: caps and reuse, retries and waits,
 * timeouts, body cap, redirects, User-Agent, verbose log, recording. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "testserver.h"

static struct test_server srv;

/* ---- fixtures and helpers ------------------------------------------------------- */

static int start_server(void **state)
{
	char script[512];
	char *argv[] = {(char *)test_python(), script, "--port", "0", NULL};

	(void)state;
	snprintf(script, sizeof(script), "%s/tests/support/http_test_server.py",
	         test_source_dir());
	return test_server_start(&srv, argv);
}

static int stop_server(void **state)
{
	(void)state;
	test_server_stop(&srv);
	return 0;
}

/* Options for tests: small waits so that retries take milliseconds. */
static struct http_opts fast_opts(void)
{
	struct http_opts o;

	http_opts_init(&o);
	o.backoff_base_ms = 1;
	o.backoff_cap_ms = 5;
	o.max_wait_ms = 20;
	o.timeout_ms = 10000;
	o.seed = 42;
	return o;
}

struct result {
	long status;
	int attempts;
	int error;
	int transport_error;
	char msg[sizeof(((struct http_response *)0)->transport_msg)];
	char *body;
	char *location;
	int done;
};

static void on_done(struct http_engine *e, struct http_response *r, void *p)
{
	struct result *res = p;
	const char *loc = http_response_header(r, "Location");

	(void)e;
	res->status = r->status;
	res->attempts = r->attempts;
	res->error = r->error;
	res->transport_error = r->transport_error;
	snprintf(res->msg, sizeof(res->msg), "%s", r->transport_msg);
	res->body = buf_detach(&r->body, NULL);
	res->location = loc ? strdup(loc) : NULL;
	res->done++;
}

static void result_release(struct result *r)
{
	free(r->body);
	free(r->location);
	memset(r, 0, sizeof(*r));
}

static char *url_of(const char *path)
{
	char *u;

	assert_true(asprintf(&u, "%s%s", srv.url, path) > 0);
	return u;
}

/* One request through a fresh engine; stats copied out when wanted. */
static void fetch(const struct http_opts *o, const char *method, const char *path,
                  const char *const *headers, const char *body, int unsafe,
                  struct result *res, struct http_stats *st)
{
	struct rerr err = {0};
	struct http_engine *e = http_engine_new(o, &err);
	char *url = url_of(path);
	struct http_request req = {.method = method,
	                           .url = url,
	                           .headers = headers,
	                           .body = body,
	                           .body_len = body ? strlen(body) : 0,
	                           .retry_unsafe = unsafe};

	assert_non_null(e);
	memset(res, 0, sizeof(*res));
	assert_int_equal(http_engine_add(e, &req, on_done, res, &err), 0);
	assert_int_equal(http_engine_run(e, &err), 0);
	assert_int_equal(res->done, 1);
	if (st)
		http_engine_stats(e, st);
	http_engine_free(e);
	free(url);
}

static cJSON *get_json(const char *path)
{
	struct http_opts o = fast_opts();
	struct result r;
	cJSON *j;

	fetch(&o, "GET", path, NULL, NULL, 0, &r, NULL);
	assert_int_equal(r.status, 200);
	j = cJSON_Parse(r.body);
	assert_non_null(j);
	result_release(&r);
	return j;
}

struct server_stats {
	int connections;
	int max_inflight;
};

static struct server_stats server_stats(void)
{
	cJSON *j = get_json("/_stats");
	struct server_stats s = {
	    cJSON_GetObjectItem(j, "connections")->valueint,
	    cJSON_GetObjectItem(j, "max_inflight")->valueint,
	};

	cJSON_Delete(j);
	return s;
}

static void reset_stats(void)
{
	cJSON_Delete(get_json("/_reset-stats"));
}

/* A unique key so that scripted counts never collide between tests. */
static const char *key(void)
{
	static char k[64];
	static int n;

	snprintf(k, sizeof(k), "k%d-%d", (int)getpid(), ++n);
	return k;
}

/* ---- caps and connection reuse ---------------------------------------------------- */

struct chain {
	char *url;
	int left;
	int ok;
};

static void chain_next(struct http_engine *e, struct http_response *r, void *p)
{
	struct chain *c = p;
	struct http_request req = {.method = "GET", .url = c->url};
	struct rerr err = {0};

	c->ok += r->status == 200;
	if (--c->left > 0)
		assert_int_equal(http_engine_add(e, &req, chain_next, c, &err), 0);
}

static void test_sequential_requests_reuse_one_connection(void **state)
{
	struct http_opts o = fast_opts();
	struct chain c = {url_of("/echo"), 10, 0};
	struct http_request req = {.method = "GET", .url = c.url};
	struct rerr err = {0};
	struct http_engine *e;
	struct http_stats st;

	(void)state;
	reset_stats();
	e = http_engine_new(&o, &err);
	assert_int_equal(http_engine_add(e, &req, chain_next, &c, &err), 0);
	assert_int_equal(http_engine_run(e, &err), 0);
	http_engine_stats(e, &st);
	http_engine_free(e);
	assert_int_equal(c.ok, 10);
	assert_int_equal(st.requests, 10);
	assert_int_equal(st.connections, 1);
	assert_int_equal(server_stats().connections, 1);
	free(c.url);
}

static void run_concurrent(int max_total, int max_per_host, int n, struct http_stats *st)
{
	struct http_opts o = fast_opts();
	struct result *res = calloc((size_t)n, sizeof(*res));
	char *url = url_of("/delay/40");
	struct http_request req = {.method = "GET", .url = url};
	struct rerr err = {0};
	struct http_engine *e;

	o.max_total = max_total;
	o.max_per_host = max_per_host;
	e = http_engine_new(&o, &err);
	for (int i = 0; i < n; i++)
		assert_int_equal(http_engine_add(e, &req, on_done, &res[i], &err), 0);
	assert_int_equal(http_engine_run(e, &err), 0);
	http_engine_stats(e, st);
	http_engine_free(e);
	for (int i = 0; i < n; i++) {
		assert_int_equal(res[i].status, 200);
		result_release(&res[i]);
	}
	free(res);
	free(url);
}

static void test_concurrent_requests_respect_global_cap(void **state)
{
	struct http_stats st;
	struct server_stats ss;

	(void)state;
	reset_stats();
	run_concurrent(3, 6, 12, &st);
	ss = server_stats();
	assert_true(ss.connections <= 3);
	assert_true(ss.max_inflight <= 3);
	assert_true(ss.max_inflight >= 2); /* they did run side by side */
	assert_true(st.connections <= 3);
	assert_int_equal(st.requests, 12);
}

static void test_concurrent_requests_respect_host_cap(void **state)
{
	struct http_stats st;
	struct server_stats ss;

	(void)state;
	reset_stats();
	run_concurrent(8, 2, 8, &st);
	ss = server_stats();
	assert_true(ss.connections <= 2);
	assert_true(ss.max_inflight <= 2);
	assert_int_equal(st.requests, 8);
}

/*
 * Requests waiting for a free slot are held by the engine, not started: their
 * timeout only runs once they are in flight. Five 300 ms requests through one
 * slot take 1.5 s; each must still fit its own 1 s timeout.
 */
static void queued_run(int max_total, int max_per_host)
{
	struct http_opts o = fast_opts();
	struct result res[5] = {0};
	char *url = url_of("/delay/300");
	struct http_request req = {.method = "GET", .url = url};
	struct rerr err = {0};
	struct http_engine *e;

	reset_stats();
	o.max_total = max_total;
	o.max_per_host = max_per_host;
	o.timeout_ms = 1000;
	o.max_attempts = 1;
	e = http_engine_new(&o, &err);
	for (int i = 0; i < 5; i++)
		assert_int_equal(http_engine_add(e, &req, on_done, &res[i], &err), 0);
	assert_int_equal(http_engine_run(e, &err), 0);
	http_engine_free(e);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(res[i].error, 0);
		assert_int_equal(res[i].status, 200);
		result_release(&res[i]);
	}
	assert_int_equal(server_stats().max_inflight, 1);
	free(url);
}

static void test_queued_requests_do_not_burn_their_timeout(void **state)
{
	(void)state;
	queued_run(1, 1);
}

static void test_requests_queued_per_host_do_not_burn_their_timeout(void **state)
{
	(void)state;
	queued_run(8, 1);
}

/* ---- retries ---------------------------------------------------------------------- */

static void test_503_twice_then_200(void **state)
{
	struct http_opts o = fast_opts();
	struct http_stats st;
	struct result r;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "/status/503?times=2&key=%s", key());
	fetch(&o, "GET", path, NULL, NULL, 0, &r, &st);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 3);
	assert_int_equal(st.attempts, 3);
	assert_int_equal(st.retries, 2);
	assert_true(st.waited_ms <= 1 + 2); /* backoff ceilings 1 and 2 ms */
	result_release(&r);
}

static void test_attempts_are_bounded(void **state)
{
	struct http_opts o = fast_opts();
	struct result r;
	char path[128];

	(void)state;
	o.max_attempts = 3;
	snprintf(path, sizeof(path), "/status/502?times=10&key=%s", key());
	fetch(&o, "GET", path, NULL, NULL, 0, &r, NULL);
	assert_int_equal(r.status, 502);
	assert_int_equal(r.attempts, 3);
	assert_int_equal(r.error, 0);
	result_release(&r);
}

static void test_retry_budget_bounds_waits(void **state)
{
	struct http_opts o = fast_opts();
	struct result r;
	char path[128];

	(void)state;
	o.max_wait_ms = 0;
	o.retry_budget_ms = 1000; /* the server asks for 30 s: over budget */
	snprintf(path, sizeof(path), "/retry-after/30?key=%s", key());
	fetch(&o, "GET", path, NULL, NULL, 0, &r, NULL);
	assert_int_equal(r.status, 429);
	assert_int_equal(r.attempts, 1);
	result_release(&r);
}

/*
 * GitHub's secondary rate limits answer 403 without x-ratelimit-remaining: 0
 * and often without Retry-After; the client waits at least a minute, then
 * exponentially longer:
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
 */
static void test_secondary_limit_waits_a_minute(void **state)
{
	struct http_opts o = fast_opts();
	struct http_stats st;
	struct result r;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "/secondary/limit?key=%s", key());
	fetch(&o, "GET", path, NULL, NULL, 0, &r, &st);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 2);
	assert_int_equal(st.requested_wait_ms, 60000); /* not the 1..5 ms backoff */
	result_release(&r);
}

static void test_secondary_limit_abuse_words_and_post(void **state)
{
	struct http_opts o = fast_opts();
	struct http_stats st;
	struct result r;
	char path[128];

	(void)state;
	/* the request was not performed: a POST is retried too */
	snprintf(path, sizeof(path), "/secondary/abuse?status=403&key=%s", key());
	fetch(&o, "POST", path, NULL, "{}", 0, &r, &st);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 2);
	assert_int_equal(st.requested_wait_ms, 60000);
	result_release(&r);
}

static void test_secondary_limit_honours_retry_after(void **state)
{
	struct http_opts o = fast_opts();
	struct http_stats st;
	struct result r;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "/secondary/limit?retry=3&key=%s", key());
	fetch(&o, "GET", path, NULL, NULL, 0, &r, &st);
	assert_int_equal(r.status, 200);
	assert_int_equal(st.requested_wait_ms, 3000);
	result_release(&r);
}

static void test_secondary_limit_over_budget_stops(void **state)
{
	struct http_opts o = fast_opts();
	struct result r;
	char path[128];

	(void)state;
	o.max_wait_ms = 0;
	o.retry_budget_ms = 30000; /* less than the minute a secondary limit needs */
	snprintf(path, sizeof(path), "/secondary/limit?key=%s", key());
	fetch(&o, "GET", path, NULL, NULL, 0, &r, NULL);
	assert_int_equal(r.status, 403);
	assert_int_equal(r.attempts, 1);
	result_release(&r);
}

static void test_secondary_wait_doubles(void **state)
{
	(void)state;
	assert_int_equal(http_secondary_wait_ms(1), 60000);
	assert_int_equal(http_secondary_wait_ms(2), 120000);
	assert_int_equal(http_secondary_wait_ms(3), 240000);
	assert_int_equal(http_secondary_wait_ms(50), 960000);
}

static void test_500_retried_on_reads_only(void **state)
{
	struct http_opts o = fast_opts();
	struct result r;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "/status/500?times=1&key=%s", key());
	fetch(&o, "GET", path, NULL, NULL, 0, &r, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 2);
	result_release(&r);
	/* a write that got a 500 may have been applied: never replayed */
	snprintf(path, sizeof(path), "/status/500?times=1&key=%s", key());
	fetch(&o, "PUT", path, NULL, "{}", 0, &r, NULL);
	assert_int_equal(r.status, 500);
	assert_int_equal(r.attempts, 1);
	result_release(&r);
}

static void test_404_is_not_retried(void **state)
{
	struct http_opts o = fast_opts();
	struct result r;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "/status/404?key=%s", key());
	fetch(&o, "GET", path, NULL, NULL, 0, &r, NULL);
	assert_int_equal(r.status, 404);
	assert_int_equal(r.attempts, 1);
	result_release(&r);
}

static void test_429_retry_after_seconds_honoured(void **state)
{
	struct http_opts o = fast_opts();
	struct http_stats st;
	struct result r;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "/retry-after/2?key=%s", key());
	fetch(&o, "GET", path, NULL, NULL, 0, &r, &st);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 2);
	assert_int_equal(st.requested_wait_ms, 2000); /* the server's wait was used */
	assert_int_equal(st.waited_ms, 20);           /* clamped by max_wait_ms */
	result_release(&r);
}

static void test_429_retry_after_date_honoured(void **state)
{
	struct http_opts o = fast_opts();
	struct http_stats st;
	struct result r;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "/retry-after/30?date=1&key=%s", key());
	fetch(&o, "GET", path, NULL, NULL, 0, &r, &st);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 2);
	assert_true(st.requested_wait_ms >= 28000 && st.requested_wait_ms <= 31000);
	result_release(&r);
}

static void test_github_403_rate_limit_waits_for_reset(void **state)
{
	struct http_opts o = fast_opts();
	struct http_stats st;
	struct result r;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "/ratelimit/github?reset=40&key=%s", key());
	/* a rate-limited POST was not performed, so it is retried too */
	fetch(&o, "POST", path, NULL, "{}", 0, &r, &st);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 2);
	assert_true(st.requested_wait_ms >= 38000 && st.requested_wait_ms <= 41000);
	result_release(&r);
}

static void test_gitlab_429_waits_for_reset(void **state)
{
	struct http_opts o = fast_opts();
	struct http_stats st;
	struct result r;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "/ratelimit/gitlab?reset=40&key=%s", key());
	fetch(&o, "GET", path, NULL, NULL, 0, &r, &st);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 2);
	assert_true(st.requested_wait_ms >= 38000 && st.requested_wait_ms <= 41000);
	result_release(&r);
}

static void test_post_not_retried_on_503(void **state)
{
	struct http_opts o = fast_opts();
	struct result r;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "/status/503?times=1&key=%s", key());
	fetch(&o, "POST", path, NULL, "{}", 0, &r, NULL);
	assert_int_equal(r.status, 503);
	assert_int_equal(r.attempts, 1);
	result_release(&r);
	snprintf(path, sizeof(path), "/status/503?times=1&key=%s", key());
	fetch(&o, "POST", path, NULL, "{}", 1, &r, NULL); /* retry_unsafe */
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 2);
	result_release(&r);
}

static void test_connection_reset_retried(void **state)
{
	struct http_opts o = fast_opts();
	struct result r;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "/reset?times=2&key=%s", key());
	fetch(&o, "GET", path, NULL, NULL, 0, &r, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 3);
	result_release(&r);
	/* closed without an answer: nothing came back */
	snprintf(path, sizeof(path), "/reset?close=1&times=1&key=%s", key());
	fetch(&o, "GET", path, NULL, NULL, 0, &r, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 2);
	result_release(&r);
	/* a POST that reached the server is not replayed */
	snprintf(path, sizeof(path), "/reset?times=1&key=%s", key());
	fetch(&o, "POST", path, NULL, "{}", 0, &r, NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.attempts, 1);
	assert_int_equal(r.error, RELAPI_ETRANSIENT);
	assert_true(r.msg[0] != '\0');
	result_release(&r);
}

/* A header value with CR/LF would inject header lines: refused, never sent. */
static void test_control_characters_are_never_sent(void **state)
{
	struct http_opts o = fast_opts();
	static const char *const bad[] = {"PRIVATE-TOKEN: tok\r\nX-Injected: 1", NULL};
	static const char *const nl[] = {"Authorization: Bearer tok\n", NULL};
	struct http_request req = {.method = "GET", .url = "http://127.0.0.1:1/x"};
	struct rerr err = {0};
	struct http_engine *e = http_engine_new(&o, &err);
	struct result r = {0};

	(void)state;
	req.headers = bad;
	assert_int_equal(http_engine_add(e, &req, on_done, &r, &err), RELAPI_EINVAL);
	assert_string_equal(err.msg,
	                    "header 'PRIVATE-TOKEN' holds a control character; not sent");
	assert_null(strstr(err.msg, "tok"));
	req.headers = nl;
	assert_int_equal(http_engine_add(e, &req, on_done, &r, &err), RELAPI_EINVAL);
	req.headers = NULL;
	req.url = "http://127.0.0.1:1/x\r\nHost: evil";
	assert_int_equal(http_engine_add(e, &req, on_done, &r, &err), RELAPI_EINVAL);
	assert_int_equal(http_engine_run(e, &err), 0);
	assert_int_equal(r.done, 0);
	http_engine_free(e);
}

static void test_connect_failure_retried_even_for_post(void **state)
{
	struct http_opts o = fast_opts();
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct http_request req = {.method = "POST", .body = "{}", .body_len = 2};
	struct rerr err = {0};
	struct http_engine *e;
	struct result r = {0};
	char url[64];

	(void)state;
	/* a port that was just free: nothing listens there */
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", ntohs(a.sin_port));
	req.url = url;
	o.max_attempts = 3;
	e = http_engine_new(&o, &err);
	assert_int_equal(http_engine_add(e, &req, on_done, &r, &err), 0);
	assert_int_equal(http_engine_run(e, &err), 0);
	http_engine_free(e);
	assert_int_equal(r.attempts, 3);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.error, RELAPI_ETRANSIENT);
	assert_int_equal(r.transport_error, CURLE_COULDNT_CONNECT);
	result_release(&r);
}

/* ---- timeouts and the body cap --------------------------------------------------------
 */

static void test_hung_server_cut_by_timeout(void **state)
{
	struct http_opts o = fast_opts();
	struct result r;

	(void)state;
	o.timeout_ms = 300;
	o.max_attempts = 2;
	fetch(&o, "GET", "/delay/5000", NULL, NULL, 0, &r, NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.attempts, 2);
	assert_int_equal(r.transport_error, CURLE_OPERATION_TIMEDOUT);
	assert_int_equal(r.error, RELAPI_ETRANSIENT);
	result_release(&r);
}

static void test_body_over_cap_fails_cleanly(void **state)
{
	struct http_opts o = fast_opts();
	struct http_stats st;
	struct result r;

	(void)state;
	o.max_body = 1000;
	fetch(&o, "GET", "/big/1000", NULL, NULL, 0, &r, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.error, 0);
	assert_int_equal(strlen(r.body), 1000);
	result_release(&r);
	fetch(&o, "GET", "/big/200000", NULL, NULL, 0, &r, &st);
	assert_int_equal(r.error, RELAPI_ETOOBIG);
	assert_int_equal(r.attempts, 1); /* not retried */
	assert_non_null(strstr(r.msg, "exceeds the cap of 1000 bytes"));
	assert_true(strlen(r.body) <= 1000);
	result_release(&r);
}

/* ---- redirects, headers
 * ----------------------------------------------------------------- */

static cJSON *echoed_headers(struct result *r)
{
	cJSON *j = cJSON_Parse(r->body), *h;

	assert_non_null(j);
	h = cJSON_DetachItemFromObject(j, "headers");
	cJSON_Delete(j);
	return h;
}

static const char *const secret_headers[] = {"PRIVATE-TOKEN: glpat-s3cr3t",
                                             "Authorization: Bearer s3cr3t",
                                             "JOB-TOKEN: s3cr3t", "X-Keep: yes", NULL};

static void redirect_to(const char *host, struct result *r)
{
	struct http_opts o = fast_opts();
	char path[256];

	snprintf(path, sizeof(path), "/redirect?to=http://%s:%d/echo", host, srv.port);
	fetch(&o, "GET", path, secret_headers, NULL, 0, r, NULL);
	assert_int_equal(r->status, 200);
	assert_null(r->location); /* headers are the last hop's */
}

static void test_redirect_to_other_host_drops_secrets(void **state)
{
	struct result r;
	cJSON *h;

	(void)state;
	redirect_to("localhost", &r);
	assert_null(strstr(r.body, "s3cr3t"));
	h = echoed_headers(&r);
	assert_null(cJSON_GetObjectItem(h, "PRIVATE-TOKEN"));
	assert_null(cJSON_GetObjectItem(h, "Authorization"));
	assert_null(cJSON_GetObjectItem(h, "JOB-TOKEN"));
	assert_string_equal(cJSON_GetObjectItem(h, "X-Keep")->valuestring, "yes");
	cJSON_Delete(h);
	result_release(&r);
}

static void test_redirect_same_host_keeps_secrets(void **state)
{
	struct result r;
	cJSON *h;

	(void)state;
	redirect_to("127.0.0.1", &r);
	h = echoed_headers(&r);
	assert_string_equal(cJSON_GetObjectItem(h, "PRIVATE-TOKEN")->valuestring,
	                    "glpat-s3cr3t");
	cJSON_Delete(h);
	result_release(&r);
}

static void test_redirect_303_turns_post_into_get(void **state)
{
	struct http_opts o = fast_opts();
	struct result r;
	char path[256];
	cJSON *j;

	(void)state;
	snprintf(path, sizeof(path), "/redirect?code=303&to=%s/echo", srv.url);
	fetch(&o, "POST", path, NULL, "{\"a\":1}", 0, &r, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 1);
	j = cJSON_Parse(r.body);
	assert_string_equal(cJSON_GetObjectItem(j, "method")->valuestring, "GET");
	assert_string_equal(cJSON_GetObjectItem(j, "body")->valuestring, "");
	cJSON_Delete(j);
	result_release(&r);
}

static void test_user_agent_and_method(void **state)
{
	struct http_opts o = fast_opts();
	const char *const hs[] = {"Content-Type: application/json", NULL};
	struct result r;
	cJSON *j, *h;

	(void)state;
	fetch(&o, "PUT", "/echo", hs, "{\"x\":1}", 0, &r, NULL);
	j = cJSON_Parse(r.body);
	h = cJSON_GetObjectItem(j, "headers");
	assert_string_equal(cJSON_GetObjectItem(h, "User-Agent")->valuestring,
	                    "relapi/" RELAPI_VERSION);
	assert_string_equal(cJSON_GetObjectItem(j, "method")->valuestring, "PUT");
	assert_string_equal(cJSON_GetObjectItem(j, "body")->valuestring, "{\"x\":1}");
	cJSON_Delete(j);
	result_release(&r);
}

/* ---- a retry's wait holds no slot ----------------------------------------------------
 */

static char order[16];
static struct http_request chain_b;
static int b_left;

static void mark_done(struct http_engine *e, struct http_response *r, void *p)
{
	struct rerr err = {0};

	assert_int_equal(r->status, 200);
	strncat(order, p, 1);
	if (!strcmp(p, "B") && --b_left > 0)
		assert_int_equal(http_engine_add(e, &chain_b, mark_done, "B", &err), 0);
}

/*
 * A is told to come back in 600 ms; meanwhile B's chain of three 100 ms
 * requests proceeds and ends first. An engine that slept through A's wait
 * would hold B's completions back until A's retry, and A would not be last.
 */
static void test_waiting_retry_does_not_block_others(void **state)
{
	struct http_opts o = fast_opts();
	char path[128], *a, *b = url_of("/delay/100");
	struct http_request ra = {.method = "GET"};
	struct rerr err = {0};
	struct http_engine *e;

	(void)state;
	snprintf(path, sizeof(path), "/retry-after/1?key=%s", key());
	a = url_of(path);
	ra.url = a;
	chain_b = (struct http_request){.method = "GET", .url = b};
	b_left = 3;
	order[0] = '\0';
	o.max_total = 2;
	o.max_wait_ms = 600;
	e = http_engine_new(&o, &err);
	assert_int_equal(http_engine_add(e, &chain_b, mark_done, "B", &err), 0);
	assert_int_equal(http_engine_add(e, &ra, mark_done, "A", &err), 0);
	assert_int_equal(http_engine_run(e, &err), 0);
	http_engine_free(e);
	assert_string_equal(order, "BBBA");
	free(a);
	free(b);
}

/* ---- timers ---------------------------------------------------------------------- */

static char torder[16];
static char *slow_url;

static void timer_mark(struct http_engine *e, void *p)
{
	(void)e;
	strcat(torder, p);
}

static void slow_done(struct http_engine *e, struct http_response *r, void *p)
{
	(void)e;
	(void)r;
	strcat(torder, p);
}

/* A due timer adds a request and a later timer from inside the loop. */
static void timer_chain(struct http_engine *e, void *p)
{
	struct http_request req = {.method = "GET", .url = slow_url};
	struct rerr err = {0};

	(void)p;
	strcat(torder, "0");
	assert_int_equal(http_engine_add(e, &req, slow_done, "R", &err), 0);
	assert_int_equal(http_engine_after(e, 50, timer_mark, "2", &err), 0);
}

/*
 * Timers fire in due order, may add requests and timers, and do not wait for
 * running transfers: the 50 ms timer fires while the 500 ms request runs, and
 * run() returns only when both are done. A timer still pending at free is
 * dropped (ASan proves nothing leaks).
 */
static void test_timers_fire_in_order_without_blocking(void **state)
{
	struct http_opts o = fast_opts();
	struct rerr err = {0};
	struct http_engine *e = http_engine_new(&o, &err);

	(void)state;
	torder[0] = '\0';
	slow_url = url_of("/delay/500");
	assert_int_equal(http_engine_after(e, 10, timer_mark, "1", &err), 0);
	assert_int_equal(http_engine_after(e, 0, timer_chain, NULL, &err), 0);
	assert_int_equal(http_engine_run(e, &err), 0);
	assert_string_equal(torder, "012R");
	assert_int_equal(http_engine_after(e, 100000, timer_mark, "X", &err), 0);
	http_engine_free(e);
	free(slow_url);
}

/* ---- callbacks adding requests
 * ---------------------------------------------------------- */

struct tree {
	char *url;
	int done;
};

static void tree_grow(struct http_engine *e, struct http_response *r, void *p);

static void tree_add(struct http_engine *e, struct tree *t, int depth)
{
	struct http_request req = {.method = "GET", .url = t->url};
	struct rerr err = {0};

	assert_int_equal(
	    http_engine_add(e, &req, tree_grow, (void *)(intptr_t)depth, &err), 0);
}

static struct tree *the_tree;

static void tree_grow(struct http_engine *e, struct http_response *r, void *p)
{
	int depth = (int)(intptr_t)p;

	assert_int_equal(r->status, 200);
	the_tree->done++;
	if (depth < 3) {
		tree_add(e, the_tree, depth + 1);
		tree_add(e, the_tree, depth + 1);
	}
}

static void test_callbacks_add_requests(void **state)
{
	struct http_opts o = fast_opts();
	struct tree t = {url_of("/delay/5"), 0};
	struct rerr err = {0};
	struct http_engine *e = http_engine_new(&o, &err);
	struct http_stats st;

	(void)state;
	the_tree = &t;
	tree_add(e, &t, 0);
	assert_int_equal(http_engine_run(e, &err), 0);
	http_engine_stats(e, &st);
	assert_int_equal(t.done, 15); /* 1 + 2 + 4 + 8 */
	assert_int_equal(st.requests, 15);
	assert_int_equal(http_engine_run(e, &err), 0); /* nothing left: returns */
	http_engine_free(e);
	free(t.url);
}

static void test_bad_url_rejected(void **state)
{
	struct http_opts o = fast_opts();
	struct rerr err = {0};
	struct http_engine *e = http_engine_new(&o, &err);
	struct http_request req = {.method = "GET", .url = "ftp://example/x"};

	(void)state;
	assert_int_equal(http_engine_add(e, &req, on_done, NULL, &err), RELAPI_EINVAL);
	assert_non_null(strstr(err.msg, "'ftp://example/x'"));
	http_engine_free(e);
}

/* ---- the engine's lines: verbose log, --insecure warning
 * --------------------------------
 */

/* What the engine said through http_opts.say, as "relapi: LINE\n" lines. */
static struct buf said;

static void collect(void *ctx, const char *line)
{
	(void)ctx;
	assert_int_equal(buf_printf(&said, "relapi: %s\n", line), 0);
}

/* Runs fn with stderr sent to a temporary file; returns what was written. */
static char *capture_stderr(void (*fn)(void))
{
	char path[] = "/tmp/relapi-err-XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	char *out = calloc(1, 8192);

	fflush(stderr);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_true(pread(fd, out, 8191, 0) >= 0);
	close(fd);
	unlink(path);
	return out;
}

/*
 * Runs fn and returns what the engine said through its sink; stderr must
 * stay empty (api/ never prints).
 */
static char *capture_said(void (*fn)(void))
{
	char *err;

	buf_init(&said);
	err = capture_stderr(fn);
	assert_string_equal(err, "");
	free(err);
	return said.data ? said.data : calloc(1, 1);
}

static void verbose_run(void)
{
	struct http_opts o = fast_opts();
	struct result r;
	char path[128];

	o.verbose = 1;
	o.say = collect;
	snprintf(path, sizeof(path), "/status/503?times=1&key=%s&private_token=s3cr3t",
	         key());
	fetch(&o, "GET", path, secret_headers, NULL, 0, &r, NULL);
	result_release(&r);
}

static void test_verbose_logs_one_line_per_request(void **state)
{
	char *log = capture_said(verbose_run), want[256];

	(void)state;
	snprintf(want, sizeof(want), "relapi: GET %s/status/503?times=1&key=", srv.url);
	assert_non_null(strstr(log, want));
	assert_non_null(strstr(log, "&private_token=[REDACTED] -> 200 "));
	assert_non_null(strstr(log, " ms (attempt 2)\n"));
	assert_null(strstr(log, "s3cr3t"));
	/* one line, then the engine's summary when it is freed */
	assert_non_null(strstr(strchr(log, '\n') + 1,
	                       "relapi: requests: 1, attempts: 2, connections opened: "));
	assert_non_null(strstr(log, ", retries: 1\n"));
	assert_null(strchr(strchr(strchr(log, '\n') + 1, '\n') + 1, '\n'));
	free(log);
}

static void insecure_run(void)
{
	struct http_opts o = fast_opts();
	struct rerr err = {0};
	struct http_engine *e;
	struct result r1 = {0}, r2 = {0};
	char *url = url_of("/echo");
	struct http_request req = {.method = "GET", .url = url};

	o.insecure = 1;
	o.say = collect;
	e = http_engine_new(&o, &err);
	http_engine_add(e, &req, on_done, &r1, &err);
	http_engine_add(e, &req, on_done, &r2, &err);
	http_engine_run(e, &err);
	http_engine_free(e);
	result_release(&r1);
	result_release(&r2);
	free(url);
}

static void test_insecure_warns_once_per_engine(void **state)
{
	char *log = capture_said(insecure_run);
	const char *w = "relapi: warning: TLS verification is disabled (--insecure)\n";

	(void)state;
	assert_non_null(strstr(log, w));
	assert_null(strstr(strstr(log, w) + 1, w));
	free(log);
}

static void test_unreadable_cacert_rejected(void **state)
{
	struct http_opts o = fast_opts();
	struct rerr err = {0};

	(void)state;
	o.cacert = "/nonexistent/ca.pem";
	assert_null(http_engine_new(&o, &err));
	assert_int_equal(err.code, RELAPI_EINVAL);
	assert_non_null(strstr(err.msg, "'/nonexistent/ca.pem'"));
}

/* ---- recording ------------------------------------------------------------------------
 */

static void test_record_dir_gets_redacted_exchanges(void **state)
{
	struct http_opts o = fast_opts();
	char dir[] = "/tmp/relapi-rec-XXXXXX", path[512], text[16384] = {0};
	struct result r;
	FILE *f;
	DIR *d;
	struct dirent *ent;
	int files = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	o.record_dir = dir;
	fetch(&o, "POST", "/echo?private_token=s3cr3t", secret_headers,
	      "{\"token\":\"s3cr3t\",\"ref\":\"main\"}", 0, &r, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "s3cr3t")); /* the server did see it */
	result_release(&r);
	snprintf(path, sizeof(path), "%s/0001-POST-_echo.json", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_true(fread(text, 1, sizeof(text) - 1, f) > 0);
	fclose(f);
	assert_null(strstr(text, "s3cr3t"));
	assert_non_null(strstr(text, "\"status\":\t200"));
	assert_non_null(strstr(text, "\"ref\":\t\"main\""));
	d = opendir(dir);
	while ((ent = readdir(d))) {
		if (ent->d_name[0] == '.')
			continue;
		files++;
		snprintf(path, sizeof(path), "%s/%s", dir, ent->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
	assert_int_equal(files, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sequential_requests_reuse_one_connection),
	    cmocka_unit_test(test_concurrent_requests_respect_global_cap),
	    cmocka_unit_test(test_concurrent_requests_respect_host_cap),
	    cmocka_unit_test(test_queued_requests_do_not_burn_their_timeout),
	    cmocka_unit_test(test_requests_queued_per_host_do_not_burn_their_timeout),
	    cmocka_unit_test(test_503_twice_then_200),
	    cmocka_unit_test(test_attempts_are_bounded),
	    cmocka_unit_test(test_retry_budget_bounds_waits),
	    cmocka_unit_test(test_secondary_limit_waits_a_minute),
	    cmocka_unit_test(test_secondary_limit_abuse_words_and_post),
	    cmocka_unit_test(test_secondary_limit_honours_retry_after),
	    cmocka_unit_test(test_secondary_limit_over_budget_stops),
	    cmocka_unit_test(test_secondary_wait_doubles),
	    cmocka_unit_test(test_500_retried_on_reads_only),
	    cmocka_unit_test(test_control_characters_are_never_sent),
	    cmocka_unit_test(test_404_is_not_retried),
	    cmocka_unit_test(test_429_retry_after_seconds_honoured),
	    cmocka_unit_test(test_429_retry_after_date_honoured),
	    cmocka_unit_test(test_github_403_rate_limit_waits_for_reset),
	    cmocka_unit_test(test_gitlab_429_waits_for_reset),
	    cmocka_unit_test(test_post_not_retried_on_503),
	    cmocka_unit_test(test_connection_reset_retried),
	    cmocka_unit_test(test_connect_failure_retried_even_for_post),
	    cmocka_unit_test(test_hung_server_cut_by_timeout),
	    cmocka_unit_test(test_body_over_cap_fails_cleanly),
	    cmocka_unit_test(test_redirect_to_other_host_drops_secrets),
	    cmocka_unit_test(test_redirect_same_host_keeps_secrets),
	    cmocka_unit_test(test_redirect_303_turns_post_into_get),
	    cmocka_unit_test(test_user_agent_and_method),
	    cmocka_unit_test(test_waiting_retry_does_not_block_others),
	    cmocka_unit_test(test_callbacks_add_requests),
	    cmocka_unit_test(test_timers_fire_in_order_without_blocking),
	    cmocka_unit_test(test_bad_url_rejected),
	    cmocka_unit_test(test_verbose_logs_one_line_per_request),
	    cmocka_unit_test(test_insecure_warns_once_per_engine),
	    cmocka_unit_test(test_unreadable_cacert_rejected),
	    cmocka_unit_test(test_record_dir_gets_redacted_exchanges),
	};

	return cmocka_run_group_tests_name("http_engine", tests, start_server,
	                                   stop_server);
}
