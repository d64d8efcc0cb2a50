// A child kills its parent and asks getppid() again: once the parent is dead
// the child has been reparented (to init here), so the answer can differ
// from the first. getppid() takes no lock (kernel/sys.c: an RCU read of
// real_parent), so only the point where the child enters the system call
// orders it after the parent's exit_notify(); a model that ran system call
// entries together with the task's previous step would never see it.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: assertion
#include <assert.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	pid_t a = fork();
	if (a == 0) {
		pid_t parent = getppid();
		kill(parent, SIGKILL);
		assert(getppid() == parent);
		_exit(0);
	}
	waitpid(a, NULL, 0);
	return 0;
}
