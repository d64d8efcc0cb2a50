// Two subreapers on the path: find_new_reaper() stops at the first ancestor
// with is_child_subreaper, so when c dies its child d goes to b (the nearest
// subreaper), not to main (further up) and not to init. b reaps c and d;
// main only ever sees b.
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
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid_t b = fork();
	if (b == 0) {
		prctl(PR_SET_CHILD_SUBREAPER, 1);
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
