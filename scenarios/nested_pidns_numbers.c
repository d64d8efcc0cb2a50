// Nested PID namespaces. unshare(CLONE_NEWPID) by main makes ns1 main's
// pid_ns_for_children; b, the first task forked into it, is pid 1 there and
// may unshare again (its active namespace is its pid_ns_for_children, so
// copy_pid_ns() allows it): b's child c is pid 1 of ns2 and pid 2 of ns1
// (alloc_pid() takes a number at every level). getppid() is 0 for a parent
// with no pid in the caller's namespace. Each parent reaps its child across
// the namespace boundary and sees the pid number of its own namespace.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <sched.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	int s;
	assert(unshare(CLONE_NEWPID) == 0);
	pid_t b = fork();
	if (b == 0) {
		assert(getpid() == 1 && getppid() == 0);
		assert(unshare(CLONE_NEWPID) == 0);
		pid_t c = fork();
		if (c == 0) {
			assert(getpid() == 1 && getppid() == 0);
			_exit(5);
		}
		assert(c == 2);
		assert(waitpid(c, &s, 0) == 2 && WIFEXITED(s) && WEXITSTATUS(s) == 5);
		_exit(9);
	}
	assert(b > 1);
	assert(waitpid(b, &s, 0) == b && WIFEXITED(s) && WEXITSTATUS(s) == 9);
	return 0;
}
