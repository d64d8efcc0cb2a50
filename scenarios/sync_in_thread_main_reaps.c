// The seed's shape, but the process that owns the zombie keeps reaping. A
// thread t (created before the unshare: afterwards CLONE_THREAD is refused)
// calls synchronize_rcu_tasks() while main's own thread reaps every child
// with waitpid(-1). b (init of ns1) exits, its zap kills c, main reaps c, so
// b's final zap loop ends, b leaves the tasks_rcu_exit_srcu section and the
// grace period completes: no deadlock on any kernel.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

void *syncer(void *arg)
{
	synchronize_rcu_tasks();
	return NULL;
}

int main(void)
{
	pthread_t t;
	int n = 0;
	assert(pthread_create(&t, NULL, syncer, NULL) == 0);
	assert(unshare(CLONE_NEWPID) == 0);
	pid_t b = fork();
	if (b == 0)
		_exit(0);
	pid_t c = fork();
	if (c == 0) {
		for (;;)
			getppid();
	}
	while (waitpid(-1, NULL, 0) > 0)
		n++;
	assert(errno == ECHILD);
	assert(n == 2 || (n == 1 && c == -1));
	assert(pthread_join(t, NULL) == 0);
	return 0;
}
