// Inside ns1, c (pid 2) forks d (pid 3) and exits. d is reparented to b, the
// namespace's child_reaper, so its getppid() turns from 2 into 1. b, which
// is init of ns1, reaps c and then d with a counting waitpid(-1) loop.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int reap_all(void)
{
	int n = 0;
	int s;
	while (waitpid(-1, &s, 0) > 0) {
		assert(WIFEXITED(s));
		n += WEXITSTATUS(s);
	}
	assert(errno == ECHILD);
	return n;
}

int main(void)
{
	int s;
	unshare(CLONE_NEWPID);
	pid_t b = fork();
	if (b == 0) {
		pid_t c = fork();
		if (c == 0) {
			pid_t d = fork();
			if (d == 0) {
				int p;
				do {
					p = getppid();
					assert(p == 2 || p == 1);
				} while (p != 1);
				_exit(20);
			}
			assert(d == 3);
			_exit(10);
		}
		_exit(reap_all());
	}
	assert(waitpid(b, &s, 0) == b);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 30);
	return 0;
}
