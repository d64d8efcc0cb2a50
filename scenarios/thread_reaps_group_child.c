// do_wait() walks the children of every thread of the caller's group
// (next_thread() unless __WNOTHREAD): thread t reaps b, which main forked.
// Once b is gone, main's own waitpid() on it fails with ECHILD.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

pid_t child;

void *fn(void *arg)
{
	int s;
	assert(waitpid(child, &s, 0) == child);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 9);
	return NULL;
}

int main(void)
{
	int s;
	pthread_t t;
	pid_t b = fork();
	if (b == 0)
		_exit(9);
	child = b;
	assert(pthread_create(&t, NULL, fn, NULL) == 0);
	assert(pthread_join(t, NULL) == 0);
	assert(waitpid(b, &s, 0) == -1 && errno == ECHILD);
	return 0;
}
