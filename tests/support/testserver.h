/*
 * testserver.h - start and stop a test server process (the HTTP engine's
 * scriptable server, the fake forge) from a unit test.
 */
#ifndef RELAPI_TESTSERVER_H
#define RELAPI_TESTSERVER_H

#include <sys/types.h>

struct test_server {
	pid_t pid;
	char url[128]; /* "http://127.0.0.1:PORT", no trailing slash */
	int port;
};

/*
 * Spawns argv (e.g. {"python3", script, "--port", "0", NULL}) and reads its
 * stdout until a line containing "listening on http://" or "https://"
 * (10 s at most); stores that URL (no trailing slash) and its port.
 * Returns 0, or -1 with a message on stderr (the process is stopped).
 * The child gets SIGTERM should the test process die first.
 */
int test_server_start(struct test_server *s, char *const argv[]);

/* Stops the server: SIGTERM, then waitpid. A no-op when pid is 0. */
void test_server_stop(struct test_server *s);

/* The source tree: getenv("RELAPI_SOURCE_DIR"), or "." when unset. */
const char *test_source_dir(void);

/* The Python interpreter: getenv("PYTHON"), or "python3" when unset. */
const char *test_python(void);

#endif
