// SIGCHLD ignored only autoreaps children whose exit_signal is SIGCHLD
// (do_notify_parent(): autoreap iff sig == SIGCHLD and the parent ignores it
// or set SA_NOCLDWAIT). b, created with exit_signal 23 (SIGURG, ignored by
// default, so its delivery does nothing to main), stays a zombie and is
// reaped with __WCLONE, which selects exactly the non-SIGCHLD children; c, a
// fork() child, autoreaps, and waitpid() on it ends in ECHILD (at once with
// __WCLONE, which never selects it).
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	int s;
	signal(SIGCHLD, SIG_IGN);
	pid_t b = clone_exit_signal(23);
	if (b == 0)
		_exit(5);
	pid_t c = fork();
	if (c == 0)
		_exit(6);
	assert(waitpid(c, &s, __WCLONE) == -1 && errno == ECHILD);
	assert(waitpid(c, &s, 0) == -1 && errno == ECHILD);
	assert(waitpid(b, &s, __WCLONE) == b);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 5);
	return 0;
}
