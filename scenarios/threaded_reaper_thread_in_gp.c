// The namespace init b has a thread t blocked in synchronize_rcu_tasks()
// (TASK_UNINTERRUPTIBLE in wait_for_completion()) when b calls _exit():
// do_group_exit() -> zap_other_threads() queues SIGKILL for t but cannot wake
// it, so t has no PF_EXITING yet and find_child_reaper() hands child_reaper
// to t instead of running zap_pid_ns_processes(). b's do_exit() never blocks
// inside its tasks_rcu_exit_srcu section, so the grace period ends, t dies
// of the SIGKILL on its way back to user mode and, as the last thread, does
// the (empty) zap itself. No deadlock on any kernel.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

void *fn(void *arg)
{
	synchronize_rcu_tasks();
	return NULL;
}

int main(void)
{
	int s;
	unshare(CLONE_NEWPID);
	pid_t b = fork();
	if (b == 0) {
		pthread_t t;
		pthread_create(&t, NULL, fn, NULL);
		_exit(3);
	}
	assert(waitpid(b, &s, 0) == b);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 3);
	return 0;
}
