// Reparenting inside a thread group is silent: when thread t exits,
// forget_original_parent() hands its child c to a live thread of the same
// group (find_alive_thread(), here main) and, the new parent being in the
// dying task's own group, skips reparent_leader(): c keeps exit_signal 0,
// so main still needs __WALL to reap it (plain waitpid() gives ECHILD).
// Compare orphan_clone_child_gets_sigchld.c, where the reaper is another
// process and the exit signal becomes SIGCHLD.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

pid_t child;

void *fn(void *arg)
{
	pid_t c = clone_exit_signal(0);
	if (c == 0)
		_exit(4);
	child = c;
	return NULL;
}

int main(void)
{
	int s;
	pthread_t t;
	assert(pthread_create(&t, NULL, fn, NULL) == 0);
	assert(pthread_join(t, NULL) == 0);
	assert(child > 0);
	assert(waitpid(child, &s, 0) == -1 && errno == ECHILD);
	assert(waitpid(child, &s, __WALL) == child);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 4);
	return 0;
}
