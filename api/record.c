/* record.c - see record.h. */
#define _GNU_SOURCE
#include "record.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "file.h"
#include "redact.h"

#define SLUG_MAX 80

/* ---- bodies ------------------------------------------------------------------ */

static int valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k = c < 0x80         ? 0
		           : (c >> 5) == 6  ? 1
		           : (c >> 4) == 14 ? 2
		           : (c >> 3) == 30 ? 3
		                            : 9;

		if (c == 0 || k == 9 || i + k >= n + (k ? 0 : 1))
			return 0;
		for (size_t j = 1; j <= k; j++)
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
		i += k + 1;
	}
	return 1;
}

static cJSON *body_base64(const char *b, size_t n)
{
	size_t outlen = 4 * ((n + 2) / 3) + 1;
	unsigned char *out = malloc(outlen);
	cJSON *o = NULL;

	if (!out)
		return NULL;
	EVP_EncodeBlock(out, (const unsigned char *)b, (int)n);
	o = cJSON_CreateObject();
	if (o && !cJSON_AddStringToObject(o, "base64", (char *)out)) {
		cJSON_Delete(o);
		o = NULL;
	}
	free(out);
	return o;
}

/* Text body: a form body gets its secret fields redacted like a query. */
static cJSON *body_text(const char *b, size_t n, int form)
{
	char *copy = malloc(n + 2), *red;
	cJSON *o;

	if (!copy)
		return NULL;
	copy[0] = '?';
	memcpy(copy + 1, b, n);
	copy[n + 1] = '\0';
	red = form ? redact_url(copy) : NULL;
	o = cJSON_CreateString(red ? red + 1 : copy + 1);
	free(red);
	free(copy);
	return o;
}

/* A body as FORMAT.md says: JSON value, string, null or {"base64": ...}. */
static cJSON *body_json(const char *b, size_t n, int form)
{
	const char *end = NULL;
	cJSON *j;

	if (!b || n == 0)
		return cJSON_CreateNull();
	j = cJSON_ParseWithLengthOpts(b, n, &end, 0);
	if (j && end) {
		while (end < b + n && strchr(" \t\r\n", *end))
			end++;
		if (end == b + n) {
			redact_json(j);
			return j;
		}
	}
	cJSON_Delete(j);
	if (valid_utf8((const unsigned char *)b, n))
		return body_text(b, n, form);
	return body_base64(b, n);
}

/* ---- headers ----------------------------------------------------------------- */

static int add_header(cJSON *h, const char *name, size_t nlen, const char *value)
{
	char *key = strndup(name, nlen);
	cJSON *v;
	int rc = -1;

	if (!key)
		return -1;
	v = cJSON_CreateString(redact_secret_header(name, nlen) ? REDACTED : value);
	if (!v)
		goto out;
	if (cJSON_GetObjectItemCaseSensitive(h, key))
		cJSON_ReplaceItemInObjectCaseSensitive(h, key, v);
	else
		cJSON_AddItemToObject(h, key, v);
	rc = 0;
out:
	free(key);
	return rc;
}

/* Request header lines; sets *form when the body is form-encoded. */
static cJSON *request_headers(const char *const *lines, int *form)
{
	cJSON *h = cJSON_CreateObject();

	*form = 0;
	for (; h && lines && *lines; lines++) {
		const char *colon = strchr(*lines, ':');
		const char *v;

		if (!colon)
			continue;
		v = colon + 1 + strspn(colon + 1, " \t");
		if (!*v) /* "Name:" removes a libcurl header; nothing is sent */
			continue;
		if (colon - *lines == 12 && !strncasecmp(*lines, "content-type", 12) &&
		    !strncasecmp(v, "application/x-www-form-urlencoded", 33))
			*form = 1;
		if (add_header(h, *lines, (size_t)(colon - *lines), v) < 0) {
			cJSON_Delete(h);
			return NULL;
		}
	}
	return h;
}

static cJSON *response_headers(const struct http_header *hs, size_t n)
{
	cJSON *h = cJSON_CreateObject();

	for (size_t i = 0; h && i < n; i++) {
		if (add_header(h, hs[i].name, strlen(hs[i].name), hs[i].value) < 0) {
			cJSON_Delete(h);
			return NULL;
		}
	}
	return h;
}

/* ---- scrubbing known secret values ------------------------------------------- */

#define SECRET_MIN 4

/* Replaces every occurrence of secret (n bytes) in *text; 0 or -1. */
static int scrub(char **text, const char *secret, size_t n)
{
	struct buf b;
	const char *p = *text, *hit;

	if (n < SECRET_MIN || !memmem(p, strlen(p), secret, n))
		return 0;
	buf_init(&b);
	while ((hit = memmem(p, strlen(p), secret, n))) {
		if (buf_append(&b, p, (size_t)(hit - p)) || buf_puts(&b, REDACTED))
			goto fail;
		p = hit + n;
	}
	if (buf_puts(&b, p))
		goto fail;
	free(*text);
	*text = buf_detach(&b, NULL);
	return *text ? 0 : -1;
fail:
	buf_release(&b);
	return -1;
}

/*
 * The secret header values the request carried (each whole value and its
 * last word, so "Bearer X" gives X) are removed wherever they appear: a
 * server may echo them back in a body or a header.
 */
