// A thread t forks b, so b's real_parent is t, not main's leader. When t
// exits, forget_original_parent() hands b to a live thread of the same
// group (find_new_reaper()), so getppid(), the tgid of the real parent, is
// the same before and after; the exit_signal stays SIGCHLD and main's
// thread reaps b with a plain wait().
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

pid_t leader;
pid_t child;

void *forker(void *arg)
{
	pid_t b = fork();
	if (b == 0) {
		int i;
		for (i = 0; i < 3; i++)
			assert(getppid() == leader);
		_exit(4);
	}
	child = b;
	return NULL;
}

int main(void)
{
	pthread_t t;
	int s;
	leader = getpid();
	assert(pthread_create(&t, NULL, forker, NULL) == 0);
	assert(pthread_join(t, NULL) == 0);
	assert(child > 0);
	assert(wait(&s) == child);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 4);
	assert(wait(&s) == -1 && errno == ECHILD);
	return 0;
}
