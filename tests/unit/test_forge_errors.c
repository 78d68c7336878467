/*
 * test_forge_errors.c - the forge clients' pure parts: error mapping of each
 * forge's documented refusals, URL encoding, base64, Link parsing, helpers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "forge.h"
#include "forge_int.h"

/* ---- error mapping: one row per documented answer ------------------------ */

struct map_case {
	long status;
	const char *body;
	int code;
	const char *msg; /* expected message (substring) */
};

static const struct map_case gitlab_cases[] = {
    {200, "{}", 0, ""},
    {201, "{\"name\":\"8.0.6\"}", 0, ""},
    {400, "{\"message\":\"Tag 8.0.6 already exists\"}", RELAPI_EEXISTS,
     "Tag 8.0.6 already exists"},
    {409, "{\"message\":\"Tag 8.0.6 already exists\"}", RELAPI_EEXISTS,
     "Tag 8.0.6 already exists"},
    {409, "{\"message\":\"Release already exists\"}", RELAPI_EEXISTS,
     "Release already exists"},
    {400,
     "{\"message\":\"The file has changed since you started editing it: Chart.yaml\"}",
     RELAPI_ECONFLICT, "has changed since"},
    {400, "{\"message\":\"You are not allowed to create this tag as it is protected.\"}",
     RELAPI_EPROTECTED, "protected"},
    {403, "{\"message\":\"You are not allowed to create this tag as it is protected.\"}",
     RELAPI_EPROTECTED, "protected"},
    {400, "{\"message\":\"You are not allowed to push into this branch\"}",
     RELAPI_EPROTECTED, "push into this branch"},
    {400,
     "{\"message\":\"A branch called 'master' already exists. Switch to that branch in "
     "order to make changes\"}",
     RELAPI_EEXISTS, "already exists"},
    {400, "{\"message\":\"Target 5f1c is invalid\"}", RELAPI_EINVAL,
     "Target 5f1c is invalid"},
    {400, "{\"message\":\"Tag name invalid\"}", RELAPI_EINVAL, "Tag name invalid"},
    {400, "{\"message\":\"400 (Bad request) \\\"title\\\" not given\"}", RELAPI_EINVAL,
     "not given"},
    {400, "{\"message\":{\"tag_name\":[\"is missing\"]}}", RELAPI_EINVAL,
     "tag_name is missing"},
    {401, "{\"message\":\"401 Unauthorized\"}", RELAPI_EUNAUTHORIZED, "401 Unauthorized"},
    {403, "{\"message\":\"403 Forbidden\"}", RELAPI_EFORBIDDEN, "403 Forbidden"},
    {403,
     "{\"error\":\"insufficient_scope\",\"error_description\":\"The request requires "
     "higher privileges.\",\"scope\":\"api\"}",
     RELAPI_EFORBIDDEN, "insufficient_scope: The request requires higher privileges."},
    {404, "{\"message\":\"404 Project Not Found\"}", RELAPI_ENOTFOUND,
     "404 Project Not Found"},
    {404, "{\"message\":\"404 Tag Not Found\"}", RELAPI_ENOTFOUND, "404 Tag Not Found"},
    {412, "{\"message\":\"412 Precondition Failed\"}", RELAPI_ECONFLICT, "412"},
    {422, "{\"message\":\"Ref is not specified\"}", RELAPI_EINVAL,
     "Ref is not specified"},
    {429, "Retry later\n", RELAPI_ERATELIMIT, "Retry later"},
    {429,
     "{\"message\":{\"error\":\"This endpoint has been requested too many times. Try "
     "again later.\"}}",
     RELAPI_ERATELIMIT, "too many times"},
    {500, "{\"message\":\"500 Internal Server Error\"}", RELAPI_ESERVER, "500 Internal"},
    {502, "", RELAPI_ESERVER, "HTTP 502"},
};

