// kill(-1, SIGKILL) from a thread skips the caller's whole thread group
// (!same_thread_group()), so main's leader, blocked in pthread_join(),
// survives and reaps b. Then a thread's exit(4) (exit_group()) takes the
// whole process c down with status 4, its leader included although it
// sleeps in waitpid() on a child that never exits by itself.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int killed;

void *killer(void *arg)
{
	killed = kill(-1, SIGKILL);
	return NULL;
}

void *exiter(void *arg)
{
	exit(4);
	return NULL;
}

int main(void)
{
	pthread_t t;
	int s;
	pid_t b = fork();
	if (b == 0) {
		for (;;)
			getpid();
	}
	assert(pthread_create(&t, NULL, killer, NULL) == 0);
	assert(pthread_join(t, NULL) == 0);
	assert(killed == 0);
	assert(waitpid(b, &s, 0) == b && WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL);
	pid_t c = fork();
	if (c == 0) {
		pid_t d = fork();
		if (d == 0) {
			for (;;)
				getppid();
		}
		assert(pthread_create(&t, NULL, exiter, NULL) == 0);
		waitpid(d, NULL, 0);
		_exit(9);
	}
	assert(waitpid(c, &s, 0) == c && WIFEXITED(s) && WEXITSTATUS(s) == 4);
	return 0;
}
