// zap_waits_for_outside_parent.c done right: main reaps whichever child is
// ready (wait() for any child) instead of waiting for b first. c's zombie is
// reaped, free_pid() wakes b in zap_pid_ns_processes(), b becomes a zombie
// and is reaped in turn: b is always reaped after c, and both exit normally
// or c by the zap's SIGKILL.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	int s;
	unshare(CLONE_NEWPID);
	pid_t b = fork();
	if (b == 0)
		_exit(0);
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	if (c > 0) {
		assert(wait(&s) == c);
		assert(WIFEXITED(s) || WTERMSIG(s) == SIGKILL);
	}
	assert(wait(&s) == b && WIFEXITED(s));
	assert(wait(&s) == -1 && errno == ECHILD);
	return 0;
}