static const struct map_case github_cases[] = {
    {200, "{}", 0, ""},
    {204, "", 0, ""},
    {422,
     "{\"message\":\"Update is not a fast "
     "forward\",\"documentation_url\":\"https://docs.github.com/rest/git/"
     "refs#update-a-reference\"}",
     RELAPI_ECONFLICT, "Update is not a fast forward"},
    {422, "{\"message\":\"Reference already exists\",\"status\":\"422\"}", RELAPI_EEXISTS,
     "Reference already exists"},
    {422, "{\"message\":\"Reference does not exist\",\"status\":\"422\"}",
     RELAPI_ENOTFOUND, "Reference does not exist"},
    {422, "{\"message\":\"Reference update failed\"}", RELAPI_ECONFLICT, "update failed"},
    {422,
     "{\"message\":\"Validation "
     "Failed\",\"errors\":[{\"resource\":\"Release\",\"code\":\"already_exists\","
     "\"field\":\"tag_name\"}]}",
     RELAPI_EEXISTS, "Validation Failed: Release tag_name already_exists"},
    {422,
     "{\"message\":\"Validation "
     "Failed\",\"errors\":[{\"resource\":\"Release\",\"code\":\"missing_field\","
     "\"field\":\"tag_name\"}]}",
     RELAPI_EINVAL, "missing_field"},
    {422, "{\"message\":\"Invalid request.\\n\\n\\\"sha\\\" wasn't supplied.\"}",
     RELAPI_EINVAL, "Invalid request. \"sha\" wasn't supplied."},
    /* a ruleset refusal spans lines; the error is one line, every rule in it */
    {422,
     "{\"message\":\"Repository rule violations found\\n\\nCannot create ref due to "
     "creations being restricted.\\n\\n\"}",
     RELAPI_EPROTECTED,
     "Repository rule violations found: Cannot create ref due to creations being "
     "restricted."},
    {422,
     "{\"message\":\"Repository rule violations found\\n\\nCannot create ref due to "
     "creations being restricted.\\n\\nTag name must match a given pattern\\n\\n\"}",
     RELAPI_EPROTECTED,
     "found: Cannot create ref due to creations being restricted. Tag name must match a "
     "given pattern"},
    {422,
     "{\"message\":\"Validation Failed\",\"errors\":[{\"resource\":\"Release\",\"code\":"
     "\"custom\",\"field\":\"pre_receive\",\"message\":\"pre_receive Repository rule "
     "violations found\\n\\nCannot create ref due to creations being "
     "restricted.\\n\\n\"}]}",
     RELAPI_EPROTECTED,
     "Validation Failed: pre_receive Repository rule violations found: Cannot create ref "
     "due to creations being restricted."},
    {403, "{\"message\":\"Protected branch update failed for refs/heads/master.\"}",
     RELAPI_EPROTECTED, "Protected branch"},
    {409, "{\"message\":\"is at 1111 but expected 2222\"}", RELAPI_ECONFLICT,
     "but expected"},
    {409, "{\"message\":\"Git Repository is empty.\"}", RELAPI_ECONFLICT, "empty"},
    {401, "{\"message\":\"Bad credentials\"}", RELAPI_EUNAUTHORIZED, "Bad credentials"},
    {403, "{\"message\":\"API rate limit exceeded for user ID 1.\"}", RELAPI_ERATELIMIT,
     "rate limit exceeded"},
    {403, "{\"message\":\"You have exceeded a secondary rate limit.\"}",
     RELAPI_ERATELIMIT, "secondary rate limit"},
    {429, "{\"message\":\"too many\"}", RELAPI_ERATELIMIT, "too many"},
    {403, "{\"message\":\"Resource not accessible by integration\"}", RELAPI_EFORBIDDEN,
     "not accessible"},
    {403,
     "{\"message\":\"This API returns blobs up to 1 MB in size. The requested blob is "
     "too large to fetch via the API, but you can use the Git Data API to request blobs "
     "up to 100 MB in "
     "size.\",\"errors\":[{\"resource\":\"Blob\",\"field\":\"data\",\"code\":\"too_"
     "large\"}]}",
     RELAPI_EFORBIDDEN, "too large"},
    {404, "{\"message\":\"Not Found\"}", RELAPI_ENOTFOUND, "Not Found"},
    {400, "{\"message\":\"Problems parsing JSON\"}", RELAPI_EINVAL,
     "Problems parsing JSON"},
    {500, "{\"message\":\"Server Error\"}", RELAPI_ESERVER, "Server Error"},
    {503, "", RELAPI_ESERVER, "HTTP 503"},
};

