/* prepare_proc.c - the generator and editor processes and the review prompt. */
#include "prepare.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "file.h"

/* ---- the generator: fork, pipes, poll ------------------------------------------ */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* In the child: stdin/stdout on the pipes, own process group, then the shell. */
static void gen_child(const struct prepare_gen *g, int in_fd, int out_fd)
{
	setpgid(0, 0);
	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0)
		_exit(127);
	if (in_fd > 1)
		close(in_fd);
	if (out_fd > 1)
		close(out_fd);
	for (size_t i = 0; i < g->nunset; i++)
		unsetenv(g->unset[i]);
	signal(SIGPIPE, SIG_DFL);
	execl("/bin/sh", "sh", "-c", g->command, (char *)NULL);
	_exit(127);
}

struct gen_io {
	pid_t pid;
	int in_fd, out_fd; /* parent ends, -1 once closed */
	const char *input;
	size_t input_len, written;
	struct buf out;
	size_t max_out;
};

static int gen_start(struct gen_io *io, const struct prepare_gen *g, struct rerr *err)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1};

	if (pipe(in) || pipe(out)) {
		rerr_set(err, RELAPI_EIO, "cannot start the generator: %s",
		         strerror(errno));
		goto fail;
	}
	io->pid = fork();
	if (io->pid < 0) {
		rerr_set(err, RELAPI_EIO, "cannot start the generator: %s",
		         strerror(errno));
		goto fail;
	}
	if (io->pid == 0) {
		close(in[1]);
		close(out[0]);
		gen_child(g, in[0], out[1]);
	}
	setpgid(io->pid, io->pid);
	close(in[0]);
	close(out[1]);
	io->in_fd = in[1];
	io->out_fd = out[0];
	fcntl(io->in_fd, F_SETFL, fcntl(io->in_fd, F_GETFL) | O_NONBLOCK);
	fcntl(io->out_fd, F_SETFL, fcntl(io->out_fd, F_GETFL) | O_NONBLOCK);
	fcntl(io->in_fd, F_SETFD, FD_CLOEXEC);
	fcntl(io->out_fd, F_SETFD, FD_CLOEXEC);
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	return err->code;
}

static void fd_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Writes what the pipe takes now; a generator that closed its stdin ends the input. */
static void gen_write(struct gen_io *io)
{
	ssize_t w =
	    write(io->in_fd, io->input + io->written, io->input_len - io->written);

	if (w > 0)
		io->written += (size_t)w;
	if ((w < 0 && errno != EAGAIN && errno != EINTR) || io->written == io->input_len)
		fd_close(&io->in_fd);
}

/* Reads what is there; 1 at end of output, RELAPI_ETOOBIG over the cap. */
static int gen_read(struct gen_io *io)
{
	char chunk[8192];
	ssize_t r = read(io->out_fd, chunk, sizeof(chunk));

	if (r < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : 1;
	if (r == 0)
		return 1;
	if (io->out.len + (size_t)r > io->max_out)
		return RELAPI_ETOOBIG;
	return buf_append(&io->out, chunk, (size_t)r);
}

/* Pumps stdin and stdout until stdout ends; 0, RELAPI_ETIMEOUT or RELAPI_ETOOBIG. */
static int gen_pump(struct gen_io *io, double deadline)
{
	while (io->out_fd >= 0) {
		struct pollfd p[2] = {{io->out_fd, POLLIN, 0}, {io->in_fd, POLLOUT, 0}};
		double left = deadline - now_s();
		int rc;
		if (left <= 0)
			return RELAPI_ETIMEOUT;
		rc = poll(p, io->in_fd >= 0 ? 2 : 1, (int)(left * 1000) + 1);
		if (rc < 0 && errno != EINTR)
			return RELAPI_EIO;
		if (io->in_fd >= 0 && p[1].revents)
			gen_write(io);
		if (!p[0].revents)
			continue;
		rc = gen_read(io);
		if (rc == 1)
			fd_close(&io->out_fd);
		else if (rc)
			return rc;
	}
	return 0;
}

/* Waits for the process after its stdout ended (it may still be finishing). */
static int gen_wait(pid_t pid, double deadline, int *status)
{
	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);
		if (w == pid)
			return 0;
		if (w < 0 && errno != EINTR)
			return RELAPI_EIO;
		if (now_s() >= deadline)
			return RELAPI_ETIMEOUT;
		poll(NULL, 0, 10);
	}
}

static int gen_status(const struct prepare_gen *g, int status, struct rerr *err)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return rerr_set(err, RELAPI_EFAILED,
		                "the generator '%s' exited with status %d", g->command,
		                WEXITSTATUS(status));
	return rerr_set(err, RELAPI_EFAILED, "the generator '%s' was killed by signal %d",
	                g->command, WTERMSIG(status));
}

