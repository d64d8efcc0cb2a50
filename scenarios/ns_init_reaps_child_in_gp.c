// The residual cycle of v6.3: b, init of ns1, exits while its child c is in
// synchronize_rcu_tasks() (TASK_UNINTERRUPTIBLE: zap's SIGKILL cannot end
// it). b sleeps in zap_pid_ns_processes()'s kernel_wait4() for c, which
// v6.3 still runs inside the tasks_rcu_exit_srcu read section (only the
// final schedule() is wrapped), so rcu_tasks_postscan() waits for b, and c's
// grace period never ends. v6.9+ count b's sleep in do_wait() as a
// quiescent state; unprotected has no SRCU to wait for. c calls the trigger
// in a helper after announcing itself with printf.
//! expect v6.1 v6.3: deadlock b c
//! expect unprotected v6.9 v6.11: ok
#include <assert.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

void detach_tracer(void)
{
	printf("pid %d detaching\n", getpid());
	synchronize_rcu_tasks();
}

int main(void)
{
	int s;
	assert(unshare(CLONE_NEWPID) == 0);
	pid_t b = fork();
	if (b == 0) {
		pid_t c = fork();
		if (c == 0) {
			detach_tracer();
			_exit(0);
		}
		_exit(1);
	}
	assert(waitpid(b, &s, 0) == b && WIFEXITED(s) && WEXITSTATUS(s) == 1);
	return 0;
}
