// A zombie adopted by a reaper that ignores SIGCHLD is reaped on the spot:
// reparent_leader() calls do_notify_parent() for an adopted zombie, which
// autoreaps it (EXIT_DEAD, released by the dying parent after
// forget_original_parent()). main, a subreaper ignoring SIGCHLD, ends with
// no child to wait for whichever of b and c dies first.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	int s;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGCHLD, SIG_IGN);
	pid_t b = fork();
	if (b == 0) {
		pid_t c = fork();
		if (c == 0)
			_exit(2);
		_exit(1);
	}
	assert(wait(&s) == -1 && errno == ECHILD);
	return 0;
}