typedef int (*map_fn)(int, const char *, long, const char *, size_t, struct rerr *);

static void check_cases(map_fn map, const struct map_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct rerr e;
		int code;

		rerr_clear(&e);
		code = map(0, NULL, cases[i].status, cases[i].body, strlen(cases[i].body),
		           &e);
		if (code != cases[i].code || !strstr(e.msg, cases[i].msg))
			fail_msg("case %zu (HTTP %ld %s): got %d '%s', want %d '%s'", i,
			         cases[i].status, cases[i].body, code, e.msg,
			         cases[i].code, cases[i].msg);
	}
}

static void test_gitlab_map(void **state)
{
	(void)state;
	check_cases(forge_gitlab_error, gitlab_cases,
	            sizeof(gitlab_cases) / sizeof(gitlab_cases[0]));
}

static void test_github_map(void **state)
{
	(void)state;
	check_cases(forge_github_error, github_cases,
	            sizeof(github_cases) / sizeof(github_cases[0]));
}

static void test_transport_error(void **state)
{
	struct rerr e;

	(void)state;
	rerr_clear(&e);
	assert_int_equal(forge_gitlab_error(7, "Failed to connect to 127.0.0.1 port 9", 0,
	                                    NULL, 0, &e),
	                 RELAPI_ETRANSIENT);
	assert_string_equal(e.msg, "Failed to connect to 127.0.0.1 port 9");
	rerr_clear(&e);
	assert_int_equal(forge_github_error(28, "", 0, NULL, 0, &e), RELAPI_ETRANSIENT);
	assert_string_equal(e.msg, "no response");
}

/* ---- encoding --------------------------------------------------------------- */

static void test_urlencode(void **state)
{
	static const struct {
		const char *in;
		int keep_slash;
		const char *want;
	} cases[] = {
	    {"waldur/waldur-helm", 0, "waldur%2Fwaldur-helm"},
	    {"waldur/Chart.yaml", 0, "waldur%2FChart.yaml"},
	    {"a b+c.d~e_f", 0, "a%20b%2Bc.d~e_f"},
	    {"release/8.0 x", 1, "release/8.0%20x"},
	    {"\xc3\xa9?&#%", 0, "%C3%A9%3F%26%23%25"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = forge_urlencode(cases[i].in, cases[i].keep_slash);

		assert_string_equal(s, cases[i].want);
		free(s);
	}
}

static void test_fmt(void **state)
{
	char *s;

	(void)state;
	s = forge_fmt("/projects/%e/repository/files/%e?ref=%e", "g/p", "a/b c",
	              "feature/x");
	assert_string_equal(s,
	                    "/projects/g%2Fp/repository/files/a%2Fb%20c?ref=feature%2Fx");
	free(s);
	s = forge_fmt("/repos/%p/git/ref/tags/%p %L %s", "o/r", "v1/x", 12345678901LL,
	              "raw/kept");
	assert_string_equal(s, "/repos/o/r/git/ref/tags/v1/x 12345678901 raw/kept");
	free(s);
}

static void test_base64(void **state)
{
	static const struct {
		const char *plain;
		const char *b64;
	} cases[] = {{"", ""},
	             {"f", "Zg=="},
	             {"fo", "Zm8="},
	             {"foo", "Zm9v"},
	             {"version: 8.0.6\n", "dmVyc2lvbjogOC4wLjYK"}};
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *e = forge_base64_encode(cases[i].plain, strlen(cases[i].plain));
		char *d = forge_base64_decode(cases[i].b64, &len);
		assert_string_equal(e, cases[i].b64);
		assert_int_equal(len, strlen(cases[i].plain));
		assert_memory_equal(d, cases[i].plain, len);
		free(e);
		free(d);
	}
	/* GitHub wraps its base64 every 60 characters. */
	char *d = forge_base64_decode("dmVyc2lv\nbjogOC4w\nLjYK\n", &len);
	assert_int_equal(len, 15);
	assert_memory_equal(d, "version: 8.0.6\n", 15);
	free(d);
	assert_null(forge_base64_decode("abc", &len));
	assert_null(forge_base64_decode("ab!d", &len));
}

