// When main (root namespace) dies, its child c, which lives in ns1, is
// reparented to the child_reaper of main's own namespace (init), not to b,
// the init of c's namespace: forget_original_parent() takes the reaper from
// find_child_reaper(father), i.e. task_active_pid_ns(father). c's parent
// stays outside ns1, so getppid() stays 0 throughout (it would read 1 under
// b). c runs until b's zap_pid_ns_processes() kills it; init reaps it.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <sched.h>
#include <stddef.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	unshare(CLONE_NEWPID);
	pid_t b = fork();
	if (b == 0)
		_exit(0);
	pid_t c = fork();
	if (c == 0) {
		for (;;)
			assert(getppid() == 0);
	}
	return 0;
}
