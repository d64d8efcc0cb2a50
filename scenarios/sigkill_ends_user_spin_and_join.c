// SIGKILL reaches a process wherever its threads are: p's thread a spins in
// user mode without a system call (the kill's IPI or the next tick returns
// through exit_to_user_mode(), whose get_signal() ends it), and p's main
// thread sleeps TASK_INTERRUPTIBLE in the futex wait of pthread_join()
// (signal_wake_up() ends the wait with -ERESTARTSYS, then the group exit).
// The parent always reaps p, killed by SIGKILL.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int stop;

void *spin(void *arg)
{
	while (!stop)
		;
	return NULL;
}

int main(void)
{
	int s;
	pid_t p = fork();
	if (p == 0) {
		pthread_t a;
		assert(pthread_create(&a, NULL, spin, NULL) == 0);
		pthread_join(a, NULL);
		_exit(0);
	}
	assert(kill(p, SIGKILL) == 0);
	assert(waitpid(p, &s, 0) == p);
	assert(WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL);
	return 0;
}
