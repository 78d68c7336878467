/* testserver.c - see testserver.h. */
#include "testserver.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_TIMEOUT_MS 10000

/* ---- environment ---------------------------------------------------------- */

const char *test_source_dir(void)
{
	const char *s = getenv("RELAPI_SOURCE_DIR");

	return s && *s ? s : ".";
}

const char *test_python(void)
{
	const char *s = getenv("PYTHON");

	return s && *s ? s : "python3";
}

/* ---- reading the banner ----------------------------------------------------- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Fills s->url and s->port from a line holding "listening on URL"; 0 or -1. */
static int parse_banner(struct test_server *s, const char *line)
{
	const char *p = strstr(line, "listening on http://");
	const char *colon;
	size_t n;

	if (!p)
		p = strstr(line, "listening on https://");
	if (!p)
		return -1;
	p += strlen("listening on ");
	n = strcspn(p, " \r\n");
	while (n > 0 && p[n - 1] == '/')
		n--;
	if (n >= sizeof(s->url))
		return -1;
	memcpy(s->url, p, n);
	s->url[n] = '\0';
	colon = strrchr(s->url, ':');
	s->port = colon ? atoi(colon + 1) : 0;
	return s->port > 0 ? 0 : -1;
}

/* Reads fd line by line until the banner shows or the deadline passes. */
static int read_banner(struct test_server *s, int fd)
{
	char line[1024];
	size_t len = 0;
	long deadline = now_ms() + START_TIMEOUT_MS;

	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long left = deadline - now_ms();
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return -1;
		r = read(fd, line + len, 1);
		if (r <= 0)
			return -1;
		if (line[len] == '\n' || len + 2 >= sizeof(line)) {
			line[len + 1] = '\0';
			if (parse_banner(s, line) == 0)
				return 0;
			len = 0;
			continue;
		}
		len++;
	}
}

/* ---- start and stop ------------------------------------------------------- */

static void run_child(int fds[2], char *const argv[])
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	close(fds[0]);
	if (dup2(fds[1], STDOUT_FILENO) < 0)
		_exit(127);
	close(fds[1]);
	execvp(argv[0], argv);
	fprintf(stderr, "test server: cannot run '%s': %s\n", argv[0], strerror(errno));
	_exit(127);
}

int test_server_start(struct test_server *s, char *const argv[])
{
	int fds[2];

	memset(s, 0, sizeof(*s));
	if (pipe(fds) < 0)
		return -1;
	s->pid = fork();
	if (s->pid < 0) {
		s->pid = 0;
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (s->pid == 0)
		run_child(fds, argv);
	close(fds[1]);
	if (read_banner(s, fds[0]) < 0) {
		fprintf(stderr, "test server '%s' did not report its URL\n", argv[0]);
		close(fds[0]);
		test_server_stop(s);
		return -1;
	}
	close(fds[0]);
	return 0;
}

void test_server_stop(struct test_server *s)
{
	int status;

	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
		;
	s->pid = 0;
}
