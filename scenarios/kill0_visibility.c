// kill(pid, 0) checks existence and permission only. Inside ns1, c cannot
// see main (no pid in ns1): kill(outer, 0) fails with ESRCH even though the
// number is a live pid in the root namespace, while its sibling init (1) is
// visible. From outside, main sees c while it is alive or a zombie, and gets
// ESRCH once c is reaped.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

pid_t outer;

int probe(pid_t p)
{
	if (kill(p, 0) == 0)
		return 1;
	assert(errno == ESRCH);
	return 0;
}

int main(void)
{
	int s;
	outer = getpid();
	assert(unshare(CLONE_NEWPID) == 0);
	pid_t b = fork();
	if (b == 0) {
		pid_t c = fork();
		if (c == 0) {
			assert(getpid() == 2 && getppid() == 1);
			assert(probe(1) == 1);
			assert(probe(outer) == 0);
			assert(probe(2) == 1);
			_exit(0);
		}
		assert(waitpid(c, &s, 0) == c && WIFEXITED(s) && WEXITSTATUS(s) == 0);
		assert(probe(c) == 0);
		_exit(0);
	}
	assert(probe(b) == 1);
	assert(waitpid(b, &s, 0) == b);
	assert(probe(b) == 0);
	return 0;
}
