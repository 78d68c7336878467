/*
 * record.h - one HTTP exchange as a JSON fixture (fixtures/api/FORMAT.md).
 * Secrets never reach the output: secret headers, and query parameters and
 * JSON body keys named token, private_token, job_token or access_token, are
 * written as "[REDACTED]".
 */
#ifndef RELAPI_RECORD_H
#define RELAPI_RECORD_H

#include <stddef.h>

#include "http.h"
#include "rerr.h"

struct record_exchange {
	const char *method;
	const char *url;                /* absolute URL as sent */
	const char *const *req_headers; /* NULL-terminated "Name: value", or NULL */
	const char *req_body;
	size_t req_body_len;
	long status;
	const struct http_header *resp_headers;
	size_t nresp_headers;
	const char *resp_body;
	size_t resp_body_len;
};

/* The exchange as JSON text (caller frees), or NULL when out of memory. */
char *record_json(const struct record_exchange *x);

/*
 * The file name for exchange number seq: "NNNN-METHOD-slug.json" (caller
 * frees), slug being the URL path with every run of characters outside
 * [A-Za-z0-9.-] turned into '_', cut to 80 characters.
 */
char *record_file_name(int seq, const char *method, const char *url);

/*
 * Writes the exchange into dir atomically (a temporary file renamed into
 * place). *seq is the last number used: 0 at first, when the folder is scanned
 * so that numbering continues after the files already there; it is advanced.
 */
int record_write(const char *dir, int *seq, const struct record_exchange *x,
                 struct rerr *err);

#endif
