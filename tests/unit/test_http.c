/* test_http.c - the HTTP engine's pure parts: backoff, waits asked for by
 * servers, header lookup, redaction, and recorded exchanges. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "redact.h"
#include "record.h"

#define NOW 1700000000LL

/* ---- helpers ------------------------------------------------------------------ */

static struct http_header hdrs[8];

static struct http_response resp_with(long status, const char *const *kv)
{
	struct http_response r;
	size_t n = 0;

	memset(&r, 0, sizeof(r));
	r.status = status;
	for (; kv && kv[0]; kv += 2, n++) {
		hdrs[n].name = (char *)kv[0];
		hdrs[n].value = (char *)kv[1];
	}
	r.headers = hdrs;
	r.nheaders = n;
	return r;
}

/* ---- backoff ------------------------------------------------------------------ */

static void test_backoff_bounds(void **state)
{
	(void)state;
	for (int n = 1; n <= 40; n++) {
		long ceiling = 100;

		for (int i = 1; i < n && ceiling < 5000; i++)
			ceiling *= 2;
		if (ceiling > 5000)
			ceiling = 5000;
		for (uint32_t rnd = 0; rnd < 200000; rnd += 997) {
			long w = http_backoff_ms(n, 100, 5000, rnd * 2654435761u);

			assert_true(w >= 0 && w <= ceiling);
		}
		/* the ceiling itself is reachable, and is the n-th doubling */
		assert_int_equal(http_backoff_ms(n, 100, 5000, (uint32_t)ceiling),
		                 ceiling);
	}
	assert_int_equal(http_backoff_ms(1, 100, 5000, 101), 0);
	assert_int_equal(http_backoff_ms(3, 100, 5000, 400), 400);
	assert_int_equal(http_backoff_ms(3, 100, 5000, 401), 0);
	assert_int_equal(http_backoff_ms(60, 500, 30000, 30000), 30000);
	assert_int_equal(http_backoff_ms(2, 0, 30000, 12345), 0);
}

/* ---- waits asked for ------------------------------------------------------------ */

static void test_retry_after_seconds(void **state)
{
	const char *kv[] = {"retry-after", "7", NULL};
	struct http_response r = resp_with(429, kv);

	(void)state;
	assert_int_equal(http_retry_after_ms(&r, NOW), 7000);
	hdrs[0].value = "0";
	assert_int_equal(http_retry_after_ms(&r, NOW), 0);
	hdrs[0].value = "soon";
	assert_int_equal(http_retry_after_ms(&r, NOW), -1);
}

static void test_retry_after_date(void **state)
{
	char date[64], past[64];
	time_t t = (time_t)(NOW + 5), p = (time_t)(NOW - 50);
	const char *kv[] = {"Retry-After", date, NULL};
	struct http_response r;

	(void)state;
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", gmtime(&t));
	strftime(past, sizeof(past), "%a, %d %b %Y %H:%M:%S GMT", gmtime(&p));
	r = resp_with(503, kv);
	assert_int_equal(http_retry_after_ms(&r, NOW), 5000);
	hdrs[0].value = past;
	assert_int_equal(http_retry_after_ms(&r, NOW), 0);
}

static void test_gitlab_ratelimit_reset(void **state)
{
	const char *kv[] = {"RateLimit-Remaining", "0", "RateLimit-Reset", "1700000003",
	                    NULL};
	const char *kv429[] = {"RateLimit-Reset", "1700000004", NULL};
	struct http_response r = resp_with(429, kv);

	(void)state;
	assert_int_equal(http_retry_after_ms(&r, NOW), 3000);
	hdrs[1].value = "1699999999"; /* already past */
	assert_int_equal(http_retry_after_ms(&r, NOW), 0);
	hdrs[0].value = "12"; /* requests left: the reset is no reason to wait */
	hdrs[1].value = "1700000003";
	assert_int_equal(http_retry_after_ms(&r, NOW), -1);
	r = resp_with(429, kv429); /* a 429 without a remaining count */
	assert_int_equal(http_retry_after_ms(&r, NOW), 4000);
	r.status = 503;
	assert_int_equal(http_retry_after_ms(&r, NOW), -1);
}

