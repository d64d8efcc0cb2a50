// zap_pid_ns_processes() run by a thread of the namespace's init: b's leader
// leaves with pthread_exit() while t lives (find_child_reaper() makes t the
// child_reaper, no zap), or t returns first; whichever thread is last runs
// the zap. A non-leader counts two pids as its own (init_pids = 2: the
// zombie leader keeps pid 1 until t is released, which needs t to finish
// do_exit() first), so t must not wait for pid_allocated to reach 1. Then
// release_task() of t notifies main of the zombie leader, and main reaps b.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

void *fn(void *arg)
{
	return NULL;
}

int main(void)
{
	int s;
	unshare(CLONE_NEWPID);
	pid_t b = fork();
	if (b == 0) {
		pthread_t t;
		pthread_create(&t, NULL, fn, NULL);
		pthread_exit(NULL);
	}
	assert(waitpid(b, &s, 0) == b && WIFEXITED(s) && WEXITSTATUS(s) == 0);
	return 0;
}
