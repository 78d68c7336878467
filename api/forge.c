/* forge.c - see forge.h: configuration, dispatch, and what both clients share. */
#define _GNU_SOURCE
#include "forge_int.h"
#include "util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#ifndef RELAPI_VERSION
#define RELAPI_VERSION "0"
#endif

/* ---- configuration ------------------------------------------------------ */

void forge_config_init(struct forge_config *c)
{
	memset(c, 0, sizeof(*c));
	c->kind = FORGE_GITLAB;
	c->token_mode = FORGE_TOKEN_DEFAULT;
}

/* ---- the kinds --------------------------------------------------------------------- */

/*
 * Each forge kind: its name, its operations, the public service's API, the
 * variables a forge of the kind takes its URL from by default (the last is
 * a host name as glab's GITLAB_HOST and gh's GH_HOST give it) and the
 * public service's host.
 */
static const struct {
	const char *name;
	const struct forge_ops *ops;
	const char *default_api;
	const char *const url_env[4];
	const char *public_host;
} forge_kinds[FORGE_KIND_COUNT] = {
    [FORGE_GITLAB] = {"gitlab",
                      &forge_gitlab_ops,
                      "https://gitlab.com/api/v4",
                      {"RELAPI_GITLAB_URL", "CI_SERVER_URL", "GITLAB_HOST", NULL},
                      "gitlab.com"},
    [FORGE_GITHUB] = {"github",
                      &forge_github_ops,
                      "https://api.github.com",
                      {"RELAPI_GITHUB_URL", "GITHUB_API_URL", "GH_HOST", NULL},
                      "github.com"},
};

static int kind_valid(enum forge_kind k)
{
	return (int)k >= 0 && k < FORGE_KIND_COUNT;
}

enum forge_kind forge_kind_parse(const char *name)
{
	for (int k = 0; name && k < FORGE_KIND_COUNT; k++)
		if (!strcmp(forge_kinds[k].name, name))
			return (enum forge_kind)k;
	return FORGE_KIND_NONE;
}

const char *forge_kind_names(void)
{
	static char names[64];

	for (int k = 0; !names[0] && k < FORGE_KIND_COUNT; k++) {
		size_t n = strlen(names);
		snprintf(names + n, sizeof(names) - n, "%s%s", k ? " or " : "",
		         forge_kinds[k].name);
	}
	return names;
}

const char *const *forge_kind_url_env(enum forge_kind k)
{
	return kind_valid(k) ? forge_kinds[k].url_env : NULL;
}

int forge_kind_host_env(enum forge_kind k, const char *var)
{
	const char *const *v = forge_kind_url_env(k);
	size_t n = 0;

	while (v && v[n])
		n++;
	return n && var && !strcmp(v[n - 1], var);
}

char *forge_host_url(enum forge_kind k, const char *host)
{
	if (!kind_valid(k) || !host || !*host)
		return NULL;
	if (strstr(host, "://"))
		return strdup(host);
	if (!strcasecmp(host, forge_kinds[k].public_host))
		return strdup(forge_kinds[k].default_api);
	return forge_fmt(k == FORGE_GITHUB ? "https://%s/api/v3" : "https://%s", host);
}

const char *forge_kind_name(enum forge_kind k)
{
	return kind_valid(k) ? forge_kinds[k].name : "unknown";
}

enum forge_kind forge_kind(const struct forge *f)
{
	return f->kind;
}

const char *forge_web_url(const struct forge *f)
{
	return f->web_url;
}

/* The operations table of kind k (a valid one: forge_new and config refuse others). */
static const struct forge_ops *kind_ops(enum forge_kind k)
{
	return forge_kinds[kind_valid(k) ? k : FORGE_GITLAB].ops;
}

const struct forge_costs *forge_kind_costs(enum forge_kind k)
{
	return &kind_ops(k)->costs;
}

int forge_kind_read_cost(enum forge_kind k, size_t len)
{
	size_t max = kind_ops(k)->costs.file_max;

	return max && len > max;
}

int forge_kind_write_cost(enum forge_kind k, const char *data, size_t len)
{
	const struct forge_costs *c = &kind_ops(k)->costs;

	return (c->file_max && len > c->file_max) ||
	       (c->blob_binary && !forge_is_utf8(data, len));
}

char *forge_api_url(enum forge_kind k, const char *server_url)
{
	const char *suffix = kind_ops(k)->api_suffix;
	size_t n = strlen(server_url), m = suffix ? strlen(suffix) : 0;
	char *s;

	if (!m || (n >= m && !strcmp(server_url + n - m, suffix)))
		return strdup(server_url);
	s = malloc(n + m + 1);
	if (s) {
		memcpy(s, server_url, n);
		memcpy(s + n, suffix, m + 1);
	}
	return s;
}

char *forge_link(const struct forge *f, const char *repo, enum forge_link what,
                 const char *a, const char *b)
{
	struct buf out;

	buf_init(&out);
	if ((unsigned)what >= FORGE_LINK_COUNT ||
	    buf_printf(&out, f->ops->link_fmt[what], f->web_url, repo, a ? a : "",
	               b ? b : "")) {
		buf_release(&out);
		return NULL;
	}
	return buf_detach(&out, NULL);
}

static char *strip_slash(const char *s)
{
	char *d = strdup(s);
	size_t n;

	if (!d)
		return NULL;
	n = strlen(d);
	while (n > 0 && d[n - 1] == '/')
		d[--n] = '\0';
	return d;
}

/* https://host/api/v4 -> https://host; https://api.github.com -> https://github.com */
static char *derive_web_url(const char *api)
{
	static const char *const suffixes[] = {"/api/v4", "/api/v3"};
	char *w = strdup(api), *host;
	size_t n = strlen(api), i;

	if (!w)
		return NULL;
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t sl = strlen(suffixes[i]);
		if (n > sl && strcmp(w + n - sl, suffixes[i]) == 0) {
			w[n - sl] = '\0';
			return w;
		}
	}
	host = strstr(w, "://api.");
	if (host)
		memmove(host + 3, host + 7, strlen(host + 7) + 1);
	return w;
}

static int forge_set_auth(struct forge *f)
{
	const char *name = f->ops->auth_header;
	size_t n;

	if (!f->token || !*f->token)
		return 0;
	if (f->mode == FORGE_TOKEN_BEARER)
		name = "Authorization: Bearer ";
	else if (f->mode == FORGE_TOKEN_JOB)
		name = "JOB-TOKEN: ";
	n = strlen(name) + strlen(f->token) + 1;
	f->auth_header = malloc(n);
	if (!f->auth_header)
		return RELAPI_ENOMEM;
	snprintf(f->auth_header, n, "%s%s", name, f->token);
	return 0;
}

