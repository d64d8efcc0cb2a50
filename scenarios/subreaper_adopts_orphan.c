// PR_SET_CHILD_SUBREAPER: when b dies, forget_original_parent() ->
// find_new_reaper() walks b's ancestors (has_child_subreaper was inherited at
// fork by copy_process()) and hands the orphan c to main, the nearest
// ancestor with is_child_subreaper in the same pid namespace, not to init.
// main can therefore reap both b and c with plain wait(), whatever the order
// of the exits (a zombie c is re-notified to main by reparent_leader()).
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	int s1;
	int s2;
	assert(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	pid_t b = fork();
	if (b == 0) {
		pid_t c = fork();
		if (c == 0)
			_exit(7);
		_exit(3);
	}
	pid_t r1 = wait(&s1);
	pid_t r2 = wait(&s2);
	assert(r1 > 0 && r2 > 0 && r1 != r2);
	assert(WIFEXITED(s1) && WIFEXITED(s2));
	assert(WEXITSTATUS(s1) + WEXITSTATUS(s2) == 10);
	assert(r1 == b || r2 == b);
	assert(wait(&s1) == -1 && errno == ECHILD);
	return 0;
}
