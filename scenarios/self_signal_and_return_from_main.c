// A child SIGTERMs itself: WTERMSIG 15. Another returns 258 from its
// "main" path while a thread spins: exit_group, status 2. A third has a
// thread SIGKILL its own process.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include "taskcheck.h"
void *spin(void *arg)
{
	while (1)
		getpid();
	return NULL;
}
void *selfkill(void *arg)
{
	kill(getpid(), SIGKILL);
	while (1)
		getpid();
	return NULL;
}
int child(int which)
{
	pthread_t t;
	if (which == 0) {
		kill(getpid(), SIGTERM);
		while (1)
			getpid();
	}
	if (which == 1) {
		assert(pthread_create(&t, NULL, spin, NULL) == 0);
		return 258;
	}
	assert(pthread_create(&t, NULL, selfkill, NULL) == 0);
	pthread_join(t, NULL);
	return 1;
}
int main(void)
{
	int s;
	int i;
	for (i = 0; i < 3; i++) {
		pid_t p = fork();
		if (p == 0)
			exit(child(i));
		assert(waitpid(p, &s, 0) == p);
		if (i == 0)
			assert(WIFSIGNALED(s) && WTERMSIG(s) == SIGTERM);
		else if (i == 1)
			assert(WIFEXITED(s) && WEXITSTATUS(s) == 2);
		else
			assert(WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL);
		printf("%d: %d\n", i, s);
	}
	return 0;
}