static int forge_check_url(const char *url, struct rerr *err)
{
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
		return rerr_set(err, RELAPI_EINVAL, "forge url '%s' is not http(s)", url);
	if (strchr(url, '?') || strchr(url, '#') || strchr(url, ' '))
		return rerr_set(err, RELAPI_EINVAL, "forge url '%s' has a query or space",
		                url);
	return 0;
}

static int forge_fill(struct forge *f, const struct forge_config *c)
{
	const char *api = c->api_url ? c->api_url : forge_kinds[f->kind].default_api;
	const char *ua = c->user_agent ? c->user_agent : "relapi/" RELAPI_VERSION;

	f->api_url = strip_slash(api);
	f->web_url = c->web_url ? strip_slash(c->web_url)
	                        : derive_web_url(f->api_url ? f->api_url : "");
	f->token = c->token ? strdup(c->token) : NULL;
	f->trigger_token = c->trigger_token ? strdup(c->trigger_token) : NULL;
	f->ua_header = forge_fmt("User-Agent: %s", ua);
	if (!f->api_url || !f->web_url || !f->ua_header || (c->token && !f->token) ||
	    (c->trigger_token && !f->trigger_token))
		return RELAPI_ENOMEM;
	return forge_set_auth(f);
}

struct forge *forge_new(const struct forge_config *c, struct http_engine *engine,
                        struct rerr *err)
{
	struct forge *f;
	int rc;

	if (!kind_valid(c->kind)) {
		rerr_set(err, RELAPI_EINVAL, "unknown forge kind %d", (int)c->kind);
		return NULL;
	}
	if (c->api_url && forge_check_url(c->api_url, err))
		return NULL;
	if (c->token_mode == FORGE_TOKEN_JOB && !kind_ops(c->kind)->job_token) {
		rerr_set(err, RELAPI_EINVAL, "job-token mode is a gitlab feature");
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		rerr_set(err, RELAPI_ENOMEM, "out of memory");
		return NULL;
	}
	f->kind = c->kind;
	f->mode = c->token_mode;
	f->engine = engine;
	f->ops = kind_ops(c->kind);
	rc = forge_fill(f, c);
	if (rc) {
		rerr_set(err, rc, "cannot set up the %s client",
		         forge_kind_name(c->kind));
		forge_free(f);
		return NULL;
	}
	return f;
}

void forge_free(struct forge *f)
{
	if (!f)
		return;
	free(f->api_url);
	free(f->web_url);
	free(f->token);
	free(f->trigger_token);
	free(f->auth_header);
	free(f->ua_header);
	while (f->bases) {
		struct forge_base *b = f->bases;
		f->bases = b->next;
		free(b->repo);
		free(b->commit);
		free(b->tree);
		buf_release(&b->modes);
		free(b);
	}
	free(f);
}

const struct forge_base *forge_base_find(const struct forge *f, const char *repo,
                                         const char *commit)
{
	for (const struct forge_base *b = f->bases; b && commit; b = b->next)
		if (!strcmp(b->repo, repo) && !strcmp(b->commit, commit))
			return b;
	return NULL;
}

int forge_base_keep(struct forge *f, const char *repo, const char *commit,
                    const char *tree, struct buf *modes)
{
	struct forge_base *b = calloc(1, sizeof(*b));

	if (!b || !(b->repo = strdup(repo)) || !(b->commit = strdup(commit)) ||
	    !(b->tree = strdup(tree))) {
		if (b) {
			free(b->repo);
			free(b->commit);
		}
		free(b);
		return RELAPI_ENOMEM;
	}
	b->modes = *modes;
	buf_init(modes);
	b->next = f->bases;
	f->bases = b;
	return 0;
}

/* ---- pipeline status names ---------------------------------------------- */

static const char *const forge_status_names[] = {
    [FORGE_PIPELINE_UNKNOWN] = "unknown",   [FORGE_PIPELINE_CREATED] = "created",
    [FORGE_PIPELINE_PENDING] = "pending",   [FORGE_PIPELINE_RUNNING] = "running",
    [FORGE_PIPELINE_SUCCESS] = "success",   [FORGE_PIPELINE_FAILED] = "failed",
    [FORGE_PIPELINE_CANCELED] = "canceled", [FORGE_PIPELINE_SKIPPED] = "skipped",
    [FORGE_PIPELINE_MANUAL] = "manual",
};

const char *forge_pipeline_status_name(enum forge_pipeline_status s)
{
	if ((unsigned)s >= sizeof(forge_status_names) / sizeof(forge_status_names[0]))
		return "unknown";
	return forge_status_names[s];
}

int forge_pipeline_status_final(enum forge_pipeline_status s)
{
	return s == FORGE_PIPELINE_SUCCESS || s == FORGE_PIPELINE_FAILED ||
	       s == FORGE_PIPELINE_CANCELED || s == FORGE_PIPELINE_SKIPPED;
}

/* ---- encoding ------------------------------------------------------------ */

char *forge_urlencode(const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), i, o = 0;
	char *d = malloc(n * 3 + 1);

	if (!d)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
		    (keep_slash && c == '/')) {
			d[o++] = (char)c;
			continue;
		}
		d[o++] = '%';
		d[o++] = hex[c >> 4];
		d[o++] = hex[c & 15];
	}
	d[o] = '\0';
	return d;
}

char *forge_base64_encode(const void *data, size_t len)
{
	size_t cap = 4 * ((len + 2) / 3) + 1;
	char *d;

	if (len > (size_t)0x3fffffff)
		return NULL;
	d = malloc(cap);
	if (!d)
		return NULL;
	EVP_EncodeBlock((unsigned char *)d, data, (int)len);
	d[cap - 1] = '\0';
	return d;
}

char *forge_base64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s), i, o = 0, pad = 0;
	char *clean = malloc(n + 1), *d = NULL;
	int got;

	if (!clean)
		return NULL;
	for (i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			clean[o++] = s[i];
	clean[o] = '\0';
	if (o % 4 != 0 || o > (size_t)0x7ffffff0)
		goto out;
	while (pad < 2 && o > pad && clean[o - 1 - pad] == '=')
		pad++;
	d = malloc(o / 4 * 3 + 1);
	if (!d)
		goto out;
	got = o ? EVP_DecodeBlock((unsigned char *)d, (unsigned char *)clean, (int)o) : 0;
	if (got < 0) {
		free(d);
		d = NULL;
		goto out;
	}
	*len = (size_t)got - pad;
	d[*len] = '\0';
out:
	free(clean);
	return d;
}

