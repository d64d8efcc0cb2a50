// __WNOTHREAD restricts do_wait() to the caller's own children: thread t
// cannot see b, which main's leader forked (ECHILD even with WNOHANG), while
// a plain waitpid() in t, which walks every thread of the group, reaps it.
// The orphan spinner o, left behind when main returns, goes to init; that is
// not a leak and not a deadlock.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

pid_t b;

void *t_fn(void *arg)
{
	int s;
	assert(waitpid(b, &s, __WNOTHREAD | WNOHANG) == -1 && errno == ECHILD);
	assert(waitpid(-1, &s, __WNOTHREAD) == -1 && errno == ECHILD);
	assert(waitpid(b, &s, 0) == b);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	b = fork();
	if (b == 0)
		_exit(2);
	pid_t o = fork();
	if (o == 0) {
		for (;;)
			getppid();
	}
	assert(pthread_create(&t, NULL, t_fn, NULL) == 0);
	assert(pthread_join(t, NULL) == 0);
	return 0;
}
