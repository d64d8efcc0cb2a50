// A thread forks a child; the child sees the global value at fork time;
// its writes do not leak back; the thread's later write is seen by main.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include "taskcheck.h"
int g = 1;
pid_t kid;
void *t_fn(void *arg)
{
	g = 2;
	kid = fork();
	if (kid == 0) {
		int v = g;
		g = 50;
		_exit(v * 10 + (g == 50));
	}
	g = 3;
	return NULL;
}
int main(void)
{
	int s;
	pthread_t t;
	assert(pthread_create(&t, NULL, t_fn, NULL) == 0);
	assert(pthread_join(t, NULL) == 0);
	assert(g == 3);
	assert(waitpid(kid, &s, 0) == kid);
	assert(WEXITSTATUS(s) == 21);
	return 0;
}
