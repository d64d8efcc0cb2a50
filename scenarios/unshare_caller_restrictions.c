// What unshare(CLONE_NEWPID) does to its caller: a second unshare fails with
// EINVAL (copy_pid_ns(): the active namespace is no longer the
// pid_ns_for_children), and so does thread creation (copy_process() refuses
// CLONE_THREAD into another pid namespace, before alloc_pid(): the failed
// pthread_create() consumes no pid). The caller stays in its namespace; its
// next fork is still the first task of the new one: pid 1, parent invisible.
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
	return NULL;
}

int main(void)
{
	int s;
	pthread_t t;
	pid_t me = getpid();
	assert(unshare(CLONE_NEWPID) == 0);
	assert(getpid() == me);
	assert(unshare(CLONE_NEWPID) == -1 && errno == EINVAL);
	assert(pthread_create(&t, NULL, fn, NULL) == EINVAL);
	pid_t b = fork();
	if (b == 0) {
		assert(getpid() == 1 && getppid() == 0);
		_exit(0);
	}
	assert(b > 0 && b != me);
	assert(waitpid(b, &s, 0) == b && WIFEXITED(s));
	return 0;
}