static int scrub_known(char **text, const char *const *lines)
{
	for (; lines && *lines; lines++) {
		const char *colon = strchr(*lines, ':'), *v, *last;
		size_t n;

		if (!colon || !redact_secret_header(*lines, (size_t)(colon - *lines)))
			continue;
		v = colon + 1 + strspn(colon + 1, " \t");
		n = strlen(v);
		while (n && strchr(" \t\r\n", v[n - 1]))
			n--;
		last = v + n;
		while (last > v && last[-1] != ' ')
			last--;
		if (scrub(text, v, n) < 0 ||
		    scrub(text, last, (size_t)(v + n - last)) < 0)
			return -1;
	}
	return 0;
}

/* ---- the document -------------------------------------------------------------- */

/* The path and query of an absolute URL ("/" when it has no path). */
static char *url_path(const char *url)
{
	const char *p = strstr(url, "://"), *end;
	char *out;

	p = p ? p + 3 : url;
	p += strcspn(p, "/?#");
	end = p + strcspn(p, "#");
	out = malloc((size_t)(end - p) + 2);
	if (!out)
		return NULL;
	snprintf(out, (size_t)(end - p) + 2, "%s%.*s", *p == '/' ? "" : "/",
	         (int)(end - p), p);
	return out;
}

static cJSON *request_json(const struct record_exchange *x)
{
	cJSON *r = cJSON_CreateObject(), *h;
	char *path = url_path(x->url), *red = path ? redact_url(path) : NULL;
	int form = 0;

	if (!r || !red)
		goto fail;
	cJSON_AddStringToObject(r, "method", x->method);
	cJSON_AddStringToObject(r, "path", red);
	h = request_headers(x->req_headers, &form);
	if (!h)
		goto fail;
	cJSON_AddItemToObject(r, "headers", h);
	cJSON_AddItemToObject(r, "body", body_json(x->req_body, x->req_body_len, form));
	free(path);
	free(red);
	return r;
fail:
	free(path);
	free(red);
	cJSON_Delete(r);
	return NULL;
}

static cJSON *response_json(const struct record_exchange *x)
{
	cJSON *r = cJSON_CreateObject(), *h;

	if (!r)
		return NULL;
	cJSON_AddNumberToObject(r, "status", (double)x->status);
	h = response_headers(x->resp_headers, x->nresp_headers);
	if (!h) {
		cJSON_Delete(r);
		return NULL;
	}
	cJSON_AddItemToObject(r, "headers", h);
	cJSON_AddItemToObject(r, "body", body_json(x->resp_body, x->resp_body_len, 0));
	return r;
}

char *record_json(const struct record_exchange *x)
{
	cJSON *doc = cJSON_CreateObject(), *req = NULL, *resp = NULL;
	char *out = NULL;

	if (!doc)
		return NULL;
	req = request_json(x);
	resp = response_json(x);
	if (!req || !resp) {
		cJSON_Delete(req);
		cJSON_Delete(resp);
		goto out;
	}
	cJSON_AddItemToObject(doc, "request", req);
	cJSON_AddItemToObject(doc, "response", resp);
	out = cJSON_Print(doc);
	if (out && scrub_known(&out, x->req_headers) < 0) {
		free(out);
		out = NULL;
	}
out:
	cJSON_Delete(doc);
	return out;
}

/* ---- files ------------------------------------------------------------------- */

char *record_file_name(int seq, const char *method, const char *url)
{
	char slug[SLUG_MAX + 1], *path = url_path(url), *out;
	size_t n = 0, plen;

	if (!path)
		return NULL;
	plen = strcspn(path, "?");
	for (size_t i = 0; i < plen && n < SLUG_MAX; i++) {
		char c = path[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		         (c >= '0' && c <= '9') || c == '.' || c == '-';

		if (ok)
			slug[n++] = c;
		else if (n == 0 || slug[n - 1] != '_')
			slug[n++] = '_';
	}
	slug[n] = '\0';
	free(path);
	if (asprintf(&out, "%04d-%s-%s.json", seq, method, slug) < 0)
		return NULL;
	return out;
}

/* The highest NNNN- prefix among dir's files (0 when none). */
static int last_seq(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	int max = 0;

	if (!d)
		return 0;
	while ((ent = readdir(d))) {
		const char *s = ent->d_name;
		size_t k = strspn(s, "0123456789");

		if (k >= 4 && s[k] == '-' && atoi(s) > max)
			max = atoi(s);
	}
	closedir(d);
	return max;
}

int record_write(const char *dir, int *seq, const struct record_exchange *x,
                 struct rerr *err)
{
	char *json = record_json(x), *name = NULL, *final = NULL, *tmp = NULL;
	int fd = -1, rc = RELAPI_ENOMEM;

	if (*seq == 0)
		*seq = last_seq(dir);
	name = record_file_name(*seq + 1, x->method, x->url);
	if (!json || !name || asprintf(&final, "%s/%s", dir, name) < 0 ||
	    asprintf(&tmp, "%s/.%s.tmp%ld", dir, name, (long)getpid()) < 0) {
		rerr_set(err, rc, "out of memory recording an exchange");
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || file_write_all(fd, json, strlen(json)) < 0 ||
	    file_write_all(fd, "\n", 1) < 0) {
		rc = rerr_set(err, RELAPI_EIO, "cannot write '%s': %s", tmp,
		              strerror(errno));
		goto fail;
	}
	if (close(fd) < 0 || rename(tmp, final) < 0) {
		fd = -1;
		rc = rerr_set(err, RELAPI_EIO, "cannot write '%s': %s", final,
		              strerror(errno));
		goto fail;
	}
	(*seq)++;
	rc = 0;
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(json);
	free(name);
	free(final);
	free(tmp);
	return rc;
}
