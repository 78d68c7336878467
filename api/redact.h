/*
 * redact.h - secrets kept out of everything relapi writes: the --verbose
 * lines, recorded fixtures, error messages. A secret's value becomes
 * "[REDACTED]".
 *
 * Secret headers: Authorization, PRIVATE-TOKEN, JOB-TOKEN,
 * Proxy-Authorization, Cookie. Secret query parameters: token,
 * private_token, job_token, access_token. Secret JSON keys: those, and
 * authorization, private-token, job-token (any case).
 */
#ifndef RELAPI_REDACT_H
#define RELAPI_REDACT_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define REDACTED "[REDACTED]"

/* 1 when the header name[0, len) is a secret one (any case). */
int redact_secret_header(const char *name, size_t len);
/* 1 when the "Name: value" header line carries a secret. */
int redact_header(const char *line);
/*
 * A copy of url (or path?query) whose user info and secret query values
 * are redacted; caller frees; NULL when out of memory.
 */
char *redact_url(const char *url);
/* Replaces the values of secret keys anywhere in a parsed JSON document. */
void redact_json(cJSON *node);

#endif
