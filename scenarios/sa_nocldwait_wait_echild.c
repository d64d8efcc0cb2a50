// sigaction(SIGCHLD) with SIG_DFL and SA_NOCLDWAIT autoreaps like SIG_IGN
// (do_notify_parent() checks both); the difference, that SIGCHLD is still
// sent, is not observable here. wait() blocks until the child is gone, then
// fails with ECHILD.
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
	assert(sigchld_flags(SA_NOCLDWAIT) == 0);
	pid_t b = fork();
	if (b == 0)
		_exit(3);
	assert(wait(&s) == -1 && errno == ECHILD);
	return 0;
}
