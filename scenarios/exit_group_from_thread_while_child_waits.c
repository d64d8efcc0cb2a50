// _exit() from a thread while the leader sits in waitpid() for its own child:
// the group ends; the grandchild is reparented to init; the parent sees 9.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include "taskcheck.h"
void *ender(void *arg)
{
	_exit(9);
	return NULL;
}
int main(void)
{
	int s;
	pid_t c = fork();
	if (c == 0) {
		pthread_t t;
		pid_t g = fork();
		if (g == 0)
			_exit(0);
		assert(pthread_create(&t, NULL, ender, NULL) == 0);
		waitpid(g, &s, 0);
		while (1)
			getpid();
	}
	assert(waitpid(c, &s, 0) == c);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 9);
	return 0;
}
