// The synchronize_rcu_tasks() caller is itself a task of the dying namespace:
// main unshares, forks b (init of ns1) and d (pid 2 of ns1, main's child),
// and d waits for a grace period. b's zap_pid_ns_processes() SIGKILLs d (it
// cannot leave wait_for_completion()) and waits in step 6 for ns1's
// pid_allocated to drop to 1, which needs d's pid freed; in v6.1 it waits
// inside its tasks_rcu_exit_srcu section, which d's grace period waits for
// in rcu_tasks_postscan(): deadlock d -> rcu_tasks_kthread -> b -> d. Unlike
// reaper_waits_child_in_gp.c, b's kernel_wait4() has no child to wait for,
// so v6.3's stop/start around step 6's schedule() breaks this cycle. If b
// dies before the second fork, that fork fails with ENOMEM.
//! expect v6.1: deadlock b d
//! expect unprotected v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	unshare(CLONE_NEWPID);
	pid_t b = fork();
	if (b == 0)
		_exit(0);
	pid_t d = fork();
	if (d == 0) {
		synchronize_rcu_tasks();
		_exit(0);
	}
	assert(d > 0 || errno == ENOMEM);
	if (d > 0)
		waitpid(d, NULL, 0);
	assert(waitpid(b, NULL, 0) == b);
	return 0;
}
