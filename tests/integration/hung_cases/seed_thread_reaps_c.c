// The seed, except that a thread of main reaps main's children while main
// waits in synchronize_rcu_tasks(): c's zombie is not main's alone to reap
// (do_wait() looks at the children of every thread of the process), so b's
// zap_pid_ns_processes() gets its pid back, leaves the SRCU section, and the
// grace period ends. No deadlock on any kernel: a hung-set check that named
// only c's real_parent as its reaper would report one here.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../../../scenarios/taskcheck.h"

// The first child to become reapable is c: b cannot finish its exit before
// c's pid is freed.
void *reap_one(void *arg)
{
	while (waitpid(-1, NULL, __WALL) <= 0)
		;
	return NULL;
}

int main(void)
{
	pthread_t r;
	pthread_create(&r, NULL, reap_one, NULL);
	unshare(CLONE_NEWPID);
	pid_t b = fork();
	if (b == 0)
		_exit(0);
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	synchronize_rcu_tasks();
	pthread_join(r, NULL);
	waitpid(b, NULL, 0);
	return 0;
}
