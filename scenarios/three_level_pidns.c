// Three nested PID namespaces. main unshares and forks b (pid 1 of ns1); b
// unshares, a second unshare by b fails with EINVAL (its pid_ns_for_children
// is no longer its active namespace), and b forks c (pid 1 of ns2, pid 2 of
// ns1); c does the same and forks d (pid 1 of ns3, 2 of ns2, 3 of ns1).
// Each parent sees its child as 2, each child sees getppid() == 0; the exit
// statuses are passed up through helper return values (40 -> 41 -> 42).
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int child_level(int depth)
{
	int s;
	assert(getpid() == 1);
	assert(getppid() == 0);
	if (depth == 0)
		return 40;
	assert(unshare(CLONE_NEWPID) == 0);
	assert(unshare(CLONE_NEWPID) == -1 && errno == EINVAL);
	pid_t k = fork();
	if (k == 0)
		_exit(child_level(depth - 1));
	assert(k == 2);
	assert(waitpid(k, &s, 0) == 2);
	assert(WIFEXITED(s));
	return WEXITSTATUS(s) + 1;
}

int main(void)
{
	int s;
	assert(unshare(CLONE_NEWPID) == 0);
	pid_t b = fork();
	if (b == 0)
		_exit(child_level(2));
	assert(b > 1);
	assert(waitpid(b, &s, 0) == b);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 42);
	return 0;
}
