// The exiting task is not reaped until the grace period is over: main waits
// for u (the updater) before it reaps t. A zombie stays on the task list, so
// even without exit-path protection (unprotected) the scan in
// rcu_tasks_wait_gp() sees t: preempted inside the trampoline it is still on
// a runqueue, so rcu_tasks_pertask() makes it a holdout, and
// check_holdout_task() only lets go once t ran on (left the trampoline) and
// left the runqueue in do_task_dead(). Safe on every kernel: what
// unprotected misses is only a task already released from the task list.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	pid_t t = fork();
	if (t == 0)
		_exit(0);
	pid_t u = fork();
	if (u == 0) {
		trampoline_update();
		_exit(0);
	}
	assert(waitpid(u, NULL, 0) == u);
	assert(waitpid(t, NULL, 0) == t);
	return 0;
}
