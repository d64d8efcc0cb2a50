// Default actions of a few more signals: SIGUSR1 and SIGTERM terminate (job-control
// stops are not modelled, so no SIGSTOP here); a task asleep
// in synchronize_rcu_tasks() (TASK_UNINTERRUPTIBLE) is not woken by SIGKILL
// but dies once the grace period ends.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

pid_t start(int kind)
{
	pid_t p = fork();
	if (p == 0) {
		if (kind == 1) {
			synchronize_rcu_tasks();
			synchronize_rcu_tasks();
		}
		for (;;)
			getpid();
	}
	return p;
}

void kill_and_check(pid_t p, int sig)
{
	int s;
	assert(kill(p, sig) == 0);
	assert(waitpid(p, &s, 0) == p);
	assert(WIFSIGNALED(s) && WTERMSIG(s) == sig);
}

int main(void)
{
	kill_and_check(start(0), SIGUSR1);
	kill_and_check(start(0), SIGTERM);
	kill_and_check(start(1), SIGKILL);
	return 0;
}
