/* redact.c - see redact.h: what is a secret, and its value replaced. */
#include "redact.h"

#include <string.h>
#include <strings.h>

#include "buf.h"

/* ---- headers and URLs ------------------------------------------------------------ */

static const char *const secret_headers[] = {
    "Authorization", "PRIVATE-TOKEN", "JOB-TOKEN", "Proxy-Authorization", "Cookie", NULL};

int redact_secret_header(const char *name, size_t len)
{
	for (const char *const *s = secret_headers; *s; s++)
		if (strlen(*s) == len && !strncasecmp(name, *s, len))
			return 1;
	return 0;
}

int redact_header(const char *line)
{
	const char *colon = strchr(line, ':');

	return colon && redact_secret_header(line, (size_t)(colon - line));
}

static const char *const secret_params[] = {"token", "private_token", "job_token",
                                            "access_token", NULL};

static int secret_param(const char *name, size_t len)
{
	for (const char *const *s = secret_params; *s; s++)
		if (strlen(*s) == len && !strncasecmp(name, *s, len))
			return 1;
	return 0;
}

/* Appends query (without '?', up to '#' or end) with secret values redacted. */
static int redact_query(struct buf *b, const char *q)
{
	while (*q && *q != '#') {
		size_t n = strcspn(q, "&#"), k = strcspn(q, "=&#");

		if (k < n && secret_param(q, k)) {
			if (buf_append(b, q, k + 1) || buf_puts(b, REDACTED))
				return -1;
		} else if (buf_append(b, q, n)) {
			return -1;
		}
		q += n;
		if (*q == '&' && buf_append(b, q++, 1))
			return -1;
	}
	return buf_puts(b, q);
}

char *redact_url(const char *url)
{
	const char *scheme = strstr(url, "://"), *auth, *at, *q;
	struct buf b;

	buf_init(&b);
	auth = scheme ? scheme + 3 : url;
	at = scheme ? memchr(auth, '@', strcspn(auth, "/?#")) : NULL;
	if (at && (buf_append(&b, url, (size_t)(auth - url)) || buf_puts(&b, REDACTED)))
		goto fail;
	q = url + strcspn(url, "?#");
	if (buf_append(&b, at ? at : url, (size_t)(q - (at ? at : url))))
		goto fail;
	if (*q == '?' && (buf_append(&b, "?", 1) || redact_query(&b, q + 1)))
		goto fail;
	if (*q == '#' && buf_puts(&b, q))
		goto fail;
	return buf_detach(&b, NULL);
fail:
	buf_release(&b);
	return NULL;
}

/* ---- JSON documents -----------------------------------------------------------------
 */

static const char *const secret_keys[] = {
    "token",         "private_token", "job_token",    "authorization",
    "private-token", "job-token",     "access_token", NULL};

static int secret_key(const char *k)
{
	for (const char *const *s = secret_keys; *s; s++)
		if (!strcasecmp(k, *s))
			return 1;
	return 0;
}

void redact_json(cJSON *node)
{
	cJSON *c = node ? node->child : NULL, *next;

	for (; c; c = next) {
		next = c->next; /* c may be replaced (and freed) below */
		if (cJSON_IsObject(node) && c->string && secret_key(c->string)) {
			cJSON *v = cJSON_CreateString(REDACTED);

			if (v) { /* the key moves over to the new value */
				v->string = c->string;
				c->string = NULL;
				cJSON_ReplaceItemViaPointer(node, c, v);
			}
			continue;
		}
		redact_json(c);
	}
}