static void test_github_ratelimit_reset(void **state)
{
	const char *kv[] = {"x-ratelimit-remaining", "0", "X-RateLimit-Reset",
	                    "1700000010", NULL};
	struct http_response r = resp_with(403, kv);

	(void)state;
	assert_int_equal(http_retry_after_ms(&r, NOW), 10000);
	r.status = 429;
	assert_int_equal(http_retry_after_ms(&r, NOW), 10000);
	hdrs[0].value = "4999";
	assert_int_equal(http_retry_after_ms(&r, NOW), -1);
}

static void test_retry_after_wins_over_reset(void **state)
{
	const char *kv[] = {"x-ratelimit-remaining",
	                    "0",
	                    "x-ratelimit-reset",
	                    "1700000060",
	                    "Retry-After",
	                    "2",
	                    NULL};
	struct http_response r = resp_with(403, kv);

	(void)state;
	assert_int_equal(http_retry_after_ms(&r, NOW), 2000);
}

static void test_no_wait_asked(void **state)
{
	const char *kv[] = {"Content-Type", "text/plain", NULL};
	struct http_response r = resp_with(503, kv);

	(void)state;
	assert_int_equal(http_retry_after_ms(&r, NOW), -1);
}

/* ---- header lookup -------------------------------------------------------------- */

static void test_header_lookup(void **state)
{
	const char *kv[] = {"Content-Type", "application/json", "X-Total-Pages", "3",
	                    NULL};
	struct http_response r = resp_with(200, kv);

	(void)state;
	assert_string_equal(http_response_header(&r, "content-type"), "application/json");
	assert_string_equal(http_response_header(&r, "CONTENT-TYPE"), "application/json");
	assert_string_equal(http_response_header(&r, "x-total-pages"), "3");
	assert_null(http_response_header(&r, "Content"));
	assert_null(http_response_header(&r, "Location"));
	assert_null(http_response_header(NULL, "Location"));
}

/* ---- redaction ----------------------------------------------------------------- */

static void test_redact_header(void **state)
{
	(void)state;
	assert_true(redact_header("Authorization: Bearer abc"));
	assert_true(redact_header("authorization:token abc"));
	assert_true(redact_header("PRIVATE-TOKEN: glpat-abc"));
	assert_true(redact_header("private-token: glpat-abc"));
	assert_true(redact_header("JOB-TOKEN: abc"));
	assert_false(redact_header("Content-Type: application/json"));
	assert_false(redact_header("X-Authorization-Hint: none"));
	assert_false(redact_header("PRIVATE-TOKENS: x"));
	assert_false(redact_header("no colon"));
}

