// The seed cycle through a thread: main starts thread t before unsharing
// (threads cannot be created after), t calls synchronize_rcu_tasks() once b
// and c exist, and main joins t before reaping c. Any thread of c's parent
// group could reap c, but t sleeps in wait_for_completion() and main in
// pthread_join() (futex on t's CLONE_CHILD_CLEARTID word): on v6.1 only,
// the shortest cycle is t -> rcu_tasks_kthread -> b -> c -> t (c can be
// reaped by either thread of its parent process, and both are blocked; main
// waits for t). (c only dies when zap_pid_ns_processes() kills it; the flag
// keeps the search small.)
//! expect v6.1: deadlock t b c
//! expect unprotected v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

volatile int ready;

void *fn(void *arg)
{
	while (!ready)
		;
	synchronize_rcu_tasks();
	return NULL;
}

int main(void)
{
	pthread_t t;
	assert(pthread_create(&t, NULL, fn, NULL) == 0);
	unshare(CLONE_NEWPID);
	pid_t b = fork();
	if (b == 0)
		_exit(0);
	pid_t c = fork();
	if (c == 0) {
		for (;;)
			getpid();
	}
	ready = 1;
	pthread_join(t, NULL);
	if (c > 0)
		waitpid(c, NULL, 0);
	waitpid(b, NULL, 0);
	return 0;
}
