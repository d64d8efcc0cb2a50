// Setting SIGCHLD to SIG_IGN does not reap children that are already
// zombies: do_sigaction() only flushes a pending SIGCHLD; autoreaping is
// decided by do_notify_parent() at the child's death. If b died before the
// signal() call, wait() reaps its zombie and returns its status; if it died
// after, it autoreaped and wait() fails with ECHILD. Both orders happen.
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
	pid_t b = fork();
	if (b == 0)
		_exit(4);
	signal(SIGCHLD, SIG_IGN);
	pid_t r = wait(&s);
	assert((r == b && WIFEXITED(s) && WEXITSTATUS(s) == 4) || (r == -1 && errno == ECHILD));
	assert(wait(&s) == -1 && errno == ECHILD);
	return 0;
}
