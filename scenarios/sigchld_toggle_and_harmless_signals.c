// The SIGCHLD disposition is read when the child dies (do_notify_parent()),
// not at fork: b is forked while SIGCHLD is ignored, main restores SIG_DFL
// before b can die, so b is not autoreaped. SIGCHLD sent to b has a default
// action of "ignore" and leaves it running. kill(1, SIGKILL) from the root
// namespace is dropped for the unkillable global init (not forced: main has
// a pid in init's namespace) and still returns 0.
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
	int r;
	assert(signal(SIGCHLD, SIG_IGN) == SIG_DFL);
	pid_t b = fork();
	if (b == 0) {
		for (;;)
			getpid();
	}
	assert(signal(SIGCHLD, SIG_DFL) == SIG_IGN);
	assert(kill(b, SIGCHLD) == 0);
	assert(waitpid(b, &s, WNOHANG) == 0);
	assert(kill(1, SIGKILL) == 0);
	assert(kill(b, SIGKILL) == 0);
	r = waitpid(b, &s, 0);
	assert(r == b && WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL);
	assert(kill(1, 0) == 0);
	return 0;
}