static void expect_redacted(const char *url, const char *want)
{
	char *got = redact_url(url);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_redact_url(void **state)
{
	(void)state;
	expect_redacted(
	    "https://gitlab.example/api/v4/projects?private_token=glpat-x&per_page=100",
	    "https://gitlab.example/api/v4/"
	    "projects?private_token=[REDACTED]&per_page=100");
	expect_redacted("https://h/p?a=1&TOKEN=s&job_token=t&access_token=u&tokens=v",
	                "https://h/p?a=1&TOKEN=[REDACTED]&job_token=[REDACTED]"
	                "&access_token=[REDACTED]&tokens=v");
	expect_redacted("https://user:pw@h/p?x=1#frag",
	                "https://[REDACTED]@h/p?x=1#frag");
	expect_redacted("/api/v4/x?token=abc", "/api/v4/x?token=[REDACTED]");
	expect_redacted("https://h/plain", "https://h/plain");
	expect_redacted("https://h/p?token", "https://h/p?token");
}

/* ---- recording ------------------------------------------------------------------- */

static const char *const rec_headers[] = {"PRIVATE-TOKEN: test-gitlab-s3cr3tvalue",
                                          "Authorization: Bearer ghp_s3cr3tvalue",
                                          "Content-Type: application/json", NULL};
static const char rec_body[] = "{\"tag_name\":\"8.0.6\",\"token\":\"trig-s3cr3tvalue\","
                               "\"nested\":{\"job_token\":\"j-s3cr3tvalue\"}}";
static const char rec_resp[] =
    "{\"name\":\"8.0.6\",\"echo\":\"test-gitlab-s3cr3tvalue\"}";

static struct record_exchange sample(struct http_header *rh, size_t nrh)
{
	struct record_exchange x = {
	    .method = "POST",
	    .url = "https://gitlab.example/api/v4/projects/waldur%2Fhelm/repository/"
	           "tags?private_token=q-s3cr3tvalue&per_page=1",
	    .req_headers = rec_headers,
	    .req_body = rec_body,
	    .req_body_len = sizeof(rec_body) - 1,
	    .status = 201,
	    .resp_headers = rh,
	    .nresp_headers = nrh,
	    .resp_body = rec_resp,
	    .resp_body_len = sizeof(rec_resp) - 1,
	};
	return x;
}

static void test_record_json(void **state)
{
	struct http_header rh[] = {{"Content-Type", "application/json"},
	                           {"X-Echo", "Bearer ghp_s3cr3tvalue"}};
	struct record_exchange x = sample(rh, 2);
	char *text = record_json(&x);
	cJSON *doc, *req, *resp;

	(void)state;
	assert_non_null(text);
	assert_null(strstr(text, "s3cr3t")); /* no token reaches the document */
	doc = cJSON_Parse(text);
	assert_non_null(doc);
	req = cJSON_GetObjectItem(doc, "request");
	resp = cJSON_GetObjectItem(doc, "response");
	assert_string_equal(cJSON_GetObjectItem(req, "method")->valuestring, "POST");
	assert_string_equal(cJSON_GetObjectItem(req, "path")->valuestring,
	                    "/api/v4/projects/waldur%2Fhelm/repository/tags"
	                    "?private_token=[REDACTED]&per_page=1");
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(req, "headers"), "PRIVATE-TOKEN")
	        ->valuestring,
	    "[REDACTED]");
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(req, "headers"), "Content-Type")
	        ->valuestring,
	    "application/json");
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(req, "body"), "tag_name")
	        ->valuestring,
	    "8.0.6");
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(req, "body"), "token")->valuestring,
	    "[REDACTED]");
	assert_int_equal(cJSON_GetObjectItem(resp, "status")->valueint, 201);
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(resp, "body"), "name")->valuestring,
	    "8.0.6");
	cJSON_Delete(doc);
	free(text);
}

static cJSON *body_of(const char *body, size_t len, const char *ctype)
{
	const char *const h[] = {ctype, NULL};
	struct record_exchange x = {.method = "GET",
	                            .url = "http://h/x",
	                            .req_headers = ctype ? h : NULL,
	                            .req_body = body,
	                            .req_body_len = len,
	                            .status = 200};
	char *text = record_json(&x);
	cJSON *doc = cJSON_Parse(text), *b;

	free(text);
	assert_non_null(doc);
	b = cJSON_DetachItemFromObject(cJSON_GetObjectItem(doc, "request"), "body");
	cJSON_Delete(doc);
	return b;
}

static void test_record_body_kinds(void **state)
{
	cJSON *b;

	(void)state;
	b = body_of(NULL, 0, NULL);
	assert_true(cJSON_IsNull(b));
	cJSON_Delete(b);
	b = body_of("plain text", 10, NULL);
	assert_string_equal(b->valuestring, "plain text");
	cJSON_Delete(b);
	b = body_of("\xff\x00\x01", 3, NULL);
	assert_string_equal(cJSON_GetObjectItem(b, "base64")->valuestring, "/wAB");
	cJSON_Delete(b);
	b = body_of("ref=main&token=abcdef12&x=1", 27,
	            "Content-Type: application/x-www-form-urlencoded");
	assert_string_equal(b->valuestring, "ref=main&token=[REDACTED]&x=1");
	cJSON_Delete(b);
	b = body_of(" [1, 2] \n", 9, NULL);
	assert_true(cJSON_IsArray(b));
	cJSON_Delete(b);
}

