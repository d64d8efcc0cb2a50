// The seed scenario with a non-blocking attempt to reap c before
// synchronize_rcu_tasks(): waitpid(WNOHANG) returns 0 while c is still
// running (c runs until the zap kills it), or c's pid if it already is a
// zombie. When it returns 0, c is left for the waitpid() after the grace
// period and v6.1 deadlocks exactly as in seed_unshare_deadlock.c; reaping
// c early is no cure unless c is known to be dead. If b dies before c's
// fork, that fork fails with ENOMEM.
//! expect v6.1: deadlock main b c
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
	int s;
	unshare(CLONE_NEWPID);
	pid_t b = fork();
	if (b == 0)
		_exit(0);
	pid_t c = fork();
	if (c == 0) {
		for (;;)
			getpid();
	}
	pid_t r = 0;
	if (c > 0) {
		r = waitpid(c, &s, WNOHANG);
		assert(r == 0 || r == c);
	}
	synchronize_rcu_tasks();
	if (c > 0 && r == 0)
		assert(waitpid(c, &s, 0) == c);
	assert(waitpid(b, &s, 0) == b);
	return 0;
}
