// The seed scenario, but c is forked by b, the namespace's init, instead of
// by main (and only dies when killed): c's parent is inside the namespace,
// so zap_pid_ns_processes() SIGKILLs it and reaps it itself in its
// kernel_wait4() loop (c autoreaps under the SIG_IGN the zap sets). b's
// tasks_rcu_exit_srcu section does not depend on main, and main's
// synchronize_rcu_tasks() completes on every kernel.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <sched.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	unshare(CLONE_NEWPID);
	pid_t b = fork();
	if (b == 0) {
		pid_t c = fork();
		if (c == 0) {
			for (;;)
				getpid();
		}
		_exit(0);
	}
	synchronize_rcu_tasks();
	assert(waitpid(b, NULL, 0) == b);
	return 0;
}
