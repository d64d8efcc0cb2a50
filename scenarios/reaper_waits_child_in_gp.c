// The cycle v6.3 (28319d6dc5e2) left in place, kernel.md section 5: b, the
// namespace's init, forks d, which calls synchronize_rcu_tasks(), and exits.
// In zap_pid_ns_processes() b SIGKILLs d and then sleeps in step 5's
// kernel_wait4() for its child d, still inside its tasks_rcu_exit_srcu
// read-side section: v6.3 only leaves the section around step 6's
// schedule(). d sleeps TASK_UNINTERRUPTIBLE in wait_for_completion(), which
// the SIGKILL cannot end; its grace period reaches rcu_tasks_postscan() ->
// synchronize_srcu(), which waits for b's reader whenever b entered it
// before the flip. Deadlock d -> rcu_tasks_kthread -> b -> d on v6.1 and
// v6.3 (main, waiting for b, is stuck outside the cycle). v6.9 and v6.11
// have no SRCU there: b sleeping in do_wait() is a quiescent state for
// rcu_tasks_postscan(); unprotected waits for nothing.
//! expect v6.1 v6.3: deadlock b d
//! expect unprotected v6.9 v6.11: ok
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
		pid_t d = fork();
		if (d == 0) {
			synchronize_rcu_tasks();
			_exit(0);
		}
		_exit(0);
	}
	waitpid(b, NULL, 0);
	return 0;
}
