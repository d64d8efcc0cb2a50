// With SIGCHLD ignored, only children whose exit_signal is SIGCHLD autoreap
// (do_notify_parent()); c, created with exit_signal 0, stays a zombie for
// main to reap with __WALL. wait(NULL) sees only SIGCHLD children, so once b
// has autoreaped it fails with ECHILD although c may still be around.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	int s;
	assert(signal(SIGCHLD, SIG_IGN) == SIG_DFL);
	pid_t b = fork();
	if (b == 0)
		_exit(1);
	pid_t c = clone_exit_signal(0);
	if (c == 0)
		_exit(2);
	assert(wait(NULL) == -1 && errno == ECHILD);
	assert(waitpid(b, &s, __WALL) == -1 && errno == ECHILD);
	assert(waitpid(c, &s, __WALL) == c);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 2);
	assert(waitpid(-1, &s, __WALL | WNOHANG) == -1 && errno == ECHILD);
	return 0;
}