static void test_base64_binary(void **state)
{
	unsigned char bin[256];
	size_t len;
	char *e, *d;

	(void)state;
	for (int i = 0; i < 256; i++)
		bin[i] = (unsigned char)(255 - i);
	e = forge_base64_encode(bin, sizeof(bin));
	d = forge_base64_decode(e, &len);
	assert_int_equal(len, sizeof(bin));
	assert_memory_equal(d, bin, sizeof(bin));
	free(e);
	free(d);
}

/* ---- helpers ------------------------------------------------------------------ */

/* forge_split_message(msg) must give `subject` and, unless NULL, `body`. */
static void expect_split(const char *msg, const char *subject, const char *body)
{
	char *s, *b;

	assert_int_equal(forge_split_message(msg, &s, &b), 0);
	assert_string_equal(s, subject);
	if (body)
		assert_string_equal(b, body);
	free(s);
	free(b);
}

static void test_split_message(void **state)
{
	(void)state;
	expect_split("Release 8.0.6\n\nRelease-Version: 8.0.6\n", "Release 8.0.6",
	             "Release-Version: 8.0.6\n");
	expect_split("one line", "one line", "");
	expect_split(NULL, "", NULL);
}

static void test_sha_utf8(void **state)
{
	(void)state;
	assert_true(forge_is_sha("0123456789abcdef0123456789abcdef01234567"));
	assert_false(forge_is_sha("master"));
	assert_false(forge_is_sha("0123456789abcdef"));
	assert_false(forge_is_sha("0123456789abcdef0123456789abcdef0123456g"));
	assert_true(forge_is_utf8("caf\xc3\xa9", 5));
	assert_false(forge_is_utf8("\xff\xfe", 2));
	assert_false(forge_is_utf8("a\0b", 3));
	assert_false(forge_is_utf8("\xc3", 1));
	assert_false(forge_is_utf8("\xc0\x80", 2));
}

static void test_classify_order(void **state)
{
	static const struct forge_err_rule rules[] = {
	    {0, "first", RELAPI_EEXISTS},
	    {404, NULL, RELAPI_ENOTFOUND},
	    {0, NULL, 0},
	};

	(void)state;
	assert_int_equal(forge_classify(rules, 404, "the FIRST one"), RELAPI_EEXISTS);
	assert_int_equal(forge_classify(rules, 404, "other"), RELAPI_ENOTFOUND);
	assert_int_equal(forge_classify(rules, 418, "other"), RELAPI_EINVAL);
}

static void test_link_next(void **state)
{
	struct http_header h[2] = {
	    {"Content-Type", "application/json"},
	    {"link", "<https://h/api/v4/x?page=1>; rel=\"prev\", "
	             "<https://h/api/v4/x?page=3&per_page=100>; "
	             "rel=\"next\", <https://h/api/v4/x?page=9>; rel=\"last\""},
	};
	struct http_response r;
	char *next;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.headers = h;
	r.nheaders = 1;
	assert_null(forge_link_next(&r, NULL));
	r.nheaders = 2;
	next = forge_link_next(&r, NULL);
	assert_string_equal(next, "https://h/api/v4/x?page=3&per_page=100");
	free(next);
	h[1].value =
	    "<https://h/x?page=1>; rel=\"first\", <https://h/x?page=2>; rel=\"prev\"";
	assert_null(forge_link_next(&r, NULL));
	h[1].value = "</api/v3/repos/o/r/tags?page=2>; rel=\"next\"";
	next = forge_link_next(&r, "http://127.0.0.1:8080/api/v3");
	assert_string_equal(next, "http://127.0.0.1:8080/api/v3/repos/o/r/tags?page=2");
	free(next);
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(forge_pipeline_status_name(FORGE_PIPELINE_CANCELED),
	                    "canceled");
	assert_string_equal(forge_pipeline_status_name((enum forge_pipeline_status)99),
	                    "unknown");
	assert_true(forge_pipeline_status_final(FORGE_PIPELINE_FAILED));
	assert_false(forge_pipeline_status_final(FORGE_PIPELINE_MANUAL));
	assert_false(forge_pipeline_status_final(FORGE_PIPELINE_RUNNING));
}

