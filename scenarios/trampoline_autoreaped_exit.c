// exit_tail_trampoline.c without a reaping parent: main ignores SIGCHLD, so
// t autoreaps inside its own exit_notify() (do_notify_parent() returns true,
// release_task() unhashes t) and then runs the rest of do_exit() off the
// task list, where it can be preempted inside the tracer's old trampoline.
// Without exit-path protection (unprotected) u's grace period scans only the
// task list, misses t, and u frees the trampoline under it. The
// tasks_rcu_exit_srcu section (v6.1, v6.3) and the exit list (v6.9, v6.11)
// cover t until exit_tasks_rcu_finish(); synchronize_rcu() in
// rcu_tasks_postgp() covers the preemption-disabled rest.
//! expect unprotected: trampoline-use-after-free
//! expect v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	signal(SIGCHLD, SIG_IGN);
	pid_t t = fork();
	if (t == 0)
		_exit(0);
	pid_t u = fork();
	if (u == 0) {
		trampoline_update();
		_exit(0);
	}
	assert(wait(NULL) == -1 && errno == ECHILD);
	return 0;
}
