// A thread-group leader that exits while another thread lives stays a silent
// zombie: exit_notify() only calls do_notify_parent() for a leader whose group
// is empty, and wait_consider_task() skips it (delay_group_leader()). The
// parent's waitpid() returns only once the last thread is gone
// (release_task() then notifies for the leader), with the group exit code of
// the thread's _exit() (wait_task_zombie() takes group_exit_code once
// SIGNAL_GROUP_EXIT is set).
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

void *fn(void *arg)
{
	_exit(6);
	return NULL;
}

int main(void)
{
	int s;
	pid_t b = fork();
	if (b == 0) {
		pthread_t t;
		assert(pthread_create(&t, NULL, fn, NULL) == 0);
		pthread_exit(NULL);
	}
	assert(waitpid(b, &s, 0) == b);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 6);
	return 0;
}