static void test_config_urls(void **state)
{
	struct forge_config c;
	struct rerr e;
	struct forge *f;

	(void)state;
	rerr_clear(&e);
	forge_config_init(&c);
	f = forge_new(&c, NULL, &e);
	assert_non_null(f);
	assert_string_equal(forge_web_url(f), "https://gitlab.com");
	forge_free(f);
	c.kind = FORGE_GITHUB;
	f = forge_new(&c, NULL, &e);
	assert_string_equal(forge_web_url(f), "https://github.com");
	forge_free(f);
	c.api_url = "https://ghe.example.org/api/v3/";
	f = forge_new(&c, NULL, &e);
	assert_string_equal(forge_web_url(f), "https://ghe.example.org");
	forge_free(f);
	c.api_url = "ftp://x";
	assert_null(forge_new(&c, NULL, &e));
	assert_int_equal(e.code, RELAPI_EINVAL);
	assert_non_null(strstr(e.msg, "'ftp://x'"));
	rerr_clear(&e);
	c.api_url = NULL;
	c.token_mode = FORGE_TOKEN_JOB;
	assert_null(forge_new(&c, NULL, &e));
	assert_int_equal(e.code, RELAPI_EINVAL);
}

/* Links are built from the web base, the forge's page layout and the names. */
static void test_links(void **state)
{
	static const struct {
		enum forge_kind kind;
		enum forge_link what;
		const char *a, *b, *want;
	} cases[] = {
	    {FORGE_GITLAB, FORGE_LINK_COMMIT, "abc123", NULL,
	     "https://gitlab.com/waldur/waldur-helm/-/commit/abc123"},
	    {FORGE_GITLAB, FORGE_LINK_TAG, "8.0.6", NULL,
	     "https://gitlab.com/waldur/waldur-helm/-/tags/8.0.6"},
	    {FORGE_GITLAB, FORGE_LINK_COMPARE, "8.0.5", "8.0.6",
	     "https://gitlab.com/waldur/waldur-helm/-/compare/8.0.5...8.0.6"},
	    {FORGE_GITHUB, FORGE_LINK_COMMIT, "abc123", NULL,
	     "https://github.com/waldur/waldur-helm/commit/abc123"},
	    {FORGE_GITHUB, FORGE_LINK_TAG, "8.0.6", NULL,
	     "https://github.com/waldur/waldur-helm/releases/tag/8.0.6"},
	    {FORGE_GITHUB, FORGE_LINK_COMPARE, "8.0.5", "8.0.6",
	     "https://github.com/waldur/waldur-helm/compare/8.0.5...8.0.6"},
	};
	struct forge_config c;
	struct rerr e;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct forge *f;
		char *url;

		rerr_clear(&e);
		forge_config_init(&c);
		c.kind = cases[i].kind;
		f = forge_new(&c, NULL, &e);
		assert_non_null(f);
		url = forge_link(f, "waldur/waldur-helm", cases[i].what, cases[i].a,
		                 cases[i].b);
		assert_string_equal(url, cases[i].want);
		free(url);
		assert_null(forge_link(f, "x", FORGE_LINK_COUNT, "a", "b"));
		forge_free(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_gitlab_map),
	    cmocka_unit_test(test_github_map),
	    cmocka_unit_test(test_transport_error),
	    cmocka_unit_test(test_urlencode),
	    cmocka_unit_test(test_fmt),
	    cmocka_unit_test(test_base64),
	    cmocka_unit_test(test_base64_binary),
	    cmocka_unit_test(test_split_message),
	    cmocka_unit_test(test_sha_utf8),
	    cmocka_unit_test(test_classify_order),
	    cmocka_unit_test(test_status_names),
	    cmocka_unit_test(test_config_urls),
	    cmocka_unit_test(test_links),
	    cmocka_unit_test(test_link_next),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
