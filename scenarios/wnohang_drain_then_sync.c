// A container runtime that drains its zombies with WNOHANG, then detaches a
// tracer (synchronize_rcu_tasks()), then waits for the rest. If c has not
// died yet when main drains, c's zombie (killed by b's zap) has only main to
// reap it while main waits for the grace period: on v6.1, b sits in zap's
// final loop inside the tasks_rcu_exit_srcu read section and the kthread's
// postscan waits for b, the seed's cycle. v6.3 leaves the SRCU section
// around zap's schedule(); v6.9+ has no SRCU in the exit path.
//! expect v6.1: deadlock main b c
//! expect unprotected v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int drain(int flags)
{
	int n = 0;
	pid_t r;
	for (;;) {
		r = waitpid(-1, NULL, flags);
		if (r <= 0)
			break;
		n++;
	}
	if (r < 0)
		assert(errno == ECHILD);
	return n;
}

int main(void)
{
	int n;
	assert(unshare(CLONE_NEWPID) == 0);
	pid_t b = fork();
	if (b == 0)
		_exit(0);
	pid_t c = fork();
	if (c == 0) {
		for (;;)
			getpid();
	}
	n = drain(WNOHANG);
	synchronize_rcu_tasks();
	n += drain(0);
	assert(n == 2 || (n == 1 && c == -1));
	return 0;
}
