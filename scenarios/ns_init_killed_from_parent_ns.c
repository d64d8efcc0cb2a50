// Signals to a namespace's init (SIGNAL_UNKILLABLE, default handlers):
// sig_task_ignored() drops every signal unless it is forced and SIGKILL or
// SIGSTOP. From main, which has no pid in ns1, the signal is forced
// (send_signal_locked(): task_pid_nr_ns(current, ...) == 0) yet SIGTERM is
// still dropped; SIGKILL kills b. b's death runs zap_pid_ns_processes(),
// which SIGKILLs c (spinning for ever) and disables pid allocation: a later
// fork into ns1 fails with ENOMEM.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
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
			for (;;)
				getpid();
		}
		waitpid(c, NULL, 0);
		_exit(0);
	}
	assert(kill(b, SIGTERM) == 0);
	assert(waitpid(b, &s, WNOHANG) == 0);
	assert(kill(b, SIGKILL) == 0);
	assert(waitpid(b, &s, 0) == b);
	assert(WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL);
	pid_t d = fork();
	if (d == 0)
		_exit(0);
	assert(d == -1 && errno == ENOMEM);
	return 0;
}
