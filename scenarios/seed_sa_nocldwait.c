// The seed scenario, but main sets SA_NOCLDWAIT on SIGCHLD (handler still
// SIG_DFL): do_notify_parent() autoreaps c when it dies (here of the zap's
// SIGKILL), although SIGCHLD is still sent, so free_pid() wakes b in
// zap_pid_ns_processes() without main's help and the grace period completes
// on every kernel. b autoreaps too: waitpid() on it ends in ECHILD.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	sigchld_flags(SA_NOCLDWAIT);
	unshare(CLONE_NEWPID);
	pid_t b = fork();
	if (b == 0)
		_exit(0);
	pid_t c = fork();
	if (c == 0) {
		for (;;)
			getpid();
	}
	synchronize_rcu_tasks();
	assert(waitpid(b, NULL, 0) == -1 && errno == ECHILD);
	return 0;
}
