// PR_SET_CHILD_SUBREAPER, 0 clears is_child_subreaper again; b, forked while
// it was set, keeps has_child_subreaper, so when main kills b,
// find_new_reaper() walks the ancestors, finds no subreaper and falls back
// to init: c's new parent is pid 1, and main cannot wait for c (ECHILD
// after reaping b). (main clears the flag before it kills b, so b cannot
// die while main is still a subreaper.)
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	int s;
	assert(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	pid_t b = fork();
	if (b == 0) {
		pid_t bp = getpid();
		pid_t c = fork();
		if (c == 0) {
			while (getppid() == bp)
				;
			assert(getppid() == 1);
			_exit(0);
		}
		for (;;)
			getpid();
	}
	assert(prctl(PR_SET_CHILD_SUBREAPER, 0) == 0);
	assert(kill(b, SIGKILL) == 0);
	assert(waitpid(b, &s, 0) == b && WIFSIGNALED(s));
	assert(wait(&s) == -1 && errno == ECHILD);
	return 0;
}
