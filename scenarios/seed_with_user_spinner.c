// The seed with a bystander: s spins in user mode for ever (a running task,
// preempted by the tick, as in the kernel). The cycle main ->
// rcu_tasks_kthread -> b -> c -> main still forms on v6.1 and is reported
// although s never stops running; the fixed kernels end with s still
// spinning and nobody else waiting.
//! expect v6.1: deadlock main b c
//! expect unprotected v6.3 v6.9 v6.11: ok
#include <sched.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	pid_t s = fork();
	if (s == 0) {
		while (1)
			;
	}
	unshare(CLONE_NEWPID);
	pid_t b = fork();
	if (b == 0)
		_exit(0);
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	synchronize_rcu_tasks();
	waitpid(c, NULL, 0);
	waitpid(b, NULL, 0);
	return 0;
}
