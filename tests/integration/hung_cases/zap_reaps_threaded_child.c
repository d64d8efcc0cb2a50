// A namespace's init b exits while its child c is a process of two threads
// whose leader has already called pthread_exit(): the leader is a zombie held
// back by its live thread (delay_group_leader()), zap_pid_ns_processes()
// kills the group and waits in kernel_wait4(). The last thread's
// release_task() notifies b for the leader, which autoreaps (b ignores
// SIGCHLD by then) and wakes b. No deadlock: the thread on its way out, even
// past exit_notify(), can still end b's wait.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../../../scenarios/taskcheck.h"

void *idle(void *arg)
{
	return NULL;
}

int main(void)
{
	unshare(CLONE_NEWPID);
	pid_t b = fork();
	if (b == 0) {
		pid_t c = fork();
		if (c == 0) {
			pthread_t t;
			pthread_create(&t, NULL, idle, NULL);
			pthread_exit(NULL);
		}
		_exit(0);
	}
	waitpid(b, NULL, 0);
	return 0;
}
