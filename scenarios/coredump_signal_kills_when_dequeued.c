// A core-dumping signal (SIGQUIT) does not start the group exit in
// complete_signal(): it stays queued until get_signal() dequeues it, and the
// task dies of it there (no core is written: RLIMIT_CORE is 0). A SIGTERM
// sent after it finds the process not yet group-exiting and kills it first
// unless the SIGQUIT was dequeued before; the model has no task_curr(), so
// SIGTERM never hits a running task and the lowest pending signal wins.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	int s;
	pid_t p = fork();
	if (p == 0) {
		for (;;)
			getpid();
	}
	kill(p, 3);
	kill(p, SIGTERM);
	assert(waitpid(p, &s, 0) == p);
	assert(WIFSIGNALED(s) && (WTERMSIG(s) == 3 || WTERMSIG(s) == SIGTERM));
	return 0;
}
