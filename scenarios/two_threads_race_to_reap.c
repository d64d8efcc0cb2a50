// Two threads of main both wait for any child while main has exactly one.
// Both may sleep in do_wait() together; whichever wait_task_zombie() wins
// reaps b, and the other, woken too, finds no child left: ECHILD.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

pid_t res1;
pid_t res2;
int err1;
int err2;

void *reaper1(void *arg)
{
	int s;
	res1 = waitpid(-1, &s, 0);
	if (res1 < 0)
		err1 = errno;
	else
		assert(WIFEXITED(s) && WEXITSTATUS(s) == 3);
	return NULL;
}

void *reaper2(void *arg)
{
	int s;
	res2 = waitpid(-1, &s, 0);
	if (res2 < 0)
		err2 = errno;
	else
		assert(WIFEXITED(s) && WEXITSTATUS(s) == 3);
	return NULL;
}

int main(void)
{
	pthread_t t1;
	pthread_t t2;
	pid_t b = fork();
	if (b == 0)
		_exit(3);
	assert(pthread_create(&t1, NULL, reaper1, NULL) == 0);
	assert(pthread_create(&t2, NULL, reaper2, NULL) == 0);
	assert(pthread_join(t1, NULL) == 0);
	assert(pthread_join(t2, NULL) == 0);
	assert((res1 == b && res2 == -1 && err2 == ECHILD) ||
	       (res2 == b && res1 == -1 && err1 == ECHILD));
	return 0;
}
