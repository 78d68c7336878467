/* test_http_tls.c - TLS verification in the HTTP engine: on by default,
 * --cacert adds a trusted CA, --insecure turns verification off. The test
 * makes its own self-signed certificate for 127.0.0.1 with OpenSSL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "testserver.h"

static struct test_server srv;
static char dir[] = "/tmp/relapi-tls-XXXXXX";
static char cert_path[128], key_path[128];

/* ---- a self-signed certificate ------------------------------------------------- */

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return 0;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

static int write_pem(const char *path, EVP_PKEY *pkey, X509 *x)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return 0;
	ok = pkey ? PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL)
	          : PEM_write_X509(f, x);
	return fclose(f) == 0 && ok;
}

static int make_cert(void)
{
	EVP_PKEY *pkey = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	int ok = 0;

	if (!pkey || !x)
		goto out;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, pkey);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                           (const unsigned char *)"relapi test", -1, -1, 0);
	X509_set_issuer_name(x, name);
	ok = add_ext(x, NID_subject_alt_name, "IP:127.0.0.1") &&
	     add_ext(x, NID_basic_constraints, "critical,CA:TRUE") &&
	     X509_sign(x, pkey, EVP_sha256()) > 0 && write_pem(key_path, pkey, NULL) &&
	     write_pem(cert_path, NULL, x);
out:
	X509_free(x);
	EVP_PKEY_free(pkey);
	return ok;
}

/* ---- fixture ------------------------------------------------------------------ */

static int setup(void **state)
{
	char script[512];
	char *argv[] = {
	    (char *)test_python(), script,   "--port", "0", "--tls-cert", cert_path,
	    "--tls-key",           key_path, NULL};

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(cert_path, sizeof(cert_path), "%s/cert.pem", dir);
	snprintf(key_path, sizeof(key_path), "%s/key.pem", dir);
	if (!make_cert())
		return -1;
	snprintf(script, sizeof(script), "%s/tests/support/http_test_server.py",
	         test_source_dir());
	return test_server_start(&srv, argv);
}

static int teardown(void **state)
{
	(void)state;
	test_server_stop(&srv);
	unlink(cert_path);
	unlink(key_path);
	rmdir(dir);
	return 0;
}

struct result {
	long status;
	int attempts;
	int error;
	int transport_error;
};

static void on_done(struct http_engine *e, struct http_response *r, void *p)
{
	struct result *res = p;

	(void)e;
	res->status = r->status;
	res->attempts = r->attempts;
	res->error = r->error;
	res->transport_error = r->transport_error;
}

static struct result get(struct http_opts *o)
{
	struct result res = {0};
	struct rerr err = {0};
	struct http_engine *e;
	char url[160];
	struct http_request req = {.method = "GET", .url = url};

	snprintf(url, sizeof(url), "%s/echo", srv.url);
	o->backoff_base_ms = 1;
	o->backoff_cap_ms = 2;
	e = http_engine_new(o, &err);
	assert_non_null(e);
	assert_int_equal(http_engine_add(e, &req, on_done, &res, &err), 0);
	assert_int_equal(http_engine_run(e, &err), 0);
	http_engine_free(e);
	return res;
}

/* ---- tests -------------------------------------------------------------------- */

static void test_untrusted_certificate_refused(void **state)
{
	struct http_opts o;
	struct result r;

	(void)state;
	assert_non_null(strstr(srv.url, "https://"));
	http_opts_init(&o);
	r = get(&o);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.transport_error, CURLE_PEER_FAILED_VERIFICATION);
	/* running again cannot help: a permanent error, not a network one */
	assert_int_equal(r.error, RELAPI_EINVAL);
	assert_int_equal(r.attempts, 1); /* not retried */
}

static void test_cacert_adds_a_trusted_ca(void **state)
{
	struct http_opts o;
	struct result r;

	(void)state;
	http_opts_init(&o);
	o.cacert = cert_path;
	r = get(&o);
	assert_int_equal(r.error, 0);
	assert_int_equal(r.status, 200);
}

static void test_insecure_skips_verification(void **state)
{
	struct http_opts o;
	struct result r;

	(void)state;
	http_opts_init(&o);
	o.insecure = 1;
	r = get(&o);
	assert_int_equal(r.error, 0);
	assert_int_equal(r.status, 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_untrusted_certificate_refused),
	    cmocka_unit_test(test_cacert_adds_a_trusted_ca),
	    cmocka_unit_test(test_insecure_skips_verification),
	};

	return cmocka_run_group_tests_name("http_tls", tests, setup, teardown);
}
