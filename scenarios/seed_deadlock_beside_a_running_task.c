// The seed deadlock while another task keeps running for ever: no state is
// terminal (d always can run), but main, b and rcu_tasks_kthread never run
// again. A partial deadlock: found as a bottom strongly connected component
// of the state graph in which the cycle's tasks wait and never move.
//! expect v6.1: deadlock main b c
//! expect unprotected v6.3 v6.9 v6.11: ok
#include <sched.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	pid_t d = fork();
	if (d == 0) {
		for (;;)
			getpid();
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
