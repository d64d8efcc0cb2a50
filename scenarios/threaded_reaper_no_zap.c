// A multi-threaded namespace init. b (pid 1 of ns1, whose active namespace is
// its pid_ns_for_children, so it may create threads) starts thread t and its
// leader thread exits alone (pthread_exit). find_child_reaper() finds t alive
// (no PF_EXITING) and makes it child_reaper: no zap_pid_ns_processes(), pid
// allocation stays enabled, and t's fork into ns1 succeeds whenever it runs.
// When t, the last thread, exits, it runs the zap itself (init_pids = 2: the
// zombie leader still holds pid 1); then the leader is released and main
// reaps b with t's exit status.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

void *fn(void *arg)
{
	int s;
	pid_t c = fork();
	if (c == 0)
		_exit(4);
	assert(c > 1);
	assert(waitpid(c, &s, 0) == c && WEXITSTATUS(s) == 4);
	_exit(8);
	return NULL;
}

int main(void)
{
	int s;
	unshare(CLONE_NEWPID);
	pid_t b = fork();
	if (b == 0) {
		pthread_t t;
		assert(pthread_create(&t, NULL, fn, NULL) == 0);
		pthread_exit(NULL);
	}
	assert(waitpid(b, &s, 0) == b);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 8);
	return 0;
}
