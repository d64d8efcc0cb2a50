// A thread forks; the main thread waits for that child (same process's child).
// The child has one thread: its exit ends it.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include "taskcheck.h"
pid_t kid;
void *forker(void *arg)
{
	kid = fork();
	if (kid == 0) {
		assert(getppid() > 0);
		_exit(12);
	}
	return NULL;
}
int main(void)
{
	int s;
	pthread_t t;
	assert(pthread_create(&t, NULL, forker, NULL) == 0);
	assert(pthread_join(t, NULL) == 0);
	assert(kid > 0);
	assert(waitpid(kid, &s, 0) == kid);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 12);
	assert(wait(&s) == -1 && errno == ECHILD);
	return 0;
}
