// reparent_leader(): a child moving to a reaper outside the dying task's
// thread group gets exit_signal = SIGCHLD ("We don't want people slaying
// init"), and a child that is already a zombie is notified to the new parent
// at once. c, created by b with exit_signal 0, is adopted by the subreaper
// main when b dies, and main reaps it with a plain wait() (no __WALL).
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
		pid_t c = clone_exit_signal(0);
		if (c == 0)
			_exit(5);
		_exit(0);
	}
	assert(wait(&s1) > 0);
	assert(wait(&s2) > 0);
	assert(WIFEXITED(s1) && WIFEXITED(s2));
	assert(WEXITSTATUS(s1) + WEXITSTATUS(s2) == 5);
	assert(wait(&s1) == -1 && errno == ECHILD);
	return 0;
}
