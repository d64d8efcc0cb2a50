// Inside its own namespace, init is unkillable: c's kill(1, SIGKILL) is not
// forced (c has a pid in ns1, it is not SEND_SIG_PRIV), so
// sig_task_ignored() drops it for the SIGNAL_UNKILLABLE init with a default
// handler, and kill() still returns 0. b lives on, reaps c and exits with
// its own status.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	int s;
	unshare(CLONE_NEWPID);
	pid_t b = fork();
	if (b == 0) {
		pid_t c = fork();
		if (c == 0) {
			assert(getppid() == 1);
			assert(kill(1, SIGKILL) == 0);
			assert(kill(1, SIGTERM) == 0);
			_exit(0);
		}
		assert(waitpid(c, &s, 0) == c && WIFEXITED(s));
		_exit(7);
	}
	assert(waitpid(b, &s, 0) == b);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 7);
	return 0;
}
