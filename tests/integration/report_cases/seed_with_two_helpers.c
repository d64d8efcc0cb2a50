// Seed scenario plus 2 helpers that each fork, exit and reap a child 1 times.
//! expect v6.1: deadlock main b c
//! expect unprotected v6.3 v6.9 v6.11: ok
#include <stddef.h>
#include <sys/wait.h>
#include "taskcheck.h"

void helper(void)
{
	int i;
	for (i = 0; i < 1; i++) {
		pid_t y = fork();
		if (y == 0)
			_exit(0);
		waitpid(y, NULL, 0);
	}
	_exit(0);
}

int main(void)
{
	pid_t x0 = fork();
	if (x0 == 0)
		helper();
	pid_t x1 = fork();
	if (x1 == 0)
		helper();
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
	waitpid(x0, NULL, 0);
	waitpid(x1, NULL, 0);
	return 0;
}
