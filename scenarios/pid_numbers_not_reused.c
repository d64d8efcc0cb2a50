// PIDs are handed out cyclically (alloc_pid(): idr_alloc_cyclic() from
// pid_ns->idr's next id), so inside ns1 a reaped pid 2 is not handed out
// again at once: c is 2, d is 3 even though 2 is free. A thread reports the
// process's tgid as getpid(). exit(-1) is status 255, and a child with
// exit_signal 0 is invisible to WNOHANG without __WALL (ECHILD, not 0).
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

pid_t seen_in_thread;

void *whoami(void *arg)
{
	seen_in_thread = getpid();
	return NULL;
}

int main(void)
{
	int s;
	pthread_t t;
	assert(pthread_create(&t, NULL, whoami, NULL) == 0);
	assert(pthread_join(t, NULL) == 0);
	assert(seen_in_thread == getpid());
	assert(unshare(CLONE_NEWPID) == 0);
	pid_t b = fork();
	if (b == 0) {
		pid_t c = fork();
		if (c == 0)
			exit(-1);
		assert(c == 2);
		assert(waitpid(c, &s, 0) == 2 && WIFEXITED(s) && WEXITSTATUS(s) == 255);
		pid_t d = clone_exit_signal(0);
		if (d == 0)
			_exit(1);
		assert(d == 3);
		assert(waitpid(-1, &s, WNOHANG) == -1 && errno == ECHILD);
		assert(waitpid(d, &s, __WALL) == 3 && WEXITSTATUS(s) == 1);
		_exit(0);
	}
	assert(waitpid(b, &s, 0) == b && WIFEXITED(s) && WEXITSTATUS(s) == 0);
	return 0;
}