static int gen_fail(const struct prepare_gen *g, int rc, struct rerr *err)
{
	if (rc == RELAPI_ETIMEOUT)
		return rerr_set(err, rc, "the generator '%s' did not finish within %g s",
		                g->command, g->timeout_s);
	if (rc == RELAPI_ETOOBIG)
		return rerr_set(err, rc, "the generator '%s' printed more than %zu bytes",
		                g->command, g->max_out);
	return rerr_set(err, rc, "the generator '%s': %s", g->command,
	                rc == RELAPI_ENOMEM ? "out of memory" : strerror(errno));
}

int prepare_gen_run(char **out, size_t *len, const struct prepare_gen *g,
                    const char *input, size_t input_len, struct rerr *err)
{
	struct gen_io io = {.in_fd = -1,
	                    .out_fd = -1,
	                    .input = input,
	                    .input_len = input_len,
	                    .max_out = g->max_out};
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	double deadline = now_s() + g->timeout_s;
	int rc, status = 0;

	*out = NULL;
	*len = 0;
	buf_init(&io.out);
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	rc = gen_start(&io, g, err);
	if (rc)
		goto out;
	if (!input_len)
		fd_close(&io.in_fd);
	rc = gen_pump(&io, deadline);
	rc = rc ? rc : gen_wait(io.pid, deadline, &status);
	if (rc) {
		kill(-io.pid, SIGKILL);
		waitpid(io.pid, &status, 0);
		rc = gen_fail(g, rc, err);
	} else {
		rc = gen_status(g, status, err);
	}
	if (!rc)
		*out = buf_detach(&io.out, len);
out:
	fd_close(&io.in_fd);
	fd_close(&io.out_fd);
	buf_release(&io.out);
	sigaction(SIGPIPE, &old, NULL);
	return rc;
}

/* ---- the editor --------------------------------------------------------------- */

static const char *editor_command(void)
{
	const char *vars[] = {"VISUAL", "EDITOR"};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return v;
	}
	return "vi";
}

/* Runs the editor on `path` through the shell; the path is "$1", never parsed. */
static int run_editor(const char *path, struct rerr *err)
{
	const char *ed = editor_command();
	struct buf cmd;
	pid_t pid;
	int status = 0;

	buf_init(&cmd);
	if (buf_printf(&cmd, "%s \"$1\"", ed))
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd.data, "sh", path, (char *)NULL);
		_exit(127);
	}
	buf_release(&cmd);
	if (pid < 0)
		return rerr_set(err, RELAPI_EIO, "cannot start the editor: %s",
		                strerror(errno));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return rerr_set(err, RELAPI_EFAILED, "the editor '%s' failed (status %d)",
		                ed, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

int prepare_edit(char **out, const char *text, struct rerr *err)
{
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	struct buf b;
	int fd, rc;

	*out = NULL;
	snprintf(path, sizeof(path), "%s/relapi-entry-XXXXXX.md",
	         tmp && *tmp ? tmp : "/tmp");
	fd = mkstemps(path, 3);
	if (fd < 0)
		return rerr_set(err, RELAPI_EIO,
		                "cannot create a temporary file in '%s': %s",
		                tmp && *tmp ? tmp : "/tmp", strerror(errno));
	rc = file_write_all(fd, text, strlen(text));
	close(fd);
	if (rc)
		rc = rerr_set(err, RELAPI_EIO, "cannot write '%s': %s", path,
		              strerror(errno));
	rc = rc ? rc : run_editor(path, err);
	buf_init(&b);
	rc = rc ? rc : file_read(&b, path, NULL, err);
	if (!rc)
		*out = buf_detach(&b, NULL);
	buf_release(&b);
	unlink(path);
	return rc;
}

/* ---- the review prompt ------------------------------------------------------- */

static const struct {
	const char *word;
	enum prepare_choice choice;
} answers[] = {
    {"accept", PREPARE_ACCEPT},
    {"edit", PREPARE_EDIT},
    {"regenerate", PREPARE_REGENERATE},
    {"quit", PREPARE_QUIT},
};

/* The choice `s` names (its first letter or the whole word), or -1. */
static int answer_of(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	while (*s && isspace((unsigned char)*s))
		s++, n--;
	for (size_t i = 0; i < n; i++)
		s[i] = (char)tolower((unsigned char)s[i]);
	for (size_t i = 0; n && i < sizeof(answers) / sizeof(answers[0]); i++)
		if (!strncmp(answers[i].word, s, n) &&
		    (n == 1 || !strcmp(answers[i].word, s)))
			return (int)answers[i].choice;
	return -1;
}

enum prepare_choice prepare_ask(FILE *in, FILE *out)
{
	char line[256];
	int c;

	for (;;) {
		fputs("[a]ccept, [e]dit, [r]egenerate, [q]uit: ", out);
		fflush(out);
		if (!fgets(line, sizeof(line), in)) {
			fputc('\n', out);
			return PREPARE_QUIT;
		}
		c = answer_of(line);
		if (c >= 0)
			return (enum prepare_choice)c;
	}
}

int prepare_interactive(void)
{
	const char *ci = getenv("CI");

	if (ci && *ci && strcmp(ci, "false") && strcmp(ci, "0"))
		return 0;
	return isatty(0) && isatty(1);
}
