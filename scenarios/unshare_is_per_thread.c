// unshare(CLONE_NEWPID) changes the calling thread's nsproxy only
// (switch_task_namespaces(current, ...)): thread t, created before main's
// unshare, keeps the old pid_ns_for_children, so its fork after the unshare
// still lands in the root namespace: the child sees its parent group (getppid()
// is main's tgid; in ns1 it would be 0 and getpid() would be 1).
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

pid_t me;
volatile int unshared;

void *fn(void *arg)
{
	int s;
	while (!unshared)
		;
	pid_t c = fork();
	if (c == 0) {
		assert(getppid() == me && getpid() != 1);
		_exit(0);
	}
	assert(c > 1);
	assert(waitpid(c, &s, 0) == c && WIFEXITED(s));
	return NULL;
}

int main(void)
{
	pthread_t t;
	me = getpid();
	assert(pthread_create(&t, NULL, fn, NULL) == 0);
	assert(unshare(CLONE_NEWPID) == 0);
	unshared = 1;
	assert(pthread_join(t, NULL) == 0);
	return 0;
}
