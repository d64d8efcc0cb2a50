// A subreaper only adopts orphans of its own pid namespace level:
// find_new_reaper() walks the ancestors only while pid_level() equals the
// dying task's, then falls back to the child_reaper of the dying task's
// namespace. main is a subreaper in the root namespace, but when c (in the
// namespace main unshared) dies, its child d goes to b, that namespace's
// init, which reaps c and d; main never sees d.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	int s1;
	int s2;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	unshare(CLONE_NEWPID);
	pid_t b = fork();
	if (b == 0) {
		pid_t c = fork();
		if (c == 0) {
			pid_t d = fork();
			if (d == 0)
				_exit(4);
			_exit(3);
		}
		assert(wait(&s1) > 0);
		assert(wait(&s2) > 0);
		assert(WEXITSTATUS(s1) + WEXITSTATUS(s2) == 7);
		assert(wait(&s1) == -1 && errno == ECHILD);
		_exit(0);
	}
	assert(waitpid(b, &s1, 0) == b && WIFEXITED(s1) && WEXITSTATUS(s1) == 0);
	assert(wait(&s1) == -1 && errno == ECHILD);
	return 0;
}
