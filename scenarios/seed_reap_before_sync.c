// The seed scenario with the order of main's last two steps swapped: main
// reaps c before it calls synchronize_rcu_tasks(). Once c is released,
// free_pid() brings ns1's pid_allocated down to 1 and wakes b in
// zap_pid_ns_processes(), so b's tasks_rcu_exit_srcu section ends without
// main's help and the grace period completes: no cycle on any kernel.
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
	if (b == 0)
		_exit(0);
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	if (c > 0)
		assert(waitpid(c, NULL, 0) == c);
	synchronize_rcu_tasks();
	assert(waitpid(b, NULL, 0) == b);
	return 0;
}