static void test_record_file_name(void **state)
{
	char *n =
	    record_file_name(7, "GET", "https://h/api/v4/projects/waldur%2Fhelm?ref=x");

	(void)state;
	assert_string_equal(n, "0007-GET-_api_v4_projects_waldur_2Fhelm.json");
	free(n);
	n = record_file_name(12345, "PUT", "http://h");
	assert_string_equal(n, "12345-PUT-_.json");
	free(n);
	n = record_file_name(
	    1, "GET",
	    "http://h/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	assert_int_equal(strlen(n), strlen("0001-GET-.json") + 80);
	free(n);
}

static int count_files(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	int n = 0;

	assert_non_null(d);
	while ((ent = readdir(d)))
		if (ent->d_name[0] != '.' || prefix[0] == '.')
			n += !strncmp(ent->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s = calloc(1, 1 << 16);

	assert_non_null(f);
	assert_true(fread(s, 1, (1 << 16) - 1, f) > 0);
	fclose(f);
	return s;
}

static void test_record_write(void **state)
{
	char dir[] = "/tmp/relapi-rec-XXXXXX", path[256];
	struct http_header rh[] = {{"Content-Type", "application/json"}};
	struct record_exchange x = sample(rh, 1);
	struct rerr err = {0};
	int seq = 0;
	char *text;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(record_write(dir, &seq, &x, &err), 0);
	assert_int_equal(record_write(dir, &seq, &x, &err), 0);
	assert_int_equal(seq, 2);
	seq = 0; /* a new engine continues the numbering */
	assert_int_equal(record_write(dir, &seq, &x, &err), 0);
	assert_int_equal(seq, 3);
	snprintf(path, sizeof(path),
	         "%s/0003-POST-_api_v4_projects_waldur_2Fhelm_repository_tags.json", dir);
	text = slurp(path);
	assert_null(strstr(text, "s3cr3t"));
	assert_non_null(strstr(text, "[REDACTED]"));
	free(text);
	assert_int_equal(count_files(dir, ".0"), 0); /* no temporary left */
	assert_int_equal(count_files(dir, "000"), 3);
	for (int i = 1; i <= 3; i++) {
		snprintf(
		    path, sizeof(path),
		    "%s/%04d-POST-_api_v4_projects_waldur_2Fhelm_repository_tags.json",
		    dir, i);
		assert_int_equal(unlink(path), 0);
	}
	assert_int_equal(rmdir(dir), 0);
}

static void test_record_write_error(void **state)
{
	struct record_exchange x = sample(NULL, 0);
	struct rerr err = {0};
	int seq = 0;

	(void)state;
	assert_int_equal(record_write("/nonexistent/relapi", &seq, &x, &err), RELAPI_EIO);
	assert_non_null(strstr(err.msg, "/nonexistent/relapi"));
	assert_int_equal(seq, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_backoff_bounds),
	    cmocka_unit_test(test_retry_after_seconds),
	    cmocka_unit_test(test_retry_after_date),
	    cmocka_unit_test(test_gitlab_ratelimit_reset),
	    cmocka_unit_test(test_github_ratelimit_reset),
	    cmocka_unit_test(test_retry_after_wins_over_reset),
	    cmocka_unit_test(test_no_wait_asked),
	    cmocka_unit_test(test_header_lookup),
	    cmocka_unit_test(test_redact_header),
	    cmocka_unit_test(test_redact_url),
	    cmocka_unit_test(test_record_json),
	    cmocka_unit_test(test_record_body_kinds),
	    cmocka_unit_test(test_record_file_name),
	    cmocka_unit_test(test_record_write),
	    cmocka_unit_test(test_record_write_error),
	};

	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