int forge_wildcard_match(const char *pattern, const char *name)
{
	const char *star = NULL, *resume = NULL;

	while (*name) {
		if (*pattern == '*') {
			star = pattern++;
			resume = name;
		} else if (*pattern == *name) {
			pattern++;
			name++;
		} else if (star) {
			pattern = star + 1;
			name = ++resume;
		} else {
			return 0;
		}
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}

int forge_is_sha(const char *s)
{
	size_t n = 0;

	while (s[n] && isxdigit((unsigned char)s[n]))
		n++;
	return !s[n] && (n == 40 || n == 64);
}

int forge_is_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		int extra = *p < 0x80             ? 0
		            : (*p & 0xe0) == 0xc0 ? 1
		            : (*p & 0xf0) == 0xe0 ? 2
		            : (*p & 0xf8) == 0xf0 ? 3
		                                  : -1;
		if (*p == 0 || extra < 0 || (extra == 1 && *p < 0xc2) || end - p <= extra)
			return 0;
		for (int i = 1; i <= extra; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		p += extra + 1;
	}
	return 1;
}

/* ---- path formatting ----------------------------------------------------- */

static int fmt_one(struct buf *b, char conv, va_list *ap)
{
	const char *s;
	char *enc;
	int rc;

	switch (conv) {
	case 's':
		return buf_puts(b, va_arg(*ap, const char *));
	case 'L':
		return buf_printf(b, "%lld", va_arg(*ap, long long));
	case 'e':
	case 'p':
		s = va_arg(*ap, const char *);
		enc = forge_urlencode(s, conv == 'p');
		if (!enc)
			return RELAPI_ENOMEM;
		rc = buf_puts(b, enc);
		free(enc);
		return rc;
	default:
		return buf_append(b, &conv, 1);
	}
}

char *forge_fmt(const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	int rc = 0;

	buf_init(&b);
	va_start(ap, fmt);
	for (; *fmt && !rc; fmt++) {
		if (*fmt == '%' && fmt[1]) {
			fmt++;
			rc = fmt_one(&b, *fmt, &ap);
		} else {
			rc = buf_append(&b, fmt, 1);
		}
	}
	va_end(ap);
	if (rc || !b.len) {
		/* buf_detach() of a never-written buffer is not NUL-terminated */
		buf_release(&b);
		return rc ? NULL : strdup("");
	}
	return buf_detach(&b, NULL);
}

/* ---- Link header ----------------------------------------------------------- */

