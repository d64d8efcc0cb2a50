// main forks c; a thread of main waits for c (without __WNOTHREAD it can).
// The child's getppid() is main's pid (tgid).
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include "taskcheck.h"
pid_t kid;
int st;
pid_t me;
void *reaper(void *arg)
{
	int s;
	assert(waitpid(kid, &s, 0) == kid);
	st = s;
	assert(getpid() == me);
	return NULL;
}
int main(void)
{
	pthread_t t;
	int s;
	me = getpid();
	kid = fork();
	if (kid == 0) {
		if (getppid() != me)
			_exit(1);
		_exit(2);
	}
	assert(pthread_create(&t, NULL, reaper, NULL) == 0);
	assert(pthread_join(t, NULL) == 0);
	assert(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	assert(waitpid(-1, &s, WNOHANG) == -1 && errno == ECHILD);
	return 0;
}
