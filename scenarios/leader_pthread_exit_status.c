// b's leader calls pthread_exit() while its thread t is still running: the
// leader becomes a zombie that cannot be reaped (delay_group_leader()) until
// t is gone. t ends with pthread_exit() too, so the process exits with
// status 0 when its last thread exits; main's waitpid() returns only then.
// A second child e calls exit(3) from its thread: exit_group() kills the
// leader blocked in pthread_join() and the status is 3.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

void *quiet(void *arg)
{
	getpid();
	pthread_exit(NULL);
	return NULL;
}

void *loud(void *arg)
{
	exit(3);
	return NULL;
}

pid_t run_threaded(int which)
{
	pthread_t t;
	pid_t p = fork();
	if (p == 0) {
		if (which == 0) {
			assert(pthread_create(&t, NULL, quiet, NULL) == 0);
			pthread_exit(NULL);
		}
		assert(pthread_create(&t, NULL, loud, NULL) == 0);
		pthread_join(t, NULL);
		_exit(9);
	}
	return p;
}

int main(void)
{
	int s;
	pid_t b = run_threaded(0);
	assert(waitpid(b, &s, 0) == b);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 0);
	pid_t e = run_threaded(1);
	assert(waitpid(e, &s, 0) == e);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 3);
	return 0;
}