/* Resolves a host-relative link ("/api/v3/...") against the origin of `base`. */
static char *link_resolve(const char *url, size_t n, const char *base)
{
	const char *host = base ? strstr(base, "://") : NULL;
	struct buf b;
	size_t origin;

	if (url[0] != '/' || !host)
		return strndup(url, n);
	origin = (size_t)(host + 3 - base) + strcspn(host + 3, "/");
	buf_init(&b);
	if (buf_append(&b, base, origin) || buf_append(&b, url, n)) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

char *forge_link_next(const struct http_response *r, const char *base)
{
	const char *link = http_response_header(r, "Link"), *p, *lt, *gt;

	if (!link)
		return NULL;
	for (p = link; (lt = strchr(p, '<')) != NULL; p = gt + 1) {
		const char *end;
		gt = strchr(lt, '>');
		if (!gt)
			return NULL;
		end = strchr(gt, ',');
		if (!end)
			end = gt + strlen(gt);
		for (const char *q = gt; q + 10 <= end; q++)
			if (strncmp(q, "rel=\"next\"", 10) == 0)
				return link_resolve(lt + 1, (size_t)(gt - lt - 1), base);
	}
	return NULL;
}

/* ---- JSON lookups -------------------------------------------------------- */

const cJSON *fj_get(const cJSON *o, const char *path)
{
	char key[64];

	while (o && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

const char *fj_str(const cJSON *o, const char *path)
{
	const cJSON *v = fj_get(o, path);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

char *fj_dup(const cJSON *o, const char *path)
{
	const char *s = fj_str(o, path);

	return s ? strdup(s) : NULL;
}

int fj_num(const cJSON *o, const char *path, long long *out)
{
	const cJSON *v = fj_get(o, path);

	if (!cJSON_IsNumber(v))
		return 0;
	*out = (long long)v->valuedouble;
	return 1;
}

int forge_split_message(const char *msg, char **subject, char **body)
{
	size_t n = strcspn(msg ? msg : "", "\n");
	const char *rest = msg ? msg + n : "";

	while (*rest == '\n' || *rest == '\r')
		rest++;
	*subject = strndup(msg ? msg : "", n);
	*body = strdup(rest);
	if (*subject && n && (*subject)[n - 1] == '\r')
		(*subject)[n - 1] = '\0';
	if (!*subject || !*body) {
		free(*subject);
		free(*body);
		*subject = *body = NULL;
		return RELAPI_ENOMEM;
	}
	return 0;
}

/* ---- error classification ------------------------------------------------- */

int forge_classify(const struct forge_err_rule *rules, long status, const char *msg)
{
	for (; rules->code; rules++) {
		if (rules->status && rules->status != status)
			continue;
		if (rules->words && !strcasestr(msg, rules->words))
			continue;
		return rules->code;
	}
	return RELAPI_EINVAL;
}

int forge_map_error(const struct forge_err_rule *rules,
                    void (*words)(const cJSON *j, char *out, size_t n),
                    int transport_error, const char *transport_msg, long status,
                    const char *body, size_t len, struct rerr *err)
{
	char msg[400];
	cJSON *j;

	if (transport_error || status == 0)
		return rerr_set(err, RELAPI_ETRANSIENT, "%s",
		                transport_msg && *transport_msg ? transport_msg
		                                                : "no response");
	if (status >= 200 && status < 300)
		return 0;
	j = body && len ? cJSON_ParseWithLength(body, len) : NULL;
	msg[0] = '\0';
	words(j, msg, sizeof(msg));
	if (!msg[0] && !j && body && len)
		snprintf(msg, sizeof(msg), "%.*s", (int)strcspn(body, "\r\n"), body);
	cJSON_Delete(j);
	if (!msg[0])
		snprintf(msg, sizeof(msg), "HTTP %ld", status);
	if (status >= 500)
		return rerr_set(err, RELAPI_ESERVER, "%s", msg);
	return rerr_set(err, forge_classify(rules, status, msg), "%s", msg);
}

enum forge_pipeline_status forge_status_lookup(const struct forge_status_word *t,
                                               size_t n, const char *word)
{
	for (size_t i = 0; word && i < n; i++)
		if (strcmp(word, t[i].word) == 0)
			return t[i].status;
	return FORGE_PIPELINE_UNKNOWN;
}

/* ---- operation plumbing -------------------------------------------------- */

static void op_http_done(struct http_engine *e, struct http_response *resp, void *payload)
{
	struct forge_op *op = payload;
	forge_step_fn next = op->next;

	(void)e;
	op->status = resp->status;
	op->next = NULL;
	next(op, resp);
}

static char *op_url(struct forge_op *op, const char *path)
{
	if (strncmp(path, "http://", 7) == 0 || strncmp(path, "https://", 8) == 0)
		return strdup(path);
	return forge_fmt("%s%s", op->f->api_url, path);
}

static size_t op_headers(struct forge_op *op, const char **h, const char *accept,
                         int json)
{
	size_t n = 0;

	if (op->f->auth_header)
		h[n++] = op->f->auth_header;
	h[n++] = op->f->ua_header;
	for (const char *const *x = op->f->ops->headers; x && *x; x++)
		h[n++] = *x;
	if (!accept)
		accept = op->f->ops->accept;
	if (accept)
		h[n++] = accept;
	if (json)
		h[n++] = "Content-Type: application/json";
	h[n] = NULL;
	return n;
}

int forge_op_send(struct forge_op *op, const char *method, const char *path,
                  const cJSON *body, const char *accept, int retry_unsafe,
                  forge_step_fn next)
{
	struct http_request req;
	const char *h[8];
	char *url = path ? op_url(op, path) : NULL, *json = NULL;
	struct rerr e;
	int rc = RELAPI_ENOMEM;

	rerr_clear(&e);
	if (!url || (body && !(json = cJSON_PrintUnformatted(body))))
		goto out;
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	op_headers(op, h, accept, body != NULL);
	req.headers = h;
	req.body = json;
	req.body_len = json ? strlen(json) : 0;
	req.retry_unsafe = retry_unsafe;
	op->next = next;
	rc = http_engine_add(op->f->engine, &req, op_http_done, op, &e);
out:
	if (rc)
		forge_op_fail(op, rc, "%s", e.msg[0] ? e.msg : "out of memory");
	free(url);
	free(json);
	return rc;
}

void forge_op_chain(struct forge_op *op, const char *method, const char *path,
                    const cJSON *body, const char *accept, int retry_unsafe,
                    forge_step_fn next)
{
	if (forge_op_send(op, method, path, body, accept, retry_unsafe, next))
		forge_op_done(op);
}

int forge_op_fail(struct forge_op *op, int code, const char *fmt, ...)
{
	char msg[sizeof(op->err.msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rerr_set(&op->err, code, "%s: %s: %s",
	                op->repo ? op->repo : forge_kind_name(op->f->kind), op->what,
	                msg);
}

int forge_op_check(struct forge_op *op, const struct http_response *resp)
{
	struct rerr e;
	int code;

	rerr_clear(&e);
	if (resp->error == RELAPI_EINVAL) /* http.c says what to do about it */
		return forge_op_fail(op, RELAPI_EINVAL, "%s", resp->transport_msg);
	code = op->f->ops->map_error(resp->transport_error, resp->transport_msg,
	                             resp->status, resp->body.data, resp->body.len, &e);
	if (code && op->f->ops->explain)
		op->f->ops->explain(resp, &e);
	if (code)
		forge_op_fail(op, code, "%s", e.msg);
	return code;
}

cJSON *forge_op_json(struct forge_op *op, const struct http_response *resp)
{
	cJSON *j = resp->body.data
	               ? cJSON_ParseWithLength(resp->body.data, resp->body.len)
	               : NULL;

	if (!j)
		forge_op_fail(op, RELAPI_EPARSE,
		              "cannot parse the forge's answer (HTTP %ld)", resp->status);
	return j;
}

static void op_done_timer(struct http_engine *e, void *payload)
{
	(void)e;
	forge_op_done(payload);
}

int forge_op_refuse(struct forge_op *op, int code, const char *what)
{
	struct rerr err = {0};

	forge_op_fail(op, code, "%s", what);
	if (http_engine_after(op->f->engine, 0, op_done_timer, op, &err))
		return err.code;
	return 0;
}

int forge_op_oom(struct forge_op *op)
{
	return forge_op_fail(op, RELAPI_ENOMEM, "out of memory");
}

void forge_op_oom_done(struct forge_op *op)
{
	forge_op_oom(op);
	forge_op_done(op);
}

int forge_repo_send_body(struct forge_op *op, const char *method, const char *fmt,
                         const char *a, const char *b, cJSON *body, int retry_unsafe,
                         forge_step_fn next)
{
	int rc = body ? forge_repo_send(op, method, fmt, a, b, body, retry_unsafe, next)
	              : forge_op_oom(op);

	cJSON_Delete(body);
	return rc;
}

void forge_op_chain_body(struct forge_op *op, const char *method, const char *fmt,
                         const char *a, const char *b, cJSON *body, int retry_unsafe,
                         forge_step_fn next)
{
	if (!body)
		forge_op_oom_done(op);
	else
		forge_repo_chain(op, method, fmt, a, b, body, retry_unsafe, next);
	cJSON_Delete(body);
}

cJSON *forge_op_answer(struct forge_op *op, const struct http_response *resp)
{
	if (forge_op_check(op, resp))
		return NULL;
	return forge_op_json(op, resp);
}

/* Appends a tag to op->tags (strings are taken). 0 or RELAPI_ENOMEM. */
static int forge_op_push_tag(struct forge_op *op, struct forge_tag *t)
{
	struct forge_tag_list *l = &op->tags;
	struct forge_tag *p = array_grow(&l->tags, &l->n, &op->tags_cap, sizeof(*p));

	if (!p)
		return RELAPI_ENOMEM;
	*p = *t;
	memset(t, 0, sizeof(*t));
	op->result |= FORGE_R_TAGS;
	return 0;
}

void forge_tag_release(struct forge_tag *t)
{
	free(t->name);
	free(t->commit_id);
	free(t->message);
	memset(t, 0, sizeof(*t));
}

/* ---- requests on a repository ---------------------------------------------- */

char *forge_repo_path(const struct forge_op *op, const char *fmt, const char *a,
                      const char *b)
{
	char *rest = forge_fmt(fmt, a, b), *path;

	if (!rest)
		return NULL;
	path = forge_fmt(op->f->ops->repo_fmt, op->repo, rest);
	free(rest);
	return path;
}

int forge_repo_send(struct forge_op *op, const char *method, const char *fmt,
                    const char *a, const char *b, const cJSON *body, int retry_unsafe,
                    forge_step_fn next)
{
	char *path = forge_repo_path(op, fmt, a, b);
	int rc;

	if (!path)
		return forge_op_oom(op);
	rc = forge_op_send(op, method, path, body, NULL, retry_unsafe, next);
	free(path);
	return rc;
}

void forge_repo_chain(struct forge_op *op, const char *method, const char *fmt,
                      const char *a, const char *b, const cJSON *body, int retry_unsafe,
                      forge_step_fn next)
{
	if (forge_repo_send(op, method, fmt, a, b, body, retry_unsafe, next))
		forge_op_done(op);
}

/* ---- steps both clients end with ------------------------------------------- */

void forge_step_plain(struct forge_op *op, struct http_response *resp)
{
	forge_op_check(op, resp);
	forge_op_done(op);
}

static int tags_page(struct forge_op *op, const cJSON *arr)
{
	const cJSON *it;

	if (!cJSON_IsArray(arr))
		return forge_op_fail(op, RELAPI_EPARSE, "tag list is not an array");
	cJSON_ArrayForEach(it, arr)
	{
		struct forge_tag t;
		memset(&t, 0, sizeof(t));
		if (op->f->ops->tag_from_json(it, &t))
			return forge_op_fail(op, RELAPI_EPARSE,
			                     "tag without name or commit");
		if (forge_op_push_tag(op, &t)) {
			forge_tag_release(&t);
			return forge_op_oom(op);
		}
	}
	return 0;
}

/* The next page: the Link header, else what the forge says (ops->tags_next). */
static char *tags_next(struct forge_op *op, const struct http_response *resp)
{
	char *next = forge_link_next(resp, op->f->api_url);

	if (!next && op->f->ops->tags_next)
		next = op->f->ops->tags_next(op, resp);
	return next;
}

/* 1 when "\n"-separated `list` holds `s` as one of its lines. */
static int lines_have(const struct buf *list, const char *s)
{
	size_t n = strlen(s);

	for (const char *p = list->data; p && *p; p += strcspn(p, "\n") + 1)
		if (strcspn(p, "\n") == n && !strncmp(p, s, n))
			return 1;
	return 0;
}

int forge_repos_contain(const char *repos, const char *repo)
{
	size_t n = strlen(repo);

	if (!repos)
		return -1;
	for (const char *p = repos; *p;
	     p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0))
		if (strcspn(p, "\n") == n && !strncasecmp(p, repo, n))
			return 1;
	return 0;
}

int forge_op_page(struct forge_op *op, const char *next, int items)
{
	if (lines_have(&op->pages, next))
		return forge_op_fail(op, RELAPI_EPARSE,
		                     "the forge names page '%s' as next again; stopped",
		                     next);
	if (!items)
		return forge_op_fail(op, RELAPI_EPARSE,
		                     "page %d is empty but names a next page; stopped",
		                     op->count + 1);
	if (++op->count >= FORGE_MAX_PAGES)
		return forge_op_fail(op, RELAPI_EPARSE, "more than %d pages; stopped",
		                     FORGE_MAX_PAGES);
	if (buf_printf(&op->pages, "%s\n", next))
		return forge_op_oom(op);
	return 0;
}

void forge_step_tags(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	char *next = NULL;
	size_t before = op->tags.n;

	op->result |= FORGE_R_TAGS;
	if (j && tags_page(op, j) == 0 && (next = tags_next(op, resp)) &&
	    !forge_op_page(op, next, (int)(op->tags.n - before)))
		forge_op_chain(op, "GET", next, NULL, NULL, 0, forge_step_tags);
	else
		forge_op_done(op);
	cJSON_Delete(j);
	free(next);
}

int forge_compare_add(struct forge_op *op, const cJSON *j)
{
	const struct forge_ops *ops = op->f->ops;
	const cJSON *arr = fj_get(j, "commits"), *it;
	struct forge_compare *c = &op->compare;
	long long total = 0;

	struct forge_commit *grown;
	size_t more = (size_t)cJSON_GetArraySize(arr);

	if (!c->web_url &&
	    !(c->web_url = forge_fmt(ops->compare_web_fmt, op->f->web_url, op->repo,
	                             op->a.compare.from, op->a.compare.to)))
		return forge_op_oom(op);
	grown = realloc(c->commits, (c->n + more + 1) * sizeof(*c->commits));
	if (!grown)
		return forge_op_oom(op);
	c->commits = grown;
	memset(c->commits + c->n, 0, (more + 1) * sizeof(*c->commits));
	cJSON_ArrayForEach(it, arr)
	{
		if (ops->commit_from_json(it, &c->commits[c->n++]))
			return forge_op_fail(op, RELAPI_EPARSE, "commit without %s",
			                     ops->commit_id_key);
	}
	c->count = ops->compare_total_key && fj_num(j, ops->compare_total_key, &total)
	               ? (long)total
	               : (long)c->n;
	/*
	 * GitLab lists every commit and tells no total; its compare_timeout says
	 * that the diffs overflowed GitLab's diff limits, which relapi does not
	 * read (lib/api/entities/compare.rb: compare.diffs.diffs.overflow?).
	 */
	op->result |= FORGE_R_COMPARE;
	return 0;
}

/*
 * A comparison answer; a further page (GitHub pages a comparison given
 * per_page, with a Link header) is followed until every commit is read, so
 * counts and lists cover the whole range.
 */
void forge_step_compare(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	size_t before = op->compare.n;
	char *next = NULL;

	if (j && !forge_compare_add(op, j) &&
	    (next = forge_link_next(resp, op->f->api_url)) &&
	    !forge_op_page(op, next, (int)(op->compare.n - before)))
		forge_op_chain(op, "GET", next, NULL, NULL, 0, forge_step_compare);
	else
		forge_op_done(op);
	cJSON_Delete(j);
	free(next);
}

/* 1 when the tree entry e is a file relapi can read and edit. */
static int tree_file(const cJSON *e, const char *path)
{
	const char *type = fj_str(e, "type"), *mode = fj_str(e, "mode");

	return path && *path && !strchr(path, '\n') && type && !strcmp(type, "blob") &&
	       !(mode && !strcmp(mode, "120000"));
}

int forge_tree_add(struct forge_op *op, const cJSON *arr)
{
	const cJSON *e;
	int n = 0;

	if (!cJSON_IsArray(arr))
		return forge_op_fail(op, RELAPI_EPARSE,
		                     "the answer lists no tree entries"),
		       -1;
	cJSON_ArrayForEach(e, arr)
	{
		const char *path = fj_str(e, "path");
		n++;
		if (!tree_file(e, path))
			continue;
		if (op->tree.npaths >= FORGE_TREE_MAX) {
			op->tree.truncated = 1;
			break;
		}
		if (buf_printf(&op->listing, "%s\n", path))
			return forge_op_oom(op), -1;
		op->tree.npaths++;
	}
	return n;
}

void forge_tree_done(struct forge_op *op)
{
	if (!op->err.code) {
		op->tree.paths = op->listing.data ? op->listing.data : (char *)"";
		op->result |= FORGE_R_TREE;
	}
	forge_op_done(op);
}

/* The repository's answer: its default branch, then the forge's listing. */
static void step_tree_repo(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);

	if (j && !(op->tree.default_branch = fj_dup(j, "default_branch")))
		forge_op_fail(op, RELAPI_EINVAL,
		              "the repository has no default branch (is it empty?)");
	cJSON_Delete(j);
	if (op->err.code || op->f->ops->list_tree(op))
		forge_op_done(op);
}

void forge_step_release(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	const struct forge_ops *ops = op->f->ops;
	struct forge_release *r = &op->release;

	if (j) {
		if (ops->release_id_key)
			fj_num(j, ops->release_id_key, &r->id);
		r->tag = fj_dup(j, "tag_name");
		r->name = fj_dup(j, "name");
		r->web_url = fj_dup(j, ops->release_url_key);
		if (r->tag)
			op->result |= FORGE_R_RELEASE;
		else
			forge_op_fail(op, RELAPI_EPARSE, "answer has no 'tag_name'");
	}
	cJSON_Delete(j);
	forge_op_done(op);
}

/* ---- freeing an operation -------------------------------------------------- */

static void file_release(struct forge_file *f)
{
	free(f->path);
	free(f->data);
	free(f->blob_id);
	free(f->base);
	free(f->commit_id);
}

static void compare_release(struct forge_compare *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct forge_commit *m = &c->commits[i];
		free(m->id);
		free(m->short_id);
		free(m->subject);
		free(m->body);
		free(m->author);
		free(m->date);
	}
	free(c->commits);
	free(c->web_url);
}

static void op_results_release(struct forge_op *op)
{
	file_release(&op->file);
	free(op->commit_id);
	forge_tag_release(&op->tag);
	for (size_t i = 0; i < op->tags.n; i++)
		forge_tag_release(&op->tags.tags[i]);
	free(op->tags.tags);
	compare_release(&op->compare);
	free(op->pipeline.web_url);
	free(op->pipeline.raw_status);
	free(op->artifact.data);
	free(op->release.tag);
	free(op->release.name);
	free(op->release.web_url);
	free(op->whoami.user);
	free(op->whoami.scopes);
	free(op->whoami.repos);
	free(op->access.role);
	free(op->access.rule);
	free(op->access.unsure);
	free(op->access.delete_rule);
	free(op->tree.default_branch);
	free(op->tree.commit_id);
	buf_release(&op->listing);
}

static void op_free(struct forge_op *op)
{
	size_t i;

	for (i = 0; i < FORGE_OP_ARGS; i++)
		free(op->a.s[i]);
	for (i = 0; i < sizeof(op->tmp) / sizeof(op->tmp[0]); i++)
		free(op->tmp[i]);
	for (i = 0; i < op->nchanges; i++) {
		free((char *)op->changes[i].path);
		free((char *)op->changes[i].data);
		free((char *)op->changes[i].base);
	}
	free(op->changes);
	for (i = 0; i < op->nvars; i++) {
		free((char *)op->vars[i].key);
		free((char *)op->vars[i].value);
	}
	free(op->vars);
	for (i = 0; op->blobs && i < op->nchanges; i++)
		free(op->blobs[i]);
	free(op->blobs);
	for (i = 0; op->modes && i < op->nchanges; i++)
		free(op->modes[i]);
	free(op->modes);
	free(op->saved);
	op_results_release(op);
	buf_release(&op->pages);
	free(op->repo);
	free(op);
}

int forge_op_save_err(struct forge_op *op)
{
	if (!op->saved && !(op->saved = malloc(sizeof(*op->saved))))
		return forge_op_oom(op);
	*op->saved = op->err;
	rerr_clear(&op->err);
	return 0;
}

void forge_op_unsave(struct forge_op *op)
{
	free(op->saved);
	op->saved = NULL;
}

void forge_op_done(struct forge_op *op)
{
	struct forge_reply r;
	unsigned ok;

	/* "already exists" stands only with the tag read back: a read that
	   failed says nothing of the tag and keeps its own error */
	if (op->saved && op->saved->code &&
	    !(op->saved->code == RELAPI_EEXISTS && op->err.code &&
	      !(op->result & FORGE_R_TAG)))
		op->err = *op->saved;
	ok = op->err.code ? (op->result & FORGE_R_TAG) : op->result;
	memset(&r, 0, sizeof(r));
	r.err = op->err;
	r.status = op->status;
	r.file = ok & FORGE_R_FILE ? &op->file : NULL;
	r.commit_id = ok & FORGE_R_COMMIT ? op->commit_id : NULL;
	r.tag = ok & FORGE_R_TAG ? &op->tag : NULL;
	r.tags = ok & FORGE_R_TAGS ? &op->tags : NULL;
	r.compare = ok & FORGE_R_COMPARE ? &op->compare : NULL;
	r.pipeline = ok & FORGE_R_PIPELINE ? &op->pipeline : NULL;
	r.artifact = ok & FORGE_R_ARTIFACT ? &op->artifact : NULL;
	r.release = ok & FORGE_R_RELEASE ? &op->release : NULL;
	r.whoami = ok & FORGE_R_WHOAMI ? &op->whoami : NULL;
	r.access = ok & FORGE_R_ACCESS ? &op->access : NULL;
	r.tree = ok & FORGE_R_TREE ? &op->tree : NULL;
	op->cb(&r, op->payload);
	op_free(op);
}

/* 1 when the comma-separated `scopes` hold `want` (blanks around items allowed). */
static int scopes_have(const char *scopes, const char *want)
{
	size_t n = strlen(want);

	for (const char *p = scopes; *p;
	     p += strcspn(p, ",") + (p[strcspn(p, ",")] != 0)) {
		p += strspn(p, " ");
		if (!strncmp(p, want, n) && (p[n] == ',' || p[n] == '\0' || p[n] == ' '))
			return 1;
	}
	return 0;
}

void forge_op_whoami_done(struct forge_op *op)
{
	const char *const *w = op->f->ops->write_scopes;

	if (!op->repo && op->whoami.scopes) {
		op->whoami.can_write = 0;
		for (size_t i = 0; i < 3 && w[i]; i++)
			op->whoami.can_write |= scopes_have(op->whoami.scopes, w[i]);
	}
	forge_op_done(op);
}

int forge_reply_absent(const struct forge_reply *r)
{
	return r->err.code == RELAPI_ENOTFOUND && r->status / 100 == 2;
}

char *forge_reply_take_file(const struct forge_reply *r, size_t *len)
{
	char *d;

	if (!r->file || !r->file->data)
		return NULL;
	d = r->file->data;
	if (len)
		*len = r->file->len;
	r->file->data = NULL;
	r->file->len = 0;
	return d;
}

/* ---- public operations: argument capture and dispatch ------------------ */

static struct forge_op *op_new(struct forge *f, const char *repo, forge_done_fn cb,
                               void *payload)
{
	struct forge_op *op;

	if (!f || !cb)
		return NULL;
	op = calloc(1, sizeof(*op));
	if (!op)
		return NULL;
	op->f = f;
	op->cb = cb;
	op->payload = payload;
	if (repo && !(op->repo = strdup(repo))) {
		free(op);
		return NULL;
	}
	return op;
}

static int op_args(struct forge_op *op, const char *a0, const char *a1, const char *a2)
{
	const char *a[FORGE_OP_ARGS] = {a0, a1, a2};

	for (int i = 0; i < FORGE_OP_ARGS; i++)
		if (a[i] && !(op->a.s[i] = strdup(a[i])))
			return RELAPI_ENOMEM;
	return 0;
}

/*
 * A new operation on repo with copies of its arguments (NULL stays NULL):
 * 0 and *out, RELAPI_EINVAL when `valid` is false, or RELAPI_ENOMEM.
 */
static int op_make(struct forge_op **out, struct forge *f, const char *repo,
                   forge_done_fn cb, void *payload, int valid, const char *a0,
                   const char *a1, const char *a2)
{
	struct forge_op *op;

	*out = NULL;
	if (!valid)
		return RELAPI_EINVAL;
	if (!(op = op_new(f, repo, cb, payload)))
		return RELAPI_ENOMEM;
	if (op_args(op, a0, a1, a2)) {
		op_free(op);
		return RELAPI_ENOMEM;
	}
	*out = op;
	return 0;
}

/* forge_read_tree's first request: the repository, for its default branch. */
static int read_tree(struct forge_op *op)
{
	return forge_repo_send(op, "GET", "", NULL, NULL, NULL, 0, step_tree_repo);
}

/* Starts op with `start` and the formatted description; frees it if not queued. */
static int op_start(struct forge_op *op, int (*start)(struct forge_op *), const char *fmt,
                    ...) __attribute__((format(printf, 3, 4)));

static int op_start(struct forge_op *op, int (*start)(struct forge_op *), const char *fmt,
                    ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(op->what, sizeof(op->what), fmt, ap);
	va_end(ap);
	rc = start(op);
	if (rc)
		op_free(op);
	return rc;
}

int forge_read_file(struct forge *f, const char *repo, const char *ref, const char *path,
                    forge_done_fn cb, void *payload)
{
	struct forge_op *op;
	int rc = op_make(&op, f, repo, cb, payload, f && repo && ref && path && *path,
	                 ref, path, NULL);

	if (rc)
		return rc;
	return op_start(op, f->ops->read_file, "read %s at %s", path, ref);
}

static int copy_changes(struct forge_op *op, const struct forge_file_change *c, size_t n)
{
	op->changes = calloc(n ? n : 1, sizeof(*op->changes));
	if (!op->changes)
		return RELAPI_ENOMEM;
	for (size_t i = 0; i < n; i++, op->nchanges++) {
		struct forge_file_change *d = &op->changes[i];
		char *data = malloc(c[i].len + 1);
		if (!data)
			return RELAPI_ENOMEM;
		if (c[i].len)
			memcpy(data, c[i].data, c[i].len);
		data[c[i].len] = '\0';
		*d = c[i];
		d->data = data;
		d->path = strdup(c[i].path);
		d->base = c[i].base ? strdup(c[i].base) : NULL;
		if (!d->path || (c[i].base && !d->base))
			return RELAPI_ENOMEM;
	}
	return 0;
}

static int changes_valid(const struct forge_file_change *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!c[i].path || !*c[i].path || (c[i].len && !c[i].data) ||
		    c[i].action > FORGE_CHANGE_DELETE)
			return 0;
	return n > 0;
}

int forge_commit_files(struct forge *f, const char *repo, const char *branch,
                       const char *parent, const char *message,
                       const struct forge_file_change *changes, size_t n,
                       forge_done_fn cb, void *payload)
{
	struct forge_op *op;
	int rc = op_make(&op, f, repo, cb, payload,
	                 f && repo && branch && message && changes_valid(changes, n),
	                 branch, parent, message);

	if (rc)
		return rc;
	if (copy_changes(op, changes, n)) {
		op_free(op);
		return RELAPI_ENOMEM;
	}
	return op_start(op, f->ops->commit_files, "commit %zu file%s to %s", n,
	                n == 1 ? "" : "s", branch);
}

int forge_get_tag(struct forge *f, const char *repo, const char *name, forge_done_fn cb,
                  void *payload)
{
	struct forge_op *op;
	int rc = op_make(&op, f, repo, cb, payload, f && repo && name && *name, name,
	                 NULL, NULL);

	if (rc)
		return rc;
	return op_start(op, f->ops->get_tag, "get tag %s", name);
}

int forge_create_tag(struct forge *f, const char *repo, const char *name,
                     const char *commit_id, const char *message, forge_done_fn cb,
                     void *payload)
{
	struct forge_op *op;
	int rc = op_make(&op, f, repo, cb, payload,
	                 f && repo && name && *name && commit_id && *commit_id, name,
	                 commit_id, message);

	if (rc)
		return rc;
	return op_start(op, f->ops->create_tag, "create tag %s", name);
}

int forge_delete_tag(struct forge *f, const char *repo, const char *name,
                     forge_done_fn cb, void *payload)
{
	struct forge_op *op;
	int rc = op_make(&op, f, repo, cb, payload, f && repo && name && *name, name,
	                 NULL, NULL);

	if (rc)
		return rc;
	return op_start(op, f->ops->delete_tag, "delete tag %s", name);
}

int forge_get_branch_head(struct forge *f, const char *repo, const char *branch,
                          forge_done_fn cb, void *payload)
{
	struct forge_op *op;
	int rc = op_make(&op, f, repo, cb, payload, f && repo && branch && *branch,
	                 branch, NULL, NULL);

	if (rc)
		return rc;
	return op_start(op, f->ops->get_branch_head, "get branch %s", branch);
}

int forge_list_tags(struct forge *f, const char *repo, forge_done_fn cb, void *payload)
{
	struct forge_op *op;
	int rc = op_make(&op, f, repo, cb, payload, f && repo, NULL, NULL, NULL);

	if (rc)
		return rc;
	return op_start(op, f->ops->list_tags, "list tags");
}

int forge_find_tag_run(struct forge *f, const char *repo, const char *tag,
                       const char *workflow, forge_done_fn cb, void *payload)
{
	struct forge_op *op;
	int rc = op_make(&op, f, repo, cb, payload, f && repo && tag && *tag, tag,
	                 workflow, NULL);

	if (rc)
		return rc;
	return op_start(op, f->ops->find_tag_run, "find the run of tag %s", tag);
}

int forge_read_commit_base(struct forge *f, const char *repo, const char *commit,
                           forge_done_fn cb, void *payload)
{
	struct forge_op *op;
	int rc =
	    op_make(&op, f, repo, cb, payload,
	            f && repo && commit && f->ops->read_commit_base, commit, NULL, NULL);

	if (rc)
		return rc;
	return op_start(op, f->ops->read_commit_base, "read the tree of %.12s", commit);
}

int forge_read_tree(struct forge *f, const char *repo, forge_done_fn cb, void *payload)
{
	struct forge_op *op;
	int rc = op_make(&op, f, repo, cb, payload, f && repo, NULL, NULL, NULL);

	if (rc)
		return rc;
	return op_start(op, read_tree, "list files");
}

int forge_compare(struct forge *f, const char *repo, const char *from, const char *to,
                  forge_done_fn cb, void *payload)
{
	struct forge_op *op;
	int rc = op_make(&op, f, repo, cb, payload,
	                 f && repo && from && *from && to && *to, from, to, NULL);

	if (rc)
		return rc;
	return op_start(op, f->ops->compare, "compare %s...%s", from, to);
}

static int copy_vars(struct forge_op *op, const struct forge_var *v, size_t n)
{
	op->vars = calloc(n ? n : 1, sizeof(*op->vars));
	if (!op->vars)
		return RELAPI_ENOMEM;
	for (size_t i = 0; i < n; i++, op->nvars++) {
		op->vars[i].key = strdup(v[i].key);
		op->vars[i].value = strdup(v[i].value ? v[i].value : "");
		if (!op->vars[i].key || !op->vars[i].value)
			return RELAPI_ENOMEM;
	}
	return 0;
}

/* Takes a trigger's variables into op; frees op on failure. */
static int op_take_vars(struct forge_op *op, const struct forge_trigger *t)
{
	int rc = 0;

	for (size_t i = 0; i < t->nvars && !rc; i++)
		if (!t->vars[i].key || !*t->vars[i].key)
			rc = RELAPI_EINVAL;
	if (!rc && copy_vars(op, t->vars, t->nvars))
		rc = RELAPI_ENOMEM;
	if (rc)
		op_free(op);
	return rc;
}

int forge_trigger_pipeline(struct forge *f, const char *repo,
                           const struct forge_trigger *t, forge_done_fn cb, void *payload)
{
	struct forge_op *op;
	int rc = op_make(&op, f, repo, cb, payload, f && repo && t && t->ref && *t->ref,
	                 t ? t->ref : NULL, t ? t->workflow : NULL, NULL);

	rc = rc ? rc : op_take_vars(op, t);
	if (rc)
		return rc;
	return op_start(op, f->ops->trigger_pipeline, "trigger pipeline on %s", t->ref);
}

int forge_pipeline_status(struct forge *f, const char *repo, long long id,
                          forge_done_fn cb, void *payload)
{
	struct forge_op *op;
	int rc =
	    op_make(&op, f, repo, cb, payload, f && repo && id > 0, NULL, NULL, NULL);

	if (rc)
		return rc;
	op->num = id;
	return op_start(op, f->ops->pipeline_status, "get pipeline %lld", id);
}

int forge_find_job_artifact(struct forge *f, const char *repo, const char *ref,
                            const char *job, const char *path, forge_done_fn cb,
                            void *payload)
{
	struct forge_op *op;
	int rc = op_make(&op, f, repo, cb, payload,
	                 f && repo && ref && *ref && job && *job && path && *path, ref,
	                 job, path);

	if (rc)
		return rc;
	return op_start(op, f->ops->find_job_artifact, "get artifact %s of job %s at %s",
	                path, job, ref);
}

/*
 * The release of the tag is read first: a 404 has it created, an answer
 * means it exists. A re-run so writes nothing where the release is there
 * (each write the forge may apply without answering fails the run).
 */
static void release_looked(struct forge_op *op, struct http_response *resp)
{
	cJSON *j;

	if (!resp->error && resp->status == 404) {
		if (op->f->ops->create_release(op))
			forge_op_done(op);
		return;
	}
	j = forge_op_answer(op, resp);
	if (j)
		forge_op_fail(op, RELAPI_EEXISTS, "release %s already exists",
		              op->a.release.tag);
	cJSON_Delete(j);
	forge_op_done(op);
}

static int release_look(struct forge_op *op)
{
	return forge_repo_send(op, "GET", op->f->ops->release_fmt, op->a.release.tag,
	                       NULL, NULL, 0, release_looked);
}

int forge_create_release(struct forge *f, const char *repo, const char *tag,
                         const char *name, const char *body, forge_done_fn cb,
                         void *payload)
{
	struct forge_op *op;
	int rc = op_make(&op, f, repo, cb, payload, f && repo && tag && *tag, tag,
	                 name ? name : tag, body ? body : "");

	if (rc)
		return rc;
	return op_start(op, f->ops->release_fmt ? release_look : f->ops->create_release,
	                "create release %s", tag);
}

/* GET the release of a.release.tag (ops->release_fmt): the same on every kind. */
static int get_release(struct forge_op *op)
{
	return forge_repo_send(op, "GET", op->f->ops->release_fmt, op->a.release.tag,
	                       NULL, NULL, 0, forge_step_release);
}

int forge_get_release(struct forge *f, const char *repo, const char *tag,
                      forge_done_fn cb, void *payload)
{
	struct forge_op *op;
	int rc =
	    op_make(&op, f, repo, cb, payload, f && repo && tag && *tag, tag, NULL, NULL);

	if (rc)
		return rc;
	return op_start(op, get_release, "read release %s", tag);
}

int forge_delete_release(struct forge *f, const char *repo, const char *tag,
                         forge_done_fn cb, void *payload)
{
	struct forge_op *op;
	int rc =
	    op_make(&op, f, repo, cb, payload, f && repo && tag && *tag, tag, NULL, NULL);

	if (rc)
		return rc;
	return op_start(op, f->ops->delete_release, "delete release %s", tag);
}

int forge_whoami(struct forge *f, const char *repo, forge_done_fn cb, void *payload)
{
	struct forge_op *op;
	int rc = op_make(&op, f, repo, cb, payload, f != NULL, NULL, NULL, NULL);

	if (rc)
		return rc;
	op->whoami.can_write = -1;
	return op_start(op, f->ops->whoami, "check token");
}

int forge_tag_access(struct forge *f, const char *repo, const char *tag, forge_done_fn cb,
                     void *payload)
{
	struct forge_op *op;
	int rc =
	    op_make(&op, f, repo, cb, payload, f && repo && tag && *tag, tag, NULL, NULL);

	if (rc)
		return rc;
	op->access.can_push = -1;
	op->access.can_tag = -1;
	op->access.can_delete_tag = -1;
	return op_start(op, f->ops->tag_access, "check access for tag %s", tag);
}

int forge_cancel_pipeline(struct forge *f, const char *repo, long long id,
                          forge_done_fn cb, void *payload)
{
	struct forge_op *op;
	int rc =
	    op_make(&op, f, repo, cb, payload, f && repo && id > 0, NULL, NULL, NULL);

	if (rc)
		return rc;
	op->num = id;
	return op_start(op, f->ops->cancel_pipeline, "cancel pipeline %lld", id);
}

int forge_find_pipeline(struct forge *f, const char *repo, const struct forge_trigger *t,
                        forge_done_fn cb, void *payload)
{
	struct forge_op *op;
	int rc = op_make(&op, f, repo, cb, payload, f && repo && t && t->ref && *t->ref,
	                 t ? t->ref : NULL, t ? t->workflow : NULL, NULL);

	rc = rc ? rc : op_take_vars(op, t);
	if (rc)
		return rc;
	return op_start(op, f->ops->find_pipeline, "find pipeline on %s", t->ref);
}
